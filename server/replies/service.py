"""What one mailed answer does: record it once, and change the participant as the personal
page's buttons do.

One message, one transaction: the ``InboundReply`` row (unique per Message-ID) and the
participant's change are committed together by ``lifecycle.respond`` (it commits once and
announces after). A second reading of the same message finds the row and changes nothing.

Personal-page answers arrive here as ``application_status_changed`` signals and are recorded
as such on the invitation row, so organisers see where each answer came from.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from server.core import replies as core
from server.core.replies import N_
from server.extensions import db
from server.models import Application, CalendarInvitation, Event, InboundReply
from server.models.applications import PARTICIPATING, ApplicationStatus
from server.models.types import utcnow
from server.problems import Problem

log = logging.getLogger(__name__)

CALENDAR = "calendar"
PERSONAL_PAGE = "personal-page"
REJECTED = "rejected"
DUPLICATE = "duplicate"
# The application whose calendar answer is being applied (its signal is not a personal-page answer).
_FROM_CALENDAR: contextvars.ContextVar[int | None] = contextvars.ContextVar("reply_for", default=None)


# The applications feature's public functions, imported in these two places only.
def _respond(application: Application, response: str) -> Application:
    """The personal page's own accept/decline."""
    from server.applications import lifecycle

    return lifecycle.respond(application, response)


def _promote_one(event: Event) -> None:
    """What the applications feature does when a seat is freed: invite the best wait-listed
    person, when the event says so and a seat is free (so it never promotes twice)."""
    from server.applications import waitlist

    waitlist.seat_freed(event)


@dataclass(frozen=True)
class Outcome:
    outcome: str                 # an InboundReply.outcome, or "duplicate"
    reason: str = ""
    reply_id: int | None = None


# ----------------------------------------------------------------------------- lookups


def _lease() -> timedelta:
    settings = current_app.config.get("SETTINGS")
    return timedelta(seconds=int(getattr(settings, "INBOX_LEASE", 120)))


def _existing(key: str) -> InboundReply | None:
    return db.session.scalar(select(InboundReply).where(InboundReply.dedupe_key == key))


def _invitee(event: Event, email: str) -> tuple[Application, CalendarInvitation] | None:
    row = db.session.execute(
        select(Application, CalendarInvitation)
        .join(CalendarInvitation, CalendarInvitation.application_id == Application.id)
        .where(CalendarInvitation.event_id == event.id, func.lower(CalendarInvitation.email) == email)
        .order_by(CalendarInvitation.id.desc())
    ).first()
    return (row[0], row[1]) if row else None


def _match(reply: core.ItipMessage, sender: str) -> tuple[Event, Application, CalendarInvitation, core.Verdict]:
    event = db.session.scalar(select(Event).where(Event.calendar_uid == reply.uid))
    if event is None:
        raise core.Refused(N_("No meeting has the UID %(uid)s."), uid=reply.uid[:120])
    # Try the attendee who is the sender first: a reply may list several ATTENDEEs.
    emails = sorted({a.email for a in reply.attendees}, key=lambda e: e != sender)
    first: core.Refused | None = None
    for email in emails:
        found = _invitee(event, email)
        if found is None:
            continue
        application, invitation = found
        state = core.InviteeState(email=str(invitation.email), sequence=invitation.sequence,
                                  method=invitation.method, answered_sequence=invitation.answer_sequence)
        try:
            return event, application, invitation, core.judge(reply, sender, state)
        except core.Refused as refused:
            first = first or refused
    raise first or core.Refused(N_("No ATTENDEE of the answer was invited to this meeting."))


# ----------------------------------------------------------------------------- recording


def _record(env: core.Envelope, source: str, **values: Any) -> InboundReply:
    row = InboundReply(dedupe_key=env.dedupe_key, message_id=env.message_id, source=source,
                       sender=env.sender or None, subject=env.subject or None, **values)
    db.session.add(row)
    db.session.flush()  # the unique key: a racing reader fails here, before any change
    return row


def _reason(refused: core.Refused | None) -> dict[str, Any]:
    if refused is None:
        return {}
    return {"reason": refused.reason, "reason_template": refused.template,
            "reason_params": dict(refused.params)}


def _refuse(env: core.Envelope, source: str, refused: core.Refused,
            reply: core.ItipMessage | None = None, event_id: int | None = None) -> Outcome:
    db.session.rollback()
    fields: dict[str, Any] = {"event_id": event_id, **_reason(refused)}
    if reply is not None:
        # what the message asked, so organisers see it (a forged "DECLINED" reads as one)
        fields.update(method=reply.method, sequence=reply.sequence, partstat=_asked(reply, env.sender))
    try:
        row = _record(env, source, outcome=REJECTED, **fields)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return Outcome(DUPLICATE)
    return Outcome(REJECTED, refused.reason, row.id)


def _asked(reply: core.ItipMessage, sender: str) -> str | None:
    """The answer a message gives: the sender's ATTENDEE's, else its only ATTENDEE's."""
    mine = [a.partstat for a in reply.attendees if a.email == sender]
    if not mine and len(reply.attendees) == 1:
        mine = [reply.attendees[0].partstat]
    return (mine[0] or None) if mine else None


def process(raw: bytes, source: str, *, whole: bool = True) -> Outcome:
    """Read one message and act on it, at most once per Message-ID (or per byte content).

    ``whole=False``: ``raw`` is only the head of a message larger than ``core.MAX_BYTES``
    (the readers never load such a message whole); it is recorded and kept aside."""
    env = core.envelope(raw)
    db.session.rollback()  # committed state only
    existing = _existing(env.dedupe_key)
    if existing is not None:
        finish_promotion(existing)
        return Outcome(DUPLICATE, existing.reason or "", existing.id)
    if not whole:
        return _refuse(env, source, core.Refused(core.TOO_LARGE))
    try:
        reply = core.read_itip(raw)
    except core.Refused as refused:
        return _refuse(env, source, refused)
    if env.unconfirmed:  # the From line may be anyone's: the receiving server could not confirm it
        uid_event = db.session.scalar(select(Event.id).where(Event.calendar_uid == reply.uid))
        refused = core.Refused(N_("Our mail server could not confirm that %(sender)s sent this (%(check)s "
                                  "failed); it may be forged."),
                               sender=env.sender or "-", check=env.unconfirmed.upper())
        return _refuse(env, source, refused, reply, uid_event)
    try:
        event, application, invitation, verdict = _match(reply, env.sender)
    except core.Refused as refused:
        uid_event = db.session.scalar(select(Event.id).where(Event.calendar_uid == reply.uid))
        return _refuse(env, source, refused, reply, uid_event)
    try:
        return _apply(env, source, reply, event, application, invitation, verdict)
    except IntegrityError:
        db.session.rollback()
        return Outcome(DUPLICATE)


# ----------------------------------------------------------------------------- acting


def _apply(env: core.Envelope, source: str, reply: core.ItipMessage, event: Event,
           application: Application, invitation: CalendarInvitation,
           verdict: core.Verdict) -> Outcome:
    row = _record(env, source, outcome="applied", event_id=event.id, application_id=application.id,
                  method=reply.method, partstat=_asked(reply, env.sender), sequence=reply.sequence,
                  comment=reply.comment or None, **_reason(verdict.note))
    action = verdict.action
    if action in (core.Action.ACCEPT, core.Action.DECLINE):
        return _answer(row, application, invitation, reply, action)
    if action is core.Action.TENTATIVE:
        if application.status not in PARTICIPATING:
            refused = core.Refused(N_("Tentative, but the invitation is %(status)s."),
                                   status=application.status)
            return _refuse(env, source, refused, reply, event.id)
        _note_answer(invitation, "tentative", reply.sequence)
        row.outcome = "tentative"
    elif action is core.Action.COUNTER:
        row.outcome, row.proposed_start, row.proposed_end = "counter", reply.proposed_start, reply.proposed_end
    else:  # REFRESH, or a yes to an older version: send the current REQUEST again
        from server.replies.refresh import queue_refresh

        if application.status not in PARTICIPATING:  # declined: there is nothing to send again
            refused = core.Refused(N_("Nothing is sent again: the invitation is %(status)s."),
                                   status=application.status)
            return _refuse(env, source, refused, reply, event.id)
        row.outcome = "refreshed" if action is core.Action.REFRESH else "asked-again"
        if not queue_refresh(application, row):
            note = core.Refused(N_("The invitation was sent again less than an hour ago; "
                                   "it is not sent once more."))
            row.reason, row.reason_template, row.reason_params = note.reason, note.template, {}
    db.session.commit()
    return Outcome(row.outcome, row.reason or "", row.id)


def _note_answer(invitation: CalendarInvitation, answer: str, sequence: int | None) -> None:
    invitation.answer, invitation.answer_source = answer, CALENDAR
    invitation.answered_at, invitation.answer_sequence = utcnow(), sequence


def _answer(row: InboundReply, application: Application, invitation: CalendarInvitation,
            reply: core.ItipMessage, action: core.Action) -> Outcome:
    """Accept or decline through the personal page's own function; it commits our row with
    the status change (one transaction) and then promotes from the wait-list."""
    frees_seat = action is core.Action.DECLINE and application.status in PARTICIPATING
    if frees_seat and application.event.auto_promote_waitlist:
        row.promotion_due_at = utcnow()
    _note_answer(invitation, "accepted" if action is core.Action.ACCEPT else "declined", reply.sequence)
    token = _FROM_CALENDAR.set(application.id)
    try:
        _respond(application, "accept" if action is core.Action.ACCEPT else "decline")
    except Problem as problem:
        reason = "; ".join(e["reason"] for e in problem.errors) or problem.title
        env = core.Envelope(row.dedupe_key, row.message_id, row.sender or "", row.subject or "")
        return _refuse(env, row.source, core.Refused(N_("Not applied: %(reason)s"), reason=reason),
                       reply, row.event_id)
    finally:
        _FROM_CALENDAR.reset(token)
    reply_id = row.id
    # respond() has promoted already (its own second transaction): the job is done.
    db.session.execute(update(InboundReply).where(InboundReply.id == reply_id)
                       .values(promotion_due_at=None))
    db.session.commit()
    return Outcome("applied", "", reply_id)


def finish_promotion(row: InboundReply) -> None:
    """A worker died between the decline's commit and its wait-list promotion: promote now.

    Promotion reads the free seats, so running it after a promotion that did happen promotes
    nobody. The claim (moving ``promotion_due_at`` forward by one lease) keeps two readers
    from promoting for the same answer at once."""
    if row.promotion_due_at is None:
        return
    now = utcnow()
    if now - row.promotion_due_at < _lease():
        return  # its own worker may still be at it
    claimed = db.session.execute(
        update(InboundReply).where(InboundReply.id == row.id,
                                   InboundReply.promotion_due_at == row.promotion_due_at)
        .values(promotion_due_at=now)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return
    event = db.session.get(Event, row.event_id)
    if event is not None:
        _promote_one(event)
    db.session.execute(update(InboundReply).where(InboundReply.id == row.id).values(promotion_due_at=None))
    db.session.commit()


def finish_promotions() -> int:
    """Every answer whose promotion a dead worker left unfinished (each poll runs this)."""
    rows = list(db.session.scalars(select(InboundReply).where(InboundReply.promotion_due_at.is_not(None))))
    for row in rows:
        finish_promotion(row)
    return len(rows)


# ----------------------------------------------------------------------------- signals


def on_status_changed(application: Application, *, old: str | None = None, new: str | None = None,
                      **_: Any) -> None:
    """Record personal-page answers, clear answers on a fresh invitation, forget senders on
    erasure. ``operations`` commits after announcing; this only changes rows."""
    new = new or application.status
    invitation = db.session.scalar(select(CalendarInvitation)
                                   .where(CalendarInvitation.application_id == application.id))
    if new == ApplicationStatus.ERASED:
        db.session.execute(update(InboundReply).where(InboundReply.application_id == application.id)
                           .values(sender=None, subject=None, comment=None))
    if invitation is None or _FROM_CALENDAR.get() == application.id:
        return
    if new in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED) and old in PARTICIPATING:
        invitation.answer, invitation.answer_source = str(new), PERSONAL_PAGE
        # the page shows the current version: the answer is to the SEQUENCE sent last
        invitation.answered_at = application.responded_at or utcnow()
        invitation.answer_sequence = invitation.sequence
    elif new == ApplicationStatus.INVITED and old not in PARTICIPATING:
        invitation.answer = invitation.answer_source = None
        invitation.answered_at = invitation.answer_sequence = None
    db.session.commit()


def connect() -> None:
    from server.signals import application_status_changed

    application_status_changed.connect(on_status_changed)
