"""The applicant's mails: confirmation, a personal link again, wait-list and decline decisions."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from server.applications.deadline import deadline_label
from server.applications.links import base_url, issue_personal_link
from server.clock import now
from server.core.invite_mail import Mailbox, build_simple_email
from server.extensions import db
from server.mail import queue_mail
from server.models import Application, ApplicationStatus, Event, OutboundMail


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


def mail_received(application: Application, link: str) -> None:
    event = application.event
    text = (
        f"Dear {application.name},\n\n"
        f"Thank you for applying to take part in “{event.title}”. We have received your application.\n\n"
        f"Your personal link (it is yours alone; please do not forward it):\n{link}\n\n"
        f"There you can read your answers, change them until the deadline ({deadline_label(event)}), "
        "or withdraw your application and have your data erased.\n\n"
        "After the deadline the organisers read every application and tell you by email whether "
        "they can offer you a seat.\n\n" + signature(event) + "\n"
    )
    queue_to_applicant(application, kind="application_received", key=f"application-received:{application.id}",
          subject=f"Application received: {event.title}", text=text)


def mail_link_again(application: Application, at: datetime) -> None:
    """Someone applied again with this address: send the owner a fresh personal link.

    At most once an hour per application, so the form cannot be used to flood a mailbox
    (and the link is replaced only when a mail actually goes out).
    """
    key = f"application-link:{application.id}:{at:%Y%m%d%H}"
    if db.session.scalar(select(OutboundMail.id).where(OutboundMail.idempotency_key == key)) is not None:
        return
    event = application.event
    link = issue_personal_link(application)
    text = (
        f"Dear {application.name},\n\n"
        f"Someone (probably you) tried to apply again to “{event.title}” with this email address. "
        "There is already an application from this address, so no second one was made.\n\n"
        f"To read or update your application, use your personal link:\n{link}\n\n"
        "This link replaces any earlier one. If this was not you, you need not do anything.\n\n"
        + signature(event) + "\n"
    )
    queue_to_applicant(application, kind="application_link", key=key,
                       subject=f"Your application: {event.title}", text=text)


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

