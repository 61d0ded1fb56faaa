"""Calendar invitations: who gets which iTIP message when, and rendering it in the worker.

Rules (issue #4):
* status enters invited/accepted → REQUEST (SEQUENCE 0 the first time; a re-invitation after
  a CANCEL continues above it);
* the meeting's days, times or status change → every invitee holding a REQUEST gets an
  update (same UID, their SEQUENCE + 1); the meeting cancelled → CANCEL to each of them;
  reinstated → a new REQUEST;
* status leaves invited/accepted for waitlisted/rejected/withdrawn/erased → CANCEL
  (STATUS:CANCELLED, higher SEQUENCE). A person who *declined* answered the invitation
  themselves and gets no CANCEL.

Each message is an ``OutboundMail`` row keyed ``invite:<application>:<UID>:<SEQUENCE>:<METHOD>``
(unique), queued without a body; the worker renders it at its first delivery attempt with
the meeting as it is then (a fresh DTSTAMP), so a change touching 1,000 invitees costs the
request 1,000 small inserts, not 1,000 renders.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from server.core.calendar import (
    AgendaEntry,
    CalendarLabels,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
    RoomEntry,
)
from server.core.invite_mail import (
    InviteKind,
    Mailbox,
    build_invitation_email,
    build_simple_email,
    make_message_id,
)
from server.dispatch import job_handler
from server.extensions import db
from server.i18n import recipient_locale
from server.invitations import links
from server.localize import localized, room_label
from server.mail import Pending, SkipMail, queue_mail, queue_unrendered, register_renderer
from server.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    BreakoutRoom,
    BreakoutRound,
    CalendarInvitation,
    Event,
    OutboundMail,
    RoomAssignment,
    ScheduledJob,
)
from server.models.applications import PARTICIPATING
from server.models.types import utcnow

log = logging.getLogger(__name__)

UNINVITED = (ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED,
             ApplicationStatus.WITHDRAWN, ApplicationStatus.ERASED)
MEETING_CHANGES = ("time", "dates", "status")
REMINDER_KIND = "invitation_reminder"
REMINDER_MAIL = "reminder"  # the mail row's kind
REMINDER_BEFORE = timedelta(days=1)
KINDS = tuple(k.value for k in InviteKind)


# ----------------------------------------------------------------------------- plain data


def domain() -> str:
    host = urlsplit(links.base_url()).hostname or "convene.local"
    return host if "." in host else f"{host}.local"


def public_url(event: Event) -> str:
    return f"{links.base_url()}/events/{event.slug}"


def meeting_info(event: Event, language: str | None = None) -> MeetingInfo:
    """The meeting for calendars, its texts in `language` (default: the current one) where translated."""
    return MeetingInfo(
        uid=event.calendar_uid,
        title=localized(event, "title", language),
        description=localized(event, "summary", language),
        organiser_name=event.organiser_name or event.title,
        organiser_email=event.organiser_email,
        zone=event.timezone,
        mornings=tuple(Morning(d.starts_at, d.ends_at) for d in event.days),
        public_url=public_url(event),
        status=MeetingStatus.CANCELLED if event.status == "cancelled" else MeetingStatus.CONFIRMED,
    )


def calendar_labels() -> CalendarLabels:
    """The words calendars add, in the current (forced) language: call inside recipient_locale."""
    from flask_babel import gettext as _

    return CalendarLabels(personal_link=_("Your personal link:"), breakout_room=_("Break-out room:"),
                          video_link=_("Video link:"), personal_feed=_("{title} (personal)"),
                          facilitated_by=_("Facilitated by:"))


def invitee_id(application_id: int) -> str:
    return f"application-{application_id}"


def message_key(application_id: int, uid: str, sequence: int, method: str) -> str:
    return f"invite:{application_id}:{uid}:{sequence}:{method}"


def parse_key(key: str) -> tuple[int, str, int, str]:
    _, app_id, rest = key.split(":", 2)
    uid, sequence, method = rest.rsplit(":", 2)
    return int(app_id), uid, int(sequence), method


# ----------------------------------------------------------------------------- queueing


def _subject(kind: InviteKind, event: Event) -> str:
    # Provisional; the rendered message's own Subject replaces it at delivery.
    return {"invitation": "Invitation: ", "update": "Updated invitation: ",
            "cancellation": "Cancelled: "}[kind.value] + event.title


def _allocate(application: Application, row: CalendarInvitation,
              kind: InviteKind) -> tuple[InviteKind, int, str] | None:
    """Next (kind, SEQUENCE, METHOD) for this invitee, recorded on their row; None: nothing
    to send (a CANCEL for someone whose calendar holds nothing, or no address)."""
    if kind is InviteKind.CANCELLATION:
        if row.method != "REQUEST" or not row.email:
            return None
        method = "CANCEL"
    else:
        if not application.email:
            return None
        method = "REQUEST"
        row.email, row.name = application.email, application.name or application.email
        # Make sure the personal link can be derived (applications made before links were
        # derived had a random one; it is replaced once, here).
        links.access_token(application, row)
    sequence = 0 if row.sequence is None else row.sequence + 1
    if kind is InviteKind.UPDATE and sequence == 0:
        kind = InviteKind.INVITATION
    row.sequence, row.method = sequence, method
    return kind, sequence, method


def _pending(application: Application, row: CalendarInvitation, event: Event,
             kind: InviteKind, sequence: int, method: str) -> Pending:
    return Pending(
        key=message_key(application.id, event.calendar_uid, sequence, method), kind=kind.value,
        to_address=str(row.email), subject=_subject(kind, event),
        message_id=make_message_id((invitee_id(application.id), event.calendar_uid, str(sequence),
                                    method), domain()),
        event_id=event.id, application_id=application.id,
    )


def queue_message(application: Application, kind: InviteKind, *,
                  render_now: bool = False) -> OutboundMail | None:
    """Allocate the invitee's next SEQUENCE and queue one REQUEST or CANCEL for them."""
    event = application.event
    row = links.invitation_row(application)
    allocated = _allocate(application, row, kind)
    if allocated is None:
        return None
    kind, sequence, method = allocated
    if render_now:
        message = render_invitation(application, row, event, sequence, kind)
        return queue_mail(message, key=message_key(application.id, event.calendar_uid, sequence, method),
                          kind=kind.value, event_id=event.id, application_id=application.id)
    return queue_unrendered([_pending(application, row, event, kind, sequence, method)])[0]


def queue_many(event: Event, plan: list[tuple[Application, InviteKind]]) -> int:
    """Queue one message per (application, kind) with three queries in all, not per person."""
    ids = [a.id for a, _ in plan]
    rows = {r.application_id: r for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500))
            for r in db.session.scalars(select(CalendarInvitation)
                                        .where(CalendarInvitation.application_id.in_(chunk)))}
    pending = []
    for application, kind in plan:
        row = rows.get(application.id)
        if row is None:
            row = rows[application.id] = CalendarInvitation(application_id=application.id,
                                                            event_id=application.event_id)
            db.session.add(row)
        allocated = _allocate(application, row, kind)
        if allocated is not None:
            pending.append(_pending(application, row, event, *allocated))
    queue_unrendered(pending)
    return len(pending)


def render_invitation(application: Application, row: CalendarInvitation, event: Event,
                      sequence: int, kind: InviteKind, now: datetime | None = None) -> EmailMessage:
    # A CANCEL needs no personal link, and may be stored rendered (erasure, address change):
    # the mail table never holds a personal link in clear (issue 11, item 5).
    wants_link = application.email and kind is not InviteKind.CANCELLATION
    token = links.access_token(application, row) if wants_link else None
    personal_url = f"{links.base_url()}/p/{token}" if token else public_url(event)
    invitee = Invitee(
        id=invitee_id(application.id), name=row.name or row.email or "", email=str(row.email),
        personal_url=personal_url, sequence=sequence,
    )
    with recipient_locale(application) as language:  # calendar texts in the invitee's language
        message = build_invitation_email(meeting_info(event, language), invitee, kind, now=now or utcnow(),
                                         domain=domain(), texts=_texts(event, application, kind, invitee),
                                         labels=calendar_labels())
    return message


def _texts(event: Event, application: Application, kind: InviteKind, invitee: Invitee) -> tuple[str, str]:
    """Subject and body from the meeting's message texts, in the invitee's language."""
    from server.messages import render_message

    key = kind.value
    if kind is InviteKind.CANCELLATION and event.status != "cancelled":
        key = "withdrawal"  # the meeting goes on; this person's invitation does not
    return render_message(event, key, application.language, invitee.name, invitee.personal_url)


def _render(mail: OutboundMail) -> EmailMessage:
    """Renderer for queued invitation rows: the meeting as it is now, a fresh DTSTAMP."""
    application_id, _uid, sequence, method = parse_key(mail.idempotency_key)
    application = db.session.get(Application, application_id)
    if application is None:
        raise SkipMail("the application no longer exists")
    event = application.event
    row = links.invitation_row(application)
    kind = InviteKind(mail.kind)
    if method == "REQUEST":
        if event.status == "cancelled":
            raise SkipMail("superseded: the meeting was cancelled")
        if application.status not in PARTICIPATING:
            raise SkipMail(f"superseded: the application is {application.status}")
    if not row.email:
        raise SkipMail("no address to send to")
    return render_invitation(application, row, event, sequence, kind)


for _kind in InviteKind:
    register_renderer(_kind.value, _render)


def participants(event: Event) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.event_id == event.id,
                                  Application.status.in_([s.value for s in PARTICIPATING]))
        .order_by(Application.id)
    ))


def holders(event: Event) -> list[Application]:
    """Applications whose calendar holds this meeting (their last message was a REQUEST)."""
    return list(db.session.scalars(
        select(Application).join(CalendarInvitation,
                                 CalendarInvitation.application_id == Application.id)
        .where(Application.event_id == event.id, CalendarInvitation.method == "REQUEST")
        .order_by(Application.id)
    ))


def _lock_rows(event: Event) -> None:
    """Serialise SEQUENCE allocation for one event (PostgreSQL row locks; SQLite serialises)."""
    db.session.execute(
        select(CalendarInvitation.id).where(CalendarInvitation.event_id == event.id)
        .with_for_update()
    ).all()


# ----------------------------------------------------------------------------- reminders


def schedule_reminder(event: Event) -> None:
    """One pending reminder job per event, due a day before the first morning."""
    pending = list(db.session.scalars(
        select(ScheduledJob).where(ScheduledJob.event_id == event.id,
                                   ScheduledJob.kind == REMINDER_KIND,
                                   ScheduledJob.done_at.is_(None))
    ))
    if event.status == "cancelled" or not event.days:
        for job in pending:
            db.session.delete(job)
        return
    due = min(d.starts_at for d in event.days) - REMINDER_BEFORE
    if pending:
        for job in pending[1:]:
            db.session.delete(job)
        pending[0].due_at = due
    else:
        db.session.add(ScheduledJob(event_id=event.id, kind=REMINDER_KIND, due_at=due))


@job_handler(REMINDER_KIND)
def send_reminders(job: ScheduledJob) -> None:
    event = db.session.get(Event, job.event_id)
    if event is None or event.status == "cancelled" or not event.days:
        return
    now = utcnow()
    if min(d.starts_at for d in event.days) <= now:
        return  # too late to remind
    from server.messages import render_message

    for application in holders(event):
        if application.status not in PARTICIPATING:
            continue
        row = links.invitation_row(application)
        key = f"reminder:{application.id}:{job.id}"
        subject, _ = render_message(event, "reminder", application.language, row.name or "", "")
        # Queued unrendered: the personal link is derived when the mail is sent, never stored.
        queue_mail(None, key=key, kind=REMINDER_MAIL, event_id=event.id, application_id=application.id,
                   to_address=str(row.email), subject=subject, message_id=make_message_id((key,), domain()))


def _render_reminder(mail: OutboundMail) -> EmailMessage:
    from server.messages import render_message

    application = db.session.get(Application, mail.application_id) if mail.application_id else None
    if application is None or application.status not in PARTICIPATING:
        raise SkipMail("superseded: no longer a participant")
    event = application.event
    meeting = meeting_info(event, application.language)
    row = links.invitation_row(application)
    token = links.access_token(application, row, create=False)
    link = f"{links.base_url()}/p/{token}" if token else meeting.public_url
    subject, text = render_message(event, "reminder", application.language, row.name or "", link)
    return build_simple_email(
        sender=Mailbox(meeting.organiser_name, meeting.organiser_email),
        to=Mailbox(row.name or "", mail.to_address), subject=subject,
        text=text, key=(mail.idempotency_key,), domain=domain(), now=utcnow(),
    )


register_renderer(REMINDER_MAIL, _render_reminder)


# ----------------------------------------------------------------------------- signals


def _guarded(fn: Any) -> Any:
    """Receivers run after the sender's commit: commit our own rows, and never let a mail
    problem turn the organiser's successful change into an error (except under test)."""

    def receiver(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("calendar invitations: %s failed", fn.__name__)
            if current_app.config.get("TESTING"):
                raise

    receiver.__name__ = fn.__name__
    return receiver


@_guarded
def on_application_status_changed(application: Application, *, old: str | None = None,
                                  new: str | None = None, **_: Any) -> None:
    new = new or application.status
    if application.event.status == "cancelled":
        return
    if new in PARTICIPATING:
        row = links.invitation_row(application)
        if row.method != "REQUEST" or (row.email and application.email and row.email != application.email):
            if row.method == "REQUEST":  # address changed: cancel at the old one first
                queue_message(application, InviteKind.CANCELLATION, render_now=True)
            queue_message(application, InviteKind.INVITATION)
            schedule_reminder(application.event)
    elif new in UNINVITED:
        erased = new == ApplicationStatus.ERASED
        queue_message(application, InviteKind.CANCELLATION, render_now=erased)
        if erased:  # the CANCEL is rendered; keep no copy of the address or the name
            row = links.invitation_row(application)
            row.email = row.name = row.link_salt = row.feed_salt = None
            application.feed_token_hash = None


@_guarded
def on_meeting_changed(event: Event, *, what: str = "", **_: Any) -> None:
    if what not in MEETING_CHANGES:
        return
    _lock_rows(event)
    plan: list[tuple[Application, InviteKind]] = []
    if event.status == "cancelled":
        plan = [(a, InviteKind.CANCELLATION) for a in holders(event)]
    else:
        methods = dict(db.session.execute(
            select(CalendarInvitation.application_id, CalendarInvitation.method)
            .where(CalendarInvitation.event_id == event.id)).all())
        for application in participants(event):
            if methods.get(application.id) != "REQUEST":  # never invited, or cancelled with the meeting
                plan.append((application, InviteKind.INVITATION))
            elif what != "status":
                plan.append((application, InviteKind.UPDATE))
    queue_many(event, plan)
    event.calendar_sequence = (event.calendar_sequence or 0) + 1
    schedule_reminder(event)


@_guarded
def on_agenda_changed(event: Event, **_: Any) -> None:
    """Feeds take LAST-MODIFIED from the event: an agenda edit touches it."""
    event.updated_at = utcnow()


def connect() -> None:
    from server.signals import agenda_changed, application_status_changed, meeting_changed

    application_status_changed.connect(on_application_status_changed)
    meeting_changed.connect(on_meeting_changed)
    agenda_changed.connect(on_agenda_changed)


# ----------------------------------------------------------------------------- feeds data


def last_modified(event: Event, extra: Iterable[datetime | None] = ()) -> datetime:
    stamps = [event.updated_at, event.created_at, *extra]
    return max(s for s in stamps if s is not None)


def agenda_entries(event: Event, language: str | None = None) -> list[AgendaEntry]:
    items: list[AgendaItem] = event.items
    return [
        AgendaEntry(uid=f"item-{item.id}.{event.calendar_uid}", title=localized(item, "title", language),
                    start_utc=item.starts_at, end_utc=item.ends_at,
                    description=localized(item, "description", language), kind=item.kind)
        for item in items
    ]


def _room_facilitators(event: Event, room: BreakoutRoom) -> tuple[str, ...]:
    """Who leads a room, as its members see them on the meeting page: chosen participants, then
    the member of staff placed there (if they still facilitate)."""
    from server.breakouts import facilitators

    led = db.session.scalars(
        select(Application.name).join(RoomAssignment, RoomAssignment.application_id == Application.id)
        .where(RoomAssignment.room_id == room.id, Application.is_facilitator.is_(True),
               Application.status.in_([s.value for s in PARTICIPATING]), Application.name.is_not(None))
        .order_by(Application.name))
    names = [str(name) for name in led if name]
    staff = facilitators.room_staff([room], event.id).get(room.id)
    if staff is not None:
        names.append(facilitators.staff_dict(staff)["name"])
    return tuple(names)


def room_entries(event: Event, application: Application,
                 language: str | None = None) -> tuple[list[RoomEntry], list[datetime | None]]:
    """The participant's room in each published round that sits on an agenda item (names in `language`)."""
    rows = db.session.execute(
        select(BreakoutRound, BreakoutRoom, AgendaItem)
        .join(RoomAssignment, RoomAssignment.round_id == BreakoutRound.id)
        .join(BreakoutRoom, BreakoutRoom.id == RoomAssignment.room_id)
        .join(AgendaItem, AgendaItem.id == BreakoutRound.agenda_item_id)
        .where(BreakoutRound.event_id == event.id, BreakoutRound.status == "published",
               RoomAssignment.application_id == application.id)
        .order_by(AgendaItem.starts_at, BreakoutRound.id)
    ).all()
    entries = [
        RoomEntry(uid=f"room-{rnd.id}-{application.id}.{event.calendar_uid}",
                  round_title=localized(item, "title", language) if rnd.title == item.title else rnd.title,
                  room_name=room_label(room.name, language),
                  video_url=room.video_url or event.video_url or public_url(event),
                  start_utc=item.starts_at, end_utc=item.ends_at, facilitators=_room_facilitators(event, room))
        for rnd, room, item in rows
    ]
    return entries, [rnd.published_at for rnd, _, _ in rows]
