"""Mail texts with named placeholders, such as ``Dear {name},`` (pure; no Flask).

Organisers edit these texts, so they are parsed with :class:`string.Formatter` and filled in
by hand: only plain names from an allowed set are accepted — no attribute or index access
(``{name.__class__}``, ``{links[0]}``), no conversions and no format specifications — so a
text can never reach into the objects behind the values.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["TextProblem", "check_text", "fill", "placeholders"]

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class TextProblem:
    """Why a text is refused: ``placeholder`` names the offending one (empty for syntax errors)."""

    placeholder: str
    reason: str


def placeholders(text: str) -> list[str]:
    """The placeholder names in ``text`` in order of appearance (raises ValueError on bad braces)."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def check_text(text: str, allowed: Iterable[str]) -> list[TextProblem]:
    """Every problem with ``text``: unknown names, attribute/index access, conversions, bad braces."""
    allowed_set = set(allowed)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [TextProblem("", "has a brace that opens or closes nothing; write {{ and }} for a literal brace")]
    problems: list[TextProblem] = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not _NAME.fullmatch(name):
            problems.append(TextProblem(name, "only plain names such as {name} are allowed"))
        elif name not in allowed_set:
            problems.append(TextProblem(name, f"is not a known placeholder; use one of {sorted(allowed_set)}"))
        elif spec or conversion:
            problems.append(TextProblem(name, "takes no format or conversion; write just the name"))
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder by its value; ``{{``/``}}`` become braces. Call check_text first."""
    out: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)
