"""Two `convene serve` processes (gevent) sharing a database and the real Redis as message queue.

A vote made through one process reaches a client of the other within a second; a client whose
server restarts reconnects and resynchronises to the same state from the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster, Recorder, owned_channel, prepare_database
from tests.support.live import Meeting

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def channel() -> Iterator[str]:
    with owned_channel(REDIS_URL, "live") as name:
        yield name


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    """A migrated file database with the reference event, participants and a published round."""
    return prepare_database(tmp_path, participants=2)


def test_a_vote_crosses_processes_and_a_restart_loses_nothing(
    tmp_path: Path, prepared: tuple[str, Meeting], channel: str
) -> None:
    url, meeting = prepared
    cluster = Cluster(tmp_path, url, REDIS_URL, channel)
    (one, two), origin = cluster.bases, cluster.origin
    queue = ["item", meeting.qa_item]
    stream = f"qa:item:{meeting.qa_item}"
    with cluster.serve(0, "web1.log"):
        ana = Recorder(one, meeting.people[0].token, origin).start()
        with cluster.serve(1, "web2.log"):
            bo = Recorder(two, meeting.people[1].token, origin).start()
            asked = ana.call("qa:ask", {"queue": queue, "text": "Does this cross processes?"})
            assert asked["ok"], asked
            sent = time.monotonic()
            voted = ana.call("qa:vote", {"queue": queue, "question_id": 1})
            assert voted["ok"] and voted["voted"] is True, voted
            arrived = bo.wait_for("qa:changed", lambda d: d["version"] == voted["version"], sent, timeout=1.0)
            assert arrived - sent < 1.0

        # web2 is down: Bo is disconnected and misses the next versions.
        deadline = time.monotonic() + 5
        while bo.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not bo.connected.is_set()
        assert ana.call("qa:vote", {"queue": queue, "question_id": 1})["voted"] is False
        assert ana.call("qa:ask", {"queue": queue, "text": "Asked while web2 was down"})["ok"]
        truth = ana.call("sync:snapshot", {"streams": [stream]})["snapshots"][stream]

        with cluster.serve(1, "web2-again.log"):
            assert bo.connected.wait(15), "the client did not reconnect to the restarted server"
            assert bo.connects == 2
            again = bo.call("sync:snapshot", {"streams": [stream]})["snapshots"][stream]
            assert again["version"] == truth["version"] == 4
            assert [(q["id"], q["votes"], q["text"]) for q in again["questions"]] == [
                (q["id"], q["votes"], q["text"]) for q in truth["questions"]]
            # And the live path works again from the restarted process.
            sent = time.monotonic()
            voted = ana.call("qa:vote", {"queue": queue, "question_id": 2})
            bo.wait_for("qa:changed", lambda d: d["version"] == voted["version"], sent, timeout=1.0)
            bo.client.disconnect()
        ana.client.disconnect()
    assert cluster.tracebacks() == {}
