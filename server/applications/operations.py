"""Applications: apply, edit, review, select, decide, respond, erase.

Each function validates fully before it writes, commits once, and announces every status
change with `server.signals.application_status_changed` after the commit (the calendar
invitation listens there: this module never sends the invitation mail itself).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from server.applications import schemas
from server.auth import hash_token, new_token
from server.core.invite_mail import Mailbox, build_simple_email
from server.core.selection import (
    Candidate,
    Selection,
    Targets,
    next_from_waitlist,
    propose_selection,
    waitlist_order,
)
from server.core.timeutil import iso_utc, utc_offset_label
from server.core.vocab import (
    REGION_LABELS,
    ROLE_LABELS,
    WORKS_WITH_LABELS,
    Region,
    Role,
    UnknownCountry,
    WorksWith,
    country_name,
    normalise_country,
)
from server.extensions import db
from server.mail import queue_mail
from server.models import Application, ApplicationStatus, Event, OutboundMail, Review, User
from server.models.applications import PARTICIPATING
from server.models.mail import MailStatus
from server.models.types import utcnow
from server.problems import Problem, invalid, not_found
from server.signals import application_status_changed

S = ApplicationStatus
# Who the selection considers; invited and accepted people hold their seats (forced in).
SELECTABLE = (S.SUBMITTED, S.WAITLISTED, S.INVITED, S.ACCEPTED)
# Erased automatically once the retention period after the meeting has passed: everyone
# who is not a participant (never invited, or invited and said no).
ERASE_AFTER_MEETING = (S.SUBMITTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN, S.DECLINED)
DECISIONS = {"invite": S.INVITED, "waitlist": S.WAITLISTED, "decline": S.REJECTED}

Change = tuple[Application, str, str]


# ---------------------------------------------------------------------------------------
# Clock, links, lookups


def now() -> datetime:
    """The current instant; tests inject a clock with app.config["CLOCK"] = lambda: instant."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else utcnow()


def _base() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def personal_url(secret: str) -> str:
    return f"{_base()}/p/{secret}"


def issue_personal_link(application: Application) -> str:
    """Mint a fresh personal link (the previous one stops working); the caller commits.

    Only the hash is stored, so a link can be sent again only by replacing it.
    """
    secret, digest = new_token()
    application.access_token_hash = digest
    return personal_url(secret)


def by_token(secret: str) -> Application:
    if not secret or len(secret) > 200:
        raise not_found("personal link")
    application = db.session.scalar(
        select(Application).where(Application.access_token_hash == hash_token(secret))
    )
    if application is None:
        raise not_found("personal link")
    return application


def get_application(event: Event, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.event_id != event.id:
        raise not_found("application")
    return application


def deadline_label(event: Event) -> str:
    local = event.application_deadline.astimezone(event.zone)
    return (f"{local:%A %-d %B %Y, %H:%M:%S} {event.timezone} "
            f"({utc_offset_label(event.application_deadline, event.zone)})")


def check_call_open(event: Event, at: datetime) -> None:
    if event.call_closed:
        raise Problem(403, "The call for participants is closed",
                      [("call_closed", "the organisers have closed the call; applications are no longer taken")])
    if at > event.application_deadline:
        raise Problem(403, "The call for participants is closed",
                      [("application_deadline", f"applications closed on {deadline_label(event)}")])


# ---------------------------------------------------------------------------------------
# Mail


def _domain() -> str:
    return urlsplit(_base()).hostname or "convene.invalid"


def _mail(application: Application, *, kind: str, key: str, subject: str, text: str,
          to: str | None = None) -> None:
    event = application.event
    message = build_simple_email(
        sender=Mailbox(event.organiser_name or event.title[:60], event.organiser_email),
        to=Mailbox(application.name or "", to or application.email or ""),
        subject=subject, text=text, key=(key,), domain=_domain(), now=now(),
    )
    queue_mail(message, key=key, kind=kind, event_id=event.id, application_id=application.id)


def _signature(event: Event) -> str:
    return f"{event.organiser_name or 'The organisers'}\n{_base()}/events/{event.slug}"


def _mail_received(application: Application, link: str) -> None:
    event = application.event
    text = (
        f"Dear {application.name},\n\n"
        f"Thank you for applying to take part in “{event.title}”. We have received your application.\n\n"
        f"Your personal link (it is yours alone; please do not forward it):\n{link}\n\n"
        f"There you can read your answers, change them until the deadline ({deadline_label(event)}), "
        "or withdraw your application and have your data erased.\n\n"
        "After the deadline the organisers read every application and tell you by email whether "
        "they can offer you a seat.\n\n" + _signature(event) + "\n"
    )
    _mail(application, kind="application_received", key=f"application-received:{application.id}",
          subject=f"Application received: {event.title}", text=text)


def _mail_link_again(application: Application, at: datetime) -> None:
    """Someone applied again with this address: send the owner a fresh personal link.

    At most once an hour per application, so the form cannot be used to flood a mailbox
    (and the link is replaced only when a mail actually goes out).
    """
    key = f"application-link:{application.id}:{at:%Y%m%d%H}"
    if db.session.scalar(select(OutboundMail.id).where(OutboundMail.idempotency_key == key)) is not None:
        return
    event = application.event
    link = issue_personal_link(application)
    text = (
        f"Dear {application.name},\n\n"
        f"Someone (probably you) tried to apply again to “{event.title}” with this email address. "
        "There is already an application from this address, so no second one was made.\n\n"
        f"To read or update your application, use your personal link:\n{link}\n\n"
        "This link replaces any earlier one. If this was not you, you need not do anything.\n\n"
        + _signature(event) + "\n"
    )
    _mail(application, kind="application_link", key=key, subject=f"Your application: {event.title}", text=text)


def _mail_decision(application: Application, new: str, at: datetime) -> None:
    event = application.event
    if new == S.WAITLISTED:
        subject = f"You are on the wait-list: {event.title}"
        body = (
            f"Thank you for applying to “{event.title}”. All seats are taken for now, and we have put "
            "you on the wait-list. If a seat becomes free, we will invite you by email."
        )
    elif new == S.REJECTED:
        subject = f"Your application: {event.title}"
        body = (
            f"Thank you for applying to “{event.title}”. We received many more applications than we have "
            "seats, and we are sorry that we cannot offer you a place this time."
        )
    else:
        return  # the invitation is the calendar invitation, sent by its own feature
    text = f"Dear {application.name},\n\n{body}\n\n{_signature(event)}\n"
    _mail(application, kind=f"decision_{new}", key=f"decision:{application.id}:{new}:{at.timestamp():.0f}",
          subject=subject, text=text)


# ---------------------------------------------------------------------------------------
# Status changes


def _change(application: Application, new: str, changes: list[Change], *, decided: bool = False,
            at: datetime | None = None) -> None:
    old = application.status
    if old == new:
        return
    application.status = new
    when = at or now()
    if decided:
        application.decided_at = when
        _mail_decision(application, new, when)
    changes.append((application, old, new))


def _announce(changes: Iterable[Change]) -> None:
    """After the commit: tell subscribers, then commit what they queued (e.g. calendar mail)."""
    sent = False
    for application, old, new in changes:
        application_status_changed.send(application, old=old, new=new)
        sent = True
    if sent:
        db.session.commit()


def _freed_seats(changes: Iterable[Change]) -> bool:
    return any(old in PARTICIPATING and new not in PARTICIPATING for _, old, new in changes)


# ---------------------------------------------------------------------------------------
# Applying, editing, withdrawing


def _duplicate(event: Event, email: str, at: datetime) -> Problem:
    existing = db.session.scalar(
        select(Application).where(Application.event_id == event.id, Application.email == email)
    )
    if existing is not None:
        _mail_link_again(existing, at)
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
    _mail_received(application, link)
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
    _change(application, S.SUBMITTED, changes)
    db.session.commit()
    _announce(changes)
    return application


def withdraw(application: Application) -> Application:
    if application.status in (S.WITHDRAWN, S.ERASED):
        return application
    if application.status in (S.REJECTED, S.DECLINED):
        raise Problem(409, "Nothing to withdraw", [("status", "this application is already closed")])
    event = application.event
    changes: list[Change] = []
    _change(application, S.WITHDRAWN, changes)
    db.session.commit()
    _announce(changes)
    if _freed_seats(changes):
        _seat_freed(event)
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
        _change(application, S.ACCEPTED, changes)
    else:
        if application.status == S.DECLINED:
            return application
        if application.status not in PARTICIPATING:
            raise Problem(409, "No open invitation", [("response", "there is no invitation to decline")])
        _change(application, S.DECLINED, changes)
    application.responded_at = at
    db.session.commit()
    _announce(changes)
    if _freed_seats(changes):
        _seat_freed(event)
    return application


# ---------------------------------------------------------------------------------------
# Erasure


def _scrub(application: Application, keep_mail_after: int | None) -> None:
    for column in ("email", "name", "organisation", "job_title", "role_other", "work_relation", "challenges",
                   "access_token_hash", "feed_token_hash", "selection_override"):
        setattr(application, column, None)
    application.key_questions = []
    application.languages = []
    application.works_with = []
    for review in application.reviews:
        review.comment = ""
    mails = delete(OutboundMail).where(OutboundMail.application_id == application.id)
    if keep_mail_after is not None:
        mails = mails.where(OutboundMail.id <= keep_mail_after)
    db.session.execute(mails)


def erase(application: Application) -> None:
    """Remove identity and answers; keep status erased with role, country and region for counts.

    A participant's status changes first, with the address still known, so that the calendar
    feature can send the cancellation; then the identity goes (that cancellation mail, queued
    during the signal, is kept until delivered and purged by the daily erasure task).
    """
    if application.status == S.ERASED and application.email is None:
        return
    event = application.event
    at = now()
    changes: list[Change] = []
    participant = application.status in PARTICIPATING
    keep_after = None
    if participant:
        keep_after = db.session.scalar(select(func.max(OutboundMail.id))) or 0
        _change(application, S.ERASED, changes, at=at)
        application.erased_at = at
        db.session.commit()
        _announce(changes)
        _scrub(application, keep_after)
        db.session.commit()
        _seat_freed(event)
        return
    _change(application, S.ERASED, changes, at=at)
    application.erased_at = at
    _scrub(application, None)
    db.session.commit()
    _announce(changes)


def retention_due(event: Event) -> datetime | None:
    if not event.days:
        return None
    return max(day.ends_at for day in event.days) + timedelta(days=event.retention_days)


def erase_expired(at: datetime | None = None) -> int:
    """Erase the non-participants of every meeting whose retention period has passed."""
    at = at or now()
    erased = 0
    for event in db.session.scalars(select(Event).options(selectinload(Event.days))):
        due = retention_due(event)
        if due is None or at < due:
            continue
        pending = db.session.scalars(
            select(Application).where(Application.event_id == event.id,
                                      Application.status.in_(ERASE_AFTER_MEETING))
        ).all()
        for application in pending:
            erase(application)
            erased += 1
    # Mail queued while erasing a participant (the calendar cancellation), once delivered.
    erased_ids = select(Application.id).where(Application.status == S.ERASED)
    db.session.execute(delete(OutboundMail).where(
        OutboundMail.application_id.in_(erased_ids),
        OutboundMail.status.in_((MailStatus.SENT, MailStatus.FAILED)),
    ))
    db.session.commit()
    return erased


# ---------------------------------------------------------------------------------------
# Reviews


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    mean: float | None  # hidden (None) until the reader has scored it: no anchoring
    spread: int | None
    mine: int | None
    true_mean: float | None  # for the selection, never shown to someone who has not scored

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "mean": self.mean, "spread": self.spread, "mine": self.mine}


def summarise(application: Application, reader_id: int | None) -> ReviewSummary:
    scores = [r.score for r in application.reviews]
    mine = next((r.score for r in application.reviews if r.reviewer_id == reader_id), None)
    true_mean = round(statistics.fmean(scores), 2) if scores else None
    visible = mine is not None
    return ReviewSummary(
        count=len(scores),
        mean=true_mean if visible else None,
        spread=(max(scores) - min(scores)) if visible and scores else None,
        mine=mine,
        true_mean=true_mean,
    )


def review(application: Application, reviewer: User, data: schemas.ReviewIn) -> Review:
    if application.status == S.ERASED:
        raise Problem(409, "Erased", [("application", "this application has been erased")])
    existing = next((r for r in application.reviews if r.reviewer_id == reviewer.id), None)
    if existing is None:
        existing = Review(application=application, reviewer_id=reviewer.id, score=data.score, comment=data.comment)
        db.session.add(existing)
    else:
        existing.score, existing.comment = data.score, data.comment
    db.session.commit()
    return existing


def reviews_visible_to(application: Application, reader_id: int) -> list[dict[str, Any]] | None:
    if not any(r.reviewer_id == reader_id for r in application.reviews):
        return None
    names = _reviewer_names([r.reviewer_id for r in application.reviews])
    return [
        {"reviewer": names.get(r.reviewer_id, "?"), "score": r.score, "comment": r.comment,
         "mine": r.reviewer_id == reader_id}
        for r in sorted(application.reviews, key=lambda r: (r.reviewer_id != reader_id, r.created_at))
    ]


def _reviewer_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: (u.name or u.email) for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# ---------------------------------------------------------------------------------------
# The review table: filters and sorting


FILTER_QUERY: dict[str, str] = {
    "role": "a role, e.g. prison_officer",
    "region": "eu | other_europe | central_asia | other",
    "country": "ISO 3166-1 alpha-2",
    "works_with": "returning_fighters | families | children | expect_in_future",
    "status": "submitted | invited | accepted | declined | waitlisted | rejected | withdrawn | erased",
    "min_score": "lowest mean score (only applications you have scored have a visible mean)",
    "max_score": "highest mean score",
    "reviewed": "mine | not_mine | none",
    "sort": "created | name | organisation | country | role | region | status | mean | count | spread; "
            "prefix - for descending",
}

SORTS = ("created", "name", "organisation", "country", "role", "region", "status", "mean", "count", "spread")


@dataclass(frozen=True)
class Filters:
    role: str | None = None
    region: str | None = None
    country: str | None = None
    works_with: str | None = None
    status: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    reviewed: str | None = None  # mine | not_mine | none
    sort: str = "created"


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the filters from query parameters; a bad value names the parameter."""
    unknown = set(args) - set(FILTER_QUERY) - {"tz"}
    if unknown:
        raise invalid(sorted(unknown)[0], "is not a known filter", status=400)

    def pick(name: str, allowed: Iterable[str]) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value not in set(allowed):
            raise invalid(name, f"'{value}' is not one of {', '.join(allowed)}", status=400)
        return value

    def score(name: str) -> float | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise invalid(name, "must be a number from 1 to 5", status=400) from None
        if not 1 <= number <= 5:
            raise invalid(name, "must be a number from 1 to 5", status=400)
        return number

    country = (args.get("country") or "").strip() or None
    if country:
        try:
            country = normalise_country(country)
        except UnknownCountry as exc:
            raise invalid("country", str(exc), status=400) from None
    sort = (args.get("sort") or "created").strip()
    if sort.lstrip("-") not in SORTS:
        raise invalid("sort", f"must be one of {', '.join(SORTS)} (prefix - for descending)", status=400)
    return Filters(
        role=pick("role", [r.value for r in Role]),
        region=pick("region", [r.value for r in Region]),
        country=country,
        works_with=pick("works_with", [w.value for w in WorksWith]),
        status=pick("status", [s.value for s in S]),
        min_score=score("min_score"),
        max_score=score("max_score"),
        reviewed=pick("reviewed", ["mine", "not_mine", "none"]),
        sort=sort,
    )


def list_applications(event: Event, filters: Filters, reader_id: int) -> list[tuple[Application, ReviewSummary]]:
    apps = db.session.scalars(
        select(Application).where(Application.event_id == event.id)
        .options(selectinload(Application.reviews)).order_by(Application.id)
    ).all()
    rows = []
    for a in apps:
        if filters.status is None and a.status == S.ERASED:
            continue
        if filters.status and a.status != filters.status:
            continue
        if filters.role and a.role != filters.role:
            continue
        if filters.region and a.region != filters.region:
            continue
        if filters.country and a.country != filters.country:
            continue
        if filters.works_with and filters.works_with not in (a.works_with or []):
            continue
        summary = summarise(a, reader_id)
        if filters.reviewed == "mine" and summary.mine is None:
            continue
        if filters.reviewed == "not_mine" and summary.mine is not None:
            continue
        if filters.reviewed == "none" and summary.count:
            continue
        if filters.min_score is not None and (summary.mean is None or summary.mean < filters.min_score):
            continue
        if filters.max_score is not None and (summary.mean is None or summary.mean > filters.max_score):
            continue
        rows.append((a, summary))
    key = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")

    def sort_key(row: tuple[Application, ReviewSummary]) -> tuple[Any, ...]:
        a, s = row
        if key in ("mean", "count", "spread"):
            value = getattr(s, key)
            # Hidden or missing values sort last in either direction.
            return (value is None, -(value or 0) if descending else (value or 0), a.id)
        value = {"created": a.id, "name": (a.name or "").casefold(), "organisation": (a.organisation or "").casefold(),
                 "country": a.country, "role": a.role, "region": a.region, "status": a.status}[key]
        return (False, value, a.id)

    rows.sort(key=sort_key)
    if descending and key not in ("mean", "count", "spread"):
        rows.reverse()
    return rows


# ---------------------------------------------------------------------------------------
# Decisions and the wait-list


def decide(application: Application, decision: str) -> Application:
    target = DECISIONS[decision]
    if application.status in (S.WITHDRAWN, S.ERASED):
        raise Problem(409, "The applicant has withdrawn",
                      [("decision", f"this application is {application.status}; nothing to decide")])
    if application.status == target or (target == S.INVITED and application.status == S.ACCEPTED):
        return application
    event = application.event
    changes: list[Change] = []
    _change(application, target, changes, decided=True)
    db.session.commit()
    _announce(changes)
    if _freed_seats(changes):
        _seat_freed(event)
    return application


def _event_apps(event: Event, statuses: Iterable[str]) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.event_id == event.id, Application.status.in_(tuple(statuses)))
        .options(selectinload(Application.reviews)).order_by(Application.id)
    ))


def _candidate(a: Application) -> Candidate:
    scores = [r.score for r in a.reviews]
    return Candidate(
        id=str(a.id), score=statistics.fmean(scores) if scores else None, role=Role(a.role),
        region=Region(a.region), country=a.country, organisation=a.organisation or "",
    )


_FREED = Candidate(id="__freed__", score=None, role=Role.OTHER, region=Region.OTHER, country="ZZ", organisation="")


def waitlist_offer(event: Event) -> tuple[int, Application | None]:
    """Free seats, and the wait-listed person who would best keep the targets in one of them."""
    participants = _event_apps(event, PARTICIPATING)
    free = max(0, event.seats - len(participants))
    if free == 0:
        return 0, None
    waiting = _event_apps(event, (S.WAITLISTED,))
    if not waiting:
        return free, None
    by_id = {str(a.id): a for a in waiting}
    pick = next_from_waitlist(
        [*(_candidate(a) for a in participants), _FREED],
        waitlist_order(_candidate(a) for a in waiting),
        targets_of(event),
        _FREED.id,
    )
    return free, (by_id[pick.id] if pick else None)


def _seat_freed(event: Event) -> Application | None:
    """A participant left: promote the best wait-listed person when the event says so."""
    db.session.refresh(event)
    if not event.auto_promote_waitlist:
        return None
    _, pick = waitlist_offer(event)
    if pick is None:
        return None
    changes: list[Change] = []
    _change(pick, S.INVITED, changes, decided=True)
    db.session.commit()
    _announce(changes)
    return pick


def promote_next(event: Event) -> Application:
    free, pick = waitlist_offer(event)
    if pick is None:
        reason = "no seat is free" if free == 0 else "nobody on the wait-list fits the targets"
        raise Problem(409, "Nobody to promote", [("waitlist", reason)])
    return decide(pick, "invite")


def set_override(application: Application, value: str | None) -> Application:
    if application.status == S.ERASED:
        raise Problem(409, "Erased", [("application", "this application has been erased")])
    application.selection_override = value
    db.session.commit()
    return application


# ---------------------------------------------------------------------------------------
# Targets and the proposal


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
    apps = _event_apps(event, (*SELECTABLE, S.REJECTED))
    pool = [
        a for a in apps
        if (a.status in SELECTABLE and (a.reviews or include_unreviewed or a.status in PARTICIPATING
                                        or a.selection_override))
        or (a.status == S.REJECTED and a.selection_override == "in")
    ]
    forced_in = {str(a.id) for a in pool
                 if a.selection_override == "in" or (a.status in PARTICIPATING and a.selection_override != "out")}
    forced_out = {str(a.id) for a in pool if a.selection_override == "out"}
    selection = propose_selection([_candidate(a) for a in pool], targets_of(event),
                                  forced_in=forced_in, forced_out=forced_out)
    fingerprint = hashlib.sha256(json.dumps(
        [selection.invited, selection.waitlist, selection.excluded, include_unreviewed]
    ).encode()).hexdigest()[:20]
    return Proposal(fingerprint, selection, {str(a.id): a for a in pool})


def apply_selection(event: Event, data: schemas.ApplySelectionIn, include_unreviewed: bool = False) -> dict[str, int]:
    """Apply a proposal the organiser has seen: invite, wait-list and decline in bulk."""
    proposal = propose(event, include_unreviewed)
    if proposal.id != data.proposal_id:
        raise Problem(409, "The proposal has changed", [(
            "proposal_id", "reviews, overrides or targets changed since you looked; look at the proposal again",
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
        _change(application, status, changes, decided=True, at=at)
        counts[label] += 1
    db.session.commit()
    _announce(changes)
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


# ---------------------------------------------------------------------------------------
# Serialisation


def row_dict(a: Application, summary: ReviewSummary) -> dict[str, Any]:
    return {
        "id": a.id, "status": a.status, "name": a.name, "organisation": a.organisation, "job_title": a.job_title,
        "country": a.country, "country_name": country_name(a.country), "region": a.region, "role": a.role,
        "role_other": a.role_other, "languages": list(a.languages or []), "works_with": list(a.works_with or []),
        "selection_override": a.selection_override, "created_at": iso_utc(a.created_at),
        "review": summary.as_dict(),
    }


def full_dict(a: Application, reader_id: int | None) -> dict[str, Any]:
    """The whole application: for organisers (reviews after they scored) or for its owner (no reviews)."""
    summary = summarise(a, reader_id)
    body = row_dict(a, summary)
    body.update({
        "email": a.email, "work_relation": a.work_relation, "key_questions": list(a.key_questions or []),
        "challenges": a.challenges, "share_questions": a.share_questions,
        "reviews": reviews_visible_to(a, reader_id) if reader_id is not None else None,
    })
    if reader_id is None:  # the owner sees their answers, never the reviews
        body["review"] = {"count": 0, "mean": None, "spread": None, "mine": None}
        body["selection_override"] = None
    return body


# ---------------------------------------------------------------------------------------
# Exports


def csv_cell(value: Any) -> str:
    """Spreadsheet-safe text: a cell a spreadsheet would read as a formula starts with a quote."""
    if value is None:
        return ""
    text = "; ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def applications_csv(event: Event) -> str:
    apps = _event_apps(event, list(S))
    header = ["id", "status", "name", "email", "organisation", "job_title", "country", "region", "role",
              "role_other", "languages", "works_with", "work_relation", "key_question_1", "key_question_2",
              "key_question_3", "challenges", "share_questions", "reviews", "mean_score", "created_at"]

    def row(a: Application) -> list[Any]:
        questions = [*list(a.key_questions or []), "", "", ""][:3]
        scores = [r.score for r in a.reviews]
        return [a.id, a.status, a.name, a.email, a.organisation, a.job_title, a.country, a.region, a.role,
                a.role_other, a.languages, a.works_with, a.work_relation, *questions, a.challenges,
                a.share_questions, len(scores), f"{statistics.fmean(scores):.2f}" if scores else "",
                iso_utc(a.created_at)]

    return _csv(header, (row(a) for a in apps))


def participants_csv(event: Event) -> str:
    apps = _event_apps(event, PARTICIPATING)
    header = ["id", "status", "name", "email", "organisation", "job_title", "country", "country_name", "region",
              "role", "role_other", "languages"]
    return _csv(header, ([a.id, a.status, a.name, a.email, a.organisation, a.job_title, a.country,
                          country_name(a.country), a.region, a.role, a.role_other, a.languages]
                         for a in sorted(apps, key=lambda a: ((a.name or "").casefold(), a.id))))


# ---------------------------------------------------------------------------------------
# Labels for pages


LABELS = {
    "roles": {r.value: label for r, label in ROLE_LABELS.items()},
    "regions": {r.value: label for r, label in REGION_LABELS.items()},
    "works_with": {w.value: label for w, label in WORKS_WITH_LABELS.items()},
}
