"""Attendance: one row per live connection (a browser tab) and the break-out room it sat in.

A tab that moves to another room closes its row and opens a new one, so each row is one
(socket, room) span. A person's tabs are merged when attendance is computed
(``server.sessions.attendance``), never here: the rows are the facts as they happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class AttendanceSpan(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attendance_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    sid: Mapped[str] = mapped_column(String(64), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("breakout_rooms.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Still connected while left_at is None; seen_at is refreshed every minute by the process
    # holding the socket, so a span whose process died ends at its last sign of life.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    room_number: Mapped[int | None] = mapped_column(Integer)  # kept for the report if the room is re-planned
