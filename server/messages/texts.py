"""The subject and body of one message for one person: the organisers' text or the default."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from server.core.mailtext import check_text, fill
from server.extensions import db
from server.i18n import LANGUAGES
from server.messages.kinds import BY_KEY, PLACEHOLDERS, SIGNATURE, Kind
from server.models import Event, MessageText
from server.problems import Problem

SUBJECT_MAX = 300
BODY_MAX = 20000


def override(event: Event, kind: str, language: str) -> MessageText | None:
    return db.session.scalar(select(MessageText).where(
        MessageText.event_id == event.id, MessageText.kind == kind, MessageText.language == language))


def defaults(kind: Kind, language: str) -> tuple[str, str]:
    with force_locale(language):
        return str(kind.subject), str(kind.body) + SIGNATURE


def template(event: Event, kind_key: str, language: str) -> tuple[str, str, bool]:
    """(subject, body, edited) as written for this kind and language."""
    kind = BY_KEY[kind_key]
    language = language if language in LANGUAGES else "en"
    row = override(event, kind_key, language)
    if row is not None:
        return row.subject, row.body, True
    subject, body = defaults(kind, language)
    return subject, body, False


def render(event: Event, kind_key: str, language: str | None, values: Mapping[str, str]) -> tuple[str, str]:
    """The message as sent: placeholders filled; blank lines left by empty values collapsed."""
    subject, body, _ = template(event, kind_key, language or "en")
    text = fill(body, values)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return " ".join(fill(subject, values).split()), text


def save(event: Event, kind_key: str, language: str, subject: str, body: str) -> MessageText:
    """Store the organisers' text, or refuse naming the field and the unknown placeholder."""
    if kind_key not in BY_KEY:
        raise Problem(404, _("No such message"))
    if language not in LANGUAGES:
        raise Problem(422, _("Invalid request"),
                      [("language", _("must be one of %(languages)s", languages=", ".join(LANGUAGES)))])
    errors: list[tuple[str, str]] = []
    for field, text, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        if not text.strip():
            errors.append((field, _("is required")))
        elif len(text) > limit:
            errors.append((field, _("is longer than %(num)d characters", num=limit)))
        for problem in check_text(text, PLACEHOLDERS):
            label = f"{{{problem.placeholder}}}" if problem.placeholder else ""
            errors.append((field, f"{label} {problem.reason}".strip()))
    if errors:
        raise Problem(422, _("Invalid message text"), errors)
    row = override(event, kind_key, language) or MessageText(event_id=event.id, kind=kind_key, language=language)
    row.subject, row.body = " ".join(subject.split()), body.replace("\r\n", "\n")
    db.session.add(row)
    db.session.commit()
    return row


def reset(event: Event, kind_key: str, language: str) -> None:
    row = override(event, kind_key, language)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
