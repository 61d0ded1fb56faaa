"""Answers that calendars mail back to our invitations (iTIP REPLY, REFRESH, COUNTER)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class InboundReply(db.Model):  # type: ignore[name-defined,misc]
    """One row per message read, whatever became of it: the single record that it was read.

    ``dedupe_key`` (the Message-ID, or a hash of the bytes when there is none) is unique and
    the row is written in the same transaction as the participant's change, so a message read
    twice, or again after a worker died, changes nothing the second time.
    ``promotion_due_at`` is set in that transaction when the answer frees a seat that the
    wait-list should fill, and cleared once the promotion has run: a worker that dies in
    between leaves it set, and the next poll finishes the promotion (exactly one)."""

    __tablename__ = "inbound_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(10))              # imap | folder
    sender: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    method: Mapped[str | None] = mapped_column(String(10))       # REPLY | REFRESH | COUNTER
    partstat: Mapped[str | None] = mapped_column(String(20))
    sequence: Mapped[int | None] = mapped_column(Integer)
    # applied | tentative | refreshed | counter | asked-again | rejected
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)                 # English, for the API and logs
    # The same as a msgid with its fields, so the organisers' page shows it in their language.
    reason_template: Mapped[str | None] = mapped_column(Text)
    reason_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    proposed_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposed_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    promotion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
