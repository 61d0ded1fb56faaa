"""The `convene` console script as an administrator uses it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.procs import BIN, ROOT, env_with


def convene(tmp: Path, *args: str, python_m: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [str(BIN / "python"), "-m", "server", *args] if python_m else [str(BIN / "convene"), *args]
    return subprocess.run(cmd, env=env_with(INSTANCE_PATH=str(tmp)), cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_help_lists_the_commands(tmp_path: Path) -> None:
    for python_m in (False, True):
        result = convene(tmp_path, "--help", python_m=python_m)
        assert result.returncode == 0, result.stderr
        for command in ("serve", "db", "seed", "users", "assign"):
            assert command in result.stdout


def test_upgrade_seed_and_create_users(tmp_path: Path) -> None:
    assert convene(tmp_path, "db", "upgrade").returncode == 0
    first = convene(tmp_path, "seed")
    assert first.returncode == 0, first.stderr
    assert "study-visit-central-asia-2021" in first.stdout
    assert "organiser@convene.example / " in first.stdout
    again = convene(tmp_path, "seed")
    assert "Seeded: nothing new" in again.stdout
    created = convene(tmp_path, "users", "create", "--role", "moderator", "--password", "long-enough-pw",
                      "Mod@Example.org")
    assert created.returncode == 0, created.stderr
    assert "Created moderator mod@example.org" in created.stdout
    duplicate = convene(tmp_path, "users", "create", "--role", "moderator", "--password", "long-enough-pw",
                        "mod@example.org")
    assert duplicate.returncode == 2 and "exists" in duplicate.stderr
    bad_role = convene(tmp_path, "users", "create", "--role", "admin", "--password", "x" * 10, "a@b.org")
    assert bad_role.returncode == 2 and "--role" in bad_role.stderr
    short = convene(tmp_path, "users", "create", "--role", "organiser", "--password", "short", "o@b.org")
    assert short.returncode == 2 and "8 characters" in short.stderr
    assert (tmp_path / "secret_key").exists()


def test_a_bad_setting_is_named_in_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    """An operator's typo in the environment: every command, help included, says which setting,
    what it takes and what it got, and exits 2 before touching anything."""
    env = env_with(INSTANCE_PATH=str(tmp_path), INBOX_IDLE_SECONDS="60", LIVE_COALESCE_SECONDS="fast")
    for args in (["db", "upgrade"], ["--help"]):
        result = subprocess.run([str(BIN / "convene"), *args], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, result.stdout
        assert "Traceback" not in result.stderr
        assert "The setting INBOX_IDLE_SECONDS must be at most 14; it is '60'." in result.stderr
        assert "The setting LIVE_COALESCE_SECONDS must be a number; it is 'fast'." in result.stderr
    assert not (tmp_path / "convene.sqlite3").exists()
