"""The applicant's mails: confirmation, a personal link again, wait-list and decline decisions.

Their texts come from ``server.messages`` (defaults per language, or the organisers' own), in
the applicant's language. The two that carry the personal link are queued without a body: the
link is derived and the text rendered when the mail is sent, so the mail table never holds it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select

from server.applications.links import base_url, current_personal_link
from server.clock import now
from server.core.invite_mail import Mailbox, build_simple_email, make_message_id
from server.extensions import db
from server.mail import SKIPPED, SkipMail, queue_mail, register_renderer
from server.models import Application, ApplicationStatus, Event, OutboundMail
from server.models.types import utcnow


def mail_domain() -> str:
    return urlsplit(base_url()).hostname or "convene.invalid"


def _sender(event: Event) -> Mailbox:
    return Mailbox(event.organiser_name or event.title[:60], event.organiser_email)


def queue_to_applicant(application: Application, *, kind: str, key: str, subject: str, text: str,
                       to: str | None = None) -> None:
    message = build_simple_email(
        sender=_sender(application.event), to=Mailbox(application.name or "", to or application.email or ""),
        subject=subject, text=text, key=(key,), domain=mail_domain(), now=now(),
    )
    queue_mail(message, key=key, kind=kind, event_id=application.event_id, application_id=application.id)


def _texts(application: Application, message_kind: str, link: str = "") -> tuple[str, str]:
    from server.messages import render_message

    return render_message(application.event, message_kind, application.language, application.name or "", link)


RECEIVED, LINK_AGAIN = "application_received", "application_link"
LINK_KINDS = (RECEIVED, LINK_AGAIN)
MESSAGE_KIND = {RECEIVED: "confirmation", LINK_AGAIN: "personal_link"}  # mail kind -> server.messages kind
LINK_MAIL_EVERY = timedelta(hours=1)


def _queue_with_link(application: Application, *, kind: str, key: str) -> OutboundMail:
    """Queue a mail that carries the personal link, without its body (issue 11, item 5)."""
    subject, _ = _texts(application, MESSAGE_KIND[kind])
    return queue_mail(None, key=key, kind=kind, event_id=application.event_id, application_id=application.id,
                      to_address=str(application.email), subject=subject,
                      message_id=make_message_id((key,), mail_domain()))


def mail_received(application: Application) -> None:
    _queue_with_link(application, kind=RECEIVED, key=f"application-received:{application.id}")


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
    mail = _queue_with_link(application, kind=LINK_AGAIN, key=key)
    if recently:
        mail.status, mail.last_error = SKIPPED, "not sent: this person's link was mailed less than an hour ago"


def _render_with_link(mail: OutboundMail) -> EmailMessage:
    """Renderer for RECEIVED and LINK_AGAIN rows: the text with the link as it is now."""
    application = db.session.get(Application, mail.application_id) if mail.application_id else None
    if application is None or not application.email or application.status == ApplicationStatus.ERASED:
        raise SkipMail("the application was erased")
    _, text = _texts(application, MESSAGE_KIND[mail.kind], current_personal_link(application))
    return build_simple_email(
        sender=_sender(application.event), to=Mailbox(application.name or "", application.email),
        subject=mail.subject, text=text, key=(mail.idempotency_key,), domain=mail_domain(), now=now(),
    )


for _kind in LINK_KINDS:
    register_renderer(_kind, _render_with_link)


def mail_decision(application: Application, new: str, at: datetime) -> None:
    kind = {ApplicationStatus.WAITLISTED: "waitlist", ApplicationStatus.REJECTED: "decline"}.get(
        ApplicationStatus(new))
    if kind is None:
        return  # the invitation is the calendar invitation, sent by its own feature
    subject, text = _texts(application, kind)
    queue_to_applicant(application, kind=f"decision_{new}",
                       key=f"decision:{application.id}:{new}:{at.timestamp():.0f}", subject=subject, text=text)
