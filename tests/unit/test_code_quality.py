"""The shape the design promises: a pure core, one linter configuration, strict types on the core."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.procs import BIN, ROOT

PURE_PACKAGES = ("server/core", "server/sessions")  # DESIGN.md: engines live here, and only engines


def _pure_modules() -> list[str]:
    """Every module under the pure packages, found on disk, so a new engine is guarded at once."""
    return sorted(
        str(path.relative_to(ROOT).with_suffix("")).replace("/", ".").removesuffix(".__init__")
        for package in PURE_PACKAGES for path in (ROOT / package).rglob("*.py")
    )


PURE_CORE = _pure_modules()
EDGE_PACKAGES = ("flask", "flask_socketio", "socketio", "redis", "celery", "sqlalchemy")


@pytest.mark.parametrize("module", PURE_CORE)
def test_pure_core_imports_no_web_stack(module: str) -> None:
    code = (f"import sys, {module}; "
            f"print(','.join(sorted(p for p in {EDGE_PACKAGES!r} if p in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pure_core_passes_mypy_strict() -> None:
    files = [*PURE_PACKAGES, "server/breakouts/cli.py"]
    result = subprocess.run([str(BIN / "mypy"), "--strict", "--follow-imports=silent", *files], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- sizes

MAX_MODULE_LINES = 500  # one sitting
MAX_FUNCTION_LINES = 60
SIZED_PACKAGES = ("server", "worker")
NOT_SIZED = ("server/migrations/versions",)  # generated schema history, never edited after release

# Longer functions that read better whole: "path::Qualified.name" -> why. Keep it short.
ALLOWED_LONG: dict[str, str] = {}

# Being split in parallel; the lead empties this at merge. "path" (module) or "path::qualname".
PENDING_SPLITS: dict[str, str] = {
}


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, length in lines) of every function and method, nested ones too."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + child.name
            yield name, (child.end_lineno or child.lineno) - child.lineno + 1
            yield from _functions(child, name + ".")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, prefix + child.name + ".")


def _oversized() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in SIZED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(NOT_SIZED):
                continue
            text = path.read_text(encoding="utf-8")
            lines = len(text.splitlines())
            if lines > MAX_MODULE_LINES:
                found[rel] = f"{lines} lines (at most {MAX_MODULE_LINES})"
            for name, length in _functions(ast.parse(text, filename=rel)):
                if length > MAX_FUNCTION_LINES:
                    found[f"{rel}::{name}"] = f"{length} lines (at most {MAX_FUNCTION_LINES})"
    return found


def test_no_module_or_function_is_too_long_to_read_in_one_sitting() -> None:
    unexpected = {key: why for key, why in _oversized().items() if key not in ALLOWED_LONG | PENDING_SPLITS}
    assert unexpected == {}, "split these by concern (or allow one, with a reason, in ALLOWED_LONG)"


def test_the_size_allow_lists_name_only_real_offenders() -> None:
    stale = sorted((ALLOWED_LONG | PENDING_SPLITS).keys() - _oversized().keys())
    assert stale == [], "no longer too long: remove these entries"
