"""Sending the current REQUEST again: the answer to a REFRESH, and the question asked again
when someone said yes to a version of the meeting that has changed since.

The copy carries the invitee's current SEQUENCE (nothing changed, so no new version) with a
fresh DTSTAMP, which is what RFC 5546 section 3.2.6 asks of an organiser answering REFRESH.
It gets its own Message-ID, so receivers do not drop it as a copy of the original."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from server.core.invite_mail import InviteKind, make_message_id
from server.extensions import db
from server.invitations import links, service
from server.mail import Pending, SkipMail, queue_unrendered, register_renderer
from server.models import Application, InboundReply, OutboundMail
from server.models.applications import PARTICIPATING
from server.models.types import utcnow

KIND = "invitation_refresh"
RESEND_INTERVAL = timedelta(hours=1)


def _key(application_id: int, reply_id: int) -> str:
    return f"refresh:{application_id}:{reply_id}"


def queue_refresh(application: Application, reply: InboundReply) -> bool:
    """Queue one copy of the current REQUEST for this answer (once, whatever happens), unless
    one went to this person within ``RESEND_INTERVAL``: False then. Anyone can put the
    invitee's address in a From line, so each REFRESH must not be a mail to them, and a
    client that answers every REQUEST with an old SEQUENCE must not start a mail loop."""
    since = utcnow() - RESEND_INTERVAL
    recent = db.session.scalar(select(OutboundMail.id).where(
        OutboundMail.application_id == application.id, OutboundMail.kind == KIND,
        OutboundMail.created_at > since).limit(1))
    if recent is not None:
        return False
    row = links.invitation_row(application)
    key = _key(application.id, reply.id)
    queue_unrendered([Pending(
        key=key, kind=KIND, to_address=str(row.email),
        subject=f"Invitation: {application.event.title}",
        message_id=make_message_id((key,), service.domain()),
        event_id=application.event_id, application_id=application.id,
    )])
    return True


def _render(mail: OutboundMail) -> EmailMessage:
    application = db.session.get(Application, mail.application_id) if mail.application_id else None
    if application is None:
        raise SkipMail("the application no longer exists")
    row = links.invitation_row(application)
    event = application.event
    if event.status == "cancelled" or application.status not in PARTICIPATING:
        raise SkipMail(f"superseded: the application is {application.status}")
    if row.method != "REQUEST" or row.sequence is None or not row.email:
        raise SkipMail("the invitation was cancelled")
    kind = InviteKind.INVITATION if row.sequence == 0 else InviteKind.UPDATE
    message = service.render_invitation(application, row, event, row.sequence, kind)
    del message["Message-ID"]
    message["Message-ID"] = mail.message_id
    return message


register_renderer(KIND, _render)
