"""Organiser pages that make and change a meeting (issue 14): /organise/new and /organise/<slug>/edit.

Server-rendered forms over the same schemas and operations as the JSON API, so the rules and
the refusals are the same; each refusal sits next to its field. Cancelling or reinstating the
meeting mails every invitee, so it goes through a confirmation page first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError

from server.auth import organiser_page
from server.events import editing, forms, schemas
from server.events import operations as ops
from server.extensions import db
from server.frontend.confirm import Plan, ask, confirmed
from server.problems import Problem

bp = Blueprint("events_organise", __name__, url_prefix="/organise")

DEFAULT_DAYS = 2


def _refused(exc: ValidationError | Problem) -> dict[str, str]:
    if isinstance(exc, Problem) and exc.status not in (409, 422):
        raise exc
    db.session.rollback()
    return forms.errors(exc)


@bp.route("/new", methods=["GET", "POST"])
@organiser_page
def new() -> Any:
    form = request.form
    values: dict[str, Any] = dict(form.items()) if request.method == "POST" else {
        "timezone": "Europe/Brussels", "seats": 40, "retention_days": 90, "day_count": DEFAULT_DAYS}
    count = int(values.get("day_count") or DEFAULT_DAYS) if str(values.get("day_count", "")).isdigit() else 2
    if request.method == "POST" and form.get("action") == "add_day":
        values["day_count"] = min(count + 1, editing.MAX_DAYS)
        return render_template("organise/event_new.html", values=values, errors={}, zones=forms.ZONES)
    if request.method == "GET":
        return render_template("organise/event_new.html", values=values, errors={}, zones=forms.ZONES)
    try:
        event = ops.create_event(schemas.EventIn.model_validate(forms.new_event_body(form)))
    except (ValidationError, Problem) as exc:
        return render_template("organise/event_new.html", values=values, errors=_refused(exc),
                               zones=forms.ZONES), 422
    flash(_("“%(title)s” is made. Next: check the mail texts, then open the call.", title=event.title), "info")
    return redirect(url_for("frontend_organise.dashboard", slug=event.slug))


def _edit_page(event: Any, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               day_errors: dict[str, str] | None = None, day_id: int | None = None, status: int = 200) -> Any:
    tz = event.zone
    days = [{"day": d, "start": d.starts_at.astimezone(tz).strftime("%H:%M"),
             "end": d.ends_at.astimezone(tz).strftime("%H:%M")} for d in event.days]
    from server.invitations.service import participants

    return render_template("organise/event_edit.html", event=event, values=values or forms.values_of(event),
                           invitees=len(participants(event)),
                           errors=errors or {}, days=days, day_errors=day_errors or {}, day_id=day_id,
                           zones=forms.ZONES), status


@bp.get("/<slug>/edit")
@organiser_page
def edit(slug: str) -> Any:
    return _edit_page(ops.get_event(slug))


@bp.post("/<slug>/edit")
@organiser_page
def save(slug: str) -> Any:
    event = ops.get_event(slug)
    try:
        ops.update_event(event, schemas.EventPatch.model_validate(forms.edit_body(request.form)))
    except (ValidationError, Problem) as exc:
        errors = _refused(exc)
        return _edit_page(ops.get_event(slug), dict(request.form.items()), errors, status=422)
    flash(_("Saved."), "info")
    return redirect(url_for(".edit", slug=slug))


def _day_body(prefix: str = "") -> dict[str, str]:
    return {k: request.form.get(f"{prefix}{k}", "").strip() for k in ("date", "start", "end", "title")}


@bp.post("/<slug>/days")
@organiser_page
def add_day(slug: str) -> Any:
    event = ops.get_event(slug)
    try:
        day = editing.add_day(event, schemas.DayIn.model_validate(_day_body()))
    except (ValidationError, Problem) as exc:
        return _edit_page(event, day_errors=_refused(exc), status=422)
    flash(_("Added %(date)s.", date=day.date.isoformat()), "info")
    return redirect(url_for(".edit", slug=slug) + f"#day-{day.id}")


@bp.post("/<slug>/days/<int:day_id>")
@organiser_page
def change_day(slug: str, day_id: int) -> Any:
    event = ops.get_event(slug)
    body = {k: v for k, v in _day_body().items() if v or k == "title"}
    try:
        ops.update_day(event, day_id, schemas.DayPatch.model_validate(body))
    except (ValidationError, Problem) as exc:
        return _edit_page(ops.get_event(slug), day_errors=_refused(exc), day_id=day_id, status=422)
    flash(_("Saved the day."), "info")
    return redirect(url_for(".edit", slug=slug) + f"#day-{day_id}")


@bp.post("/<slug>/days/<int:day_id>/remove")
@organiser_page
def remove_day(slug: str, day_id: int) -> Any:
    event = ops.get_event(slug)
    try:
        editing.remove_day(event, day_id)
    except Problem as exc:
        return _edit_page(event, day_errors=_refused(exc), day_id=day_id, status=422)
    flash(_("Removed the day."), "info")
    return redirect(url_for(".edit", slug=slug) + "#days-h")


def status_plan(event: Any, new_status: str) -> Plan:
    """Cancelling mails a cancellation to each invitee holding the meeting; reinstating re-invites them."""
    from server.invitations.service import holders, participants

    if new_status == "cancelled":
        people = [a.id for a in holders(event)]
        lines = [ngettext("%(num)d calendar cancellation will be sent.",
                          "%(num)d calendar cancellations will be sent.", len(people)),
                 _("The public page will say that the meeting is cancelled.")]
        heading = _("Cancel “%(title)s”", title=event.title)
    else:
        people = [a.id for a in participants(event)]
        lines = [ngettext("%(num)d invitation will be sent again.",
                          "%(num)d invitations will be sent again.", len(people))]
        heading = _("Reinstate “%(title)s”", title=event.title)
    warnings = [_("The call for participants is still open.")] if (
        new_status == "cancelled" and not event.call_closed) else []
    return Plan(action=f"status:{new_status}", slug=event.slug, heading=heading, consequences=lines,
                facts={"status": event.status, "to": new_status, "people": people}, warnings=warnings,
                fields={"status": new_status}, button=heading, danger=new_status == "cancelled",
                cancel_url=url_for(".edit", slug=event.slug))


@bp.post("/<slug>/status")
@organiser_page
def set_status(slug: str) -> Any:
    event = ops.get_event(slug)
    new_status = request.form.get("status")
    if new_status not in ("cancelled", "scheduled") or new_status == event.status:
        flash(_("The meeting is already %(status)s.", status=event.status), "error")
        return redirect(url_for(".edit", slug=slug))
    plan = status_plan(event, new_status)
    if not confirmed(plan):
        return ask(plan)
    ops.update_event(event, schemas.EventPatch(status=new_status))  # type: ignore[arg-type]
    flash(_("The meeting is cancelled.") if new_status == "cancelled" else _("The meeting is reinstated."), "info")
    return redirect(url_for(".edit", slug=slug))
