"""Run Celery tasks only after the database transaction that asked for them has committed.

A task that reads a row must never run before that row is visible, and a rolled-back
request must send nothing. Rows stay the source of truth: a sweeper re-enqueues anything
left queued if the process dies between the commit and the enqueue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from server.extensions import db
from server.runner import runner_for

log = logging.getLogger(__name__)
_KEY = "convene_after_commit"


def on_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction has committed; forgotten if it rolls back.

    The one after-commit hook of the app: tasks (below) and live messages built during a
    transaction (e.g. late joiners' rooms) go out only once what they describe is stored."""
    db.session.info.setdefault(_KEY, []).append(callback)


def after_commit(task_name: str, *args: Any) -> None:
    """Queue `task_name(*args)` to be sent when the current transaction commits."""
    on_commit(partial(_send_after_commit, task_name, args))


def _send_after_commit(task_name: str, args: tuple[Any, ...]) -> None:
    try:
        send_now(task_name, *args)
    except Exception:
        if current_app.config.get("TESTING") and current_app.config.get("TASKS_PROPAGATE", True):
            raise  # the test sees it; logging it here too would say it twice
        # The outbox row stays queued; the sweeper sends it later.
        log.exception("could not send task %s%r", task_name, args)


def send_now(task_name: str, *args: Any) -> None:
    """Send a task now: to the broker, or (embedded default) to the in-process runner's queue.

    With TESTING (and TASKS_INLINE not False) the task runs before this returns instead, in its
    own thread, app context and session, as in a worker."""
    celery = current_app.extensions["celery"]
    if not celery.conf.task_always_eager:
        celery.send_task(task_name, args=list(args))
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("TASKS_INLINE", app.config.get("TESTING", False)):
        runner_for(app).submit(task_name, args)
        return
    _run_inline(app, task_name, args)


def _run_inline(app: Any, task_name: str, args: tuple[Any, ...]) -> None:
    celery = app.extensions["celery"]
    errors: list[BaseException] = []

    def run() -> None:
        # Its own thread means its own app context and database session, as in a worker.
        with app.app_context():
            try:
                celery.tasks[task_name].apply(args=list(args), throw=True)
            except BaseException as exc:  # reported below, in the caller's thread
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"task-{task_name}")
    thread.start()
    thread.join()
    for exc in errors:
        if app.config.get("TESTING") and app.config.get("TASKS_PROPAGATE", True):
            raise exc
        log.error("in-process task %s%r failed: %s", task_name, args, exc)


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    for callback in session.info.pop(_KEY, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_KEY, None)


# ------------------------------------------------------------------ scheduled jobs
# ScheduledJob rows say what is due when (reminders, erasure after retention ...); a Celery
# beat entry runs `run_due_jobs` every minute. Features register one handler per job kind.

JobHandler = Callable[[Any], None]
JOB_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that runs ScheduledJob rows of `kind` (it receives the row)."""

    def register(fn: JobHandler) -> JobHandler:
        JOB_HANDLERS[kind] = fn
        return fn

    return register


def run_due_jobs(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Run every due job once. A job is claimed (done_at set) in the same transaction as its
    handler's writes: if the handler fails or the process dies, nothing is kept and the job is
    due again at the next tick; two runners racing on one job run it once (the conditional
    UPDATE lets only one of them through). Kinds without a handler here are left alone."""
    from server.models import ScheduledJob
    from server.models.types import utcnow

    now = now or utcnow()
    done: list[int] = []
    due = db.session.execute(
        select(ScheduledJob.id, ScheduledJob.kind)
        .where(ScheduledJob.done_at.is_(None), ScheduledJob.due_at <= now)
        .order_by(ScheduledJob.due_at, ScheduledJob.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for job_id, kind in due:
        handler = JOB_HANDLERS.get(kind)
        if handler is None:
            continue
        try:
            claimed = db.session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.id == job_id, ScheduledJob.done_at.is_(None))
                .values(done_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                db.session.rollback()
                continue
            handler(db.session.get(ScheduledJob, job_id))
            db.session.commit()
            done.append(job_id)
        except Exception:
            db.session.rollback()
            log.exception("scheduled job %s (%s) failed; it stays due", job_id, kind)
            if current_app.config.get("TESTING") and current_app.config.get("TASKS_PROPAGATE", True):
                raise
    return done
