"""Calendar answers end to end with real parts: invitations go out through a real Celery
worker (Redis DB 15) to a real SMTP server (aiosmtpd); the clients' answers are APPENDed to a
real IMAP server (Dovecot) and read by the worker's poll; and on the embedded default a real
`convene serve` reads the same answers dropped into instance/inbox/."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask

from tests.support.api import ApiActor
from tests.support.backends import postgres_available, temporary_postgres_database
from tests.support.imapserver import ImapServer, imap_server
from tests.support.mailserver import Received, ScriptedHandler, smtp_server
from tests.support.procs import BIN, ROOT, env_with, free_port, running
from tests.support.replies import (
    PEOPLE,
    UID,
    WAITING,
    prepare_meeting,
    raw,
    replies,
    states,
)

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/15"  # this file's own database number
SECRET = "replies-system-secret"
ORGANISER = ("organiser@replies.example", "organiser-password")
SLUG = "study-visit-central-asia-2021"
ANNA, PETR, DILNOZA, JAN, MARIE = (p[0] for p in PEOPLE.values())
REFUSED = ("wrong_sender", "unknown_uid", "malformed")


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


class Cluster:
    """The app (enqueueing on Redis), workers on demand, SMTP and IMAP servers."""

    def __init__(self, tmp: Path, database_url: str, smtp_port: int, imap: ImapServer) -> None:
        self.tmp, self.imap = tmp, imap
        config = dict(
            REDIS_URL=REDIS_URL, DATABASE_URL=database_url, MAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            INSTANCE_PATH=str(tmp), SECRET_KEY=SECRET, BASE_URL="http://convene.system",
            INBOX_URL=imap.url, INBOX_IDLE_SECONDS="1", INBOX_LEASE="2",
        )
        self.env = env_with(**config, RATELIMIT_ENABLED="false", CELERY_VISIBILITY_TIMEOUT="4",
                            MAIL_SENDING_LEASE="3", MAIL_RETRY_BACKOFF="1")
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        from flask_migrate import upgrade

        from server import create_app

        self.app: Flask = create_app({**config, "TESTING": True, "RATELIMIT_ENABLED": False,
                                      "INBOX_IDLE_SECONDS": 1, "INBOX_LEASE": 2})
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

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.tmp / f"worker-{len(self.workers)}.log"
        out = open(log, "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "worker.main", "worker", "--loglevel=INFO", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"replies{len(self.workers)}@%h"],
            env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        out.close()
        self.workers.append(proc)
        self.logs.append(log)
        wait_until(lambda: b"ready." in log.read_bytes() or proc.poll() is not None, 30, "worker ready")
        assert proc.poll() is None, log.read_text()[-3000:]
        return proc

    def poll(self) -> None:
        """What beat does every 15 seconds: one read_replies task."""
        self.app.extensions["celery"].send_task("worker.tasks.read_replies")

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)  # the main process and its pool child
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


def _requests_to(smtp: ScriptedHandler, email: str) -> list[Received]:
    out = []
    for received in list(smtp.received):
        if received.rcpt_tos != [email]:
            continue
        for part in received.message.walk():
            if part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST":
                out.append(received)
                break
    return out


@pytest.fixture
def cluster_parts(tmp_path: Path) -> Iterator[tuple[Path, ScriptedHandler, int, ImapServer]]:
    broker = _redis_or_skip()
    broker.flushdb()  # DB 15 belongs to this file
    try:
        with smtp_server() as (smtp, port), imap_server() as imap:
            yield tmp_path, smtp, port, imap
    finally:
        broker.flushdb()
        broker.close()


def _cluster(parts: tuple[Path, ScriptedHandler, int, ImapServer], database_url: str) -> Cluster:
    tmp, _, port, imap = parts
    return Cluster(tmp, database_url, port, imap)


def _invite_everyone(c: Cluster, smtp: ScriptedHandler) -> dict[str, int]:
    ids = prepare_meeting(c.app, SLUG)
    for email, _ in PEOPLE.values():
        wait_until(lambda e=email: len(_requests_to(smtp, e)) == 1, 30, f"invitation to {email}\n" + c.worker_log())
    [first] = _requests_to(smtp, ANNA)
    calendar = next(p for p in first.message.walk() if p.get_content_type() == "text/calendar")
    assert f"UID:{UID}" in str(calendar.get_content()).replace("\r\n ", "")  # what the fixtures answer
    return ids


def test_answers_appended_to_the_mailbox_change_participants_in_one_poll(
        cluster_parts: tuple[Path, ScriptedHandler, int, ImapServer]) -> None:
    c = _cluster(cluster_parts, f"sqlite:///{cluster_parts[0] / 'replies.sqlite3'}")
    smtp, imap = cluster_parts[1], cluster_parts[3]
    try:
        c.start_worker()
        ids = _invite_everyone(c, smtp)
        before = states(c.app, ids)
        for name in [*PEOPLE, *REFUSED]:
            imap.append(raw(name))
        c.poll()
        wait_until(lambda: len(replies(c.app)) == len(PEOPLE) + len(REFUSED), 30,
                   "one poll reads every message\n" + c.worker_log())
        after = states(c.app, ids)
        assert after[ANNA] == ("accepted", "accepted", "calendar")
        assert after[PETR] == ("declined", "declined", "calendar")
        assert after[DILNOZA] == ("accepted", "accepted", "calendar")
        assert after[JAN] == ("invited", "tentative", "calendar")
        assert after[MARIE] == ("declined", "declined", "calendar")
        assert after[WAITING[0]][0] == "invited"  # two seats freed, the one wait-listed person promoted
        wait_until(lambda: len(_requests_to(smtp, WAITING[0])) == 1, 30, "the promoted person's invitation")
        refused = [r for r in replies(c.app) if r["outcome"] == "rejected"]
        assert len(refused) == 3 and before[ANNA][0] == "invited"
        organiser = ApiActor(c.app.test_client())
        assert organiser.login(*ORGANISER).status_code == 200
        listed = organiser.get(f"/api/events/{SLUG}/replies").get_json()["replies"]
        reasons = sorted(r["reason"] for r in listed if r["outcome"] == "rejected")
        assert any("not from the invitee's address" in r for r in reasons)
        assert any("No meeting has the UID" in r for r in reasons)
        assert any("cannot be read" in r for r in reasons)
        assert all(b"$ConveneRead" in flags for flags in imap.keywords())
        # The mailbox read again: nothing changes.
        c.poll()
        time.sleep(3)
        assert states(c.app, ids) == after and len(replies(c.app)) == 8
        assert len(_requests_to(smtp, WAITING[0])) == 1
    finally:
        c.stop()


def _blocked(url: str) -> bool:
    """Is some session waiting for a row lock (the worker, stopped where the test wants it)?"""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        return bool(row and row[0])


@pytest.mark.skipif(not (os.environ.get("CI") or postgres_available()),
                    reason="needs PostgreSQL's row locks to stop a worker mid-reply")
@pytest.mark.parametrize("held", ["decliner", "wait-listed"])
def test_worker_killed_mid_reply_and_the_reply_delivered_twice(
        cluster_parts: tuple[Path, ScriptedHandler, int, ImapServer], held: str) -> None:
    """A lock on the decliner's row stops the worker before its commit; a lock on the
    wait-listed person's row stops it after the decline is committed, inside the promotion.
    Either way it is killed there, and in the end the decline counts once and one person is
    promoted once, though the same reply also arrives a second time."""
    import psycopg

    smtp, imap = cluster_parts[1], cluster_parts[3]
    with temporary_postgres_database() as url:
        c = _cluster(cluster_parts, url)
        try:
            first = c.start_worker()
            ids = _invite_everyone(c, smtp)
            target = ids[MARIE] if held == "decliner" else ids[WAITING[0]]
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as lock:
                lock.execute("SELECT id FROM applications WHERE id = %s FOR UPDATE", (target,))
                imap.append(raw("thunderbird_declined"))
                c.poll()
                wait_until(lambda: _blocked(url), 30, "the worker waits for the lock\n" + c.worker_log())
                expected = "invited" if held == "decliner" else "declined"
                assert states(c.app, ids)[MARIE][0] == expected
                assert states(c.app, ids)[WAITING[0]][0] == "waitlisted"
                c.kill(first)
                lock.rollback()
            time.sleep(0.5)
            assert states(c.app, ids)[WAITING[0]][0] == "waitlisted"  # the dead worker promoted nobody
            assert len(replies(c.app)) == (0 if held == "decliner" else 1)
            c.start_worker()
            imap.append(raw("thunderbird_declined"))  # the same reply, delivered a second time
            time.sleep(2.5)  # INBOX_LEASE: a promotion the dead worker left is overdue now
            c.poll()
            wait_until(lambda: states(c.app, ids)[WAITING[0]][0] == "invited", 30,
                       "the promotion happens\n" + c.worker_log())
            wait_until(lambda: all(b"$ConveneRead" in f for f in imap.keywords()), 30, "both copies read")
            c.poll()
            time.sleep(3)
            after = states(c.app, ids)
            assert after[MARIE] == ("declined", "declined", "calendar")
            assert [r["outcome"] for r in replies(c.app)] == ["applied"]
            assert replies(c.app)[0]["promotion_due_at"] is None
            assert sorted(s for s, _, _ in after.values()) == ["declined"] + ["invited"] * 5
            wait_until(lambda: len(_requests_to(smtp, WAITING[0])) == 1, 30, "one invitation")
            time.sleep(2)
            assert len(_requests_to(smtp, WAITING[0])) == 1
        finally:
            c.stop()


def test_a_poll_waits_with_idle_and_reads_what_arrives(tmp_path: Path) -> None:
    """With IDLE, a message that arrives while the poll waits is read by that same poll."""
    import threading

    from flask_migrate import upgrade

    from server import create_app
    from server.replies import mailbox

    with imap_server() as imap:
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET, "TESTING": True,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'idle.sqlite3'}"})
        with app.app_context():
            upgrade()
        imap.append(raw("no_calendar"))
        result: dict[str, int] = {}

        def poll() -> None:
            with app.app_context():
                result.update(mailbox.read_imap(imap.url, idle_seconds=8))

        thread = threading.Thread(target=poll)
        started = time.monotonic()
        thread.start()
        time.sleep(2)
        imap.append(raw("unknown_uid"))
        arrived = time.monotonic()
        wait_until(lambda: len(replies(app)) == 2, 5, "the message that arrived during IDLE is read")
        read_after = time.monotonic() - arrived
        thread.join(timeout=15)
        assert result == {"rejected": 2}
        assert read_after < 3  # at once, not at the next poll
        assert time.monotonic() - started < 12  # the wait is bounded
        assert all(b"$ConveneRead" in flags for flags in imap.keywords())


def test_inbox_url_over_imaps_as_the_issue_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """INBOX_URL=imaps://user:password@host/INBOX: TLS with the certificate checked against the
    system's trust store (here given this run's certificate) and the host name."""
    import ssl

    from flask_migrate import upgrade

    from server import create_app
    from server.replies import mailbox

    with imap_server(tls=True) as imap:
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET, "TESTING": True,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'imaps.sqlite3'}", "INBOX_URL": imap.tls_url})
        with app.app_context():
            upgrade()
        imap.append(raw("unknown_uid"))
        with app.app_context(), pytest.raises(ssl.SSLCertVerificationError):
            mailbox.poll(idle_seconds=0)  # a certificate nobody vouches for is refused
        assert replies(app) == [] and not any(b"$ConveneRead" in flags for flags in imap.keywords())
        monkeypatch.setenv("SSL_CERT_FILE", str(imap.cafile))  # what an operator's CA bundle does
        with app.app_context():
            assert mailbox.poll(idle_seconds=0) == {"rejected": 1}
        assert "No meeting has the UID" in replies(app)[0]["reason"]
        assert all(b"$ConveneRead" in flags for flags in imap.keywords())
        with app.app_context():
            from server.extensions import db

            db.engine.dispose()


def test_a_huge_message_in_the_mailbox_is_never_fetched_whole(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizes are read first: a message over the limit is recorded from its head and kept aside;
    the answers beside it are read as usual."""
    from flask_migrate import upgrade
    from imapclient import IMAPClient

    from server import create_app
    from server.core.replies import MAX_BYTES
    from server.replies import mailbox

    with imap_server() as imap:
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET, "TESTING": True,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'huge.sqlite3'}"})
        with app.app_context():
            upgrade()
        body = b"x" * 998 + b"\r\n"
        imap.append(b"From: anna.petrova@example.org\r\nMessage-ID: <huge-1@example.org>\r\n"
                    b"Subject: a film\r\n\r\n" + body * (MAX_BYTES // len(body) + 10))
        imap.append(raw("unknown_uid"))
        asked: list[tuple[tuple[int, ...], tuple[bytes, ...]]] = []
        fetch = IMAPClient.fetch

        def watched(client: IMAPClient, messages: Any, data: Any, modifiers: Any = None) -> Any:
            items = tuple(d if isinstance(d, bytes) else d.encode() for d in data)
            asked.append((tuple(messages), items))  # observe what is asked, then ask it
            return fetch(client, messages, data, modifiers)

        monkeypatch.setattr(IMAPClient, "fetch", watched)
        with app.app_context():
            assert mailbox.read_imap(imap.url, idle_seconds=0) == {"rejected": 2}
        huge_uid = min(uid for messages, _ in asked for uid in messages)
        assert not [d for messages, d in asked if huge_uid in messages and b"BODY.PEEK[]" in d]
        [huge, other] = replies(app)
        assert "too large" in huge["reason"] and huge["sender"] == "anna.petrova@example.org"
        assert "No meeting has the UID" in other["reason"]
        assert all(b"$ConveneRead" in flags for flags in imap.keywords())
        with app.app_context():
            from server.extensions import db

            db.engine.dispose()


def _login(base: str, log: Path) -> requests.Session:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.strip().startswith("organiser:") and " / " in line:
                email, password = line.split(": ", 1)[1].strip().split(" / ")
                session = requests.Session()
                assert session.post(f"{base}/api/session", json={"email": email, "password": password},
                                    timeout=5).ok
                return session
        time.sleep(0.2)
    raise AssertionError(log.read_text())


def test_embedded_default_reads_the_inbox_folder_within_30_seconds(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    port = free_port()
    env = env_with(INSTANCE_PATH=str(instance), SECRET_KEY=SECRET, RATELIMIT_ENABLED="false")
    base = f"http://127.0.0.1:{port}"
    with running([str(BIN / "convene"), "serve", "--port", str(port)], env, port, log=tmp_path / "serve.log"):
        from server import create_app

        app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET, "TESTING": True})
        ids = prepare_meeting(app, SLUG)  # mail goes to instance/outbox/
        inbox = instance / "inbox"
        inbox.mkdir(exist_ok=True)
        dropped = time.monotonic()
        for name in [*PEOPLE, *REFUSED]:
            (inbox / f"{name}.eml.part").write_bytes(raw(name))
            (inbox / f"{name}.eml.part").rename(inbox / f"{name}.eml")  # arrives whole
        wait_until(lambda: not list(inbox.glob("*.eml")), 30, "the folder is read within 30 s")
        took = time.monotonic() - dropped
        after = states(app, ids)
        assert after[ANNA][0] == "accepted" and after[DILNOZA][0] == "accepted"
        assert after[PETR][0] == "declined" and after[MARIE][0] == "declined"
        assert after[JAN] == ("invited", "tentative", "calendar")
        assert after[WAITING[0]][0] == "invited"
        assert sorted(p.name for p in (inbox / "done").glob("*.eml")) == sorted(f"{n}.eml" for n in PEOPLE)
        assert sorted(p.name for p in (inbox / "rejected").glob("*.eml")) == sorted(f"{n}.eml" for n in REFUSED)
        reason = (inbox / "rejected" / "unknown_uid.eml.reason.txt").read_text()
        assert "No meeting has the UID" in reason
        listed = _login(base, tmp_path / "serve.log").get(f"{base}/api/events/{SLUG}/replies", timeout=5).json()
        assert len([r for r in listed["replies"] if r["outcome"] == "rejected"]) == 3
        assert took < 30
        with app.app_context():
            from server.extensions import db

            db.engine.dispose()


def test_compose_gives_worker_and_beat_the_mailbox() -> None:
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("worker", "beat"):
        env = services[name]["environment"]
        assert env["INBOX_URL"] == "${INBOX_URL:-}"  # optional: unset reads instance/inbox/
        assert env["REDIS_URL"].startswith("redis://")  # the shared environment is kept
