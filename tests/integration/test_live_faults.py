"""Faults after the commit, and break-outs whose time runs out with nobody at the desk.

- Redis dies (a redis-server of the test's own, on a free port, killed): opening the
  break-outs is committed, so the acknowledgement says so and names what could not be
  delivered; when Redis is back, the delivery is retried and reaches the participant.
- The stored end time passes: the scheduler's runner starts the grace countdown, then brings
  everyone back, with the usual broadcasts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.sessions import protocol as ev
from tests.support.cluster import OwnRedis, own_redis_server
from tests.support.live import (
    Meeting,
    call,
    drain,
    make_meeting,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    received,
    staff_client,
)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    yield from own_redis_server(tmp_path)


def test_an_ack_tells_the_truth_when_redis_is_down_and_delivery_is_retried(
    app: Flask, own_redis: OwnRedis
) -> None:
    from server.live.ephemeral import Ephemeral

    # Flask-SocketIO's test client cannot run on a message queue, so Socket.IO stays
    # in-process while everything the live layer keeps in Redis (the sid registry, the relay
    # of frames to other processes) uses the test's own redis-server, which it kills.
    app.extensions["convene.live"] = Ephemeral(own_redis.url, "convene-test-faults")
    app.config.update(LIVE_PRESENCE_DEBOUNCE=0, LIVE_COALESCE_SECONDS=0)
    meeting = make_meeting(app, participants=2)
    mod = staff_client(app, meeting.slug, organiser=True)
    ana = participant_client(app, meeting.people[0])
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.items[4]})["ok"]
    drain(mod, ana)
    own_redis.kill()
    ack = call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": meeting.round_id, "minutes": 30})
    assert ack["ok"] is True and ack["version"] == 2, ack  # committed: never "nothing was changed"
    assert ack["delivered"] is False and ack["retrying"] is True
    assert any("room:assigned" in what for what in ack["undelivered"]), ack
    assert any("agenda:state" in what for what in ack["undelivered"]), ack  # the other servers
    snap = call(mod, ev.SYNC_SNAPSHOT, {"streams": [f"agenda:{meeting.event_id}"]})
    assert snap["snapshots"][f"agenda:{meeting.event_id}"]["mode"] == "breakouts"
    assert received(ana, ev.ROOM_ASSIGNED) == []  # not told yet
    own_redis.start()  # Redis is back (empty): the retry delivers
    deadline = time.monotonic() + 10
    assigned: list[dict[str, Any]] = []
    while not assigned and time.monotonic() < deadline:
        time.sleep(0.2)
        assigned = received(ana, ev.ROOM_ASSIGNED)
    assert assigned and assigned[0]["room_id"] == meeting.room_of(meeting.people[0])


def test_breakouts_end_at_the_stored_time_with_nobody_at_the_desk(app: Flask, meeting: Meeting) -> None:
    from server.live.deadlines import end_overdue_breakouts
    from server.models.types import utcnow

    app.config["LIVE_TIME_UP_GRACE_SECONDS"] = 45
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.items[4]})["ok"]
    assert call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": meeting.round_id, "minutes": 20})["ok"]
    mod.disconnect()  # the moderator is away
    drain(ana)
    now = utcnow()
    with app.app_context():
        assert end_overdue_breakouts(now + timedelta(minutes=19)) == 0  # not yet
        assert end_overdue_breakouts(now + timedelta(minutes=20, seconds=2)) == 1
    closing = received(ana, ev.AGENDA_STATE)[-1]
    assert closing["action"] == "time_up" and closing["closing"] is True and closing["mode"] == "breakouts"
    assert 44 <= closing["remaining_seconds"] <= 45
    with app.app_context():
        assert end_overdue_breakouts(now + timedelta(minutes=20, seconds=30)) == 0  # the grace runs
        assert end_overdue_breakouts(now + timedelta(minutes=20, seconds=48)) == 1
    back = received(ana, ev.AGENDA_STATE)[-1]
    assert back["action"] == "bring_back" and back["mode"] == "plenary"
    with app.app_context():
        assert end_overdue_breakouts(now + timedelta(hours=1)) == 0


def test_after_a_redis_restart_clients_hear_the_versions_and_the_registry_is_rebuilt(
    app: Flask, own_redis: OwnRedis
) -> None:
    from server.live import background
    from server.live.ephemeral import Ephemeral

    registry = Ephemeral(own_redis.url, "convene-test-heartbeat")
    app.extensions["convene.live"] = registry
    app.config.update(LIVE_PRESENCE_DEBOUNCE=0, LIVE_COALESCE_SECONDS=0)
    meeting = make_meeting(app, participants=2)
    ana, bo = (participant_client(app, p) for p in meeting.people)
    queue = ["item", meeting.qa_item]
    assert call(ana, ev.QA_ASK, {"queue": queue, "text": "Still there?"})["ok"]
    ana_sids = registry.sids_of(meeting.people[0].application_id)
    assert len(ana_sids) == 1

    own_redis.kill()  # Redis goes down; votes still count (rate limits fall back to this process)
    bo.disconnect()  # Bo's tab drops meanwhile and misses the next versions
    assert call(ana, ev.QA_VOTE, {"queue": queue, "question_id": 1})["ok"]
    with app.app_context():
        background.beat(app)  # no Redis: the heartbeat still tells this process's sockets
    heard = received(ana, ev.SYNC_VERSIONS)
    assert heard and heard[-1]["streams"][f"qa:item:{meeting.qa_item}"] == 2

    own_redis.start()  # back, and empty: the registry is gone
    assert registry.redis.keys("*") == []
    with app.app_context():
        background.beat(app)
    assert registry.sids_of(meeting.people[0].application_id) == ana_sids  # written back
    bo = participant_client(app, meeting.people[1])
    with app.app_context():
        background.beat(app)
    versions_now = received(bo, ev.SYNC_VERSIONS)[-1]["streams"]
    assert versions_now[f"qa:item:{meeting.qa_item}"] == 2  # Bo sees he is behind and resyncs
