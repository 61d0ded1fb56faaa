"""Attendance from the live connections: one span per (tab, break-out room), kept in the database.

A participant's tab opens a span when it connects and closes it when it disconnects. While
break-outs are open the span names the room the person is assigned to in the open round; when
rooms open, close or someone is moved, the open spans of the meeting are re-read and split
(``sync_rooms``), so room time counts only while the rooms are open. Each web process refreshes
``seen_at`` of its own spans every minute: a span whose process died ends at its last sign of life.
Staff and the projector are not attendees and are not recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.clock import now as utcnow  # the app clock: tests inject the meeting's time
from server.extensions import db, socketio
from server.models import AttendanceSpan, BreakoutRoom, LiveStateRow, RoomAssignment
from server.sessions.attendance import Span
from server.sessions.live_state import Mode

log = logging.getLogger(__name__)
SEEN_EVERY_SECONDS = 60
_HEARTBEAT = "convene.live.attendance"


def _room_now(session: Session, event_id: int, application_id: int) -> tuple[int | None, int | None]:
    """(room id, room number) while break-outs are open, else (None, None): the plenary."""
    live = session.execute(select(LiveStateRow.mode, LiveStateRow.round_id)
                           .where(LiveStateRow.event_id == event_id)).first()
    if live is None or live.mode != Mode.BREAKOUTS or live.round_id is None:
        return None, None
    row = session.execute(
        select(BreakoutRoom.id, BreakoutRoom.number)
        .join(RoomAssignment, RoomAssignment.room_id == BreakoutRoom.id)
        .where(RoomAssignment.round_id == live.round_id, RoomAssignment.application_id == application_id)
    ).first()
    return (None, None) if row is None else (row[0], row[1])


def joined(event_id: int, application_id: int, sid: str) -> None:
    """A participant's tab connected: open its span in the room they are in now."""
    room_id, number = _room_now(db.session, event_id, application_id)
    at = utcnow()
    db.session.add(AttendanceSpan(event_id=event_id, application_id=application_id, sid=sid, room_id=room_id,
                                  room_number=number, joined_at=at, seen_at=at))
    db.session.commit()
    _start_heartbeat(current_app._get_current_object())  # type: ignore[attr-defined]


def left(sid: str) -> None:
    """A tab disconnected: close its open span."""
    at = utcnow()
    db.session.execute(update(AttendanceSpan).where(AttendanceSpan.sid == sid, AttendanceSpan.left_at.is_(None))
                       .values(left_at=at, seen_at=at))
    db.session.commit()


def sync_rooms(event_id: int) -> int:
    """Split every open span whose room differs from where its person is now; returns how many.

    Runs in its own session: it is called after other commits, also from inside an after-commit
    hook, where the request's session can no longer be used.
    """
    with Session(db.engine) as session, session.begin():
        open_spans = session.scalars(select(AttendanceSpan).where(AttendanceSpan.event_id == event_id,
                                                                  AttendanceSpan.left_at.is_(None))).all()
        at = utcnow()
        rooms: dict[int, tuple[int | None, int | None]] = {}
        changed = 0
        for span in open_spans:
            if span.application_id not in rooms:
                rooms[span.application_id] = _room_now(session, event_id, span.application_id)
            room_id, number = rooms[span.application_id]
            if span.room_id == room_id:
                continue
            span.left_at = span.seen_at = at
            session.add(AttendanceSpan(event_id=event_id, application_id=span.application_id, sid=span.sid,
                                       room_id=room_id, room_number=number, joined_at=at, seen_at=at))
            changed += 1
    return changed


def sync_rooms_quietly(event_id: int) -> None:
    """After a live change: attendance must never make the change itself fail."""
    try:
        sync_rooms(event_id)
    except Exception:
        log.exception("attendance: could not follow the rooms of event %s", event_id)


def spans_of(event_id: int) -> list[Span]:
    """The event's spans as the pure attendance engine reads them (a lost span ends when last seen)."""
    rows = db.session.scalars(select(AttendanceSpan).where(AttendanceSpan.event_id == event_id)
                              .order_by(AttendanceSpan.id)).all()
    stale = utcnow() - timedelta(seconds=3 * SEEN_EVERY_SECONDS)
    return [Span(person_id=r.application_id, room_id=r.room_id, joined=r.joined_at,
                 left=r.left_at if r.left_at is not None else (r.seen_at if r.seen_at < stale else None))
            for r in rows]


def touch(sids: list[str], at: datetime) -> None:
    if sids:
        db.session.execute(update(AttendanceSpan).where(AttendanceSpan.sid.in_(sids),
                                                        AttendanceSpan.left_at.is_(None)).values(seen_at=at))
    db.session.commit()


def _start_heartbeat(app: Flask) -> None:
    """Once per process: refresh seen_at of the spans of the sockets this process holds."""
    if app.extensions.get(_HEARTBEAT):
        return
    if app.config.get("TESTING") and not app.config.get("LIVE_BACKGROUND_IN_TESTS"):
        return  # a test suite builds many apps; their threads would outlive their databases
    app.extensions[_HEARTBEAT] = True

    def beat() -> None:
        from server.live import emit

        while True:
            socketio.sleep(SEEN_EVERY_SECONDS)
            with app.app_context():
                try:
                    sids = [c.sid for c in list(emit.ephemeral().connections.values()) if not c.staff]
                    touch(sids, utcnow())
                except Exception:
                    db.session.rollback()
                    log.exception("attendance heartbeat failed")
                finally:
                    db.session.remove()

    socketio.start_background_task(beat)
