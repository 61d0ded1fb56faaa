"""Benchmark: first render of the public event page and the participant's live page, before and
after a change, side by side in one run (Flask test client, SQLite, the seeded reference event).

Run: .venv/bin/python bench/pages.py [--old REV] [--requests N] [--rounds R]

The old revision (default: the one before the interface spoke Russian) is unpacked with `git archive` into a
temporary folder; each tree is measured in its own process (both are the `server` package),
alternating rounds so that load on the shared machine falls on both alike. Each figure is the
median of all requests' CPU time (process_time) in milliseconds: on a 2-core machine shared by
several engineers wall-clock times mostly measure the neighbours. Aim: no page more than 10 % slower.
"""

from __future__ import annotations

import argparse
import io
import json
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


def worker(tree: str, requests: int) -> None:
    """Measure one tree (run in its own process); print {label: [ms, ...]} as JSON."""
    import logging

    sys.path.insert(0, tree)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        app = _prepare(Path(tmp))
        client = app.test_client()  # type: ignore[attr-defined]
        times: dict[str, list[float]] = {}
        for label, path, language in PAGES:
            headers = {"Accept-Language": language}
            assert client.get(path, headers=headers).status_code == 200, (tree, path)  # warm the caches
            samples = []
            for _ in range(requests):
                start = time.process_time()
                response = client.get(path, headers=headers)
                samples.append((time.process_time() - start) * 1000)
                assert response.status_code == 200
            times[label] = samples
    print(json.dumps(times))


def _unpack(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [m for m in tar.getmembers() if not m.issym()]  # e.g. a committed node_modules link
        tar.extractall(into, members=members, filter="data")


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
        worker(args.worker, args.requests)
        return
    old = args.old
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        _unpack(old, old_tree)
        trees = {"old": str(old_tree), "new": str(ROOT)}
        samples: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                out = subprocess.run([sys.executable, __file__, "--worker", tree, "--requests", str(args.requests)],
                                     cwd=tree, check=True, capture_output=True, text=True).stdout
                for label, values in json.loads(out.strip().splitlines()[-1]).items():
                    samples[name].setdefault(label, []).extend(values)
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
