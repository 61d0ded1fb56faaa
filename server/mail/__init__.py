"""Outgoing mail: every message is a row first, delivered by a task after commit.

The row (``OutboundMail``) is the single record of a message and of its delivery state:
``queued → sending → sent``, or ``failed`` with the reason, or ``skipped`` (no longer wanted,
e.g. an invitation superseded by the meeting's cancellation).

Exactly once, as far as it can be had
-------------------------------------
* ``queue_mail`` is idempotent per key (``OutboundMail.idempotency_key`` is unique): the same
  key queued three times is one row, hence one message.
* The delivering task may run several times for one row (enqueued three times, Redis
  redelivering after a worker died, the sweeper): every run first *claims* the row with one
  conditional ``UPDATE ... SET status='sending' WHERE id=? AND status='queued'`` and goes on
  only if it changed exactly one row. Racing workers therefore send once; a run that finds
  the row ``sent``/``failed`` stops, and one that finds it ``sending`` retries later.
* A claim older than ``MAIL_SENDING_LEASE`` seconds belongs to a dead worker and may be taken
  again. This leaves one honest at-least-once window: a worker killed *after* the SMTP server
  answered 250 to DATA but *before* it recorded ``sent`` will have the message sent a second
  time once the lease runs out. SMTP has no two-phase commit, so no client can close that
  window; the second copy carries the same ``Message-ID`` (derived from the idempotency key),
  so receiving systems that de-duplicate on Message-ID show it once.

Messages may be stored unrendered (``body`` empty) with a renderer registered for their kind:
the worker renders at each claim. Such bodies carry personal links, so they are never written
to the table (issue 11, item 5): a retry renders again — the links are derived from
``SECRET_KEY`` and a stored salt, so it is the same link and the same Message-ID — and the
row keeps only the headers. A renderer registered with ``forget_body=False`` has its bytes
kept, so its retries send identical bytes.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from server.dispatch import after_commit
from server.extensions import db
from server.models import MailStatus, OutboundMail
from server.models.types import utcnow

DELIVER_TASK = "worker.tasks.deliver_mail"
SKIPPED = "skipped"
MAX_BACKOFF = timedelta(hours=2)


class TemporaryMailError(Exception):
    """The server said try later (SMTP 4xx, a dropped connection): retry with backoff.

    ``countdown`` is the delay (seconds) the task should wait before trying again;
    ``None`` means the row already records its fate (nothing to retry)."""

    def __init__(self, message: str, countdown: float | None = None) -> None:
        super().__init__(message)
        self.countdown = countdown


class PermanentMailError(Exception):
    """The server refused for good (SMTP 5xx): mark the message failed."""


class SkipMail(Exception):
    """A renderer decided the message is no longer wanted (the reason is recorded)."""


@dataclass(frozen=True)
class Renderer:
    render: Callable[[OutboundMail], EmailMessage]
    # Drop the body once sent (it holds secrets that can be derived again when needed).
    forget_body: bool = True


RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, render: Callable[[OutboundMail], EmailMessage],
                      *, forget_body: bool = True) -> None:
    """Render messages of ``kind`` queued without a body, at their first delivery attempt."""
    RENDERERS[kind] = Renderer(render, forget_body)


# ------------------------------------------------------------------------------ queueing


def queue_mail(message: EmailMessage | None, *, key: str, kind: str, event_id: int | None = None,
               application_id: int | None = None, to_address: str | None = None,
               subject: str | None = None, message_id: str | None = None) -> OutboundMail:
    """Store a message for delivery after the current transaction commits (once per key).

    With ``message=None`` the message is rendered by the worker (a renderer must be registered
    for ``kind``); ``to_address``, ``subject`` and ``message_id`` are then required."""
    existing = db.session.scalar(select(OutboundMail).where(OutboundMail.idempotency_key == key))
    if existing is not None:
        return existing
    if message is not None:
        if message["Message-ID"] is None:
            message["Message-ID"] = make_msgid(domain="convene")
        to_address, subject = str(message["To"]), str(message["Subject"])
        message_id, body = str(message["Message-ID"]), wire_bytes(message)
    else:
        if kind not in RENDERERS:
            raise ValueError(f"kind: no renderer registered for {kind!r}")
        if not (to_address and subject and message_id):
            raise ValueError("to_address, subject and message_id are required without a message")
        body = b""
    mail = OutboundMail(
        idempotency_key=key, kind=kind, event_id=event_id, application_id=application_id,
        to_address=to_address, subject=subject, message_id=message_id, body=body,
        status=MailStatus.QUEUED, attempts=0,
    )
    db.session.add(mail)
    db.session.flush()
    after_commit(DELIVER_TASK, mail.id)
    return mail


@dataclass(frozen=True)
class Pending:
    """One message to render later (see queue_unrendered)."""

    key: str
    kind: str
    to_address: str
    subject: str
    message_id: str
    event_id: int | None = None
    application_id: int | None = None


def queue_unrendered(pending: list[Pending]) -> list[OutboundMail]:
    """Bulk form of ``queue_mail(None, ...)``: one query for the keys already queued, one
    batched INSERT, one task per new row after commit (a change reaching 1,000 invitees costs
    the request milliseconds per invitee, not a round trip each)."""
    for p in pending:
        if p.kind not in RENDERERS:
            raise ValueError(f"kind: no renderer registered for {p.kind!r}")
    keys = [p.key for p in pending]
    existing = {
        m.idempotency_key: m
        for chunk in (keys[i:i + 500] for i in range(0, len(keys), 500))
        for m in db.session.scalars(select(OutboundMail).where(OutboundMail.idempotency_key.in_(chunk)))
    }
    fresh = [
        OutboundMail(idempotency_key=p.key, kind=p.kind, event_id=p.event_id,
                     application_id=p.application_id, to_address=p.to_address, subject=p.subject,
                     message_id=p.message_id, body=b"", status=MailStatus.QUEUED, attempts=0)
        for p in dict.fromkeys(pending) if p.key not in existing
    ]
    db.session.add_all(fresh)
    db.session.flush()
    for mail in fresh:
        after_commit(DELIVER_TASK, mail.id)
    return [*existing.values(), *fresh]


def retry(mail: OutboundMail) -> OutboundMail:
    """An organiser asks for another try of a failed (or still queued) message."""
    if mail.status not in (MailStatus.FAILED, MailStatus.QUEUED, SKIPPED):
        raise ValueError(f"status: a {mail.status} message cannot be retried")
    mail.status, mail.attempts, mail.next_attempt_at, mail.claimed_at = (
        MailStatus.QUEUED, 0, None, None
    )
    after_commit(DELIVER_TASK, mail.id)
    return mail


# ------------------------------------------------------------------------------ delivery


def _settings_int(name: str, default: int) -> int:
    settings = current_app.config.get("SETTINGS")
    return int(getattr(settings, name, default)) if settings is not None else default


def backoff(attempt: int, base: float) -> float:
    """Delay before attempt ``attempt + 1``: base, 2·base, 4·base … capped at two hours,
    with ±25 % jitter so a burst of deferrals does not come back as one burst."""
    delay = min(base * 2 ** max(attempt - 1, 0), MAX_BACKOFF.total_seconds())
    return float(delay * random.uniform(0.75, 1.25))


def _claim(mail_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=_settings_int("MAIL_SENDING_LEASE", 300))
    result = db.session.execute(
        update(OutboundMail)
        .where(
            OutboundMail.id == mail_id,
            or_(
                # queued and due (an early duplicate of a deferred task does not jump the backoff)
                and_(OutboundMail.status == MailStatus.QUEUED,
                     or_(OutboundMail.next_attempt_at.is_(None),
                         OutboundMail.next_attempt_at <= now + timedelta(seconds=2))),
                and_(OutboundMail.status == MailStatus.SENDING, OutboundMail.claimed_at < now - lease),
            ),
        )
        .values(status=MailStatus.SENDING, claimed_at=now, attempts=OutboundMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _finish(mail_id: int, claim: datetime, **values: object) -> None:
    """Record the outcome of our claim (only if the row is still ours)."""
    db.session.execute(
        update(OutboundMail)
        .where(OutboundMail.id == mail_id, OutboundMail.claimed_at == claim)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _unclaimed_status(mail_id: int) -> str:
    """Why a message could not be claimed: it is gone, done, waiting for a retry, or another
    attempt holds it (then raise :class:`TemporaryMailError` to try again after that lease)."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None:
        return "missing"
    if mail.status == MailStatus.SENDING:
        lease = _settings_int("MAIL_SENDING_LEASE", 300)
        held = (utcnow() - mail.claimed_at).total_seconds() if mail.claimed_at else 0
        raise TemporaryMailError("another attempt holds this message",
                                 countdown=max(1.0, lease - held + 1))
    return str(mail.status)  # sent, failed, skipped; or queued for a later retry


def deliver(mail_id: int) -> str:
    """Deliver one stored message unless it was already sent; return its status afterwards.

    Raises :class:`TemporaryMailError` (with ``countdown``) when the caller should try again
    later: the server deferred, the connection dropped, or another worker holds the row."""
    db.session.rollback()  # read committed state, not a stale identity map
    now = utcnow().replace(microsecond=0)
    if not _claim(mail_id, now):
        return _unclaimed_status(mail_id)
    mail = db.session.get(OutboundMail, mail_id)
    assert mail is not None
    renderer = RENDERERS.get(mail.kind)
    body, rendered = mail.body, False
    secret = renderer is not None and renderer.forget_body  # its bytes hold a personal link
    if not body:
        try:
            if renderer is None:
                raise PermanentMailError(f"no renderer for {mail.kind!r} and no body")
            message = renderer.render(mail)
        except SkipMail as exc:
            db.session.rollback()
            _finish(mail_id, now, status=SKIPPED, last_error=str(exc), claimed_at=None)
            return SKIPPED
        except PermanentMailError as exc:
            db.session.rollback()
            _finish(mail_id, now, status=MailStatus.FAILED, last_error=str(exc))
            return str(MailStatus.FAILED)
        body, rendered = wire_bytes(message), True
        mail.subject, mail.to_address = str(message["Subject"]), str(message["To"])
        if db.session.new or any(o is not mail for o in db.session.dirty):
            if not secret:
                mail.body = body
            db.session.commit()  # the renderer changed state (e.g. a link salt): keep it now
    attempts, to_address, kind = mail.attempts, mail.to_address, mail.kind
    kept: dict[str, object] = {"subject": mail.subject, "to_address": to_address} if rendered else {}
    if rendered and not secret:
        kept["body"] = body  # the retry sends exactly these bytes
    db.session.rollback()
    try:
        transport(mail_id, kind, to_address, body)
    except TemporaryMailError as exc:
        if attempts > _settings_int("MAIL_MAX_RETRIES", 8):
            _finish(mail_id, now, status=MailStatus.FAILED, last_error=f"gave up: {exc}", **kept)
            return str(MailStatus.FAILED)
        delay = backoff(attempts, _settings_int("MAIL_RETRY_BACKOFF", 30))
        # rendered bytes without secrets are kept; others are rendered again (same link)
        _finish(mail_id, now, status=MailStatus.QUEUED, last_error=str(exc), claimed_at=None,
                next_attempt_at=utcnow() + timedelta(seconds=delay), **kept)
        raise TemporaryMailError(str(exc), countdown=delay) from exc
    except PermanentMailError as exc:
        _finish(mail_id, now, status=MailStatus.FAILED, last_error=str(exc), **kept)
        return str(MailStatus.FAILED)
    values: dict[str, object] = {"status": MailStatus.SENT, "sent_at": utcnow(), "last_error": None,
                                 "next_attempt_at": None, **kept}
    if renderer is not None and renderer.forget_body:
        values["body"] = b""
    _finish(mail_id, now, **values)
    return str(MailStatus.SENT)


def overdue(now: datetime | None = None) -> list[int]:
    """Rows a lost task left behind: queued and due for longer than the lease, or 'sending'
    under a claim older than the lease (its worker died). The sweeper re-enqueues them and
    marks them so the next sweep waits another lease."""
    now = now or utcnow()
    lease = timedelta(seconds=_settings_int("MAIL_SENDING_LEASE", 300))
    due = func.coalesce(OutboundMail.next_attempt_at, OutboundMail.created_at)
    ids = list(db.session.scalars(
        select(OutboundMail.id).where(or_(
            and_(OutboundMail.status == MailStatus.QUEUED, due < now - lease),
            and_(OutboundMail.status == MailStatus.SENDING, OutboundMail.claimed_at < now - lease),
        )).order_by(OutboundMail.id).limit(1000)
    ))
    if ids:
        db.session.execute(
            update(OutboundMail).where(OutboundMail.id.in_(ids),
                                       OutboundMail.status == MailStatus.QUEUED)
            .values(next_attempt_at=now).execution_options(synchronize_session=False)
        )
        for mail_id in ids:
            after_commit(DELIVER_TASK, mail_id)
    db.session.commit()
    return ids


# ------------------------------------------------------------------------------ transport


def wire_bytes(message: EmailMessage) -> bytes:
    """The stored form (LF line ends, as the outbox's .eml files); SMTP gets CRLF below."""
    return message.as_bytes()


# smtplib sends bytes unchanged: a server reading CRLF lines would see one endless line.
_BARE_LF = re.compile(rb"(?<!\r)\n")


def transport(mail_id: int, kind: str, to_address: str, body: bytes) -> None:
    """Hand one message to the outbox folder or to the SMTP server in MAIL_URL."""
    url = current_app.config.get("MAIL_URL")
    if not url:
        folder = Path(current_app.config["OUTBOX_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        # Named by row id so a retry overwrites rather than duplicates.
        target = folder / f"{mail_id:06d}-{kind}.eml"
        tmp = target.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        tmp.replace(target)
        return
    send_smtp(url, to_address, body)


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"


class _Connections(threading.local):
    """One SMTP session per worker thread, reused while it is fresh: a burst of 1,000
    invitations is 1,000 transactions, not 1,000 connect/EHLO/STARTTLS/AUTH/QUIT rounds."""

    server: smtplib.SMTP | None = None
    url: str = ""
    pid: int = 0
    used: float = 0.0


_connections = _Connections()
IDLE_REUSE = 20.0  # seconds; servers drop idle sessions after a few minutes


def _open(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
    else:
        server = smtplib.SMTP(host, port or 25, timeout=30)
    try:
        server.ehlo_or_helo_if_needed()
        if parts.scheme == "smtp" and query.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            server.starttls()
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        server.close()
        raise
    return server


def _session(url: str) -> tuple[smtplib.SMTP, bool]:
    """(session, reused?)"""
    c = _connections
    if c.server is not None and c.url == url and c.pid == os.getpid() \
            and time.monotonic() - c.used < IDLE_REUSE:
        return c.server, True
    _drop()
    c.server, c.url, c.pid = _open(url), url, os.getpid()
    return c.server, False


def _transaction(url: str, sender: str, recipient: str, data: bytes) -> None:
    server, reused = _session(url)
    try:
        code, reply = server.mail(sender)
    except (smtplib.SMTPServerDisconnected, OSError):
        if not reused:
            raise
        # The server closed the idle session; nothing was transferred: open a new one.
        _drop()
        server, _ = _session(url)
        code, reply = server.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = server.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = server.data(data)
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _drop() -> None:
    c = _connections
    if c.server is not None and c.pid == os.getpid():
        with contextlib.suppress(OSError):
            c.server.close()
    c.server = None


def send_smtp(url: str, to_address: str, body: bytes) -> None:
    """One SMTP transaction (STARTTLS and AUTH when MAIL_URL asks for them), on a reused
    session when one is fresh. 4xx replies, refused connections, timeouts and disconnects are
    temporary; 5xx replies are permanent. After any error the session is dropped."""
    try:
        _transaction(url, _envelope_from(body), _address(to_address), _BARE_LF.sub(b"\r\n", body))
        _connections.used = time.monotonic()
    except smtplib.SMTPRecipientsRefused as exc:
        _drop()
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{code} {msg!r}" for code, msg in exc.recipients.values())
        if all(400 <= c < 500 for c in codes):
            raise TemporaryMailError(text) from exc
        raise PermanentMailError(text) from exc
    except smtplib.SMTPResponseException as exc:
        _drop()
        if 400 <= exc.smtp_code < 500:
            raise TemporaryMailError(_smtp_text(exc)) from exc
        raise PermanentMailError(_smtp_text(exc)) from exc
    except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError) as exc:
        _drop()
        raise TemporaryMailError(f"connection: {exc}") from exc


def _address(header: str) -> str:
    return parseaddr(header)[1] or header


def _envelope_from(body: bytes) -> str:
    head = body.split(b"\n\n", 1)[0]
    return parseaddr(str(message_from_bytes(head)["From"]))[1]
