"""Sending the current REQUEST again: the answer to a REFRESH, and the question asked again
when someone said yes to a version of the meeting that has changed since.

The copy carries the invitee's current SEQUENCE (nothing changed, so no new version) with a
fresh DTSTAMP, which is what RFC 5546 section 3.2.6 asks of an organiser answering REFRESH.
It gets its own Message-ID, so receivers do not drop it as a copy of the original."""

from __future__ import annotations

from email.message import EmailMessage

from server.core.invite_mail import InviteKind, make_message_id
from server.extensions import db
from server.invitations import links, service
from server.mail import Pending, SkipMail, queue_unrendered, register_renderer
from server.models import Application, InboundReply, OutboundMail
from server.models.applications import PARTICIPATING

KIND = "invitation_refresh"


def _key(application_id: int, reply_id: int) -> str:
    return f"refresh:{application_id}:{reply_id}"


def queue_refresh(application: Application, reply: InboundReply) -> None:
    """Queue one copy of the current REQUEST for this answer (once, whatever happens)."""
    row = links.invitation_row(application)
    key = _key(application.id, reply.id)
    queue_unrendered([Pending(
        key=key, kind=KIND, to_address=str(row.email),
        subject=f"Invitation: {application.event.title}",
        message_id=make_message_id((key,), service.domain()),
        event_id=application.event_id, application_id=application.id,
    )])


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
