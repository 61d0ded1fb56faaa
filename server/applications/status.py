"""Status changes and their announcement.

Every change is collected while a function works, committed once, then announced with
`server.signals.application_status_changed` (the calendar invitation listens there: this
package never sends the invitation mail itself)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.applications.mails import mail_decision
from server.clock import now
from server.extensions import db
from server.models import Application, ApplicationStatus
from server.models.applications import PARTICIPATING
from server.signals import application_status_changed

S = ApplicationStatus


Change = tuple[Application, str, str]


def change_status(application: Application, new: str, changes: list[Change], *, decided: bool = False,
                  at: datetime | None = None) -> None:
    old = application.status
    if old == new:
        return
    application.status = new
    when = at or now()
    if decided:
        application.decided_at = when
        mail_decision(application, new, when)
    changes.append((application, old, new))


def announce(changes: Iterable[Change]) -> None:
    """After the commit: tell subscribers, then commit what they queued (e.g. calendar mail)."""
    sent = False
    for application, old, new in changes:
        application_status_changed.send(application, old=old, new=new)
        sent = True
    if sent:
        db.session.commit()


def freed_seats(changes: Iterable[Change]) -> bool:
    return any(old in PARTICIPATING and new not in PARTICIPATING for _, old, new in changes)

