"""Two `convene serve` processes (gevent) sharing a database and the real Redis as message queue.

A vote made through one process reaches a client of the other within a second; a client whose
server restarts reconnects and resynchronises to the same state from the database.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import socketio

from tests.conftest import base_config
from tests.support.live import Meeting, make_meeting
from tests.support.procs import BIN, env_with, free_port, running

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def channel() -> Iterator[str]:
    name = f"convene-test-live-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"convene:{name}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    """A migrated file database with the reference event, participants and a published round."""
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db

    url = f"sqlite:///{tmp_path / 'cluster.sqlite3'}"
    app = create_app(base_config(tmp_path, url))  # no REDIS_URL in this process
    with app.app_context():
        upgrade()
    meeting = make_meeting(app, participants=2)
    with app.app_context():
        db.engine.dispose()
    return url, meeting


class Recorder:
    """A real Socket.IO client (websocket transport) that timestamps what it receives."""

    def __init__(self, url: str, token: str, origin: str) -> None:
        self.url, self.token = url, token
        self.got: list[tuple[float, str, dict[str, Any]]] = []
        self.connects = 0
        self.connected = threading.Event()
        self.client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=0.5,
                                      websocket_extra_options={"origin": origin})

        @self.client.on("*")
        def anything(name: str, data: Any) -> None:
            self.got.append((time.monotonic(), name, data))

        @self.client.event
        def connect() -> None:
            self.connects += 1
            self.connected.set()

        @self.client.event
        def disconnect(*_: Any) -> None:
            self.connected.clear()

    def start(self) -> Recorder:
        self.client.connect(self.url, transports=["websocket"], auth={"token": self.token}, wait_timeout=10)
        return self

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.client.call(event, payload, timeout=10)  # type: ignore[no-any-return]

    def wait_for(self, name: str, test: Any, since: float, timeout: float = 5.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, got_name, data in list(self.got):
                if got_name == name and at >= since and test(data):
                    return at
            time.sleep(0.005)
        raise AssertionError(f"no {name} within {timeout}s; got {[g[1] for g in self.got]}")


def test_a_vote_crosses_processes_and_a_restart_loses_nothing(
    tmp_path: Path, prepared: tuple[str, Meeting], channel: str
) -> None:
    url, meeting = prepared
    ports = free_port(), free_port()
    origin = f"http://127.0.0.1:{ports[0]}"
    env = env_with(DATABASE_URL=url, REDIS_URL=REDIS_URL, SOCKETIO_CHANNEL=channel, SOCKETIO_ASYNC_MODE="gevent",
                   BASE_URL=origin, SECRET_KEY="cluster-test", INSTANCE_PATH=str(tmp_path / "instance"))

    def serve(port: int, log: str) -> Any:
        return running([str(BIN / "convene"), "serve", "--port", str(port), "--no-seed", "--no-migrate"],
                       env, port, log=tmp_path / log)

    queue = ["item", meeting.qa_item]
    stream = f"qa:item:{meeting.qa_item}"
    with serve(ports[0], "web1.log"):
        ana = Recorder(f"http://127.0.0.1:{ports[0]}", meeting.people[0].token, origin).start()
        with serve(ports[1], "web2.log"):
            bo = Recorder(f"http://127.0.0.1:{ports[1]}", meeting.people[1].token, origin).start()
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

        with serve(ports[1], "web2-again.log"):
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
