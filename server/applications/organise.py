"""Organiser pages: the review table, one application, the selection, the call, CSV exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server import clock
from server.applications import (
    deadline,
    erasure,
    exports,
    lifecycle,
    links,
    plans,
    proposals,
    queries,
    reviews,
    schemas,
    selection_view,
    waitlist,
)
from server.auth import organiser_page
from server.core.timeutil import TimeError, local_to_utc
from server.core.vocab import REGION_LABELS, ROLE_LABELS, WORKS_WITH_LABELS, Region, Role, country_name
from server.events import operations as event_ops
from server.events.schemas import EventPatch
from server.frontend.confirm import ask, confirmed
from server.models import ApplicationStatus
from server.problems import Problem, validate

bp = Blueprint("applications_organise", __name__, url_prefix="/organise/<slug>")
F = TypeVar("F", bound=Callable[..., Any])


def _back(slug: str, application_id: int | None = None) -> Any:
    if application_id is not None:
        return redirect(url_for(".application", slug=slug, application_id=application_id))
    return redirect(url_for(".table", slug=slug))


def _flash_problem(problem: Problem) -> None:
    flash("; ".join(f"{e['field']}: {e['reason']}" for e in problem.errors) or problem.title, "error")


STATUS_LABELS = {
    "submitted": _l("waiting for a decision"), "invited": _l("invited, no answer yet"), "accepted": _l("accepted"),
    "declined": _l("declined the invitation"), "waitlisted": _l("on the wait-list"), "rejected": _l("declined by us"),
    "withdrawn": _l("withdrawn"), "erased": _l("erased"),
}
LABELS = {"roles": ROLE_LABELS, "regions": REGION_LABELS, "works_with": WORKS_WITH_LABELS,
          "statuses": [s.value for s in ApplicationStatus]}


def _sort_links(slug: str, args: dict[str, str], current: str) -> dict[str, tuple[str, str]]:
    """Column -> (URL sorting by it, aria-sort value); clicking the sorted column reverses it."""
    links = {}
    for key in queries.SORTS:
        direction = "none"
        target = key
        if current.lstrip("-") == key:
            direction = "descending" if current.startswith("-") else "ascending"
            target = key if current.startswith("-") else f"-{key}"
        links[key] = (url_for(".table", slug=slug, **{**args, "sort": target}) + "#applications", direction)
    return links


@bp.get("/applications")
@organiser_page
def table(slug: str) -> Any:
    event = event_ops.get_event(slug)
    args = {k: v for k, v in request.args.items() if v}
    filters = queries.parse_filters(args)
    rows = queries.list_applications(event, filters, current_user.id)
    free, offer = waitlist.waitlist_offer(event)
    countries = sorted({a.country for a in queries.event_apps(event, tuple(ApplicationStatus))},
                       key=country_name)
    return render_template("applications/table.html", event=event, rows=rows, filters=filters, labels=LABELS,
                           sorts=queries.SORTS, deadline_label=deadline.deadline_label(event), tz=event.zone,
                           call_open=event.call_is_open(clock.now()), free=free, offer=offer,
                           countries=[(c, country_name(c)) for c in countries], status_labels=STATUS_LABELS,
                           sort_links=_sort_links(slug, args, filters.sort))


@bp.post("/call")
@organiser_page
def call(slug: str) -> Any:
    event = event_ops.get_event(slug)
    action = request.form.get("action")
    if action in ("close", "reopen") and event.call_closed == (action == "close"):
        flash(_("The call is already closed.") if event.call_closed else _("The call is already open."), "info")
        return _back(slug)
    if action in ("close", "reopen"):
        plan = plans.call_plan(event, action)
        if not confirmed(plan):
            return ask(plan)
        patch = EventPatch(call_closed=action == "close")
    elif action == "extend":
        try:
            local = datetime.fromisoformat(request.form.get("deadline", ""))
            new_deadline = local_to_utc(local.date(), local.time(), event.zone)
        except (ValueError, TimeError) as exc:
            flash(f"deadline: {exc}", "error")
            return _back(slug)
        if not event.call_is_open(clock.now()):  # extending a closed call reopens it: confirm first
            plan = plans.call_plan(event, "extend", new_deadline)
            if not confirmed(plan):
                return ask(plan)
        patch = EventPatch(application_deadline=new_deadline, call_closed=False)
    else:
        flash(_("Choose close, reopen or extend."), "error")
        return _back(slug)
    event_ops.update_event(event, patch)
    flash(_("The call is closed.") if event.call_closed else _("The call is open until %(deadline)s.",
                                                                  deadline=deadline.deadline_label(event)),
          "info")
    return _back(slug)


@bp.get("/applications/<int:application_id>")
@organiser_page
def application(slug: str, application_id: int) -> Any:
    event = event_ops.get_event(slug)
    a = links.get_application(event, application_id)
    from server.applications.pages import SHARE_LABELS

    return render_template("applications/review.html", event=event, a=a, labels=LABELS, share_labels=SHARE_LABELS,
                           summary=reviews.summarise(a, current_user.id),
                           reviews=reviews.reviews_visible_to(a, current_user.id))


@bp.post("/applications/<int:application_id>/review")
@organiser_page
def review(slug: str, application_id: int) -> Any:
    a = links.get_application(event_ops.get_event(slug), application_id)
    try:
        data = validate(schemas.ReviewIn, {"score": _int(request.form.get("score")),
                                                   "comment": request.form.get("comment", "")})
        reviews.review(a, current_user, data)
    except Problem as problem:
        _flash_problem(problem)
        return _back(slug, application_id)
    if request.form.get("then") == "next":
        following = _next_to_review(a)
        if following is not None:
            flash(_("Saved. Next: an application you have not scored yet."), "info")
            return _back(slug, following)
        flash(_("Saved. You have scored every application."), "info")
        return redirect(url_for(".table", slug=slug) + f"#application-{application_id}")
    flash(_("Your score is saved; the other reviewers' scores are shown below."), "info")
    return redirect(url_for(".application", slug=slug, application_id=application_id) + "#score-h")


def _next_to_review(current: Any) -> int | None:
    """The next waiting application (after this one, then from the start) the organiser has not scored."""
    waiting = [a for a in queries.event_apps(current.event, (ApplicationStatus.SUBMITTED,))
               if a.id != current.id and all(r.reviewer_id != current_user.id for r in a.reviews)]
    later = [a.id for a in waiting if a.id > current.id]
    return (later or [a.id for a in waiting] or [None])[0]


def _int(value: str | None) -> int | str | None:
    return int(value) if value and value.strip().isdigit() else value


@bp.post("/applications/<int:application_id>/decision")
@organiser_page
def decision(slug: str, application_id: int) -> Any:
    a = links.get_application(event_ops.get_event(slug), application_id)
    try:
        lifecycle.decide(a, validate(schemas.DecisionIn, {"decision": request.form.get("decision")}).decision)
    except Problem as problem:
        _flash_problem(problem)
    else:
        flash(_("%(name)s: %(status)s.", name=a.name, status=STATUS_LABELS.get(a.status, a.status)), "info")
    if request.form.get("next") == "selection":
        return redirect(url_for(".selection", slug=slug))
    return redirect(url_for(".application", slug=slug, application_id=application_id))


@bp.post("/applications/<int:application_id>/override")
@organiser_page
def override(slug: str, application_id: int) -> Any:
    a = links.get_application(event_ops.get_event(slug), application_id)
    value = request.form.get("override") or None
    try:
        proposals.set_override(a, validate(schemas.OverrideIn, {"override": value}).override)
    except Problem as problem:
        _flash_problem(problem)
    return redirect(url_for(".selection", slug=slug) if request.form.get("next") == "selection"
                    else url_for(".application", slug=slug, application_id=application_id))


@bp.post("/applications/<int:application_id>/facilitator")
@organiser_page
def facilitator(slug: str, application_id: int) -> Any:
    """Mark or unmark a person as a break-out facilitator (rounds place one per room from them)."""
    from server.extensions import db

    a = links.get_application(event_ops.get_event(slug), application_id)
    a.is_facilitator = request.form.get("facilitator") == "yes"
    db.session.commit()
    flash(_("%(name)s facilitates break-out rooms.", name=a.name) if a.is_facilitator
          else _("%(name)s no longer facilitates.", name=a.name), "info")
    if request.form.get("next") == "table":
        return redirect(url_for(".table", slug=slug) + f"#application-{application_id}")
    return _back(slug, application_id)


@bp.post("/applications/<int:application_id>/erase")
@organiser_page
def erase(slug: str, application_id: int) -> Any:
    a = links.get_application(event_ops.get_event(slug), application_id)
    if a.status == ApplicationStatus.ERASED:
        flash(_("This application is already erased."), "info")
        return _back(slug)
    plan = plans.erase_plan(a)
    if not confirmed(plan):
        return ask(plan)
    erasure.erase(a)
    flash(_("The application is erased."), "info")
    return _back(slug)


@bp.get("/selection")
@organiser_page
def selection(slug: str) -> Any:
    event = event_ops.get_event(slug)
    include = request.args.get("include_unreviewed") == "1"
    proposal = proposals.proposal_dict(proposals.propose(event, include))
    free, offer = waitlist.waitlist_offer(event)
    targets = proposals.targets_dict(event)
    sort = request.args.get("sort", "")
    totals = selection_view.totals(proposal["invited"], targets)
    proposal["invited"] = selection_view.sort_people(proposal["invited"], sort)
    args = {k: v for k, v in request.args.items() if v and k != "sort"}
    sort_links = {k: (url_for(".selection", slug=slug, **args, sort=k if sort != k else f"-{k}") + "#inv-h",
                      "ascending" if sort == k else "descending" if sort == f"-{k}" else "none")
                  for k in selection_view.PEOPLE_SORTS}
    return render_template("applications/selection.html", event=event, targets=targets, totals=totals,
                           sort_links=sort_links,
                           binding=[selection_view.binding_sentence(t) for t in proposal["explanation"]["binding"]],
                           status_labels=STATUS_LABELS,
                           proposal=proposal, include_unreviewed=include, labels=LABELS, free=free, offer=offer,
                           regions=list(Region), roles=list(Role))


def _share(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value) / 100
    except ValueError:
        return -1.0  # refused by the schema, naming the field


@bp.post("/selection/targets")
@organiser_page
def targets(slug: str) -> Any:
    event = event_ops.get_event(slug)
    form = request.form
    body: dict[str, Any] = {
        "seats": _int(form.get("seats")),
        "region_min": {r.value: s for r in Region if (s := _share(form.get(f"min_{r.value}"))) is not None},
        "region_max": {r.value: s for r in Region if (s := _share(form.get(f"max_{r.value}"))) is not None},
        "roles": form.getlist("roles"),
        "max_per_organisation": _int(form.get("max_per_organisation")) or None,
        "max_per_country": _int(form.get("max_per_country")) or None,
    }
    try:
        proposals.set_targets(event, validate(schemas.TargetsIn, body))
    except Problem as problem:
        _flash_problem(problem)
    else:
        flash(_("Targets saved."), "info")
    return redirect(url_for(".selection", slug=slug))


@bp.post("/selection/apply")
@organiser_page
def apply(slug: str) -> Any:
    event = event_ops.get_event(slug)
    include = request.form.get("include_unreviewed") == "1"
    plan = plans.selection_plan(event, include)
    if plan.fields["proposal_id"] != request.form.get("proposal_id") or not confirmed(plan):
        return ask(plan)
    try:
        counts = proposals.apply_selection(event, validate(
            schemas.ApplySelectionIn, {"proposal_id": request.form.get("proposal_id", "")}), include)
    except Problem as problem:
        _flash_problem(problem)
    else:
        flash(_("Applied: %(invited)d invited, %(waitlisted)d wait-listed, %(rejected)d declined, %(unchanged)d "
                "unchanged.", **counts), "info")
    return redirect(url_for(".selection", slug=slug))


@bp.post("/applications/decisions")
@organiser_page
def decisions(slug: str) -> Any:
    """Invite, wait-list or decline the ticked applications, after a confirmation."""
    event = event_ops.get_event(slug)
    decision = request.form.get("decision", "")
    raw = request.form.getlist("id") or request.form.get("ids", "").split(",")
    ids = {int(i) for i in raw if i.strip().isdigit()}
    people = [a for a in queries.event_apps(event, tuple(ApplicationStatus)) if a.id in ids]
    if decision not in lifecycle.DECISIONS or not people:
        flash(_("Tick at least one application and choose what to do."), "error")
        return _back(slug)
    plan = plans.decisions_plan(event, people, decision)
    if not confirmed(plan):
        return ask(plan)
    for a in people:
        try:
            lifecycle.decide(a, decision)
        except Problem:
            continue  # withdrawn meanwhile: the plan said it would be skipped
    flash(_("Done: %(lines)s", lines=" ".join(plan.consequences)), "info")
    return _back(slug)


@bp.post("/waitlist/promote")
@organiser_page
def promote(slug: str) -> Any:
    try:
        a = lifecycle.promote_next(event_ops.get_event(slug))
    except Problem as problem:
        _flash_problem(problem)
    else:
        flash(_("%(name)s is invited from the wait-list.", name=a.name), "info")
    return redirect(url_for(".table", slug=slug) if request.form.get("next") == "table"
                    else url_for(".selection", slug=slug))


def _csv_response(text: str, name: str) -> Response:
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/applications.csv")
@organiser_page
def applications_csv(slug: str) -> Any:
    event = event_ops.get_event(slug)
    return _csv_response(exports.applications_csv(event), f"{event.slug}-applications.csv")


@bp.get("/participants.csv")
@organiser_page
def participants_csv(slug: str) -> Any:
    event = event_ops.get_event(slug)
    return _csv_response(exports.participants_csv(event), f"{event.slug}-participants.csv")
