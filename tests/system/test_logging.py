"""Logs are never silenced (issue 11, item 10).

`convene serve` runs the migrations at start; Alembic's logging file used to disable every
logger created before it, so a failing mail send left no trace. Here the mail server is a
closed port: the failure must reach the process's log output, once, with its cause.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.support.applications import valid_application
from tests.support.load import OPEN_SLUG
from tests.support.procs import BIN, env_with, free_port, running

pytestmark = pytest.mark.system


def test_a_failing_send_is_logged_after_serve_migrated(tmp_path: Path) -> None:
    port, dead_smtp = free_port(), free_port()
    env = env_with(INSTANCE_PATH=str(tmp_path / "instance"), MAIL_URL=f"smtp://127.0.0.1:{dead_smtp}")
    log = tmp_path / "serve.log"
    with running([str(BIN / "convene"), "serve", "--port", str(port)], env, port, log=log):
        assert "Running upgrade" in log.read_text()  # the migrations ran in this process
        answer = requests.post(f"http://127.0.0.1:{port}/api/events/{OPEN_SLUG}/applications",
                               json=valid_application(), timeout=30)
        assert answer.status_code == 201
        deadline = time.monotonic() + 30
        while "not sent" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    lines = [line for line in log.read_text().splitlines() if "not sent" in line]
    assert len(lines) == 1, log.read_text()
    assert "worker.tasks" in lines[0] and "refused" in lines[0].lower(), lines[0]
