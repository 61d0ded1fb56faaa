"""The applicant's mails: confirmation, a personal link again, wait-list and decline decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select

from server.applications.deadline import deadline_label
from server.applications.links import base_url, current_personal_link
from server.clock import now
from server.core.invite_mail import Mailbox, build_simple_email, make_message_id
from server.extensions import db
from server.mail import SKIPPED, SkipMail, queue_mail, register_renderer
from server.models import Application, ApplicationStatus, Event, OutboundMail
from server.models.types import utcnow


def mail_domain() -> str:
    return urlsplit(base_url()).hostname or "convene.invalid"


def queue_to_applicant(application: Application, *, kind: str, key: str, subject: str, text: str,
          to: str | None = None) -> None:
    event = application.event
    message = build_simple_email(
        sender=Mailbox(event.organiser_name or event.title[:60], event.organiser_email),
        to=Mailbox(application.name or "", to or application.email or ""),
        subject=subject, text=text, key=(key,), domain=mail_domain(), now=now(),
    )
    queue_mail(message, key=key, kind=kind, event_id=event.id, application_id=application.id)


def signature(event: Event) -> str:
    return f"{event.organiser_name or 'The organisers'}\n{base_url()}/events/{event.slug}"


RECEIVED, LINK_AGAIN = "application_received", "application_link"
LINK_KINDS = (RECEIVED, LINK_AGAIN)
LINK_MAIL_EVERY = timedelta(hours=1)


def _queue_with_link(application: Application, *, kind: str, key: str, subject: str) -> OutboundMail:
    """Queue a mail that carries the personal link, without its body: the link is derived and
    written in when the mail is sent, so the mail table never holds it (issue 11, item 5)."""
    return queue_mail(None, key=key, kind=kind, event_id=application.event_id, application_id=application.id,
                      to_address=str(application.email), subject=subject,
                      message_id=make_message_id((key,), mail_domain()))


def mail_received(application: Application) -> None:
    event = application.event
    _queue_with_link(application, kind=RECEIVED, key=f"application-received:{application.id}",
                     subject=f"Application received: {event.title}")


def _received_text(application: Application, link: str) -> str:
    event = application.event
    return (
        f"Dear {application.name},\n\n"
        f"Thank you for applying to take part in “{event.title}”. We have received your application.\n\n"
        f"Your personal link (it is yours alone; please do not forward it):\n{link}\n\n"
        f"There you can read your answers, change them until the deadline ({deadline_label(event)}), "
        "or withdraw your application and have your data erased.\n\n"
        "After the deadline the organisers read every application and tell you by email whether "
        "they can offer you a seat.\n\n" + signature(event) + "\n"
    )


def _link_mailed_recently(application: Application) -> bool:
    """Did this person get a mail with their link (confirmation or again) within the hour?
    Real time, not the meeting's clock: this protects a mailbox from flooding."""
    last = db.session.scalar(select(func.max(OutboundMail.created_at)).where(
        OutboundMail.application_id == application.id, OutboundMail.kind.in_(LINK_KINDS),
        OutboundMail.status != SKIPPED))
    return last is not None and last > utcnow() - LINK_MAIL_EVERY


def mail_link_again(application: Application) -> None:
    """Someone applied again with this address: mail the owner their *existing* personal link.

    At most once an hour per application, counting the confirmation, so the form cannot flood a
    mailbox. A repeat within the hour is still recorded as a row (``skipped``, with the reason),
    so both answers to the form cost the same work and organisers can see the attempts.
    """
    key = f"application-link:{application.id}:{utcnow():%Y%m%dT%H%M%S.%f}"
    recently = _link_mailed_recently(application)
    mail = _queue_with_link(application, kind=LINK_AGAIN, key=key,
                            subject=f"Your application: {application.event.title}")
    if recently:
        mail.status, mail.last_error = SKIPPED, "not sent: this person's link was mailed less than an hour ago"


def _link_again_text(application: Application, link: str) -> str:
    event = application.event
    return (
        f"Dear {application.name},\n\n"
        f"Someone (probably you) tried to apply again to “{event.title}” with this email address. "
        "There is already an application from this address, so no second one was made.\n\n"
        f"To read or update your application, use your personal link:\n{link}\n\n"
        "If this was not you, you need not do anything.\n\n"
        + signature(event) + "\n"
    )


TEXTS = {RECEIVED: _received_text, LINK_AGAIN: _link_again_text}


def _render_with_link(mail: OutboundMail) -> EmailMessage:
    """Renderer for RECEIVED and LINK_AGAIN rows: the text with the link as it is now."""
    application = db.session.get(Application, mail.application_id) if mail.application_id else None
    if application is None or not application.email or application.status == ApplicationStatus.ERASED:
        raise SkipMail("the application was erased")
    event = application.event
    text = TEXTS[mail.kind](application, current_personal_link(application))
    return build_simple_email(
        sender=Mailbox(event.organiser_name or event.title[:60], event.organiser_email),
        to=Mailbox(application.name or "", application.email),
        subject=mail.subject, text=text, key=(mail.idempotency_key,), domain=mail_domain(), now=now(),
    )


for _kind in LINK_KINDS:
    register_renderer(_kind, _render_with_link)


def mail_decision(application: Application, new: str, at: datetime) -> None:
    event = application.event
    if new == ApplicationStatus.WAITLISTED:
        subject = f"You are on the wait-list: {event.title}"
        body = (
            f"Thank you for applying to “{event.title}”. All seats are taken for now, and we have put "
            "you on the wait-list. If a seat becomes free, we will invite you by email."
        )
    elif new == ApplicationStatus.REJECTED:
        subject = f"Your application: {event.title}"
        body = (
            f"Thank you for applying to “{event.title}”. We received many more applications than we have "
            "seats, and we are sorry that we cannot offer you a place this time."
        )
    else:
        return  # the invitation is the calendar invitation, sent by its own feature
    text = f"Dear {application.name},\n\n{body}\n\n{signature(event)}\n"
    queue_to_applicant(application, kind=f"decision_{new}", key=f"decision:{application.id}:{new}:{at.timestamp():.0f}",
          subject=subject, text=text)

