"""Outgoing mail: every message is a row first, delivered by a task after commit.

`queue_mail` is idempotent per key: the same key queued twice is one message.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select

from server.dispatch import after_commit
from server.extensions import db
from server.models import MailStatus, OutboundMail
from server.models.types import utcnow

DELIVER_TASK = "worker.tasks.deliver_mail"


def queue_mail(message: EmailMessage, *, key: str, kind: str, event_id: int | None = None,
               application_id: int | None = None) -> OutboundMail:
    """Store a message for delivery after the current transaction commits (once per key)."""
    existing = db.session.scalar(select(OutboundMail).where(OutboundMail.idempotency_key == key))
    if existing is not None:
        return existing
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid(domain="convene")
    mail = OutboundMail(
        idempotency_key=key, kind=kind, event_id=event_id, application_id=application_id,
        to_address=str(message["To"]), subject=str(message["Subject"]),
        message_id=str(message["Message-ID"]), body=message.as_bytes(), status=MailStatus.QUEUED,
    )
    db.session.add(mail)
    db.session.flush()
    after_commit(DELIVER_TASK, mail.id)
    return mail


class TemporaryMailError(Exception):
    """The server said try later (SMTP 4xx, a dropped connection): retry with backoff."""


class PermanentMailError(Exception):
    """The server refused for good (SMTP 5xx): mark the message failed."""


def deliver(mail_id: int) -> str:
    """Deliver one stored message unless it was already sent; return its final status."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.status == MailStatus.SENT:
        return "sent" if mail else "missing"
    mail.status = MailStatus.SENDING
    mail.attempts += 1
    db.session.commit()
    try:
        transport(mail)
    except TemporaryMailError as exc:
        mail.status, mail.last_error = MailStatus.QUEUED, str(exc)
        db.session.commit()
        raise
    except PermanentMailError as exc:
        mail.status, mail.last_error = MailStatus.FAILED, str(exc)
        db.session.commit()
        return mail.status
    mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, utcnow(), None
    db.session.commit()
    return mail.status


def transport(mail: OutboundMail) -> None:
    """Hand one message to the outbox folder or to the SMTP server in MAIL_URL."""
    url = current_app.config.get("MAIL_URL")
    if not url:
        folder = Path(current_app.config["OUTBOX_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        # Named by row id so a retry overwrites rather than duplicates.
        target = folder / f"{mail.id:06d}-{mail.kind}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(mail.body)
        tmp.replace(target)
        return
    send_smtp(url, mail)


def send_smtp(url: str, mail: OutboundMail) -> None:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host, port = parts.hostname or "localhost", parts.port
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
        else:
            server = smtplib.SMTP(host, port or 25, timeout=30)
        with server:
            if parts.scheme == "smtp" and query.get("starttls", ["0"])[0] in ("1", "true", "yes"):
                server.starttls()
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.sendmail(_envelope_from(mail), [mail.to_address], mail.body)
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
        if 400 <= exc.smtp_code < 500:
            raise TemporaryMailError(text) from exc
        raise PermanentMailError(text) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{code} {msg!r}" for code, msg in exc.recipients.values())
        if all(400 <= c < 500 for c in codes):
            raise TemporaryMailError(text) from exc
        raise PermanentMailError(text) from exc
    except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError) as exc:
        raise TemporaryMailError(f"connection: {exc}") from exc


def _envelope_from(mail: OutboundMail) -> str:
    from email import message_from_bytes
    from email.utils import parseaddr

    return parseaddr(str(message_from_bytes(mail.body)["From"]))[1]
