"""The meeting day's own facts: how each Q&A item is seeded, which items were seeded, and the
projector's secret link (only its hash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class QASeedSetting(db.Model):  # type: ignore[name-defined,misc]
    """Per agenda item: add the applicants' shared key questions when it starts, and whose.

    No row: the default, ``on_start`` for items of kind ``qa`` with every applicant's questions.
    ``scope`` is ``all``, ``country:<ISO code>`` or ``region:<region value>``.
    """

    __tablename__ = "qa_seed_settings"

    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True)
    on_start: Mapped[bool] = mapped_column(Boolean, default=True)
    scope: Mapped[str] = mapped_column(String(40), default="all")


class QASeeding(db.Model):  # type: ignore[name-defined,misc]
    """One item's queue received the key questions: the unique item id makes it happen once."""

    __tablename__ = "qa_seedings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), unique=True)
    scope: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(20))  # "start" (automatic) or "button"
    seeded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProjectorLink(db.Model):  # type: ignore[name-defined,misc]
    """The secret link of an event's projector view; a reset draws a new salt and hash.

    The secret is HMAC(SECRET_KEY, event and salt): never stored, so a copy of the database
    alone opens no projector, yet the console can show the link again at any time.
    """

    __tablename__ = "projector_links"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
