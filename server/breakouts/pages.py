"""Organiser pages for break-out rounds: list and create, preview with moves, locks, re-run, publish.

Server-rendered forms with CSRF tokens; they call the same operations as the JSON API and show a
refusal as a flash message naming the field, changing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from server.auth import organiser_page
from server.breakouts import facilitators, loading, plans, schemas, summary
from server.breakouts import operations as ops
from server.core.vocab import ROLE_GROUP_LABELS
from server.events.operations import get_event
from server.extensions import db
from server.frontend.confirm import ask, confirmed
from server.models import AgendaDay, AgendaItem, Event
from server.problems import Problem, invalid, validation_problem
from server.timefmt import day_and_time

bp = Blueprint("breakouts_pages", __name__, url_prefix="/organise/<slug>/rounds", template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

METRIC_ROWS = (
    (lazy_gettext("role spread violations"), lambda m: m.get("spread_violations", {}).get("role", 0)),
    (lazy_gettext("region spread violations"), lambda m: m.get("spread_violations", {}).get("region", 0)),
    (lazy_gettext("repeat pairs (met in an earlier round)"), lambda m: m.get("repeat_pairs", 0)),
    (lazy_gettext("pairs to keep apart (same organisation, separations)"), lambda m: m.get("separation_pairs", 0)),
    (lazy_gettext("rooms lacking a region"), lambda m: m.get("rooms_lacking_region", 0)),
    (lazy_gettext("room sizes (smallest–largest)"), lambda m: "–".join(str(x) for x in m.get("size_range", []))),
    (lazy_gettext("rooms without a facilitator"), lambda m: m.get("rooms_without_facilitator", 0)),
    (lazy_gettext("people outside their theme"), lambda m: m.get("theme_mismatches", 0)),
    (lazy_gettext("hard violations (sizes, locks, languages, capacity)"), lambda m: m.get("hard_violations", 0)),
)


def _flash_problem(problem: Problem) -> None:
    flash("; ".join(f"{e['field']}: {e['reason'].removeprefix('Value error, ')}" for e in problem.errors)
          or problem.title, "error")


def _validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None


def _int(name: str) -> int | str | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def _breakout_items(event: Event) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(AgendaItem.id, AgendaItem.title, AgendaItem.starts_at)
        .join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
        .where(AgendaDay.event_id == event.id, AgendaItem.kind == "breakout")
        .order_by(AgendaItem.starts_at)
    )
    zone = event.zone
    return [(i, f"{at.astimezone(zone):%a %d %b %H:%M} · {title}") for i, title, at in rows]


def _form_round() -> dict[str, Any]:
    topics = [line.strip() for line in request.form.get("topics", "").splitlines()]
    while topics and not topics[-1]:
        topics.pop()
    return {
        "title": request.form.get("title", ""),
        "agenda_item_id": _int("agenda_item_id"),
        "room_count": _int("room_count"),
        "room_size": _int("room_size"),
        "topics": topics,
        "mode": request.form.get("mode", "mixed"),
        "seed": _int("seed") or 0,
        "video_url_template": request.form.get("video_url_template", ""),
        "separate_organisations": request.form.get("separate_organisations") == "yes",
    }


@bp.get("")
@organiser_page
def index(slug: str) -> Any:
    event = get_event(slug)
    rounds = [summary.round_dict(r, slug) for r in loading.rounds_of(event)]
    return render_template("breakouts/rounds.html", event=event, rounds=rounds, items=_breakout_items(event),
                           participants=len(loading.participants(event.id)),
                           staff=facilitators.listing(event)["staff"])


@bp.post("/facilitators")
@organiser_page
def staff_facilitator(slug: str) -> Any:
    """Mark or unmark a staff member as a facilitator of this event's rooms (issue 14)."""
    event = get_event(slug)
    user_id = _int("user_id")
    facilitates = request.form.get("facilitator") == "yes"
    try:
        if not isinstance(user_id, int):
            raise invalid("user_id", _("give the id of a staff member"))
        user, freed = facilitators.set_staff(event, user_id, facilitates)
    except Problem as problem:
        db.session.rollback()
        _flash_problem(problem)
        return redirect(url_for(".index", slug=slug) + "#staff-h")
    db.session.commit()
    facilitators.tell_freed(freed)
    name = facilitators.staff_dict(user)["name"]
    flash(_("%(name)s facilitates break-out rooms: re-run a draft round to place them.", name=name)
          if facilitates else _("%(name)s no longer facilitates.", name=name), "info")
    return redirect(url_for(".index", slug=slug) + "#staff-h")


@bp.post("")
@organiser_page
def create(slug: str) -> Any:
    event = get_event(slug)
    try:
        rnd = ops.create_round(event, _validate(schemas.RoundIn, _form_round()))
    except Problem as problem:
        _flash_problem(problem)
        return redirect(url_for(".index", slug=slug))
    flash(_("%(title)s: proposal ready. Check it, move or lock people, then publish.", title=rnd.title), "info")
    return redirect(url_for(".preview", slug=slug, round_id=rnd.id))


@bp.get("/<int:round_id>")
@organiser_page
def preview(slug: str, round_id: int) -> Any:
    event = get_event(slug)
    row = loading.get_round(event, round_id)
    rnd = summary.round_dict(row, slug)
    if row.published_at:  # in the event's zone, not an ISO stamp
        rnd["published_local"] = f"{day_and_time(row.published_at, event.zone)} {event.timezone}"
    return render_template("breakouts/round.html", event=event, rnd=rnd, metric_rows=METRIC_ROWS,
                           items=_breakout_items(event), groups=ROLE_GROUP_LABELS)


def _act(slug: str, round_id: int, action: Callable[[Event, Any], str | None], anchor: str = "") -> Any:
    event = get_event(slug)
    rnd = loading.get_round(event, round_id)
    try:
        message = action(event, rnd)
    except Problem as problem:
        _flash_problem(problem)
    else:
        if message:
            flash(message, "info")
    return redirect(url_for(".preview", slug=slug, round_id=round_id) + anchor)


@bp.post("/<int:round_id>/settings")
@organiser_page
def settings(slug: str, round_id: int) -> Any:
    def run(event: Event, rnd: Any) -> str:
        data = _form_round()
        if rnd.status == "published":
            data = {k: data[k] for k in ("title", "agenda_item_id", "topics", "video_url_template")}
        ops.update_round(event, rnd, _validate(schemas.RoundPatch, data))
        return _("Settings saved.")

    return _act(slug, round_id, run)


@bp.post("/<int:round_id>/propose")
@organiser_page
def propose(slug: str, round_id: int) -> Any:
    return _act(slug, round_id, lambda e, r: (ops.propose(e, r), _("Re-run around the locked people."))[1])


@bp.post("/<int:round_id>/move")
@organiser_page
def move(slug: str, round_id: int) -> Any:
    event = get_event(slug)
    rnd = loading.get_round(event, round_id)
    person, room = _int("application_id"), _int("room_id")
    if rnd.status == "published" and isinstance(person, int) and isinstance(room, int):
        plan = plans.move_plan(event, rnd, person, room)
        if plan.facts["from"] == room:
            flash(_("Already in that room; nothing changed."), "info")
            return redirect(url_for(".preview", slug=slug, round_id=round_id) + f"#member-{person}")
        if not confirmed(plan):
            return ask(plan)

    def run(event: Event, rnd: Any) -> str:
        data = _validate(schemas.MoveIn, {"application_id": _int("application_id"), "room_id": _int("room_id")})
        ops.move(event, rnd, data)
        return _("Moved and locked.") if rnd.status == "draft" else _("Moved; they were told live.")

    return _act(slug, round_id, run, anchor=f"#member-{person}")


@bp.post("/<int:round_id>/lock")
@organiser_page
def lock(slug: str, round_id: int) -> Any:
    def run(event: Event, rnd: Any) -> str:
        locked = request.form.get("locked") == "yes"
        ops.set_lock(event, rnd, _validate(schemas.LockIn, {"application_id": _int("application_id"),
                                                            "locked": locked}))
        return _("Locked.") if locked else _("Unlocked.")

    return _act(slug, round_id, run)


@bp.post("/<int:round_id>/late-joiner")
@organiser_page
def late_joiner(slug: str, round_id: int) -> Any:
    def run(event: Event, rnd: Any) -> str:
        data = _validate(schemas.LateJoinerIn, {"application_id": _int("application_id")})
        room, reason = ops.late_joiner(event, rnd, data.application_id)
        return _("Placed in %(room)s: %(reason)s.", room=room.name, reason=reason)

    return _act(slug, round_id, run)


@bp.post("/<int:round_id>/publish")
@organiser_page
def publish(slug: str, round_id: int) -> Any:
    event = get_event(slug)
    rnd = loading.get_round(event, round_id)
    if rnd.status == "published":
        flash(_("The round is published already; nothing changed."), "info")
        return redirect(url_for(".preview", slug=slug, round_id=round_id))
    plan = plans.publish_plan(event, rnd)
    if not confirmed(plan):
        return ask(plan)
    return _act(slug, round_id,
                lambda e, r: (ops.publish(e, r), "Published: every participant now sees their room.")[1])


@bp.post("/<int:round_id>/delete")
@organiser_page
def delete(slug: str, round_id: int) -> Any:
    event = get_event(slug)
    rnd = loading.get_round(event, round_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm deleting the round."), "error")
        return redirect(url_for(".preview", slug=slug, round_id=round_id))
    try:
        ops.delete_round(event, rnd)
    except Problem as problem:
        _flash_problem(problem)
        return redirect(url_for(".preview", slug=slug, round_id=round_id))
    flash(_("Round deleted."), "info")
    return redirect(url_for(".index", slug=slug))
