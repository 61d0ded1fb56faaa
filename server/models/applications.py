"""Applications to an event's call, their reviews, and the people they become."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.vocab import region_of
from server.extensions import db
from server.models.events import Event
from server.models.types import UTCDateTime, utcnow


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"      # waiting for a decision
    INVITED = "invited"          # invitation sent, no answer yet
    ACCEPTED = "accepted"        # invitee said yes: a participant
    DECLINED = "declined"        # invitee said no
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"        # organisers declined the application
    WITHDRAWN = "withdrawn"      # the applicant withdrew
    ERASED = "erased"            # identity and answers removed; only counts remain


PARTICIPATING = (ApplicationStatus.INVITED, ApplicationStatus.ACCEPTED)


class Application(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("event_id", "email", name="uq_applications_event_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.SUBMITTED, index=True)
    # Personal link and calendar feed secrets, stored as SHA-256 hashes only.
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    # Identity (nulled on erasure; role, country and region stay for anonymous counts).
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(40))
    role_other: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    works_with: Mapped[list[str]] = mapped_column(JSON, default=list)

    # The call's three questions.
    work_relation: Mapped[str | None] = mapped_column(Text)
    key_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    challenges: Mapped[str | None] = mapped_column(Text)
    # May the key questions seed the Q&A, and with the applicant's name?
    share_questions: Mapped[str] = mapped_column(String(20), default="anonymous")

    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    # The applicant said on the form they are willing to facilitate a break-out room.
    offers_to_facilitate: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language mails, calendars and pages speak to this person (a code of server.i18n.LANGUAGES),
    # and their own time zone (IANA name) shown beside the event's; None: the event's zone only.
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Organiser override for the selection proposal: "in" (forced in), "out" (forced out) or None.
    selection_override: Mapped[str | None] = mapped_column(String(3))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    reviews: Mapped[list[Review]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    def set_country(self, code: str) -> None:
        self.country = code
        self.region = region_of(code).value


class Review(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_reviews_application_reviewer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship(back_populates="reviews")
