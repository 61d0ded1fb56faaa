"""Per-invitee calendar state: the iTIP SEQUENCE each person last received, where it went,
and the salts from which their personal link and feed token are re-derived."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class CalendarInvitation(db.Model):  # type: ignore[name-defined,misc]
    """One row per application that ever received (or will receive) a calendar message.

    ``sequence`` is per invitee, not per meeting: someone invited after three agenda changes
    still gets SEQUENCE 0, and a re-invitation after a CANCEL continues above the CANCEL's
    SEQUENCE (clients ignore a REQUEST whose SEQUENCE is not higher than what they hold).
    ``email``/``name`` are where the calendar was sent: a CANCEL goes to the address that
    holds the entry, even after the application's address changed or was erased.
    """

    __tablename__ = "calendar_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # SEQUENCE of the last message queued (None: nothing sent yet) and its METHOD.
    sequence: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    # Salts for HMAC(SECRET_KEY, ...) derived secrets; the hashes live on the application.
    link_salt: Mapped[str | None] = mapped_column(String(64))
    feed_salt: Mapped[str | None] = mapped_column(String(64))
    # The invitee's latest answer (accepted | declined | tentative), where it came from
    # (calendar | personal-page), when, and which SEQUENCE it answered (on the personal page:
    # the one sent last, which the page shows). An answer to an older SEQUENCE that arrives
    # after it is kept aside.
    # Tentative lives only here: it is not an application status.
    answer: Mapped[str | None] = mapped_column(String(20))
    answer_source: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_sequence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
