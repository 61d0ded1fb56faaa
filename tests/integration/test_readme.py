"""The README keeps its promises: the two commands first, every setting in the table."""

from __future__ import annotations

from server.settings import Settings
from tests.support.procs import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].startswith("./scripts/serve")
    assert block[1].startswith("./scripts/test")
    assert README.index("```bash") < 20


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec bash scripts/test" in ci


def test_every_setting_is_in_the_table() -> None:
    for name in Settings.model_fields:
        assert f"| `{name}` |" in README, name
