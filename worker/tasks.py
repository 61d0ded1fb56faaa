"""Celery tasks: thin wrappers that take ids and plain values and call the domain."""

from __future__ import annotations

from celery import shared_task

from server import mail


@shared_task(
    name="worker.tasks.deliver_mail",
    autoretry_for=(mail.TemporaryMailError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def deliver_mail(mail_id: int) -> str:
    """Deliver one stored message (idempotent: a sent message is never sent again)."""
    return mail.deliver(mail_id)


@shared_task(name="worker.tasks.erase_expired_applications")
def erase_expired_applications() -> int:
    """Erase non-participants' applications once their meeting's retention period has passed."""
    from server.applications import operations

    return operations.erase_expired()
