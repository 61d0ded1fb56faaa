"""The one module that emits live events and decides who receives them.

Every broadcast goes out after the commit, without a callback (so it is encoded once whatever
the number of recipients), to rooms named by ``server.sessions.protocol``. In a web process it
uses the app's Socket.IO server; in a Celery worker (a task that is not run eagerly) it uses a
write-only ``SocketIO(message_queue=REDIS_URL, channel=SOCKETIO_CHANNEL)``, so a task reaches
every client of every web process through Redis without being a server itself.

For the break-out rooms product: ``room_assigned`` (tell a participant their room and move
their sockets into it, on publish or on a move) and ``live_state_changed``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_socketio import SocketIO
from socketio.pubsub_manager import PubSubManager

from server.extensions import socketio
from server.live import attendance
from server.live.ephemeral import Ephemeral
from server.live.fanout import Coalescer, Frame
from server.live.relay import RETRY_DELAYS, Delivery, Relay
from server.sessions import qa
from server.sessions.live_state import LiveState, RoomNotes
from server.sessions.protocol import (
    AGENDA_STATE,
    NOTES_CHANGED,
    NOTES_STATE,
    NOTES_TYPIST,
    PRESENCE_STATE,
    QA_CHANGED,
    ROOM_ASSIGNED,
    SPEAKER_STATE,
    Change,
    breakout_room,
    event_room,
    moderators_room,
    person_room,
)
from server.sessions.speakers import SpeakerQueue

_external: dict[tuple[str, str], SocketIO] = {}
_external_lock = threading.Lock()


def external(message_queue: str, channel: str) -> SocketIO:
    """Return a write-only Socket.IO emitter on a message queue, for processes that serve no sockets."""
    with _external_lock:
        key = (message_queue, channel)
        if key not in _external:
            _external[key] = SocketIO(message_queue=message_queue, channel=channel)
        return _external[key]


def _in_worker() -> bool:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover
        return False
    if not current_task:  # a proxy: falsy outside a task
        return False
    return not getattr(current_task.request, "is_eager", True)


def _sio() -> SocketIO:
    if _in_worker() and current_app.config.get("REDIS_URL"):
        return external(current_app.config["REDIS_URL"], current_app.config["SOCKETIO_CHANNEL"])
    return socketio


def ephemeral(app: Flask | None = None) -> Ephemeral:
    """This process's registry of connections, presence and rate-limit buckets."""
    return (app or current_app).extensions["convene.live"]  # type: ignore[no-any-return]


def _emit(event: str, payload: dict[str, Any], to: str | list[str]) -> None:
    _sio().emit(event, payload, to=to)


def _local_audience(frame: Frame) -> int:
    """How many of this process's sockets ``frame`` goes to (its rooms' members here)."""
    rooms = socketio.server.manager.rooms.get("/", {})  # python-socketio's room → members map
    targets = [frame.to] if isinstance(frame.to, str) else frame.to
    return sum(len(rooms.get(room, ())) for room in targets)


def _local_backlog(frame: Frame) -> bool:
    """Does any of this process's sockets that ``frame`` went to still have frames queued?

    python-socketio's ``emit`` only queues a frame on each engine.io socket; a writer per socket
    sends it later. An empty queue everywhere means the last frame has left this process.
    """
    rooms = socketio.server.manager.rooms.get("/", {})
    sockets = socketio.server.eio.sockets
    targets = [frame.to] if isinstance(frame.to, str) else frame.to
    for room in targets:
        for eio_sid in list(rooms.get(room, {}).values()):
            socket = sockets.get(eio_sid)
            if socket is not None and socket.queue.qsize():
                return True
    return False


def fanout(app: Flask | None = None) -> Coalescer:
    """This process's coalescer of versioned broadcasts (created on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("convene.live.fanout")
    if found is None:
        window = float(app.config.get("LIVE_COALESCE_SECONDS", 0.1))

        def send_here(event: str, payload: dict[str, Any], to: str | list[str]) -> None:
            # Only this process's sockets: the other processes coalesce and send their own.
            socketio.emit(event, payload, to=to, ignore_queue=True)

        found = Coalescer(send_here, window, socketio.start_background_task, socketio.sleep,
                          audience=_local_audience, backlog=_local_backlog,
                          seconds_per_socket=float(app.config.get("LIVE_SECONDS_PER_SOCKET", 0.0)))
        app.extensions["convene.live.fanout"] = found
    return found  # type: ignore[no-any-return]


def relay(app: Flask | None = None) -> Relay | None:
    """The Redis relay of frames between processes (None without REDIS_URL)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    registry = ephemeral(app)
    if registry.redis_url is None:
        return None
    found = app.extensions.get("convene.live.relay")
    if found is None:
        found = Relay(registry.new_redis, f"{registry.prefix}:frames", registry.host_id)
        app.extensions["convene.live.relay"] = found
    return found  # type: ignore[no-any-return]


def _broadcast(frames: list[Frame]) -> Delivery:
    """Deliver one change's frames here (coalesced) and publish them to the other processes."""
    delivery = Delivery()
    if not _in_worker():
        coalescer = fanout()
        for frame in frames:
            coalescer.submit(frame)
    link = relay()
    if link is None:
        return delivery
    try:
        link.publish(frames)
    except Exception as error:
        stream = frames[0].payload.get("stream")
        delivery.failed(f"{frames[0].event} {stream} v{frames[0].version} to the other servers", error)
        _retry_later(current_app._get_current_object(), lambda: link.publish(frames))  # type: ignore[attr-defined]
    return delivery


def _retry_later(app: Flask, attempt: Callable[[], Any]) -> None:
    """Run ``attempt`` again in the background until it works (about five minutes at most)."""

    def again() -> None:
        for delay in RETRY_DELAYS:
            socketio.sleep(delay)
            try:
                with app.app_context():
                    attempt()
                return
            except Exception:
                continue
        app.logger.error("live delivery: gave up retrying; clients converge through the version heartbeat")

    socketio.start_background_task(again)


# ---------------------------------------------------------------------------------------------
# Broadcasts of the versioned streams
# ---------------------------------------------------------------------------------------------


def agenda_state(state: LiveState, change: Change, now: datetime) -> Delivery:
    """Send the whole live state to everyone in the event."""
    payload = {**state.snapshot(now), "action": change.action}
    return _broadcast([Frame(AGENDA_STATE, event_room(state.event_id), payload)])


def qa_changed(event_id: int, queue: qa.QAQueue, change: Change) -> Delivery:
    """Send the audience view to the queue's audience and the moderator view to moderators."""
    kind, ref = queue.key
    audience = event_room(event_id) if kind == "item" else breakout_room(ref)
    return _broadcast([
        Frame(QA_CHANGED, audience, qa.change_payload(queue, change, moderator=False)),
        Frame(QA_CHANGED, moderators_room(event_id), qa.change_payload(queue, change, moderator=True)),
    ])


def speaker_state(event_id: int, queue: SpeakerQueue, change: Change, now: datetime) -> Delivery:
    kind, ref = queue.key
    to: str | list[str] = event_room(event_id) if kind == "plenary" else [breakout_room(ref), moderators_room(event_id)]
    return _broadcast([Frame(SPEAKER_STATE, to, {**queue.snapshot(now), "action": change.action})])


def notes_state(event_id: int, notes: RoomNotes) -> Delivery:
    to = [breakout_room(notes.room_id), moderators_room(event_id)]
    return _broadcast([Frame(NOTES_STATE, to, notes.snapshot())])


def notes_changed(event_id: int, room_id: int, update: str, skip_sid: str | None) -> Delivery:
    """Pass a shared-notes Yjs update (base64) on to the room and the moderators, not back to its sender.

    Unversioned and never retried: the update is stored, and every browser asks for what it
    lacks (``notes:sync``) when it reconnects or sees the notes' version move past its own.
    """
    delivery = Delivery()
    try:
        _sio().emit(NOTES_CHANGED, {"room_id": room_id, "update": update},
                    to=[breakout_room(room_id), moderators_room(event_id)], skip_sid=skip_sid)
    except Exception as error:
        delivery.failed(f"{NOTES_CHANGED} to {breakout_room(room_id)}", error)
    return delivery


def notes_typist(event_id: int, room_id: int, name: str, skip_sid: str | None) -> None:
    try:
        _sio().emit(NOTES_TYPIST, {"room_id": room_id, "name": name},
                    to=[breakout_room(room_id), moderators_room(event_id)], skip_sid=skip_sid)
    except Exception as error:  # who is typing is a courtesy; nothing to retry
        current_app.logger.warning("notes:typist not delivered: %s", error)


# ---------------------------------------------------------------------------------------------
# Rooms of one person (break-out assignment)
# ---------------------------------------------------------------------------------------------


def _enter(sio: SocketIO, sid: str, room: str) -> None:
    manager = sio.server.manager
    if manager.is_connected(sid, "/"):
        sio.server.enter_room(sid, room, namespace="/")
    elif isinstance(manager, PubSubManager):
        manager.enter_room(sid, "/", room)  # published: the process holding the sid joins it


def _leave(sio: SocketIO, sid: str, room: str) -> None:
    manager = sio.server.manager
    if manager.is_connected(sid, "/"):
        sio.server.leave_room(sid, room, namespace="/")
    elif isinstance(manager, PubSubManager):
        manager.leave_room(sid, "/", room)


def move_to_room(application_id: int, room_id: int | None) -> int:
    """Move every socket of a participant into ``room:<room_id>`` (None: out of any room).

    Works across processes: the sids come from the registry (Redis when set) and the join is
    published to the process that holds the socket. Returns the number of sockets moved.
    """
    sio = _sio()
    registry = ephemeral()
    moved = 0
    for sid, old in registry.sids_of(application_id).items():
        if old == room_id:
            continue
        if old is not None:
            _leave(sio, sid, breakout_room(old))
        if room_id is not None:
            _enter(sio, sid, breakout_room(room_id))
        registry.set_room(application_id, sid, room_id)
        moved += 1
    return moved


def room_assigned(event_id: int, application_id: int, room_payload: dict[str, Any]) -> Delivery:
    """Tell a participant their (new) room and move their sockets into it.

    ``room_payload`` is ``{round_id, room_id, room_name, video_url}`` (see
    ``server.live.operations.room_payload``); ``room_id: None`` means no room in that round.
    Call it after the commit that published the round or moved the person. It never raises:
    what could not be delivered (Redis down) is in the returned ``Delivery`` and is retried in
    the background; the participant's next ``sync:snapshot`` carries the assignment anyway.
    """
    delivery = Delivery()

    def deliver() -> None:
        move_to_room(application_id, room_payload.get("room_id"))
        _emit(ROOM_ASSIGNED, dict(room_payload), person_room(application_id))

    try:
        deliver()
    except Exception as error:
        delivery.failed(f"{ROOM_ASSIGNED} to {person_room(application_id)}", error)
        _retry_later(current_app._get_current_object(), deliver)  # type: ignore[attr-defined]
    attendance.sync_rooms_quietly(event_id)  # the database's record of who sat where, apart from delivery
    try:
        presence_changed(event_id)
    except Exception as error:  # presence is ephemeral and refreshed by the heartbeat
        current_app.logger.warning("presence after a room move failed: %s", error)
    return delivery


def rooms_assigned(event_id: int, assignments: list[tuple[int, dict[str, Any]]]) -> Delivery:
    """``room_assigned`` for everyone of a round; one summary line for what failed."""
    delivery = Delivery()
    for application_id, room in assignments:
        delivery.merge(room_assigned(event_id, application_id, room))
    failed = len(delivery.undelivered)
    if failed:
        delivery.undelivered = [f"{ROOM_ASSIGNED}: {failed} of {len(assignments)} participants not told their room yet"]
    return delivery


def live_state_changed(event_id: int, now: datetime | None = None) -> None:
    """Raise the live state's version and broadcast it (something it shows changed elsewhere)."""
    from server.live import operations
    from server.models.types import utcnow

    moment = now or utcnow()
    state, change = operations.refresh_live_state(event_id, moment)
    agenda_state(state, change, moment)


# ---------------------------------------------------------------------------------------------
# Presence (ephemeral: counts for everyone, names for moderators; coalesced, at most 1/s)
# ---------------------------------------------------------------------------------------------


def presence_payloads(event_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the audience and the moderator presence of an event, over all processes."""
    people = ephemeral().presence(event_id)
    rooms: dict[str, int] = {}
    participants = [p for p in people.values() if not p["staff"]]
    for p in participants:
        if p.get("room_id") is not None:
            rooms[str(p["room_id"])] = rooms.get(str(p["room_id"]), 0) + 1
    audience = {
        "stream": f"presence:{event_id}",
        "version": None,
        "view": "audience",
        "event_id": event_id,
        "participants": len(participants),
        "staff": len(people) - len(participants),
        "rooms": rooms,
    }
    moderator = {
        **audience,
        "view": "moderator",
        "people": sorted(
            ({"person_id": p["person_id"], "name": p["name"], "staff": p["staff"], "room_id": p.get("room_id")}
             for p in people.values()),
            key=lambda p: (p["staff"], str(p["name"]).lower()),
        ),
    }
    return audience, moderator


def _emit_presence(event_id: int) -> None:
    audience, moderator = presence_payloads(event_id)
    _emit(PRESENCE_STATE, audience, event_room(event_id))
    _emit(PRESENCE_STATE, moderator, moderators_room(event_id))


def presence_changed(event_id: int) -> None:
    """Broadcast presence soon: changes within LIVE_PRESENCE_DEBOUNCE seconds go out as one."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    delay = float(app.config.get("LIVE_PRESENCE_DEBOUNCE", 1.0))
    if delay <= 0 or _in_worker():
        _emit_presence(event_id)
        return
    registry = ephemeral(app)
    with registry._lock:
        if event_id in registry.presence_pending:
            return
        registry.presence_pending.add(event_id)
    socketio.start_background_task(_presence_later, app, event_id, delay)


def _presence_later(app: Flask, event_id: int, delay: float) -> None:
    socketio.sleep(delay)
    registry = ephemeral(app)
    with registry._lock:
        registry.presence_pending.discard(event_id)
    with app.app_context():
        try:
            _emit_presence(event_id)
        except Exception:  # presence is best effort; never kill the server's loop
            app.logger.exception("presence broadcast failed")
