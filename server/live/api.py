"""Organiser endpoints of the live meeting: seed the Q&A from applications, export the report."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from server.api.openapi import documented
from server.auth import organiser_required
from server.events.operations import get_event
from server.live import emit
from server.live import operations as ops
from server.models.types import utcnow
from server.problems import Problem, parse_json
from server.schemas import Strict
from server.sessions.live_state import notes_csv_rows, notes_markdown
from server.sessions.protocol import LiveError
from server.sessions.qa_report import questions_csv_rows, questions_markdown

bp = Blueprint("live_api", __name__, url_prefix="/api/events")


class SeedIn(Strict):  # Strict: an id beyond 64 bits is a 422, not an overflow in the driver
    model_config = ConfigDict(extra="forbid")
    item_id: int | None = Field(default=None, description="agenda item whose Q&A to seed; "
                                "default: the first item of kind qa")


class SeedOut(BaseModel):
    stream: str
    version: int
    seeded: int = Field(description="questions added")


@bp.post("/<slug>/qa/seed")
@organiser_required
@documented("Seed an item's Q&A with the participants' key questions (as they agreed to share them)",
            body=SeedIn, responses={201: SeedOut}, auth="organiser", tags=("live",))
def seed(slug: str) -> Any:
    event = get_event(slug)
    data = parse_json(SeedIn)
    item_id = data.item_id if data.item_id is not None else ops.default_seed_item(event.id)
    if item_id is None:
        raise Problem(422, _("Invalid request"), [("item_id", _("the agenda has no Q&A item; name one"))])
    try:
        queue, change = ops.seed_queue(event.id, item_id, utcnow())
    except LiveError as error:
        raise Problem(422 if error.field != "version" else 409, _("Invalid request"),
                      [(error.field, error.reason)]) from None
    emit.qa_changed(event.id, queue, change)
    response = jsonify(stream=f"qa:item:{item_id}", version=change.version, seeded=len(change.ids))
    response.status_code = 201
    return response


def _csv(rows: Any, filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _md(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<slug>/export/qa.csv")
@organiser_required
@documented("Every Q&A queue's questions with votes and status (CSV)", auth="organiser", tags=("live",))
def export_qa_csv(slug: str) -> Any:
    event = get_event(slug)
    queues, titles = ops.export_queues(event.id)
    return _csv(questions_csv_rows(queues, titles), f"{event.slug}-questions.csv")


@bp.get("/<slug>/export/qa.md")
@organiser_required
@documented("Every Q&A queue's questions with votes and status (Markdown)", auth="organiser", tags=("live",))
def export_qa_md(slug: str) -> Any:
    event = get_event(slug)
    queues, titles = ops.export_queues(event.id)
    return _md(questions_markdown(queues, titles, include_dismissed=True), f"{event.slug}-questions.md")


@bp.get("/<slug>/export/notes.csv")
@organiser_required
@documented("Every break-out room's notes (CSV)", auth="organiser", tags=("live",))
def export_notes_csv(slug: str) -> Any:
    event = get_event(slug)
    notes, names = ops.export_notes(event.id)
    return _csv(notes_csv_rows(notes, names), f"{event.slug}-room-notes.csv")


@bp.get("/<slug>/export/notes.md")
@organiser_required
@documented("Every break-out room's notes (Markdown)", auth="organiser", tags=("live",))
def export_notes_md(slug: str) -> Any:
    event = get_event(slug)
    notes, names = ops.export_notes(event.id)
    return _md(notes_markdown(notes, names), f"{event.slug}-room-notes.md")
