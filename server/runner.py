"""The embedded default's task runner: a bounded queue and a few worker threads.

Without a broker, tasks run in this process. They must never run inside the request that
asked for them: the request still holds its database connection while its transaction's
after-commit hooks run, and a task that waited there for a second connection deadlocked the
pool under thirty concurrent writers. So the hook only puts the task on a queue, the request
returns (and its connection goes back to the pool), and a worker thread runs the task in its
own app context, as a Celery worker would. If the queue is full or the process dies, the
rows stay queued and the sweeper sends them later: the database, not this queue, is the record.

Tests (TESTING) run tasks inline instead, so an assertion right after a request sees the mail.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from flask import Flask

from server.extensions import db

log = logging.getLogger(__name__)
EXTENSION = "convene.task_runner"
Job = tuple[str, tuple[Any, ...]]


class TaskRunner:
    """Runs in-process tasks on `threads` daemon threads, in the order they were queued."""

    def __init__(self, app: Flask, threads: int = 2, capacity: int = 10_000) -> None:
        self.app = app
        self.jobs: queue.Queue[Job | None] = queue.Queue(maxsize=capacity)
        self.threads = [threading.Thread(target=self._work, name=f"convene-task-{i}", daemon=True)
                        for i in range(threads)]
        self._started = False
        self._lock = threading.Lock()

    def submit(self, task_name: str, args: tuple[Any, ...]) -> bool:
        """Queue a task; False when the queue is full (the row waits for the sweeper)."""
        self._start()
        try:
            self.jobs.put_nowait((task_name, args))
        except queue.Full:
            log.warning("task queue full (%d); %s%r left for the sweeper", self.jobs.maxsize, task_name, args)
            return False
        return True

    def join(self) -> None:
        """Wait until every queued task has run (tests and the bench use it)."""
        self.jobs.join()

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for thread in self.threads:
                    thread.start()
                self._started = True

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is not None:
                    run_task(self.app, *job)
            finally:
                self.jobs.task_done()


def run_task(app: Flask, task_name: str, args: tuple[Any, ...]) -> None:
    """Run one task in a fresh app context and session; a failure is logged once, with its cause."""
    celery = app.extensions["celery"]
    with app.app_context():
        try:
            celery.tasks[task_name].apply(args=list(args), throw=True)
        except Exception:
            log.exception("in-process task %s%r failed", task_name, args)
        finally:
            db.session.remove()


def runner_for(app: Flask) -> TaskRunner:
    """The app's runner, made on first use (threads start with the first task)."""
    runner = app.extensions.get(EXTENSION)
    if runner is None:
        with _creation:
            runner = app.extensions.get(EXTENSION)
            if runner is None:
                runner = TaskRunner(app, threads=int(app.config.get("TASK_THREADS", 2)))
                app.extensions[EXTENSION] = runner
    return runner  # type: ignore[no-any-return]


_creation = threading.Lock()
