"""Targets, the proposed selection (the pure engine over the stored applications) and applying it."""

from __future__ import annotations

import hashlib
import json
import statistics
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from server.applications import schemas
from server.applications.queries import event_apps
from server.applications.status import Change, S, announce, change_status
from server.clock import now
from server.core.selection import (
    Candidate,
    Selection,
    Targets,
    propose_selection,
)
from server.core.vocab import (
    Region,
    Role,
)
from server.extensions import db
from server.models import Application, Event
from server.models.applications import PARTICIPATING
from server.problems import Problem, invalid

SELECTABLE = (S.SUBMITTED, S.WAITLISTED, S.INVITED, S.ACCEPTED)


def candidate(a: Application) -> Candidate:
    scores = [r.score for r in a.reviews]
    return Candidate(
        id=str(a.id), score=statistics.fmean(scores) if scores else None, role=Role(a.role),
        region=Region(a.region), country=a.country, organisation=a.organisation or "",
    )


FREED_SEAT = Candidate(id="__freed__", score=None, role=Role.OTHER, region=Region.OTHER, country="ZZ", organisation="")


def targets_of(event: Event) -> Targets:
    raw = event.selection_targets or {}
    return Targets(
        seats=event.seats,
        region_min={Region(k): float(v) for k, v in (raw.get("region_min") or {}).items()},
        region_max={Region(k): float(v) for k, v in (raw.get("region_max") or {}).items()},
        roles=frozenset(Role(r) for r in raw.get("roles") or []),
        max_per_organisation=raw.get("max_per_organisation"),
        max_per_country=raw.get("max_per_country"),
    )


def targets_dict(event: Event) -> dict[str, Any]:
    t = targets_of(event)
    return {
        "seats": t.seats,
        "region_min": {r.value: v for r, v in t.region_min.items()},
        "region_max": {r.value: v for r, v in t.region_max.items()},
        "roles": sorted(r.value for r in t.roles),
        "max_per_organisation": t.max_per_organisation,
        "max_per_country": t.max_per_country,
    }


def set_targets(event: Event, data: schemas.TargetsIn) -> Event:
    seats = data.seats or event.seats
    try:
        Targets(seats=seats, region_min=data.region_min, region_max=data.region_max, roles=frozenset(data.roles),
                max_per_organisation=data.max_per_organisation, max_per_country=data.max_per_country)
    except ValueError as exc:
        message = str(exc)
        field = message.split("[", 1)[0].split(" ", 1)[0] if message.startswith("region_") else "targets"
        raise invalid(field, message) from None
    event.seats = seats
    event.selection_targets = {
        "region_min": {r.value: v for r, v in data.region_min.items()},
        "region_max": {r.value: v for r, v in data.region_max.items()},
        "roles": sorted({r.value for r in data.roles}),
        "max_per_organisation": data.max_per_organisation,
        "max_per_country": data.max_per_country,
    }
    db.session.commit()
    return event


@dataclass(frozen=True)
class Proposal:
    id: str
    selection: Selection
    apps: dict[str, Application]


def propose(event: Event, include_unreviewed: bool = False) -> Proposal:
    """Call the pure engine with the reviewed applications, the targets and the overrides.

    Invited and accepted people keep their seats (forced in) unless an organiser forced them
    out; unreviewed applications join only with include_unreviewed (or an override).
    """
    apps = event_apps(event, (*SELECTABLE, S.REJECTED))
    pool = [
        a for a in apps
        if (a.status in SELECTABLE and (a.reviews or include_unreviewed or a.status in PARTICIPATING
                                        or a.selection_override))
        or (a.status == S.REJECTED and a.selection_override == "in")
    ]
    forced_in = {str(a.id) for a in pool
                 if a.selection_override == "in" or (a.status in PARTICIPATING and a.selection_override != "out")}
    forced_out = {str(a.id) for a in pool if a.selection_override == "out"}
    selection = propose_selection([candidate(a) for a in pool], targets_of(event),
                                  forced_in=forced_in, forced_out=forced_out)
    fingerprint = hashlib.sha256(json.dumps(
        [selection.invited, selection.waitlist, selection.excluded, include_unreviewed]
    ).encode()).hexdigest()[:20]
    return Proposal(fingerprint, selection, {str(a.id): a for a in pool})


def apply_selection(event: Event, data: schemas.ApplySelectionIn, include_unreviewed: bool = False) -> dict[str, int]:
    """Apply a proposal the organiser has seen: invite, wait-list and decline in bulk."""
    proposal = propose(event, include_unreviewed)
    if proposal.id != data.proposal_id:
        raise Problem(409, _("The proposal has changed"), [(
            "proposal_id", _("reviews, overrides or targets changed since you looked; look at the proposal again"),
        )])
    changes: list[Change] = []
    counts = {"invited": 0, "waitlisted": 0, "rejected": 0, "unchanged": 0}
    plan = ([(i, S.INVITED, "invited") for i in proposal.selection.invited]
            + [(i, S.WAITLISTED, "waitlisted") for i in proposal.selection.waitlist]
            + [(i, S.REJECTED, "rejected") for i in proposal.selection.excluded])
    at = now()
    for app_id, status, label in plan:
        application = proposal.apps[app_id]
        if application.status == status or (status == S.INVITED and application.status == S.ACCEPTED):
            counts["unchanged"] += 1
            continue
        change_status(application, status, changes, decided=True, at=at)
        counts[label] += 1
    db.session.commit()
    announce(changes)
    return counts


def _target_ref(target: Any) -> dict[str, Any]:
    return {"kind": target.kind, "subject": target.subject, "bound": target.bound, "label": target.label}


def _issue(issue: Any) -> dict[str, Any]:
    return {"target": _target_ref(issue.target), "actual": issue.actual, "by": issue.by, "cause": issue.cause,
            "message": issue.message}


def person_dict(a: Application) -> dict[str, Any]:
    scores = [r.score for r in a.reviews]
    return {"id": a.id, "name": a.name, "organisation": a.organisation, "country": a.country, "role": a.role,
            "region": a.region, "status": a.status,
            "score": round(statistics.fmean(scores), 2) if scores else None, "override": a.selection_override}


def proposal_dict(proposal: Proposal) -> dict[str, Any]:
    sel, apps = proposal.selection, proposal.apps
    ex = sel.explanation
    text = ex.describe()
    for app_id, a in apps.items():  # the engine speaks in ids; organisers read names
        text = text.replace(f"Passed over {app_id} (", f"Passed over {a.name or 'erased'} (#{app_id}, ")
    return {
        "proposal_id": proposal.id,
        "invited": [person_dict(apps[i]) for i in sel.invited],
        "waitlist": [person_dict(apps[i]) for i in sel.waitlist],
        "excluded": [person_dict(apps[i]) for i in sel.excluded],
        "explanation": {
            "total_score": ex.total_score,
            "seats": ex.seats,
            "filled": ex.filled,
            "binding": [_target_ref(t) for t in ex.binding],
            "unmet": [_issue(i) for i in ex.unmet],
            "broken_by_overrides": [_issue(i) for i in ex.broken_by_overrides],
            "passed_over": [{"id": int(p.id), "name": apps[p.id].name, "score": p.score, "reason": p.reason}
                            for p in ex.passed_over],
            "unreviewed_invited": [int(i) for i in ex.unreviewed_invited],
            "proven_optimal": ex.proven_optimal,
            "text": text,
        },
    }


def set_override(application: Application, value: str | None) -> Application:
    if application.status == S.ERASED:
        raise Problem(409, "Erased", [("application", "this application has been erased")])
    application.selection_override = value
    db.session.commit()
    return application

