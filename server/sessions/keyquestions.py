"""Which applicants' key questions open a Q&A item's queue, in which order, under which name.

Pure: the edge (``server.live.seeding``) reads the applications and the item's setting, this
module decides. A scope is ``all``, ``country:<ISO code>`` or ``region:<region>``; the entries
come grouped by region, then country, then application, so questions from one place sit
together in the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.core.vocab import Region, UnknownCountry, normalise_country
from server.sessions.protocol import LiveError

QUESTION_MAX_LENGTH = 500
SHARE_NAMED = "with_name"
SHARE_ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Applicant:
    """What seeding needs of one participating applicant."""

    id: int
    name: str | None
    country: str
    region: str
    share: str  # "with_name", "anonymous" or "no"
    questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose questions: everyone's, one country's or one region's."""

    kind: str  # "all", "country" or "region"
    value: str = ""

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"

    def admits(self, applicant: Applicant) -> bool:
        if self.kind == "country":
            return applicant.country == self.value
        if self.kind == "region":
            return applicant.region == self.value
        return True


ALL = Scope("all")


def parse_scope(text: str, field: str = "scope") -> Scope:
    """Read ``all``, ``country:KZ`` or ``region:central_asia``; refuse anything else."""
    value = text.strip()
    if value in ("", "all"):
        return ALL
    kind, _, rest = value.partition(":")
    if kind == "country":
        try:
            return Scope("country", normalise_country(rest))
        except UnknownCountry:
            raise LiveError(field, f"'{rest}' is not a country code (two letters, e.g. KZ)") from None
    if kind == "region":
        regions = [r.value for r in Region]
        if rest in regions:
            return Scope("region", rest)
        raise LiveError(field, f"unknown region '{rest}'; one of {', '.join(regions)}")
    raise LiveError(field, "must be all, country:<code> or region:<region>")


def entries(applicants: Iterable[Applicant], scope: Scope) -> list[tuple[str, str | None]]:
    """Return ``(question, author name or None)`` for the queue, grouped by region and country.

    Only applicants who agreed to share appear; the name only where they chose to be named.
    """
    chosen = sorted(
        (a for a in applicants if a.share in (SHARE_NAMED, SHARE_ANONYMOUS) and scope.admits(a)),
        key=lambda a: (a.region, a.country, a.id),
    )
    found: list[tuple[str, str | None]] = []
    for applicant in chosen:
        name = (applicant.name or None) if applicant.share == SHARE_NAMED else None
        for text in applicant.questions:
            cleaned = text.strip() if isinstance(text, str) else ""
            if cleaned:
                found.append((cleaned[:QUESTION_MAX_LENGTH], name))
    return found
