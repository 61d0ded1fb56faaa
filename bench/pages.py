"""Benchmark: first render of the public event page and the participant's live page, before and
after a change, side by side in one run (Flask test client, SQLite, the seeded reference event).

Run: .venv/bin/python bench/pages.py [--old REV] [--requests N] [--rounds R]

The old revision (default: the one before the interface spoke Russian) is unpacked with `git archive` into a
temporary folder; each tree is served by its own process (both are the `server` package), and
the two are asked for a few requests at a time in turn (the first of each turn is not counted:
it refills the CPU caches the other process evicted), so that load on the shared machine (or a
neighbour on the virtual machine's host) falls on both alike. Each figure is the
median of all requests' CPU time (process_time) in milliseconds: on a 2-core machine shared by
several engineers wall-clock times mostly measure the neighbours. Aim: no page more than 10 % slower.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = "study-visit-central-asia-2021"
TOKEN = "bench-participant-token"
# (label, path, Accept-Language)
PAGES = [
    ("event page", f"/events/{REF}", "en"),
    ("event page, Russian browser", f"/events/{REF}", "ru"),
    ("live page (participant)", f"/p/{TOKEN}/live", "en"),
]


def _prepare(tmp: Path) -> object:
    """A seeded app with one accepted participant whose personal link is TOKEN."""
    from datetime import date

    from flask_migrate import upgrade

    from server import create_app
    from server.auth import hash_token
    from server.events.operations import list_events
    from server.events.seed import seed_events
    from server.extensions import db
    from server.models import Application

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "BASE_URL": "http://bench.local"})
    with app.app_context():
        upgrade()
        seed_events(date(2026, 1, 1))
        event = next(e for e in list_events() if e.slug == REF)
        person = Application(event_id=event.id, status="accepted", email="p@example.org", name="Participant",
                             role="probation_officer", access_token_hash=hash_token(TOKEN))
        person.set_country("KZ")
        db.session.add(person)
        db.session.commit()
    return app


def worker(tree: str) -> None:
    """Serve one tree (in its own process): read "page count" lines on stdin, render that page
    that many times and answer each request's CPU milliseconds on one line, until stdin closes."""
    import logging

    sys.path.insert(0, tree)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        app = _prepare(Path(tmp))
        client = app.test_client()  # type: ignore[attr-defined]
        for _label, path, language in PAGES:  # warm the caches
            assert client.get(path, headers={"Accept-Language": language}).status_code == 200, (tree, path)
        print("ready", flush=True)
        for line in sys.stdin:
            page, count = map(int, line.split())
            _label, path, language = PAGES[page]
            samples = []
            for _ in range(count):
                start = time.process_time()
                response = client.get(path, headers={"Accept-Language": language})
                samples.append((time.process_time() - start) * 1000)
                assert response.status_code == 200
            print(" ".join(f"{ms:.4f}" for ms in samples), flush=True)


class _Tree:
    """A worker process for one tree, asked for a few requests at a time."""

    def __init__(self, tree: str) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, "--worker", tree], cwd=tree, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"

    def render(self, page: int, count: int) -> list[float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{page} {count}\n")
        self.process.stdin.flush()
        return [float(ms) for ms in self.process.stdout.readline().split()]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _unpack(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [m for m in tar.getmembers() if not m.issym()]  # e.g. a committed node_modules link
        tar.extractall(into, members=members, filter="data")


BATCH = 6  # requests per turn

# The last revision before issue 13's interface work (Flask-Babel with English-only pages).
BEFORE_I18N = "96cac13"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", default=BEFORE_I18N, help=f"revision to compare with (default: {BEFORE_I18N})")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    old = args.old
    samples: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        _unpack(old, old_tree)
        for _ in range(args.rounds):  # fresh processes each round: a round's luck with memory layout
            trees = {"old": _Tree(str(old_tree)), "new": _Tree(str(ROOT))}
            try:
                for page, (label, _path, _lang) in enumerate(PAGES):
                    for n in range(0, args.requests, BATCH):
                        # A few requests each in turn, the order swapped each time: whatever else
                        # the machine does then falls on both trees alike. (One request at a time
                        # would measure cold CPU caches: every switch evicts the other's.)
                        order = ("old", "new") if n // BATCH % 2 else ("new", "old")
                        for name in order:
                            batch = trees[name].render(page, min(BATCH, args.requests - n))
                            samples[name].setdefault(label, []).extend(batch[1:])  # the first: caches
            finally:
                for tree in trees.values():
                    tree.close()
    print(f"old = {old[:10]}, new = working tree; median CPU ms of {args.rounds} × {args.requests} requests")
    print(f"{'page':30} {'old ms':>7} {'new ms':>7} {'change':>7}   {'old min':>7} {'new min':>7} {'change':>7}")
    print("-" * 82)
    worst = 0.0
    for label, _path, _lang in PAGES:
        old_s, new_s = samples["old"][label], samples["new"][label]
        before, after = statistics.median(old_s), statistics.median(new_s)
        change = (after - before) / before * 100
        low_change = (min(new_s) - min(old_s)) / min(old_s) * 100
        worst = max(worst, change)
        print(f"{label:30} {before:7.2f} {after:7.2f} {change:+6.1f}%   {min(old_s):7.2f} {min(new_s):7.2f} "
              f"{low_change:+6.1f}%")
    print(f"slowest median change {worst:+.1f}% (aim: at most +10 %); min = the least disturbed request")


if __name__ == "__main__":
    main()
