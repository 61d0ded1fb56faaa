"""Run Celery tasks only after the database transaction that asked for them has committed.

A task that reads a row must never run before that row is visible, and a rolled-back
request must send nothing. Rows stay the source of truth: a sweeper re-enqueues anything
left queued if the process dies between the commit and the enqueue.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.extensions import db

log = logging.getLogger(__name__)
_KEY = "convene_after_commit"


def after_commit(task_name: str, *args: Any) -> None:
    """Queue `task_name(*args)` to be sent when the current transaction commits."""
    db.session.info.setdefault(_KEY, []).append((task_name, args))


def send_now(task_name: str, *args: Any) -> None:
    """Send a task now: to the broker, or (embedded default) run it in a fresh app context."""
    celery = current_app.extensions["celery"]
    if not celery.conf.task_always_eager:
        celery.send_task(task_name, args=list(args))
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
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
        log.error("in-process task %s%r failed: %s", task_name, args, exc)
        if app.config.get("TESTING") and app.config.get("TASKS_PROPAGATE", True):
            raise exc


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for task_name, args in pending:
        try:
            send_now(task_name, *args)
        except Exception:
            # The outbox row stays queued; the sweeper sends it later.
            log.exception("could not send task %s%r", task_name, args)
            if current_app.config.get("TESTING"):
                raise


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_KEY, None)
