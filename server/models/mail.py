"""Outgoing mail: one row per message, the single record of its delivery state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboundMail(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly-once: e.g. "invite:<application>:<uid>:<sequence>:REQUEST".
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(300))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the current 'sending' claim was taken: a claim older than MAIL_SENDING_LEASE
    # belongs to a dead worker and may be taken again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a queued message is due (retry backoff); the sweeper re-enqueues overdue rows.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ScheduledJob(db.Model):  # type: ignore[name-defined,misc]
    """A job due at a moment (reminders, erasure); Celery beat runs the due ones."""

    __tablename__ = "scheduled_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
