"""Helpers for the applications tests: a valid application, a fixed clock, mail and signal capture."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

# The reference event's deadline: 12 May 2021 23:59:59 Europe/Brussels (CEST) = 21:59:59 UTC.
DEADLINE_UTC = datetime(2021, 5, 12, 21, 59, 59, tzinfo=UTC)
BEFORE_DEADLINE = datetime(2021, 5, 1, 9, 0, tzinfo=UTC)


def valid_application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Aigerim Bekova",
        "email": "aigerim@example.org",
        "organisation": "Probation Service Almaty",
        "job_title": "Senior probation officer",
        "country": "KZ",
        "role": "probation_officer",
        "languages": ["ru", "kk", "English"],
        "works_with": ["returning_fighters", "families"],
        "consent": True,
        "work_relation": "I supervise returnees after release.",
        "key_questions": ["How do you involve families?", "What about children in schools?"],
        "challenges": "Stigma in the neighbourhood.",
    }
    body.update(changes)
    return body


def set_clock(app: Flask, instant: datetime) -> None:
    app.config["CLOCK"] = lambda: instant


def token_of(url: str) -> str:
    return url.rsplit("/p/", 1)[1]


def csrf_from(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def fresh_link(app: Flask, application_id: int) -> str:
    """A new personal link for an application (the invitation feature may have replaced the first)."""
    from server.applications import links
    from server.extensions import db
    from server.models import Application

    with app.test_request_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        url = links.issue_personal_link(application)
        db.session.commit()
    return token_of(url)


def mails(app: Flask, kind: str | None = None) -> list[dict[str, Any]]:
    """Every mail row, oldest first; "text" is the delivered message's text (the outbox file when
    the row keeps no body, as for mails carrying a personal link), "stored" the row's own bytes."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import OutboundMail

    outbox = Path(app.config["OUTBOX_PATH"])
    with app.app_context():
        query = select(OutboundMail).order_by(OutboundMail.id)
        if kind is not None:
            query = query.where(OutboundMail.kind == kind)
        return [{"kind": m.kind, "to": parseaddr(m.to_address)[1], "application_id": m.application_id,
                 "status": m.status, "stored": m.body,
                 "text": _text(m.body or _delivered(outbox, m.id, m.kind))}
                for m in db.session.scalars(query)]


def _delivered(outbox: Path, mail_id: int, kind: str) -> bytes:
    path = outbox / f"{mail_id:06d}-{kind}.eml"
    return path.read_bytes() if path.exists() else b""


def _text(body: bytes | None) -> str:
    if not body:
        return ""
    message = message_from_bytes(body, policy=default)
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content()) if part is not None else ""


def link_in(text: str) -> str:
    """The personal link (full URL) in a mail's text."""
    match = re.search(r"https?://\S+/p/[A-Za-z0-9_-]+", text)
    assert match, f"no personal link in {text!r}"
    return match.group(0)


def apply(app: Flask, client: FlaskClient, slug: str, body: dict[str, Any]) -> tuple[int, str]:
    """Apply through the API as anyone would; return (application id, personal URL) as the
    applicant learns them: from the confirmation mail (the answer names neither)."""
    response = client.post(f"/api/events/{slug}/applications", json=body)
    assert response.status_code == 201, response.get_json()
    assert set(response.get_json()) == {"status", "detail"}
    received = [m for m in mails(app, "application_received") if m["to"] == body["email"].lower()]
    assert received, f"no confirmation mailed to {body['email']}"
    return int(received[-1]["application_id"]), link_in(received[-1]["text"])


def count(app: Flask, model: Any) -> int:
    from sqlalchemy import func, select

    from server.extensions import db

    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@contextmanager
def status_changes() -> Iterator[list[tuple[int, str | None, str]]]:
    """Record (application id, old, new) of every application_status_changed signal."""
    from server.signals import application_status_changed

    seen: list[tuple[int, str | None, str]] = []

    def receiver(sender: Any, **kw: Any) -> None:
        seen.append((sender.id, kw.get("old"), kw.get("new")))

    application_status_changed.connect(receiver)
    try:
        yield seen
    finally:
        application_status_changed.disconnect(receiver)
