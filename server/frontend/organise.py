"""Organiser pages that tie the others together: the staff home, an event's dashboard, and
the agenda editor (server-side forms over the same operations as the JSON agenda API)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import ValidationError
from sqlalchemy import func, select

from server.core.vocab import ITEM_KIND_LABELS
from server.events import operations as ops
from server.events import schemas
from server.extensions import db
from server.frontend.nav import event_links
from server.frontend.next_steps import next_steps
from server.invitations.mail_view import STATE_LABELS
from server.models import Application, OutboundMail
from server.problems import Problem

bp = Blueprint("frontend_organise", __name__)

KIND_LABELS = ITEM_KIND_LABELS  # English msgids; the agenda template translates them


def _staff(organiser: bool = True) -> None:
    allowed = current_user.is_organiser if organiser else current_user.is_moderator
    if not allowed:
        raise Problem(403, _("Forbidden"), [("role", _("Only organisers may open this page."))])


@bp.get("/organise")
@login_required
def index() -> Any:
    _staff(organiser=False)
    events = ops.list_events()
    return render_template("frontend/index.html", events=[(e, event_links(e.slug)) for e in events])


def _counts(model: Any, column: Any, event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(column, func.count()).select_from(model).where(model.event_id == event_id).group_by(column)
    )
    return {str(k): int(n) for k, n in rows}


@bp.get("/organise/<slug>")
@login_required
def dashboard(slug: str) -> Any:
    _staff()
    event = ops.get_event(slug)
    exports = [
        (_("Applications (CSV)"), url_for("applications_organise.applications_csv", slug=slug)),
        (_("Participants (CSV)"), url_for("applications_organise.participants_csv", slug=slug)),
        (_("Questions and answers (CSV)"), f"/api/events/{slug}/export/qa.csv"),
        (_("Questions and answers (Markdown)"), f"/api/events/{slug}/export/qa.md"),
        (_("Room notes (CSV)"), f"/api/events/{slug}/export/notes.csv"),
        (_("Room notes (Markdown)"), f"/api/events/{slug}/export/notes.md"),
        (_("Agenda for calendars (.ics)"), f"/events/{slug}/agenda.ics"),
    ]
    return render_template(
        "frontend/dashboard.html", event=event, links=event_links(slug), exports=exports,
        applications=_counts(Application, Application.status, event.id),
        mail=_counts(OutboundMail, OutboundMail.status, event.id), mail_states=STATE_LABELS,
        public_url=url_for("pages.event_page", slug=slug), steps=next_steps(event),
    )


# ---------------------------------------------------------------------------------------------
# The agenda editor
# ---------------------------------------------------------------------------------------------


def _speakers(text: str) -> list[dict[str, str]]:
    """One speaker a line: ``Name; country code; organisation`` (organisation optional)."""
    speakers = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        speakers.append({"name": parts[0], "country": parts[1] if len(parts) > 1 else "",
                         "organisation": parts[2] if len(parts) > 2 else ""})
    return speakers


def _speakers_text(item: Any) -> str:
    return "\n".join("; ".join(filter(None, (s["name"], s["country"], s.get("organisation", ""))))
                     for s in item.speakers)


def _form_body(form: Any) -> dict[str, Any]:
    return {
        "day": form.get("day", ""), "start": form.get("start", ""), "end": form.get("end", ""),
        "title": form.get("title", ""), "kind": form.get("kind", ""),
        "description": form.get("description", ""), "speakers": _speakers(form.get("speakers", "")),
    }


LABELS = {"day": "Day", "start": "Start", "end": "End", "title": "Title", "kind": "Kind",
          "description": "Description", "speakers": "Speakers"}


def _errors(exc: ValidationError | Problem) -> dict[str, str]:
    """Field name -> reason, the field being the form's own control (speakers.0.country -> speakers)."""
    found: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        pairs = [(".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
    else:
        pairs = [(e["field"], e["reason"]) for e in exc.errors]
    for field, reason in pairs:
        root = field.split(".")[0] or "title"
        detail = field.split(".", 1)[1] if "." in field else ""
        if root == "speakers" and detail:
            index, _dot, sub = detail.partition(".")
            reason = f"line {int(index) + 1}{' ' + sub if sub else ''}: {reason}" if index.isdigit() else reason
        if root not in LABELS:
            root = "title"
        found.setdefault(root, reason)
    return found


def _agenda_page(event: Any, status: int = 200, **extra: Any) -> Any:
    tz = event.zone
    days = [
        {"day": d, "items": [
            {"item": i, "start": i.starts_at.astimezone(tz).strftime("%H:%M"),
             "end": i.ends_at.astimezone(tz).strftime("%H:%M"), "speakers": _speakers_text(i)}
            for i in d.items
        ]}
        for d in event.days
    ]
    context = {"event": event, "days": days, "kinds": KIND_LABELS, "add_values": {}, "add_errors": {},
               "edit_id": None, "edit_values": {}, "edit_errors": {}, **extra}
    return render_template("frontend/agenda.html", **context), status


@bp.get("/organise/<slug>/agenda")
@login_required
def agenda(slug: str) -> Any:
    _staff()
    return _agenda_page(ops.get_event(slug))


def _parse(model: Any, body: dict[str, Any]) -> Any:
    if model is schemas.ItemPatch:  # an empty field in the change form keeps what is there
        body = {k: v for k, v in body.items() if v != "" or k == "description"}
    return model.model_validate(body)


@bp.post("/organise/<slug>/agenda/items")
@login_required
def agenda_add(slug: str) -> Any:
    _staff()
    event = ops.get_event(slug)
    body = _form_body(request.form)
    try:
        item = ops.add_item(event, _parse(schemas.ItemIn, body))
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status not in (409, 422):
            raise
        db.session.rollback()
        return _agenda_page(event, 422, add_values=request.form, add_errors=_errors(exc))
    flash(_("Added “%(title)s”.", title=item.title), "info")
    return redirect(url_for(".agenda", slug=slug) + f"#item-{item.id}")


@bp.post("/organise/<slug>/agenda/items/<int:item_id>")
@login_required
def agenda_edit(slug: str, item_id: int) -> Any:
    _staff()
    event = ops.get_event(slug)
    ops.get_item(event, item_id)
    body = _form_body(request.form)
    try:
        item = ops.update_item(event, item_id, _parse(schemas.ItemPatch, body))
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status not in (409, 422):
            raise
        db.session.rollback()
        return _agenda_page(event, 422, edit_id=item_id, edit_values=request.form, edit_errors=_errors(exc))
    flash(_("Saved “%(title)s”.", title=item.title), "info")
    return redirect(url_for(".agenda", slug=slug) + f"#item-{item.id}")


@bp.post("/organise/<slug>/agenda/items/<int:item_id>/delete")
@login_required
def agenda_delete(slug: str, item_id: int) -> Any:
    _staff()
    event = ops.get_event(slug)
    title = ops.get_item(event, item_id).title
    ops.delete_item(event, item_id)
    flash(_("Removed “%(title)s”.", title=title), "info")
    return redirect(url_for(".agenda", slug=slug))

