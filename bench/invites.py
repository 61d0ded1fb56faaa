"""Calendar invitations at scale: 1,000 invitees rendered and delivered by a real Celery worker
on Redis to a local SMTP server (aiosmtpd).

    .venv/bin/python bench/invites.py [--invitees 1000] [--backend sqlite|postgres]

For each run: queue 1,000 invitations in one transaction (the rows, SEQUENCE allocation and
personal links; `enqueue`), commit (which sends 1,000 tasks to Redis), and wait until the SMTP
server holds 1,000 distinct Message-IDs (`total`). Two ways to render are compared: in the worker
(the default: the request only inserts rows) and at enqueue (the request renders every mail).
Uses Redis DB 11 (flushed before and after) and a throw-away database.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REDIS_URL = "redis://127.0.0.1:6379/11"
SECRET = "bench-secret"


def start_worker(env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "worker.main", "worker", "--loglevel=WARNING",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"bench{concurrency}@%h"],
        env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    out.close()
    # ready when it answers a ping
    from celery import Celery

    probe = Celery(broker=REDIS_URL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        if probe.control.ping(timeout=0.5):
            probe.close()
            return proc
    raise RuntimeError("worker did not answer\n" + log.read_text()[-3000:])


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitees", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default=None)
    args = parser.parse_args()

    import redis

    from tests.support.backends import postgres_available, temporary_postgres_database
    from tests.support.mailserver import ScriptedHandler, smtp_server

    backend = args.backend or ("postgres" if postgres_available() else "sqlite")
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    rows: list[tuple[str, int, float, float, float]] = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-invites-")))
        if backend == "postgres":
            database_url = stack.enter_context(temporary_postgres_database())
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        handler = ScriptedHandler()
        _, port = stack.enter_context(smtp_server(handler))
        mail_url = f"smtp://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MAIL_URL")}
        env.update(REDIS_URL=REDIS_URL, DATABASE_URL=database_url, MAIL_URL=mail_url,
                   INSTANCE_PATH=str(tmp), SECRET_KEY=SECRET, BASE_URL="https://convene.bench",
                   RATELIMIT_ENABLED="false")

        from flask_migrate import upgrade

        from server import create_app
        from server.core.invite_mail import InviteKind
        from server.events.seed import seed_events
        from server.extensions import db
        from server.invitations import service
        from server.models import Application, Event

        app = create_app({"INSTANCE_PATH": str(tmp), "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
                          "MAIL_URL": mail_url, "SECRET_KEY": SECRET, "BASE_URL": "https://convene.bench",
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            seed_events(date.today())

        def run(label: str, concurrency: int, render_now: bool, run_no: int) -> None:
            with app.app_context():
                event = Event(slug=f"bench-{run_no}", title=f"Bench meeting {run_no}", timezone="Europe/Brussels",
                              application_deadline=db.session.scalar(
                                  db.select(Event.application_deadline).limit(1)),
                              organiser_name="Bench team", organiser_email="team@convene.bench",
                              calendar_uid=f"bench-{run_no}@convene.bench")
                template = db.session.scalar(db.select(Event).where(Event.slug == "study-visit-central-asia-2021"))
                from server.models import AgendaDay

                event.days = [AgendaDay(date=d.date, title=d.title, starts_at=d.starts_at, ends_at=d.ends_at)
                              for d in template.days]
                db.session.add(event)
                apps = []
                for i in range(args.invitees):
                    a = Application(event=event, status="invited", email=f"p{run_no}-{i}@example.org",
                                    name=f"Participant {i}", role="exit_worker")
                    a.set_country("KZ")
                    apps.append(a)
                db.session.add_all(apps)
                db.session.commit()
                ids = [a.id for a in apps]
                db.session.remove()
            worker = start_worker(env, concurrency, tmp / f"worker-{run_no}.log")
            before = len(handler.received)
            try:
                with app.app_context():
                    t0 = time.perf_counter()
                    applications = list(db.session.scalars(
                        db.select(Application).where(Application.id.in_(ids)).order_by(Application.id)))
                    bench_event = db.session.get(Event, applications[0].event_id)
                    if render_now:
                        for application in applications:
                            service.queue_message(application, InviteKind.INVITATION, render_now=True)
                    else:  # what a meeting change does: rows in bulk, rendering left to the worker
                        service.queue_many(bench_event, [(a, InviteKind.INVITATION) for a in applications])
                    db.session.commit()  # after-commit: 1,000 tasks to Redis
                    t_enqueued = time.perf_counter()
                    db.session.remove()
                handler.wait_for(before + args.invitees, timeout=120)
                t_done = time.perf_counter()
            finally:
                stop_worker(worker)
            rows.append((label, concurrency, t_enqueued - t0, t_done - t0,
                         args.invitees / (t_done - t0)))

        run_no = 0
        for concurrency in (2, 3, 4):
            run_no += 1
            run("render in worker", concurrency, False, run_no)
        run_no += 1
        run("render at enqueue", 3, True, run_no)

        ids = handler.distinct_message_ids()
        assert len(ids) == len(handler.received) == args.invitees * run_no, "duplicates or losses"
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    broker.flushdb()

    print(f"\n{args.invitees} calendar invitations per run · database: {backend} · broker: Redis · "
          f"SMTP: aiosmtpd on loopback · {os.cpu_count()} cores")
    print(f"{'rendering':<20} {'worker procs':>12} {'enqueue s':>10} {'all sent s':>11} {'invites/s':>10}")
    print("-" * 67)
    for label, concurrency, enq, total, rate in rows:
        print(f"{label:<20} {concurrency:>12} {enq:>10.2f} {total:>11.2f} {rate:>10.0f}")
    print(f"\nevery run: {args.invitees} distinct Message-IDs received, no duplicates")


if __name__ == "__main__":
    main()
