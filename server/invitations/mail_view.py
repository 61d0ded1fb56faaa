"""The organisers' mail page in words: kinds and states named, times in the event's zone and the
reader's, filters, and each message as sent with its personal links masked (issue 14)."""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import default
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from server.models import Event, OutboundMail
from server.timefmt import both_clocks

KIND_LABELS: dict[str, Any] = {
    "application_received": _l("Application received"), "application_link": _l("Personal link again"),
    "decision_waitlisted": _l("Wait-list"), "decision_rejected": _l("Decline"), "invitation": _l("Invitation"),
    "update": _l("Update"), "cancellation": _l("Cancellation"), "reminder": _l("Reminder"),
    "message_test": _l("Test of a mail text"), "invitation_refresh": _l("Invitation sent again"),
}
STATE_LABELS: dict[str, Any] = {
    "queued": _l("waiting to be sent"), "sending": _l("being sent"), "sent": _l("sent"),
    "failed": _l("failed"), "skipped": _l("not sent (no longer needed)"),
}
_SECRET = re.compile(r"(/p/|/calendar/|/feed/)[A-Za-z0-9_\-]{8,}")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ")))


def when(instant: datetime | None, event_zone: ZoneInfo, reader: ZoneInfo | None) -> dict[str, str] | None:
    """The instant in the event's zone, in the reader's (when known), and as ISO for the page's script;
    dates in the reader's language."""
    return both_clocks(instant, event_zone, reader)


def filtered(rows: list[OutboundMail], kind: str, state: str) -> list[OutboundMail]:
    return [m for m in rows if (not kind or m.kind == kind) and (not state or m.status == state)]


def mask(text: str) -> str:
    """Personal links and feed tokens are secrets: show the path, never the token."""
    return _SECRET.sub(lambda m: m.group(1) + "••••••••", text)


def as_sent(mail: OutboundMail) -> dict[str, str] | None:
    """Subject, sender, recipient and plain text of the stored message; None before it is rendered."""
    if not mail.body:
        return None
    return _shown(message_from_bytes(mail.body, policy=default))


def written_again(mail: OutboundMail) -> dict[str, str] | None:
    """A sent message whose bytes were not kept (they held a personal link, issue 11 item 5),
    written again by its renderer as the worker would write it now, links masked; None when
    there is no renderer or it would no longer send it. Whatever rendering stores (a link's
    salt) is rolled back: reading a message changes nothing."""
    from server.extensions import db
    from server.mail import RENDERERS, PermanentMailError, SkipMail

    renderer = RENDERERS.get(mail.kind)
    if renderer is None:
        return None
    nested = db.session.begin_nested()
    try:
        message = renderer.render(mail)
    except (SkipMail, PermanentMailError):
        return None
    finally:
        nested.rollback()
    return _shown(message)


def _shown(message: Message) -> dict[str, str]:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    text = part.get_content() if part is not None else ""
    return {"subject": str(message["Subject"] or ""), "from": str(message["From"] or ""),
            "to": str(message["To"] or ""), "text": mask(str(text))}


def event_kinds(event: Event, rows: list[OutboundMail]) -> list[tuple[str, str]]:
    return sorted({(m.kind, kind_label(m.kind)) for m in rows}, key=lambda pair: pair[1])
