"""Break-out rounds: the rooms of one break-out agenda item and who is in which."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class BreakoutRound(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "breakout_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20), default="mixed")  # mixed | role
    room_count: Mapped[int | None] = mapped_column(Integer)
    room_size: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    video_url_template: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    # The engine's metrics and per-room explanations for the current proposal.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [[application_id, application_id], ...] never to share a room (beyond same organisation).
    separations: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    # One topic per room, in room order (shorter than the rooms: the rest have none). 0006.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Keep people of the same organisation in different rooms (the engine's default). 0006.
    separate_organisations: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rooms: Mapped[list[BreakoutRoom]] = relationship(
        back_populates="round", order_by="BreakoutRoom.number", cascade="all, delete-orphan"
    )


class BreakoutRoom(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "breakout_rooms"
    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_breakout_rooms_round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_rounds.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(300), default="")
    role_group: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    capacity: Mapped[int | None] = mapped_column(Integer)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # A staff member who facilitates this room (rooms without a participant facilitator). 0013.
    facilitator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[BreakoutRound] = relationship(back_populates="rooms")
    assignments: Mapped[list[RoomAssignment]] = relationship(
        back_populates="room", cascade="all, delete-orphan"
    )


class RoomAssignment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "room_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", name="uq_room_assignments_round_application"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_rounds.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("breakout_rooms.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    room: Mapped[BreakoutRoom] = relationship(back_populates="assignments")


class EventFacilitator(db.Model):  # type: ignore[name-defined,misc]
    """A staff member (organiser or moderator) who facilitates break-out rooms of one event. 0013."""

    __tablename__ = "event_facilitators"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
