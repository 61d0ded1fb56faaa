"""The applicant's mails: confirmation, a personal link again, wait-list and decline decisions."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

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


def _texts(application: Application, kind: str, link: str = "") -> tuple[str, str]:
    from server.messages import render_message

    return render_message(application.event, kind, application.language, application.name or "", link)


def mail_received(application: Application, link: str) -> None:
    subject, text = _texts(application, "confirmation", link)
    queue_to_applicant(application, kind="application_received", key=f"application-received:{application.id}",
                       subject=subject, text=text)


def mail_link_again(application: Application, at: datetime) -> None:
    """Someone applied again with this address: send the owner a fresh personal link.

    At most once an hour per application, so the form cannot be used to flood a mailbox
    (and the link is replaced only when a mail actually goes out).
    """
    key = f"application-link:{application.id}:{at:%Y%m%d%H}"
    if db.session.scalar(select(OutboundMail.id).where(OutboundMail.idempotency_key == key)) is not None:
        return
    link = issue_personal_link(application)
    subject, text = _texts(application, "personal_link", link)
    queue_to_applicant(application, kind="application_link", key=key, subject=subject, text=text)


def mail_decision(application: Application, new: str, at: datetime) -> None:
    kind = {ApplicationStatus.WAITLISTED: "waitlist", ApplicationStatus.REJECTED: "decline"}.get(
        ApplicationStatus(new))
    if kind is None:
        return  # the invitation is the calendar invitation, sent by its own feature
    subject, text = _texts(application, kind)
    queue_to_applicant(application, kind=f"decision_{new}", key=f"decision:{application.id}:{new}:{at.timestamp():.0f}",
                       subject=subject, text=text)
