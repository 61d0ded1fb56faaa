"""Erasure of personal data: on request, and for non-participants once the retention period has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from server.applications.status import Change, S, announce, change_status
from server.applications.waitlist import seat_freed
from server.clock import now
from server.extensions import db
from server.models import Application, Event, InboundReply, OutboundMail
from server.models.applications import PARTICIPATING
from server.models.mail import MailStatus

ERASE_AFTER_MEETING = (S.SUBMITTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN, S.DECLINED)


def _scrub(application: Application, keep_mail_after: int | None) -> None:
    if application.email:  # calendar answers kept aside under this address (none names the application)
        db.session.execute(update(InboundReply).where(
            func.lower(InboundReply.sender) == application.email.lower(),
            or_(InboundReply.event_id == application.event_id, InboundReply.event_id.is_(None)),
        ).values(sender=None, subject=None, comment=None))
    for column in ("email", "name", "organisation", "job_title", "role_other", "work_relation", "challenges",
                   "access_token_hash", "feed_token_hash", "selection_override"):
        setattr(application, column, None)
    application.key_questions = []
    application.languages = []
    application.works_with = []
    for review in application.reviews:
        review.comment = ""
    mails = delete(OutboundMail).where(OutboundMail.application_id == application.id)
    if keep_mail_after is not None:
        mails = mails.where(OutboundMail.id <= keep_mail_after)
    db.session.execute(mails)


def erase(application: Application) -> None:
    """Remove identity and answers; keep status erased with role, country and region for counts.

    A participant's status changes first, with the address still known, so that the calendar
    feature can send the cancellation; then the identity goes (that cancellation mail, queued
    during the signal, is kept until delivered and purged by the daily erasure task).
    """
    if application.status == S.ERASED and application.email is None:
        return
    event = application.event
    at = now()
    changes: list[Change] = []
    participant = application.status in PARTICIPATING
    keep_after = None
    if participant:
        keep_after = db.session.scalar(select(func.max(OutboundMail.id))) or 0
        change_status(application, S.ERASED, changes, at=at)
        application.erased_at = at
        db.session.commit()
        announce(changes)
        _scrub(application, keep_after)
        db.session.commit()
        seat_freed(event)
        return
    change_status(application, S.ERASED, changes, at=at)
    application.erased_at = at
    _scrub(application, None)
    db.session.commit()
    announce(changes)


def retention_due(event: Event) -> datetime | None:
    if not event.days:
        return None
    return max(day.ends_at for day in event.days) + timedelta(days=event.retention_days)


def erase_expired(at: datetime | None = None) -> int:
    """Erase the non-participants of every meeting whose retention period has passed."""
    at = at or now()
    erased = 0
    for event in db.session.scalars(select(Event).options(selectinload(Event.days))):
        due = retention_due(event)
        if due is None or at < due:
            continue
        pending = db.session.scalars(
            select(Application).where(Application.event_id == event.id,
                                      Application.status.in_(ERASE_AFTER_MEETING))
        ).all()
        for application in pending:
            erase(application)
            erased += 1
    # Mail queued while erasing a participant (the calendar cancellation), once delivered.
    erased_ids = select(Application.id).where(Application.status == S.ERASED)
    db.session.execute(delete(OutboundMail).where(
        OutboundMail.application_id.in_(erased_ids),
        OutboundMail.status.in_((MailStatus.SENT, MailStatus.FAILED)),
    ))
    db.session.commit()
    return erased

