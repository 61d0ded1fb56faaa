"""Shared room notes across two `convene serve` processes (gevent) on the real Redis: two people,
one on each process, type at the same moment; both end with the same text, nothing doubled, and
the database holds exactly that text."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Text

from tests.support.cluster import Cluster, Recorder, owned_channel, prepare_database
from tests.support.live import Meeting

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/7"  # this test's own database number


@pytest.fixture
def channel() -> Iterator[str]:
    with owned_channel(REDIS_URL, "notes") as name:
        yield name


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    return prepare_database(tmp_path, participants=3, name="notes.sqlite3")  # the first and the third share a room


class Writer:
    """A browser's Yjs document over a real Socket.IO connection to one of the processes."""

    def __init__(self, recorder: Recorder, room_id: int) -> None:
        self.recorder, self.room_id, self.doc = recorder, room_id, Doc()
        self.text = self.doc.get("notes", type=Text)
        self.applied = 0

    def sync(self) -> None:
        ack = self.recorder.call("notes:sync", {"room_id": self.room_id,
                                                "state_vector": base64.b64encode(self.doc.get_state()).decode()})
        assert ack["ok"], ack
        self.doc.apply_update(base64.b64decode(ack["update"]))

    def type(self, index: int, words: str) -> dict[str, Any]:
        before = self.doc.get_state()
        self.text.insert(index, words)
        update = base64.b64encode(self.doc.get_update(before)).decode()
        return self.recorder.call("notes:update", {"room_id": self.room_id, "update": update})

    def take_changes(self) -> None:
        changes = [d for _, name, d in self.recorder.got if name == "notes:changed"]
        for data in changes[self.applied:]:
            self.doc.apply_update(base64.b64decode(data["update"]))
        self.applied = len(changes)


def _stored(url: str, room_id: int) -> str:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.connect() as conn:
        text = conn.execute(sqlalchemy.text("SELECT text FROM room_notes WHERE room_id = :r"), {"r": room_id}).scalar()
    engine.dispose()
    return str(text)


def test_two_processes_merge_simultaneous_notes(tmp_path: Path, prepared: tuple[str, Meeting], channel: str) -> None:
    url, meeting = prepared
    ana, cy = meeting.people[0], meeting.people[2]
    room = meeting.room_of(ana)
    cluster = Cluster(tmp_path, url, REDIS_URL, channel)
    (one, two), origin = cluster.bases, cluster.origin
    with cluster.serving("web1.log", "web2.log"):
        a = Writer(Recorder(one, ana.token, origin).start(), room)
        c = Writer(Recorder(two, cy.token, origin).start(), room)
        a.sync()
        assert a.type(0, "Shared start.")["ok"]
        c.recorder.wait_for("notes:changed", lambda d: d["room_id"] == room, 0, timeout=2.0)
        c.take_changes()
        assert str(c.text) == "Shared start."
        # Both write from the same text at the same moment, through different processes.
        start = threading.Barrier(2)
        acks: dict[str, dict[str, Any]] = {}

        def write(name: str, writer: Writer, index: int, words: str) -> None:
            start.wait()
            acks[name] = writer.type(index, words)

        threads = [threading.Thread(target=write, args=("a", a, 0, "Ana: ")),
                   threading.Thread(target=write, args=("c", c, len("Shared start."), " Cy: agreed."))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        assert acks["a"]["ok"] and acks["c"]["ok"], acks
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            a.take_changes()
            c.take_changes()
            if str(a.text) == str(c.text):
                break
            time.sleep(0.05)
        assert str(a.text) == str(c.text) == "Ana: Shared start. Cy: agreed."
        assert _stored(url, room) == str(a.text)
        a.recorder.client.disconnect()
        c.recorder.client.disconnect()
    assert cluster.tracebacks() == {}
