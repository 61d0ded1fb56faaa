"""Concurrent applicants against a real server: used by the system test and bench/apply.py."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.support.applications import valid_application

OPEN_SLUG = "study-visit-central-asia-rehearsal"  # seeded with a deadline still ahead


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    statuses: list[int] = field(default_factory=list)
    wall: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)


def apply_concurrently(base: str, total: int, clients: int, slug: str = OPEN_SLUG,
                       tag: str = "load") -> LoadResult:
    """`clients` threads, each with its own connection, send `total` applications in all."""
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        session = requests.Session()
        start.wait()
        for n in range(index, total, clients):
            body = valid_application(name=f"Applicant {n}", email=f"{tag}-{n}@example.org")
            began = time.perf_counter()
            try:
                status = session.post(f"{base}/api/events/{slug}/applications", json=body,
                                      timeout=120).status_code
            except requests.RequestException:
                status = 0
            took = time.perf_counter() - began
            with lock:
                result.latencies.append(took)
                result.statuses.append(status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    return result


def wait_for_mails(outbox: Path, count: int, timeout: float) -> tuple[int, float]:
    """Poll the outbox folder until `count` .eml files are there; (found, seconds waited)."""
    began = time.monotonic()
    found = 0
    while time.monotonic() - began < timeout:
        found = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
        if found >= count:
            break
        time.sleep(0.1)
    return found, time.monotonic() - began
