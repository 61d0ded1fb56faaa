"""Live access ends at once across processes (issue 11, item 2), over real WebSockets.

Two `convene serve` processes share a database and a Redis message queue (DB 10, a channel of
the test's own). A participant is connected to the first; an organiser erases them through the
second. Their socket on the first process is closed within a second, and they cannot reconnect.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.conftest import ORGANISER, base_config
from tests.support.live import Meeting, make_meeting
from tests.support.procs import BIN, env_with, free_port, running
from tests.system.test_live_cluster import Recorder

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/10"


@pytest.fixture
def channel() -> Iterator[str]:
    name = f"convene-test-revoke-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"convene:{name}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db
    from server.models import User

    url = f"sqlite:///{tmp_path / 'cluster.sqlite3'}"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade()
        user = User(email=ORGANISER[0], name="Organiser", role="organiser")
        user.set_password(ORGANISER[1])
        db.session.add(user)
        db.session.commit()
    meeting = make_meeting(app, participants=2)
    with app.app_context():
        db.engine.dispose()
    return url, meeting


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
    ports = free_port(), free_port()
    origin = f"http://127.0.0.1:{ports[0]}"
    env = env_with(DATABASE_URL=url, REDIS_URL=REDIS_URL, SOCKETIO_CHANNEL=channel, BASE_URL=origin,
                   SECRET_KEY="revoke-test", INSTANCE_PATH=str(tmp_path / "instance"), RATELIMIT_ENABLED="false")

    def serve(port: int, log: str) -> Any:
        return running([str(BIN / "convene"), "serve", "--port", str(port), "--no-seed", "--no-migrate"],
                       env, port, log=tmp_path / log)

    with serve(ports[0], "web1.log"), serve(ports[1], "web2.log"):
        ana = Recorder(f"http://127.0.0.1:{ports[0]}", meeting.people[0].token, origin).start()
        bo = Recorder(f"http://127.0.0.1:{ports[0]}", meeting.people[1].token, origin).start()
        assert ana.call("qa:ask", {"queue": ["item", meeting.qa_item], "text": "Before"})["ok"]
        organiser = requests.Session()
        assert organiser.post(f"http://127.0.0.1:{ports[1]}/api/session",
                              json={"email": ORGANISER[0], "password": ORGANISER[1]}, timeout=10).ok
        csrf = organiser.get(f"http://127.0.0.1:{ports[1]}/api/session", timeout=10).json()["csrf_token"]
        erased = organiser.delete(
            f"http://127.0.0.1:{ports[1]}/api/events/{meeting.slug}/applications/{meeting.people[0].application_id}",
            headers={"X-CSRFToken": csrf, "Referer": f"http://127.0.0.1:{ports[1]}/"}, timeout=10)
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
