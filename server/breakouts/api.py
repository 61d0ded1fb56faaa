"""JSON API for break-out rounds: organisers plan and publish; moderators move and place people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from server.api.openapi import documented
from server.auth import moderator_required, organiser_required
from server.breakouts import loading, plans, schemas, summary
from server.breakouts import operations as ops
from server.events.operations import get_event
from server.frontend.confirm import dry_run_requested
from server.problems import parse_json

bp = Blueprint("breakouts_api", __name__, url_prefix="/api/events/<slug>/rounds")

TAGS = ("break-out rooms",)


DRY_RUN = "1 to answer what would happen (counts, warnings) without changing anything"


def _round(slug: str, round_id: int) -> tuple[Any, Any]:
    event = get_event(slug)
    return event, loading.get_round(event, round_id)


@bp.get("")
@organiser_required
@documented("The event's break-out rounds in agenda order, each with rooms and metrics",
            responses={200: schemas.RoundListOut}, auth="organiser", tags=TAGS)
def list_rounds(slug: str) -> Any:
    event = get_event(slug)
    return jsonify(rounds=[summary.round_dict(r, slug) for r in loading.rounds_of(event)])


@bp.post("")
@organiser_required
@documented("Create a round and its first proposal (earlier rounds count as previous rounds)",
            body=schemas.RoundIn, responses={201: schemas.RoundOut}, auth="organiser", tags=TAGS)
def create_round(slug: str) -> Any:
    event = get_event(slug)
    rnd = ops.create_round(event, parse_json(schemas.RoundIn))
    return jsonify(summary.round_dict(rnd, slug)), 201


@bp.get("/<int:round_id>")
@organiser_required
@documented("One round: settings, rooms with members, metrics recomputed from the rooms, explanations",
            responses={200: schemas.RoundOut}, auth="organiser", tags=TAGS)
def get_round(slug: str, round_id: int) -> Any:
    _, rnd = _round(slug, round_id)
    return jsonify(summary.round_dict(rnd, slug))


@bp.patch("/<int:round_id>")
@organiser_required
@documented("Change a round; a draft whose rooms, size, mode, seed or separations change is re-run "
            "around its locks; a published round takes only title, topics, video link and agenda item",
            body=schemas.RoundPatch, responses={200: schemas.RoundOut}, auth="organiser", tags=TAGS)
def patch_round(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    ops.update_round(event, rnd, parse_json(schemas.RoundPatch))
    return jsonify(summary.round_dict(rnd, slug))


@bp.delete("/<int:round_id>")
@organiser_required
@documented("Delete a round (not while its rooms are open)", responses={204: None}, auth="organiser", tags=TAGS)
def delete_round(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    ops.delete_round(event, rnd)
    return "", 204


@bp.post("/<int:round_id>/propose")
@organiser_required
@documented("Re-run the assignment around the locked people (drafts only)",
            responses={200: schemas.RoundOut}, auth="organiser", tags=TAGS)
def propose(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    ops.propose(event, rnd)
    return jsonify(summary.round_dict(rnd, slug))


@bp.post("/<int:round_id>/moves")
@moderator_required
@documented("Move a participant into a room of this round (also live, after publishing: they are told "
            "over Socket.IO); lock defaults to true on drafts", body=schemas.MoveIn,
            responses={200: schemas.RoundOut}, auth="moderator", tags=TAGS, query={"dry_run": DRY_RUN})
def move(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    data = parse_json(schemas.MoveIn)
    if dry_run_requested():
        return jsonify({"dry_run": True, **plans.move_plan(event, rnd, data.application_id, data.room_id).counts()})
    ops.move(event, rnd, data)
    return jsonify(summary.round_dict(rnd, slug))


@bp.post("/<int:round_id>/locks")
@organiser_required
@documented("Lock a participant in their room (a re-run keeps them there) or unlock them",
            body=schemas.LockIn, responses={200: schemas.RoundOut}, auth="organiser", tags=TAGS)
def lock(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    ops.set_lock(event, rnd, parse_json(schemas.LockIn))
    return jsonify(summary.round_dict(rnd, slug))


@bp.post("/<int:round_id>/publish")
@organiser_required
@documented("Publish: every participant learns their room live and in their calendar feed; people "
            "accepted since the proposal are placed first", responses={200: schemas.RoundOut},
            auth="organiser", tags=TAGS, query={"dry_run": DRY_RUN})
def publish(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    if dry_run_requested():
        return jsonify({"dry_run": True, **plans.publish_plan(event, rnd).counts()})
    ops.publish(event, rnd)
    return jsonify(summary.round_dict(rnd, slug))


@bp.post("/<int:round_id>/late-joiners")
@moderator_required
@documented("Place a participant without a room in the smallest room that keeps the spread",
            body=schemas.LateJoinerIn, responses={201: schemas.LateJoinerOut}, auth="moderator", tags=TAGS)
def late_joiner(slug: str, round_id: int) -> Any:
    event, rnd = _round(slug, round_id)
    data = parse_json(schemas.LateJoinerIn)
    room, reason = ops.late_joiner(event, rnd, data.application_id)
    return jsonify(round=summary.round_dict(rnd, slug), application_id=data.application_id, room_id=room.id,
                   reason=reason), 201


@bp.get("/<int:round_id>/rooms")
@moderator_required
@documented("Rooms with members (name, role, country) and counts; metrics recomputed from the rooms",
            responses={200: schemas.RoundOut}, auth="moderator", tags=TAGS)
def rooms(slug: str, round_id: int) -> Any:
    _, rnd = _round(slug, round_id)
    return jsonify(summary.round_dict(rnd, slug))
