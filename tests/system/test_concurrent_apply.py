"""The embedded default holds concurrent writers (issue 11, item 9).

A real `convene serve` on SQLite with in-process tasks and the outbox folder: 300 applications
from 30 concurrent clients all answer 201, p99 under 2 s, and every confirmation mail is in
instance/outbox within 10 s of the last answer (no waiting for the sweeper).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.load import apply_concurrently, wait_for_mails
from tests.support.procs import BIN, env_with, free_port, running

pytestmark = [pytest.mark.system, pytest.mark.timing]

TOTAL, CLIENTS = 300, 30


def test_thirty_concurrent_applicants_all_get_201_fast_and_their_mails(tmp_path: Path) -> None:
    port = free_port()
    instance = tmp_path / "instance"
    env = env_with(INSTANCE_PATH=str(instance), RATELIMIT_ENABLED="false")
    log = tmp_path / "serve.log"
    with running([str(BIN / "convene"), "serve", "--port", str(port)], env, port, log=log):
        result = apply_concurrently(f"http://127.0.0.1:{port}", TOTAL, CLIENTS)
        found, waited = wait_for_mails(instance / "outbox", TOTAL, timeout=10)
    failures = sorted({s for s in result.statuses if s != 201})
    assert result.statuses.count(201) == TOTAL, f"non-201 answers: {failures}\n{log.read_text()[-3000:]}"
    assert result.percentile(99) < 2.0, f"p99 {result.percentile(99):.2f} s"
    assert found == TOTAL, f"{found} of {TOTAL} mails in the outbox after {waited:.1f} s"
    assert "Traceback" not in log.read_text()
