"""The embedded default's in-process tasks: after the request, on worker threads, failures logged once."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def queued(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["TASKS_INLINE"] = False  # as in `convene serve`, not as in the other tests
    return app_config


def test_a_task_runs_on_a_worker_thread_after_the_caller_moved_on(queued: dict[str, Any], app: Flask) -> None:
    from server.dispatch import send_now
    from server.runner import runner_for

    started, release = threading.Event(), threading.Event()
    ran_on: list[str] = []

    name = f"tests.slow.{uuid.uuid4().hex}"

    @app.extensions["celery"].task(name=name)
    def slow() -> None:
        started.set()
        ran_on.append(threading.current_thread().name)
        release.wait(5)

    with app.app_context():
        send_now(name)  # returns at once: the task waits on its own thread
        assert started.wait(5)
        release.set()
        runner_for(app).join()
    assert ran_on and ran_on[0].startswith("convene-task-")


def test_a_failing_task_is_logged_once_with_its_cause(queued: dict[str, Any], app: Flask,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from server.dispatch import send_now
    from server.runner import runner_for

    name = f"tests.boom.{uuid.uuid4().hex}"

    @app.extensions["celery"].task(name=name)
    def boom(n: int) -> None:
        raise RuntimeError(f"the disk is full ({n})")

    with caplog.at_level(logging.ERROR), app.app_context():
        send_now(name, 7)
        runner_for(app).join()
    failures = [r for r in caplog.records if name in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info and "the disk is full (7)" in str(failures[0].exc_info[1])


def test_a_full_queue_leaves_the_task_to_the_sweeper(queued: dict[str, Any], app: Flask,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from server.runner import TaskRunner

    runner = TaskRunner(app, threads=1, capacity=1)
    runner._started = True  # no thread takes from the queue: it stays full
    assert runner.submit("worker.tasks.sweep_mail", ())
    with caplog.at_level(logging.WARNING):
        assert not runner.submit("worker.tasks.sweep_mail", ())
    assert "left for the sweeper" in caplog.text
