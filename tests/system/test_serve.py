"""Command 1 of the README: `convene serve` on a fresh instance folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.support.procs import BIN, env_with, free_port, running

pytestmark = pytest.mark.system


def _credentials(log: Path) -> dict[str, str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        found = {}
        for line in lines:
            if " / " in line and "@convene.example" in line:
                role, rest = line.strip().split(": ", 1)
                email, password = rest.split(" / ")
                found[role] = f"{email} {password}"
        if len(found) == 2:
            return found
        time.sleep(0.2)
    raise AssertionError(log.read_text())


def test_first_start_seeds_and_logins_survive_a_restart(tmp_path: Path) -> None:
    port = free_port()
    env = env_with(INSTANCE_PATH=str(tmp_path / "instance"))
    cmd = [str(BIN / "convene"), "serve", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with running(cmd, env, port, log=tmp_path / "first.log"):
        assert f"Convene is running at {base}" in (tmp_path / "first.log").read_text()
        email, password = _credentials(tmp_path / "first.log")["organiser"].split()
        events = requests.get(f"{base}/api/events", timeout=5).json()["events"]
        assert {e["slug"] for e in events} == {"study-visit-central-asia-2021", "study-visit-central-asia-rehearsal"}
        session = requests.Session()
        assert session.post(f"{base}/api/session", json={"email": email, "password": password}, timeout=5).ok
    assert (tmp_path / "instance" / "convene.sqlite3").exists()
    with running(cmd, env, port, log=tmp_path / "second.log"):
        whoami = session.get(f"{base}/api/session", timeout=5)
        assert whoami.status_code == 200 and whoami.json()["email"] == email
        assert len(requests.get(f"{base}/api/events", timeout=5).json()["events"]) == 2
