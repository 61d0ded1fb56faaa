"""Room notes that several people edit at once: Yjs updates over the existing Socket.IO connection.

A browser sends its edits as Yjs updates (``notes:update``); they are stored append-only (so
writers never wait for each other), passed on to everyone else in the room and the moderators
(``notes:changed``), and the plain text of the merged document is refreshed under the notes
row's lock, so ``notes:state``, exports, the report and the plenary show the merged text. A
browser that (re)connects asks for what it lacks (``notes:sync``). Across web processes the
pass-on travels over the Redis message queue like every other broadcast; the database holds
every update, so nothing depends on a broadcast arriving. Who is typing (``notes:typing``) is
passed on and never stored.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy import delete, select

from server.extensions import db
from server.live import access, emit
from server.live import operations as ops
from server.live.access import Actor
from server.live.sockets import handles
from server.models import RoomNoteUpdate
from server.sessions import protocol as ev
from server.sessions import shared_notes
from server.sessions.live_state import RoomNotes
from server.sessions.protocol import Change, LiveError, ack_ok

COMPACT_AFTER = 200  # updates per room before they are merged into one row


def _bytes(payload: dict[str, Any], key: str, *, optional: bool = False) -> bytes | None:
    value = payload.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise LiveError(key, "must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise LiveError(key, "must be base64 text") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _rows(room_id: int) -> list[tuple[int, bytes]]:
    return [(i, bytes(d)) for i, d in db.session.execute(
        select(RoomNoteUpdate.id, RoomNoteUpdate.data).where(RoomNoteUpdate.room_id == room_id)
        .order_by(RoomNoteUpdate.id))]


def document(event_id: int, room_id: int) -> bytes:
    """The room's merged document; notes written before they were shared become its first update."""
    rows = _rows(room_id)
    if rows:
        return shared_notes.merged(d for _, d in rows)
    legacy = ops.load_notes_text(event_id, room_id)
    if not legacy:
        return shared_notes.merged([])
    seed = shared_notes.replace_text(None, legacy)
    # Seeded under the notes row's lock by _refresh's caller, so two processes cannot both seed.
    db.session.add(RoomNoteUpdate(room_id=room_id, data=seed))
    return seed


def _refresh(event_id: int, room_id: int, editor: str, now: datetime) -> tuple[RoomNotes, Change]:
    """Under the notes row's lock: the text of every update stored so far; compact when many."""

    def take_merged(notes: RoomNotes) -> Change:
        rows = _rows(room_id)
        state = shared_notes.merged(d for _, d in rows)
        if len(rows) > COMPACT_AFTER:
            db.session.execute(delete(RoomNoteUpdate).where(RoomNoteUpdate.id.in_([i for i, _ in rows])))
            db.session.add(RoomNoteUpdate(room_id=room_id, data=state))
        return notes.merged(shared_notes.text_of(state), editor, now)

    return ops.change_notes(event_id, room_id, take_merged)


def apply_update(who: Actor, room_id: int, update: bytes, now: datetime) -> RoomNotes:
    """Store one browser's update, then refresh the merged text; the caller passes the update on."""
    state = ops.with_notes_lock(who.event_id, room_id, lambda: document(who.event_id, room_id))
    shared_notes.checked(state, update)
    db.session.add(RoomNoteUpdate(room_id=room_id, data=update))
    db.session.commit()
    notes, _ = _refresh(who.event_id, room_id, who.name, now)
    return notes


def save_whole_text(who: Actor, room_id: int, text: str, now: datetime) -> None:
    """``notes:edit`` saved a whole text: record it in the shared document as the update it amounts to."""
    def record() -> bytes:
        update = shared_notes.replace_text(document(who.event_id, room_id), text)
        db.session.add(RoomNoteUpdate(room_id=room_id, data=update))
        return update

    update = ops.with_notes_lock(who.event_id, room_id, record)
    emit.notes_changed(who.event_id, room_id, _b64(update), None)


@handles(ev.NOTES_SYNC)
def notes_sync(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    room_id = access.required_int(payload, "room_id")
    access.check_room(who, room_id)
    vector = _bytes(payload, "state_vector", optional=True)
    state = ops.with_notes_lock(who.event_id, room_id, lambda: document(who.event_id, room_id))
    try:
        missing = shared_notes.since(state, vector)
    except ValueError:
        raise LiveError("state_vector", "is not a Yjs state vector") from None
    return ack_ok(update=_b64(missing))


@handles(ev.NOTES_UPDATE)
def notes_update(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    room_id = access.required_int(payload, "room_id")
    access.check_room(who, room_id)
    update = _bytes(payload, "update")
    assert update is not None
    notes = apply_update(who, room_id, update, now)
    # The pass-on is not retried (browsers ask for what they lack); the merged text's is.
    emit.notes_changed(who.event_id, room_id, _b64(update), request.sid)  # type: ignore[attr-defined]
    delivery = emit.notes_state(who.event_id, notes)
    return ack_ok(version=notes.version, **delivery.ack_fields())


@handles(ev.NOTES_TYPING)
def notes_typing(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    room_id = access.required_int(payload, "room_id")
    access.check_room(who, room_id)
    db.session.rollback()
    emit.notes_typist(who.event_id, room_id, who.name, request.sid)  # type: ignore[attr-defined]
    return ack_ok()
