"""Live access ends at once across processes (issue 11, item 2), over real WebSockets.

Two `convene serve` processes share a database and a Redis message queue (DB 10, a channel of
the test's own). A participant is connected to the first; an organiser erases them through the
second. Their socket on the first process is closed within a second, and they cannot reconnect.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ORGANISER
from tests.support.cluster import Cluster, Recorder, owned_channel, prepare_database
from tests.support.live import Meeting

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/10"


@pytest.fixture
def channel() -> Iterator[str]:
    with owned_channel(REDIS_URL, "revoke") as name:
        yield name


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    return prepare_database(tmp_path, participants=2,
                            staff=((ORGANISER[0], ORGANISER[1], "Organiser", "organiser"),))


def _connected_for(recorder: Recorder, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if recorder.connected.is_set():
            return True
        time.sleep(0.05)
    return False


def test_erasing_on_one_process_closes_the_socket_on_the_other(
    tmp_path: Path, prepared: tuple[str, Meeting], channel: str
) -> None:
    url, meeting = prepared
    cluster = Cluster(tmp_path, url, REDIS_URL, channel, extra={"RATELIMIT_ENABLED": "false"})
    (one, two), origin = cluster.bases, cluster.origin
    with cluster.serving("web1.log", "web2.log"):
        ana = Recorder(one, meeting.people[0].token, origin).start()
        bo = Recorder(one, meeting.people[1].token, origin).start()
        assert ana.call("qa:ask", {"queue": ["item", meeting.qa_item], "text": "Before"})["ok"]
        organiser = requests.Session()
        assert organiser.post(f"{two}/api/session",
                              json={"email": ORGANISER[0], "password": ORGANISER[1]}, timeout=10).ok
        csrf = organiser.get(f"{two}/api/session", timeout=10).json()["csrf_token"]
        erased = organiser.delete(
            f"{two}/api/events/{meeting.slug}/applications/{meeting.people[0].application_id}",
            headers={"X-CSRFToken": csrf, "Referer": f"{two}/"}, timeout=10)
        assert erased.status_code == 204, erased.text
        deadline = time.monotonic() + 2
        while ana.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not ana.connected.is_set(), (tmp_path / "web1.log").read_text()[-2000:]
        assert not _connected_for(ana, 1.5)  # its reconnection attempts are refused
        assert ana.connects == 1
        assert bo.connected.is_set() and bo.call("qa:ask", {"queue": ["item", meeting.qa_item],
                                                            "text": "Still here"})["ok"]
        ana.client.disconnect()
        bo.client.disconnect()
    assert cluster.tracebacks() == {}
