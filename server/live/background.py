"""What each web process does on its own, in the background: relay, heartbeat, registry repair.

- **Relay listener:** frames published by the other processes go to this process's coalescer.
- **Version heartbeat** (every ``LIVE_HEARTBEAT_SECONDS``, default 3 s): for every event with
  sockets here, the streams' versions *as the database has them* go out as ``sync:versions``
  to this process's sockets only. A client that is behind on a stream (a lost broadcast, a
  Redis outage, a frame dropped anywhere) notices within one period and asks for a snapshot.
  It is read from the database, so it works while Redis is down.
- **Registry repair:** the sid registry and presence live in Redis; when Redis restarts empty,
  this process's marker key is gone, and it writes all its connections back at the next beat.
"""

from __future__ import annotations

import logging
import time

from flask import Flask

from server.extensions import db, socketio
from server.live import emit, store
from server.sessions.protocol import SYNC_VERSIONS, breakout_room, event_room, moderators_room

log = logging.getLogger(__name__)
PRESENCE_EVERY_SECONDS = 10.0


def start(app: Flask) -> None:
    """Start this process's background work once (at the first connection)."""
    if app.extensions.get("convene.live.background"):
        return
    if app.config.get("TESTING") and not app.config.get("LIVE_BACKGROUND_IN_TESTS"):
        return  # a test suite builds many apps: their tests call ``beat`` themselves
    app.extensions["convene.live.background"] = True
    link = emit.relay(app)
    if link is not None:
        coalescer = emit.fanout(app)
        socketio.start_background_task(link.listen, coalescer.submit, socketio.sleep)
    socketio.start_background_task(_beat_forever, app)


def _beat_forever(app: Flask) -> None:
    period = float(app.config.get("LIVE_HEARTBEAT_SECONDS", 3.0))
    last_presence = time.monotonic()
    while True:
        socketio.sleep(period)
        with app.app_context():
            try:
                beat(app, presence=time.monotonic() - last_presence >= PRESENCE_EVERY_SECONDS)
            except Exception:
                log.exception("live heartbeat failed")
            finally:
                db.session.remove()
        if time.monotonic() - last_presence >= PRESENCE_EVERY_SECONDS:
            last_presence = time.monotonic()


def beat(app: Flask, *, presence: bool = True) -> None:
    """One heartbeat: versions to this process's sockets; repair and refresh Redis if it is up."""
    registry = emit.ephemeral(app)
    for event_id in sorted(registry.events_here()):
        send_versions(event_id)
    if registry.redis_url is None:
        return
    try:
        registry.repair()
        if presence:
            for event_id in registry.events_here():
                registry.publish_presence(event_id)
    except Exception as exc:  # Redis down: the next beat tries again
        log.warning("live heartbeat: Redis unavailable (%s)", exc)


def send_versions(event_id: int) -> None:
    """Tell this process's sockets of one event every stream's version in the database."""
    plenary, rooms = store.stream_versions(event_id)
    db.session.rollback()
    every = dict(plenary)
    for room_id, streams in rooms.items():
        every.update(streams)
        _here({"event_id": event_id, "streams": streams}, breakout_room(room_id))
    _here({"event_id": event_id, "streams": plenary}, event_room(event_id))
    _here({"event_id": event_id, "streams": every}, moderators_room(event_id))


def _here(payload: dict[str, object], room: str) -> None:
    socketio.emit(SYNC_VERSIONS, payload, to=room, ignore_queue=True)
