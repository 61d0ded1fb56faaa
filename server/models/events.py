"""Events and their agenda: days and items, all times stored in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class Event(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(600), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    application_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    call_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    seats: Mapped[int] = mapped_column(Integer, default=40)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    organiser_email: Mapped[str] = mapped_column(String(254))
    # iTIP: one UID for the meeting's whole life; SEQUENCE grows with every change sent.
    calendar_uid: Mapped[str] = mapped_column(String(200), unique=True)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    auto_promote_waitlist: Mapped[bool] = mapped_column(Boolean, default=False)
    selection_targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # Texts in other languages than the original: {"ru": {"title": ..., "summary": ..., "description": ...}}.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    days: Mapped[list[AgendaDay]] = relationship(
        back_populates="event", order_by="AgendaDay.date", cascade="all, delete-orphan"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def call_is_open(self, now: datetime) -> bool:
        return not self.call_closed and now <= self.application_deadline

    @property
    def items(self) -> list[AgendaItem]:
        return [item for day in self.days for item in day.items]


class AgendaDay(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "agenda_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)  # {"ru": {"title": ...}}
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="days")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="day", order_by="AgendaItem.starts_at", cascade="all, delete-orphan"
    )


class AgendaItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("agenda_days.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    # {"ru": {"title": ..., "description": ...}}
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # [{"name": ..., "country": "KZ", "organisation": ...}]
    speakers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    day: Mapped[AgendaDay] = relationship(back_populates="items")
