"""Calendar invitations end to end with real parts: the app enqueues on a real Redis broker
(DB 11), a real `celery -A worker.main worker` process renders and sends, a real SMTP server
(aiosmtpd) receives. What arrives is read back as a mail client reads it, and every calendar
is checked by two independent parsers (ical, strict; vobject, validating)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import vobject
from flask import Flask
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from tests.support.api import ApiActor
from tests.support.backends import backends, temporary_postgres_database
from tests.support.mailserver import Received, ScriptedHandler, smtp_server
from tests.support.procs import BIN, ROOT, env_with

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/11"  # this test's own database number
SECRET = "system-test-secret"
FIRST_MORNING = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)
ORGANISER = ("organiser@system.example", "organiser-password")


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    if "postgres" in backends():
        with temporary_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'system.sqlite3'}"


class Stack:
    def __init__(self, tmp: Path, database_url: str, smtp_port: int) -> None:
        self.tmp = tmp
        self.env = env_with(
            REDIS_URL=REDIS_URL, DATABASE_URL=database_url, MAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            INSTANCE_PATH=str(tmp), SECRET_KEY=SECRET, BASE_URL="http://convene.system",
            RATELIMIT_ENABLED="false", CELERY_VISIBILITY_TIMEOUT="4", MAIL_SENDING_LEASE="3",
            MAIL_RETRY_BACKOFF="1",
        )
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        from flask_migrate import upgrade

        from server import create_app

        self.app: Flask = create_app({
            "TESTING": True, "INSTANCE_PATH": str(tmp), "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL, "MAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "SECRET_KEY": SECRET,
            "BASE_URL": "http://convene.system", "RATELIMIT_ENABLED": False,
        })
        assert not self.app.extensions["celery"].conf.task_always_eager
        with self.app.app_context():
            upgrade()
            from server.events.seed import seed_events
            from server.extensions import db
            from server.models import User

            seed_events(date.today())
            user = User(email=ORGANISER[0], name="Organiser", role="organiser")
            user.set_password(ORGANISER[1])
            db.session.add(user)
            db.session.commit()

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen[bytes]:
        log = self.tmp / f"worker-{len(self.workers)}.log"
        out = open(log, "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "worker.main", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"system{len(self.workers)}@%h"],
            env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        out.close()
        self.workers.append(proc)
        self.logs.append(log)
        deadline = time.monotonic() + 30
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("worker did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.1)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)  # the main process and its pool children
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        with self.app.app_context():
            from server.extensions import db

            db.session.remove()
            db.engine.dispose()

    def worker_log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.logs)

    # --- acting like the other features ------------------------------------------------

    def applicant(self, n: int) -> int:
        from server.extensions import db
        from server.models import Application, Event

        with self.app.app_context():
            event = db.session.scalar(select(Event).where(Event.slug == "study-visit-central-asia-2021"))
            application = Application(event_id=event.id, email=f"person{n}@example.org",
                                      name=f"Person {n}", role="exit_worker")
            application.set_country("UZ")
            db.session.add(application)
            db.session.commit()
            return int(application.id)

    def set_status(self, application_id: int, new: str) -> None:
        from server.extensions import db
        from server.models import Application
        from server.signals import application_status_changed

        with self.app.app_context():
            application = db.session.get(Application, application_id)
            old, application.status = application.status, new
            db.session.commit()
            application_status_changed.send(application, old=old, new=new)
            db.session.remove()

    def rows(self) -> list[Any]:
        from server.extensions import db
        from server.models import OutboundMail

        with self.app.app_context():
            rows = list(db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)))
            db.session.expunge_all()
            return rows

    def wait_rows(self, status: str, count: int, timeout: float = 20) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = [r for r in self.rows() if r.status == status]
            if len(rows) >= count:
                return rows
            time.sleep(0.1)
        raise AssertionError(f"{status}: {[(r.id, r.status, r.last_error) for r in self.rows()]}\n"
                             + self.worker_log())


@pytest.fixture
def handler() -> ScriptedHandler:
    return ScriptedHandler()


@pytest.fixture
def stack(tmp_path: Path, database: str, handler: ScriptedHandler) -> Iterator[tuple[Stack, ScriptedHandler]]:
    broker = _redis_or_skip()
    broker.flushdb()  # DB 11 belongs to this test
    with smtp_server(handler) as (h, port):
        s = Stack(tmp_path, database, port)
        try:
            yield s, h
        finally:
            s.stop()
            broker.flushdb()
            broker.close()


# ----------------------------------------------------------------------------- reading mail


def calendar_of(received: Received) -> str:
    msg = received.message
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()  # type: ignore[misc]
    assert alternative.get_content_type() == "multipart/alternative"
    parts = alternative.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    cal = parts[2]
    assert cal.get_param("charset") == "utf-8" and cal["Content-Transfer-Encoding"] == "base64"
    method = cal.get_param("method")
    assert attachment.get_filename() == "invite.ics" and attachment.is_attachment()
    body = cal.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == body
    text = body.decode()
    assert f"METHOD:{method}\r\n" in text
    # both oracles read it and agree on the first morning
    strict = IcsCalendarStream.calendar_from_ics(text)
    first_ical = min(ev.dtstart.astimezone(UTC) for ev in strict.events)  # type: ignore[union-attr]
    parsed = vobject.readOne(text, validate=True)
    first_vobject = min(ev.dtstart.value.astimezone(UTC) for ev in parsed.vevent_list)
    assert first_ical == first_vobject == FIRST_MORNING
    return text.replace("\r\n ", "")


def value(text: str, name: str) -> str:
    values = {ln.split(":", 1)[1] for ln in text.split("\r\n") if ln.split(":", 1)[0].split(";")[0] == name}
    assert len(values) == 1, (name, values)
    return values.pop()


# ----------------------------------------------------------------------------- tests


def test_invite_update_and_cancel_arrive(stack: tuple[Stack, ScriptedHandler]) -> None:
    s, smtp = stack
    s.start_worker()
    a = s.applicant(1)
    s.set_status(a, "invited")
    [invite] = smtp.wait_for(1)
    text = calendar_of(invite)
    assert value(text, "METHOD") == "REQUEST" and value(text, "SEQUENCE") == "0"
    uid = value(text, "UID")
    assert invite.message["From"].addresses[0].addr_spec in value(text, "ORGANIZER")
    assert invite.rcpt_tos == ["person1@example.org"]
    assert "/p/" in value(text, "LOCATION")

    organiser = ApiActor(s.app.test_client())
    assert organiser.login(*ORGANISER).status_code == 200
    days = organiser.get("/api/events/study-visit-central-asia-2021/agenda").get_json()["days"]
    second = days[1]["id"]
    response = organiser.patch(f"/api/events/study-visit-central-asia-2021/agenda/days/{second}",
                               json={"end": "13:00"})
    assert response.status_code == 200, response.get_json()
    update = smtp.wait_for(2)[1]
    text = calendar_of(update)
    assert value(text, "METHOD") == "REQUEST" and value(text, "UID") == uid
    assert value(text, "SEQUENCE") == "1"

    s.set_status(a, "withdrawn")
    cancel = smtp.wait_for(3)[2]
    text = calendar_of(cancel)
    assert value(text, "METHOD") == "CANCEL" and value(text, "STATUS") == "CANCELLED"
    assert value(text, "UID") == uid and value(text, "SEQUENCE") == "2"
    assert len(smtp.distinct_message_ids()) == 3 == len(smtp.received)
    assert [r.status for r in s.rows()] == ["sent"] * 3


def test_three_enqueues_racing_on_one_row_give_one_email(stack: tuple[Stack, ScriptedHandler]) -> None:
    s, smtp = stack
    s.start_worker(concurrency=3)
    a = s.applicant(1)
    from server.dispatch import after_commit
    from server.extensions import db
    from server.invitations import service
    from server.mail import DELIVER_TASK
    from server.models import Application

    with s.app.app_context():
        application = db.session.get(Application, a)
        application.status = "invited"
        row = service.queue_message(application, service.InviteKind.INVITATION)
        assert row is not None
        after_commit(DELIVER_TASK, row.id)  # the same send, enqueued twice more
        after_commit(DELIVER_TASK, row.id)
        db.session.commit()
    s.wait_rows("sent", 1)
    time.sleep(2)  # let the two duplicates run and find the row taken
    assert len(smtp.received) == 1
    [row_after] = s.rows()
    assert row_after.attempts == 1 and row_after.status == "sent"


def test_two_deferrals_then_one_email(stack: tuple[Stack, ScriptedHandler]) -> None:
    s, smtp = stack
    smtp.script = ["451 4.3.0 greylisted, try again", "451 4.3.0 still greylisted"]
    s.start_worker()
    a = s.applicant(1)
    s.set_status(a, "invited")
    # Generous: on a loaded 2-core CI box a retried task can wait for Redis's redelivery.
    [row] = s.wait_rows("sent", 1, timeout=60)
    assert smtp.refused == ["451 4.3.0 greylisted, try again", "451 4.3.0 still greylisted"]
    assert len(smtp.received) == 1
    assert row.attempts == 3
    calendar_of(smtp.received[0])


def test_worker_killed_mid_send_still_one_email(stack: tuple[Stack, ScriptedHandler]) -> None:
    import threading

    s, smtp = stack
    smtp.hold = threading.Event()
    first = s.start_worker(concurrency=1)
    a = s.applicant(1)
    s.set_status(a, "invited")
    assert smtp.holding.wait(20), s.worker_log()
    [held] = [r for r in s.rows() if r.status == "sending"]
    s.kill(first)  # mid-DATA: the server has not answered 250
    time.sleep(0.5)
    smtp.hold.set()  # the held transaction finds its client gone: nothing delivered
    deadline = time.monotonic() + 10
    while smtp.aborted == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert smtp.aborted == 1 and smtp.received == []
    smtp.hold = None
    s.start_worker(concurrency=1)  # Redis hands the unacknowledged task over after its timeout
    [row] = s.wait_rows("sent", 1, timeout=30)
    assert row.id == held.id and row.attempts == 2
    assert len(smtp.received) == 1
    calendar_of(smtp.received[0])
