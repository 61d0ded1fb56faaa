"""Concurrent applicants against the embedded default (issue 11, item 9).

`.venv/bin/python bench/apply.py [--total 300] [--clients 30] [--rounds 1]`

Starts a real `convene serve` on a fresh instance folder (SQLite, in-process tasks, mail to
instance/outbox; rate limits off), sends `total` applications from `clients` threads, each
with its own keep-alive connection, and prints the answers, latency percentiles and how long
the last confirmation mail took to reach the outbox after the last answer.
Floors (the system test's): all 201, p99 < 2 s, every mail within 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.load import apply_concurrently, wait_for_mails  # noqa: E402
from tests.support.procs import BIN, env_with, free_port, running  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=300)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1, help="batches against the same server")
    parser.add_argument("--log", type=Path, default=None, help="keep the server's output here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        port = free_port()
        env = env_with(INSTANCE_PATH=str(instance), RATELIMIT_ENABLED="false")
        print(f"embedded default (SQLite, in-process tasks, outbox): {args.total} applications "
              f"from {args.clients} concurrent clients per round")
        print("round | answers          |  p50 ms  p90 ms  p99 ms  max ms | req/s | mails  wait s")
        print("-" * 84)
        with running([str(BIN / "convene"), "serve", "--port", str(port)], env, port,
                     log=args.log or Path(tmp) / "serve.log"):
            for n in range(args.rounds):
                r = apply_concurrently(f"http://127.0.0.1:{port}", args.total, args.clients, tag=f"r{n}")
                found, waited = wait_for_mails(instance / "outbox", args.total * (n + 1), timeout=30)
                answers = ", ".join(f"{code}×{count}" for code, count in sorted(Counter(r.statuses).items()))
                print(f"{n + 1:5d} | {answers:16s} | {r.percentile(50) * 1000:7.0f} {r.percentile(90) * 1000:7.0f} "
                      f"{r.percentile(99) * 1000:7.0f} {max(r.latencies) * 1000:7.0f} | "
                      f"{len(r.latencies) / r.wall:5.0f} | {found - args.total * n:5d} {waited:6.1f}")


if __name__ == "__main__":
    main()
