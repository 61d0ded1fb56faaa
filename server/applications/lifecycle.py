"""Apply, edit, withdraw, accept or decline, and the organisers' decisions on one application."""

from __future__ import annotations

import time
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.applications import schemas
from server.applications.deadline import check_call_open
from server.applications.links import current_personal_link, issue_personal_link
from server.applications.mails import mail_link_again, mail_received
from server.applications.status import Change, S, announce, change_status, freed_seats
from server.applications.waitlist import seat_freed, waitlist_offer
from server.clock import now
from server.core.zones import country_zone
from server.extensions import db
from server.i18n import current_language
from server.models import Application, Event
from server.models.applications import PARTICIPATING
from server.problems import Problem, invalid

DECISIONS = {"invite": S.INVITED, "waitlist": S.WAITLISTED, "decline": S.REJECTED}


def _existing(event: Event, email: str) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.event_id == event.id, Application.email == email)
    )


def _mail_existing(application: Application) -> None:
    """The address has applied: mail its owner their existing link (no rotation, at most once an
    hour) and answer exactly as for a new application (issue 11, item 1)."""
    current_personal_link(application)  # the same derivation and hashing as a new application's
    mail_link_again(application)
    db.session.commit()


def _set_answers(application: Application, data: schemas.ApplicationFields) -> None:
    application.name = data.name
    application.organisation = data.organisation
    application.job_title = data.job_title
    application.set_country(data.country)
    application.role = data.role.value
    application.role_other = data.role_other or None
    application.languages = list(data.languages)
    application.works_with = [w.value for w in data.works_with]
    application.work_relation = data.work_relation
    application.key_questions = list(data.key_questions)
    application.challenges = data.challenges
    application.share_questions = data.share_questions
    # Messages in the chosen language (else the page's); times also in their zone (else their country's).
    if data.language or not application.language:
        application.language = data.language or current_language()
    if data.timezone or not application.timezone:
        application.timezone = data.timezone or country_zone(data.country)
    application.offers_to_facilitate = data.offers_to_facilitate


def submit(event: Event, data: schemas.ApplicationIn) -> None:
    """Store a new application and queue its confirmation, or — when the address has applied
    already — mail that application's owner their link. The caller cannot tell which happened:
    who applied is not discoverable (issue 11, item 1). Both paths look the address up, derive
    one personal link, queue one mail and commit once, and neither answers before
    APPLY_ANSWER_SECONDS: a new row costs a few milliseconds more than a repeat, which a patient
    visitor could otherwise measure."""
    started = time.monotonic()
    _submit(event, data)
    time.sleep(max(0.0, float(current_app.config.get("APPLY_ANSWER_SECONDS", 0)) - (time.monotonic() - started)))


def _submit(event: Event, data: schemas.ApplicationIn) -> None:
    at = now()
    check_call_open(event, at)
    problem = data.role_other_problem()
    if problem:
        raise invalid("role_other", problem)
    email = str(data.email)
    existing = _existing(event, email)
    if existing is not None:
        return _mail_existing(existing)
    application = Application(event=event, status=S.SUBMITTED, email=email, consent_at=at)
    _set_answers(application, data)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:  # the same address twice at the same moment
        db.session.rollback()
        existing = _existing(event, email)
        if existing is None:
            raise
        return _mail_existing(existing)
    issue_personal_link(application)
    mail_received(application)
    db.session.commit()
    return None


def editable(application: Application, at: datetime | None = None) -> bool:
    event = application.event
    return (application.status in (S.SUBMITTED, S.WITHDRAWN)
            and event.call_is_open(at or now()))


def edit(application: Application, data: schemas.ApplicationEdit) -> Application:
    """Change the answers from the personal link until the deadline (re-submits a withdrawn one)."""
    at = now()
    check_call_open(application.event, at)
    if application.status not in (S.SUBMITTED, S.WITHDRAWN):
        raise Problem(409, _("The application can no longer be changed"),
                      [("status", _("The organisers have already decided on it."))])
    problem = data.role_other_problem()
    if problem:
        raise invalid("role_other", problem)
    _set_answers(application, data)
    changes: list[Change] = []
    change_status(application, S.SUBMITTED, changes)
    db.session.commit()
    announce(changes)
    return application


def withdraw(application: Application) -> Application:
    if application.status in (S.WITHDRAWN, S.ERASED):
        return application
    if application.status in (S.REJECTED, S.DECLINED):
        raise Problem(409, _("Nothing to withdraw"), [("status", _("This application is already closed."))])
    event = application.event
    changes: list[Change] = []
    change_status(application, S.WITHDRAWN, changes)
    db.session.commit()
    announce(changes)
    if freed_seats(changes):
        seat_freed(event)
    return application


def respond(application: Application, response: str) -> Application:
    """An invitee accepts or declines from their personal link."""
    event = application.event
    changes: list[Change] = []
    at = now()
    if response == "accept":
        if application.status == S.ACCEPTED:
            return application
        if application.status != S.INVITED:
            raise Problem(409, _("No open invitation"), [("response", _("There is no invitation to accept."))])
        change_status(application, S.ACCEPTED, changes)
    else:
        if application.status == S.DECLINED:
            return application
        if application.status not in PARTICIPATING:
            raise Problem(409, _("No open invitation"), [("response", _("There is no invitation to decline."))])
        change_status(application, S.DECLINED, changes)
    application.responded_at = at
    db.session.commit()
    announce(changes)
    if freed_seats(changes):
        seat_freed(event)
    return application


def decide(application: Application, decision: str) -> Application:
    target = DECISIONS[decision]
    if application.status in (S.WITHDRAWN, S.ERASED):
        raise Problem(409, _("The applicant has withdrawn"),
                      [("decision", f"this application is {application.status}; nothing to decide")])
    if application.status == target or (target == S.INVITED and application.status == S.ACCEPTED):
        return application
    event = application.event
    changes: list[Change] = []
    change_status(application, target, changes, decided=True)
    db.session.commit()
    announce(changes)
    if freed_seats(changes):
        seat_freed(event)
    return application


def promote_next(event: Event) -> Application:
    free, pick = waitlist_offer(event)
    if pick is None:
        reason = "no seat is free" if free == 0 else "nobody on the wait-list fits the targets"
        raise Problem(409, _("Nobody to promote"), [("waitlist", reason)])
    return decide(pick, "invite")

