"""Organisers' view of the answers: each participant's latest answer and where it came from,
every message read (applied, tentative, refreshed, COUNTER proposals, kept aside with the
reason). HTML at /organise/<slug>/replies, JSON at /api/events/<slug>/replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy import select

from server.api.openapi import documented
from server.auth import organiser_page, organiser_required
from server.events import operations as ops
from server.events.pages import viewer_zone
from server.extensions import db
from server.models import Application, CalendarInvitation, Event, InboundReply
from server.timefmt import both_clocks

bp = Blueprint("replies", __name__)

# What organisers read for each stored value (the JSON keeps the values themselves).
LABELS = {
    "applied": _l("applied"), "tentative": _l("tentative"), "refreshed": _l("invitation sent again"),
    "asked-again": _l("asked again (answered an older version)"), "counter": _l("new time proposed"),
    "rejected": _l("kept aside"), "accepted": _l("accepted"), "declined": _l("declined"),
    "calendar": _l("calendar"), "personal-page": _l("personal page"),
    # what a message asked, in words (iTIP's METHOD; the PARTSTAT words are the answers' above)
    "REPLY": _l("an answer"), "REFRESH": _l("asks for the invitation again"),
    "COUNTER": _l("proposes another time"), "ACCEPTED": _l("accepted"), "DECLINED": _l("declined"),
    "TENTATIVE": _l("tentative"),
}


class AnswerOut(BaseModel):
    application_id: int
    name: str | None
    status: str = Field(description="the application's status (invited, accepted, declined, …)")
    answer: str | None = Field(description="accepted | declined | tentative (tentative is not a status)")
    source: str | None = Field(description="calendar | personal-page")
    answered_at: datetime | None
    answered_sequence: int | None


class ReplyOut(BaseModel):
    id: int
    received_at: datetime
    source: str = Field(description="imap | folder")
    sender: str | None
    subject: str | None
    application_id: int | None
    method: str | None = Field(description="REPLY | REFRESH | COUNTER")
    partstat: str | None
    sequence: int | None
    outcome: str = Field(description="applied | tentative | refreshed | asked-again | counter | rejected")
    reason: str | None = Field(description="why it was kept aside, or a note")
    proposed_start: datetime | None = Field(description="COUNTER: the proposed start (never applied)")
    proposed_end: datetime | None
    comment: str | None


class RepliesOut(BaseModel):
    answers: list[AnswerOut]
    replies: list[ReplyOut]


def _answers(event: Event) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Application, CalendarInvitation)
        .join(CalendarInvitation, CalendarInvitation.application_id == Application.id)
        .where(Application.event_id == event.id, CalendarInvitation.method.is_not(None))
        .order_by(Application.name, Application.id)
    ).all()
    return [{
        "application_id": a.id, "name": a.name, "status": a.status, "answer": c.answer,
        "source": c.answer_source, "answered_at": c.answered_at, "answered_sequence": c.answer_sequence,
    } for a, c in rows]


def _translated(row: InboundReply) -> str:
    """The reason in the reader's language (the stored English one when there is no msgid)."""
    if not row.reason_template:
        return row.reason or ""
    # A field may itself be an English sentence or word of the catalog (the personal page's
    # refusal in "Not applied: …", a status): it is shown translated too; addresses, UIDs and
    # numbers are no msgids and stay as they are.
    params = {k: str(gettext(v)) if isinstance(v, str) and v else v for k, v in (row.reason_params or {}).items()}
    try:
        return str(gettext(row.reason_template, **params))
    except (KeyError, ValueError, TypeError):  # a catalog entry whose fields do not match
        return row.reason or ""


def _reply(row: InboundReply, *, translate: bool) -> dict[str, Any]:
    data = ReplyOut.model_validate(row, from_attributes=True).model_dump()
    if translate:
        data["reason"] = _translated(row)
    return data


def _replies(event: Event, *, translate: bool = False) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(InboundReply).where(InboundReply.event_id == event.id)
                              .order_by(InboundReply.id.desc()).limit(1000))
    return [_reply(r, translate=translate) for r in rows]


def _unmatched(*, translate: bool = False) -> list[dict[str, Any]]:
    """Messages that name no meeting of ours: every organiser sees them on every event."""
    rows = db.session.scalars(select(InboundReply).where(InboundReply.event_id.is_(None))
                              .order_by(InboundReply.id.desc()).limit(200))
    return [_reply(r, translate=translate) for r in rows]


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


@bp.get("/api/events/<slug>/replies")
@organiser_required
@documented("Calendar answers: each participant's latest answer with its source, and every "
            "message read with its outcome (rejected ones with the reason; COUNTER proposals "
            "shown, never applied)", responses={200: RepliesOut}, auth="organiser", tags=("replies",))
def list_replies(slug: str) -> Any:
    event = ops.get_event(slug)
    return jsonify(answers=[_iso(a) for a in _answers(event)],
                   replies=[_iso(r) for r in _replies(event) + _unmatched()])


@bp.get("/organise/<slug>/replies")
@organiser_page
def replies_page(slug: str) -> Any:
    event = ops.get_event(slug)
    reader = viewer_zone()

    def at(instant: datetime | None) -> dict[str, str] | None:
        return both_clocks(instant, event.zone, reader)

    return render_template("replies/replies.html", event=event, answers=_answers(event),
                           replies=_replies(event, translate=True), unmatched=_unmatched(translate=True),
                           at=at, reader=reader, labels=LABELS)
