"""The shape the design promises: a pure core, one linter configuration, strict types on the core."""

from __future__ import annotations

import subprocess
import sys

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
