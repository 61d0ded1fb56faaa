"""Binds Celery to the Flask app (the pattern of Flask's own Celery example).

Without a broker (the embedded default) tasks run in-process, eagerly, so one
`convene serve` is the whole product; with REDIS_URL they go to real workers.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(
        {
            "broker_url": broker or "memory://",
            "task_always_eager": broker is None,
            "task_eager_propagates": True,
            "task_ignore_result": True,  # delivery state lives in the database
            "task_acks_late": True,  # a worker killed mid-task leaves the message for another
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "task_serializer": "json",
            "accept_content": ["json"],
            "broker_connection_retry_on_startup": True,
            "broker_transport_options": _transport_options(app),
            "beat_schedule": BEAT_SCHEDULE,
            "timezone": "UTC",
            "imports": ["worker.tasks"],
            **app.config.get("CELERY", {}),
        }
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    import worker.tasks  # noqa: F401  (registers the tasks with this app)

    return celery_app


def _transport_options(app: Flask) -> dict[str, Any]:
    """Redis hands an unacknowledged task (its worker died: acks are late) to another worker
    after the visibility timeout; the sweep for such tasks runs often enough to honour it."""
    settings = app.config.get("SETTINGS")
    timeout = int(getattr(settings, "CELERY_VISIBILITY_TIMEOUT", 3600))
    options: dict[str, Any] = {"visibility_timeout": timeout}
    if timeout < 600:
        options.update(unacked_restore_interval=max(1, min(10, timeout // 3)),
                       unacked_restore_throttle=1)
    return options


# Periodic jobs read their due dates from the database; beat only wakes them up.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # mail rows whose task was lost (process died between commit and enqueue, broker lost it)
    "sweep-mail": {"task": "worker.tasks.sweep_mail", "schedule": 60.0},
    # ScheduledJob rows that are due: invitation reminders, and other features' jobs
    "run-due-jobs": {"task": "worker.tasks.run_due_jobs", "schedule": 60.0},
    # break-out rooms whose stored end time has passed: grace countdown, then back to the plenary
    "end-overdue-breakouts": {"task": "worker.tasks.end_overdue_breakouts", "schedule": 5.0},
    # applications of non-participants, erased once the meeting's retention period has passed
    # beat's heartbeat: a worker records the tick, /readyz and `convene doctor` read its age
    "beat-tick": {"task": "worker.tasks.beat_tick", "schedule": 30.0},
    # answers to invitations: the IMAP mailbox (INBOX_URL, with a bounded IDLE wait) or
    # instance/inbox/; every 15 s so a file dropped in the folder is read within 30 s. A poll
    # not started within one period is dropped: after a worker outage the queue would hold
    # 240 an hour, each holding a worker slot for its IDLE wait (mail queued behind them)
    "read-replies": {"task": "worker.tasks.read_replies", "schedule": 15.0, "options": {"expires": 15.0}},
    "erase-expired-applications": {"task": "worker.tasks.erase_expired_applications", "schedule": 24 * 3600.0},
}
