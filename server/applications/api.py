"""JSON API for applications: apply (public), review, select, decide, erase (organisers)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from server import clock
from server.api.openapi import documented
from server.applications import (
    deadline,
    erasure,
    lifecycle,
    links,
    plans,
    proposals,
    queries,
    reviews,
    schemas,
    waitlist,
)
from server.auth import organiser_required
from server.events.operations import get_event
from server.extensions import csrf, limiter
from server.frontend.confirm import dry_run_requested
from server.problems import Problem, not_found, parse_json

bp = Blueprint("applications_api", __name__, url_prefix="/api/events/<slug>")

TAGS = ("applications",)
DRY_RUN = "1 to answer what would happen (counts, warnings) without changing anything"


def apply_limit() -> str:
    """Per-address limit on applying (form and API), e.g. "5 per minute;20 per hour"."""
    return str(current_app.config.get("APPLY_RATE_LIMIT", "5 per minute;20 per hour"))


def _flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise Problem(400, _("Invalid request"), [(name, _("Answer yes or no (true or false)."))])


@bp.post("/applications")
@csrf.exempt  # public and cookie-less, like /api/session; the HTML form keeps its CSRF token
@limiter.limit(apply_limit)
@documented("Apply to an event's call (no account). Answers 201 with the same body whether the "
            "address is new or has applied already (then its owner is mailed their existing link): "
            "who applied is not discoverable. The personal link goes to the address only.",
            body=schemas.ApplicationIn, responses={201: schemas.ApplicationReceivedOut}, tags=TAGS)
def create_application(slug: str) -> Any:
    event = get_event(slug)
    deadline.check_call_open(event, clock.now())  # a closed call says so before anything else
    lifecycle.submit(event, parse_json(schemas.ApplicationIn))
    return jsonify(status="received", detail=received_detail()), 201


def received_detail() -> str:
    return str(_("Check your email: we have sent the link to your application to the address you gave."))


@bp.get("/applications")
@organiser_required
@documented("The review table: filter and sort applications", responses={200: schemas.ApplicationListOut},
            auth="organiser", tags=TAGS, query=queries.FILTER_QUERY)
def list_applications(slug: str) -> Any:
    event = get_event(slug)
    rows = queries.list_applications(event, queries.parse_filters(request.args), current_user.id)
    return jsonify(count=len(rows), applications=[queries.row_dict(a, s) for a, s in rows])


def _reader(event_id: int, application_id: int) -> int | None:
    """Organisers read every application; its owner (X-Personal-Token) only their own; anyone else 404."""
    if current_user.is_authenticated and current_user.is_organiser:
        return int(current_user.id)
    token = request.headers.get("X-Personal-Token", "")
    if token:
        try:
            own = links.by_token(token)
        except Problem:
            raise not_found("application") from None
        if own.id == application_id and own.event_id == event_id:
            return None
        raise not_found("application")
    if current_user.is_authenticated:  # a moderator: not theirs to read
        raise not_found("application")
    raise Problem(401, _("Login required"), [("session", _("Log in as organiser, or send your X-Personal-Token."))])


@bp.get("/applications/<int:application_id>")
@documented("One application with every answer (organisers, or its owner with X-Personal-Token)",
            responses={200: schemas.ApplicationOut}, auth="organiser or token", tags=TAGS)
def get_application(slug: str, application_id: int) -> Any:
    event = get_event(slug)
    reader = _reader(event.id, application_id)
    return jsonify(queries.full_dict(links.get_application(event, application_id), reader))


@bp.put("/applications/<int:application_id>/review")
@organiser_required
@documented("Score an application 1–5 with a comment; the answer shows the others' scores",
            body=schemas.ReviewIn, responses={200: schemas.ApplicationOut}, auth="organiser", tags=TAGS)
def put_review(slug: str, application_id: int) -> Any:
    application = links.get_application(get_event(slug), application_id)
    reviews.review(application, current_user, parse_json(schemas.ReviewIn))
    return jsonify(queries.full_dict(application, current_user.id))


@bp.post("/applications/<int:application_id>/decision")
@organiser_required
@documented("Invite, wait-list or decline an application (mail and calendar follow)",
            body=schemas.DecisionIn, responses={200: schemas.ApplicationOut}, auth="organiser", tags=TAGS,
            query={"dry_run": DRY_RUN})
def post_decision(slug: str, application_id: int) -> Any:
    application = links.get_application(get_event(slug), application_id)
    decision = parse_json(schemas.DecisionIn).decision
    if dry_run_requested():
        return jsonify(plans.dry_run_body(plans.decisions_plan(application.event, [application], decision)))
    lifecycle.decide(application, decision)
    return jsonify(queries.full_dict(application, current_user.id))


@bp.put("/applications/<int:application_id>/override")
@organiser_required
@documented("Force an application into or out of the selection proposal (null clears)",
            body=schemas.OverrideIn, responses={200: schemas.ApplicationOut}, auth="organiser", tags=TAGS)
def put_override(slug: str, application_id: int) -> Any:
    application = links.get_application(get_event(slug), application_id)
    proposals.set_override(application, parse_json(schemas.OverrideIn).override)
    return jsonify(queries.full_dict(application, current_user.id))


@bp.delete("/applications/<int:application_id>")
@organiser_required
@documented("Erase a person's identity and answers (anonymous counts stay)", responses={204: None},
            auth="organiser", tags=TAGS, query={"dry_run": DRY_RUN})
def erase_application(slug: str, application_id: int) -> Any:
    application = links.get_application(get_event(slug), application_id)
    if dry_run_requested():
        return jsonify(plans.dry_run_body(plans.erase_plan(application)))
    erasure.erase(application)
    return "", 204


@bp.get("/selection/targets")
@organiser_required
@documented("Seats and diversity targets", responses={200: schemas.TargetsOut}, auth="organiser",
            tags=("selection",))
def get_targets(slug: str) -> Any:
    return jsonify(proposals.targets_dict(get_event(slug)))


@bp.put("/selection/targets")
@organiser_required
@documented("Replace seats and diversity targets", body=schemas.TargetsIn, responses={200: schemas.TargetsOut},
            auth="organiser", tags=("selection",))
def put_targets(slug: str) -> Any:
    event = proposals.set_targets(get_event(slug), parse_json(schemas.TargetsIn))
    return jsonify(proposals.targets_dict(event))


@bp.get("/selection/proposal")
@organiser_required
@documented("Propose a selection from the reviewed applications, with its explanation",
            responses={200: schemas.ProposalOut}, auth="organiser", tags=("selection",),
            query={"include_unreviewed": "true to let unreviewed applications fill minimum targets"})
def get_proposal(slug: str) -> Any:
    return jsonify(proposals.proposal_dict(proposals.propose(get_event(slug), _flag("include_unreviewed"))))


@bp.post("/selection/apply")
@organiser_required
@documented("Apply the proposal you looked at: invite, wait-list and decline in bulk",
            body=schemas.ApplySelectionIn, responses={200: schemas.AppliedOut}, auth="organiser",
            tags=("selection",), query={"include_unreviewed": "as for the proposal", "dry_run": DRY_RUN})
def apply_selection(slug: str) -> Any:
    event = get_event(slug)
    if dry_run_requested():
        return jsonify(plans.dry_run_body(plans.selection_plan(event, _flag("include_unreviewed"))))
    counts = proposals.apply_selection(event, parse_json(schemas.ApplySelectionIn), _flag("include_unreviewed"))
    return jsonify(counts)


def _offer_dict(free: int, pick: Any) -> dict[str, Any]:
    return {"free_seats": free, "offer": proposals.person_dict(pick) if pick is not None else None}


@bp.get("/waitlist/next")
@organiser_required
@documented("Free seats and the wait-listed person who would best fill one", responses={200: schemas.WaitlistOfferOut},
            auth="organiser", tags=("selection",))
def get_waitlist_next(slug: str) -> Any:
    return jsonify(_offer_dict(*waitlist.waitlist_offer(get_event(slug))))


@bp.post("/waitlist/promote")
@organiser_required
@documented("Invite the offered wait-listed person", responses={200: schemas.ApplicationOut}, auth="organiser",
            tags=("selection",))
def post_waitlist_promote(slug: str) -> Any:
    application = lifecycle.promote_next(get_event(slug))
    return jsonify(queries.full_dict(application, current_user.id))
