"""Apply, edit, withdraw, accept or decline, and the organisers' decisions on one application."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.applications import schemas
from server.applications.deadline import check_call_open
from server.applications.links import personal_url
from server.applications.mails import mail_link_again, mail_received
from server.applications.status import Change, S, announce, change_status, freed_seats
from server.applications.waitlist import seat_freed, waitlist_offer
from server.auth import new_token
from server.clock import now
from server.extensions import db
from server.models import Application, Event
from server.models.applications import PARTICIPATING
from server.problems import Problem, invalid

DECISIONS = {"invite": S.INVITED, "waitlist": S.WAITLISTED, "decline": S.REJECTED}


def _duplicate(event: Event, email: str, at: datetime) -> Problem:
    existing = db.session.scalar(
        select(Application).where(Application.event_id == event.id, Application.email == email)
    )
    if existing is not None:
        mail_link_again(existing, at)
        db.session.commit()
    return Problem(409, "You have already applied", [(
        "email",
        "an application from this address already exists for this meeting; we have emailed its "
        "personal link to that address, where you can update it",
    )])


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
    application.offers_to_facilitate = data.offers_to_facilitate


def submit(event: Event, data: schemas.ApplicationIn) -> tuple[Application, str]:
    """Store a new application and queue its confirmation; return it and its personal link."""
    at = now()
    check_call_open(event, at)
    problem = data.role_other_problem()
    if problem:
        raise invalid("role_other", problem)
    email = str(data.email)
    if db.session.scalar(select(Application.id).where(Application.event_id == event.id,
                                                      Application.email == email)) is not None:
        raise _duplicate(event, email, at)
    secret, digest = new_token()
    application = Application(event=event, status=S.SUBMITTED, access_token_hash=digest, email=email,
                              consent_at=at)
    _set_answers(application, data)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:  # the same address twice at the same moment
        db.session.rollback()
        raise _duplicate(event, email, at) from None
    link = personal_url(secret)
    mail_received(application, link)
    db.session.commit()
    return application, link


def editable(application: Application, at: datetime | None = None) -> bool:
    event = application.event
    return (application.status in (S.SUBMITTED, S.WITHDRAWN)
            and event.call_is_open(at or now()))


def edit(application: Application, data: schemas.ApplicationEdit) -> Application:
    """Change the answers from the personal link until the deadline (re-submits a withdrawn one)."""
    at = now()
    check_call_open(application.event, at)
    if application.status not in (S.SUBMITTED, S.WITHDRAWN):
        raise Problem(409, "The application can no longer be changed",
                      [("status", "the organisers have already decided on it")])
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
        raise Problem(409, "Nothing to withdraw", [("status", "this application is already closed")])
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
            raise Problem(409, "No open invitation", [("response", "there is no invitation to accept")])
        change_status(application, S.ACCEPTED, changes)
    else:
        if application.status == S.DECLINED:
            return application
        if application.status not in PARTICIPATING:
            raise Problem(409, "No open invitation", [("response", "there is no invitation to decline")])
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
        raise Problem(409, "The applicant has withdrawn",
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
        raise Problem(409, "Nobody to promote", [("waitlist", reason)])
    return decide(pick, "invite")

