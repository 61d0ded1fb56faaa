"""Celery beat's schedule, run inside `convene serve` when there is no broker.

The embedded default has no beat process, yet reminders, mail retries and erasure after the
retention period must still happen: a daemon thread walks the same BEAT_SCHEDULE.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from server.dispatch import send_now

log = logging.getLogger(__name__)


class InProcessBeat:
    """Runs each schedule entry's task every `schedule` seconds (the first run after one period)."""

    def __init__(self, app: Flask, schedule: Mapping[str, Mapping[str, Any]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.schedule = schedule
        self.clock = clock
        start = clock()
        self.next_run = {name: start + float(entry["schedule"]) for name, entry in schedule.items()}
        self._stop = threading.Event()

    def tick(self) -> list[str]:
        """Run every entry that is due now; return the names run."""
        ran = []
        now = self.clock()
        for name, entry in self.schedule.items():
            if now < self.next_run[name]:
                continue
            self.next_run[name] = now + float(entry["schedule"])
            with self.app.app_context():
                try:
                    send_now(entry["task"])
                except Exception:
                    log.exception("scheduled task %s failed", entry["task"])
            ran.append(name)
        return ran

    def run_forever(self, poll: float = 5.0) -> None:
        while not self._stop.wait(poll):
            self.tick()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="in-process-beat", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def start_if_embedded(app: Flask) -> InProcessBeat | None:
    """Start the in-process beat when tasks run in-process (no broker configured)."""
    celery = app.extensions["celery"]
    if not celery.conf.task_always_eager:
        return None
    from worker.celery_app import BEAT_SCHEDULE

    beat = InProcessBeat(app, BEAT_SCHEDULE)
    beat.start()
    return beat
