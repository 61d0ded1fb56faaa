"""Celery tasks: thin wrappers that take ids and plain values and call the domain."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from server import dispatch, mail


@shared_task(bind=True, name="worker.tasks.deliver_mail", max_retries=None)
def deliver_mail(self: Any, mail_id: int) -> str:
    """Deliver one stored message. Safe to run any number of times for one row: the row is
    claimed atomically, so it is sent once (see server.mail). Temporary failures come back
    with the backoff the row records; the row, not Celery, counts the attempts."""
    try:
        return mail.deliver(mail_id)
    except mail.TemporaryMailError as exc:
        if self.request.is_eager or exc.countdown is None:
            # In-process mode has no broker to hold a delayed retry: the row stays queued with
            # its next attempt time and the sweeper (or an organiser) sends it again.
            return "queued"
        raise self.retry(countdown=exc.countdown, exc=exc) from None


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
    from server.applications import operations

    return operations.erase_expired()
