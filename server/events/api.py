"""JSON API for events and their agenda."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, url_for

from server.api.openapi import documented
from server.auth import organiser_required
from server.events import operations as ops
from server.events import schemas
from server.frontend.confirm import dry_run_requested
from server.models.types import utcnow
from server.problems import parse_json

bp = Blueprint("events_api", __name__, url_prefix="/api/events")


def _base() -> str:
    return str(current_app.config["BASE_URL"])


@bp.get("")
@documented("List events with their slugs", responses={200: schemas.EventListOut}, tags=("events",))
def list_events() -> Any:
    now = utcnow()
    return jsonify(events=[ops.event_summary_dict(e, now, _base()) for e in ops.list_events()])


@bp.post("")
@organiser_required
@documented("Create an event with its days", body=schemas.EventIn,
            responses={201: schemas.EventOut}, auth="organiser", tags=("events",))
def create_event() -> Any:
    event = ops.create_event(parse_json(schemas.EventIn))
    response = jsonify(ops.event_dict(event, utcnow(), _base()))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_event", slug=event.slug)
    return response


@bp.get("/<slug>")
@documented("One event with its agenda", responses={200: schemas.EventOut}, tags=("events",))
def get_event(slug: str) -> Any:
    return jsonify(ops.event_dict(ops.get_event(slug), utcnow(), _base()))


@bp.patch("/<slug>")
@organiser_required
@documented("Change an event (deadline, seats, call closed, status …)", body=schemas.EventPatch,
            responses={200: schemas.EventOut}, auth="organiser", tags=("events",),
            query={"dry_run": "1 to answer what closing/reopening the call or cancelling would do, changing nothing"})
def update_event(slug: str) -> Any:
    event = ops.get_event(slug)
    patch = parse_json(schemas.EventPatch)
    if dry_run_requested():
        return jsonify(dry_run(event, patch))
    event = ops.update_event(event, patch)
    return jsonify(ops.event_dict(event, utcnow(), _base()))


def dry_run(event: Any, patch: schemas.EventPatch) -> dict[str, Any]:
    """The consequences of the patch's status and call changes, as the pages confirm them."""
    from server.applications.plans import call_plan
    from server.events.organise import status_plan

    found: list[Any] = []
    if patch.call_closed is not None and patch.call_closed != event.call_closed:
        found.append(call_plan(event, "close" if patch.call_closed else "reopen"))
    if patch.status is not None and patch.status != event.status:
        found.append(status_plan(event, patch.status))
    return {"dry_run": True, "plans": [p.counts() for p in found],
            "consequences": [line for p in found for line in p.consequences],
            "warnings": [line for p in found for line in p.warnings]}


@bp.get("/<slug>/agenda")
@documented("The agenda: every time in the event's zone (with offset) and in UTC",
            responses={200: schemas.AgendaOut}, tags=("agenda",))
def get_agenda(slug: str) -> Any:
    return jsonify(ops.agenda_dict(ops.get_event(slug)))


@bp.patch("/<slug>/agenda/days/<int:day_id>")
@organiser_required
@documented("Move or resize an agenda day (items keep their local times)", body=schemas.DayPatch,
            responses={200: schemas.DayOut}, auth="organiser", tags=("agenda",))
def update_day(slug: str, day_id: int) -> Any:
    event = ops.get_event(slug)
    day = ops.update_day(event, day_id, parse_json(schemas.DayPatch))
    return jsonify(ops.day_dict(day, event.timezone))


@bp.post("/<slug>/agenda/items")
@organiser_required
@documented("Add an agenda item (local times in the event's zone)", body=schemas.ItemIn,
            responses={201: schemas.ItemOut}, auth="organiser", tags=("agenda",))
def add_item(slug: str) -> Any:
    event = ops.get_event(slug)
    item = ops.add_item(event, parse_json(schemas.ItemIn))
    return jsonify(ops.item_dict(item, event.timezone)), 201


@bp.get("/<slug>/agenda/items/<int:item_id>")
@documented("One agenda item", responses={200: schemas.ItemOut}, tags=("agenda",))
def get_item(slug: str, item_id: int) -> Any:
    event = ops.get_event(slug)
    return jsonify(ops.item_dict(ops.get_item(event, item_id), event.timezone))


@bp.patch("/<slug>/agenda/items/<int:item_id>")
@organiser_required
@documented("Change an agenda item", body=schemas.ItemPatch, responses={200: schemas.ItemOut},
            auth="organiser", tags=("agenda",))
def update_item(slug: str, item_id: int) -> Any:
    event = ops.get_event(slug)
    item = ops.update_item(event, item_id, parse_json(schemas.ItemPatch))
    return jsonify(ops.item_dict(item, event.timezone))


@bp.delete("/<slug>/agenda/items/<int:item_id>")
@organiser_required
@documented("Remove an agenda item", responses={204: None}, auth="organiser", tags=("agenda",))
def delete_item(slug: str, item_id: int) -> Any:
    ops.delete_item(ops.get_event(slug), item_id)
    return "", 204
