"""Celery tasks: thin wrappers that take ids and plain values and call the domain."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from server import dispatch, mail
from server.extensions import db
from server.models import MailStatus, OutboundMail

log = logging.getLogger(__name__)


@shared_task(bind=True, name="worker.tasks.deliver_mail", max_retries=None)
def deliver_mail(self: Any, mail_id: int) -> str:
    """Deliver one stored message. Safe to run any number of times for one row: the row is
    claimed atomically, so it is sent once (see server.mail). Temporary failures come back
    with the backoff the row records; the row, not Celery, counts the attempts."""
    try:
        status = mail.deliver(mail_id)
    except mail.TemporaryMailError as exc:
        # Logged once here, with its cause: the row keeps it too (last_error).
        log.warning("mail %s not sent, will try again: %s", mail_id, exc)
        if self.request.is_eager or exc.countdown is None:
            # In-process mode has no broker to hold a delayed retry: the row stays queued with
            # its next attempt time and the sweeper (or an organiser) sends it again.
            return "queued"
        raise self.retry(countdown=exc.countdown, exc=exc) from None
    if status == MailStatus.FAILED:
        row = db.session.get(OutboundMail, mail_id)
        log.error("mail %s failed for good: %s", mail_id, row.last_error if row else "row gone")
    return status


@shared_task(name="worker.tasks.sweep_mail")
def sweep_mail() -> int:
    """Re-enqueue mail rows a lost task left queued or 'sending' (beat: every minute)."""
    return len(mail.overdue())


@shared_task(name="worker.tasks.run_due_jobs")
def run_due_jobs() -> int:
    """Run the ScheduledJob rows that are due (beat: every minute)."""
    return len(dispatch.run_due_jobs())


@shared_task(name="worker.tasks.end_overdue_breakouts")
def end_overdue_breakouts() -> int:
    """Close break-out rooms whose time is up, then bring everyone back (beat: every 5 s)."""
    from server.live.deadlines import end_overdue_breakouts as run

    return run()


@shared_task(name="worker.tasks.erase_expired_applications")
def erase_expired_applications() -> int:
    """Erase non-participants' applications once their meeting's retention period has passed."""
    from server.applications import erasure

    return erasure.erase_expired()


@shared_task(name="worker.tasks.beat_tick")
def beat_tick() -> None:
    """Record that beat (and a worker) is alive (beat: every 30 s; read by /readyz)."""
    from server import health

    health.record_tick()


@shared_task(bind=True, name="worker.tasks.read_replies")
def read_replies(self: Any) -> dict[str, int]:
    """Read the calendars' answers (beat: every 15 s). In-process (the embedded beat thread)
    there is no IDLE wait: the thread also runs every other periodic job."""
    from server.replies import mailbox

    return mailbox.poll(idle_seconds=0 if self.request.is_eager else None)
