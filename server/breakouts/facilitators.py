"""Who facilitates an event's break-out rooms (issue 14): participants the organisers chose
(``Application.is_facilitator``) and staff members (organisers or moderators) they marked
(``EventFacilitator``). Rounds place one facilitator per room: participants through the engine,
staff in the rooms left without one (``server.sessions.breakouts.staff``).

Every write validates first and raises a ``Problem`` naming the field before anything changes;
the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.extensions import db
from server.models import (
    Application,
    BreakoutRoom,
    BreakoutRound,
    Event,
    EventFacilitator,
    RoomAssignment,
    StaffRole,
    User,
)
from server.problems import invalid

STAFF_ROLES = (str(StaffRole.ORGANISER), str(StaffRole.MODERATOR))


def staff_members() -> list[User]:
    """Every organiser and moderator account, by name."""
    return list(db.session.scalars(
        select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.id)))


def staff_facilitators(event_id: int) -> list[User]:
    """The staff members who facilitate this event's rooms, by name (the order rooms get them in)."""
    return list(db.session.scalars(
        select(User).join(EventFacilitator, EventFacilitator.user_id == User.id)
        .where(EventFacilitator.event_id == event_id, User.role.in_(STAFF_ROLES))
        .order_by(User.name, User.id)))


def staff_facilitator_ids(event_id: int) -> set[int]:
    return {u.id for u in staff_facilitators(event_id)}


def _staff(user_id: int, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise invalid(field, _("no staff member with this id"))
    if user.role not in STAFF_ROLES:
        raise invalid(field, _("is not a staff member (an organiser or a moderator)"))
    return user


def set_staff(event: Event, user_id: int, facilitates: bool, field: str = "user_id") -> tuple[User, list[BreakoutRoom]]:
    """Mark or unmark a staff member as a facilitator of this event (no commit). Unmarking also
    frees the rooms they held in the event's rounds; those rooms are returned, so that after the
    commit their members can be told (``tell_freed``)."""
    user = _staff(user_id, field)
    row = db.session.get(EventFacilitator, (event.id, user.id))
    freed: list[BreakoutRoom] = []
    if facilitates and row is None:
        db.session.add(EventFacilitator(event_id=event.id, user_id=user.id))
    elif not facilitates and row is not None:
        db.session.delete(row)
        freed = list(db.session.scalars(
            select(BreakoutRoom).join(BreakoutRound, BreakoutRoom.round_id == BreakoutRound.id)
            .where(BreakoutRound.event_id == event.id, BreakoutRoom.facilitator_user_id == user.id)))
        for room in freed:
            room.facilitator_user_id = None
    db.session.flush()
    return user, freed


def tell_freed(rooms: Sequence[BreakoutRoom]) -> int:
    """After the commit: the members of rooms that lost their staff facilitator, in a published
    round that is running, get their room again (``room:assigned``) without that name."""
    from server.breakouts import notify

    told = 0
    for round_id in sorted({room.round_id for room in rooms}):
        rnd = db.session.get(BreakoutRound, round_id)
        members = db.session.scalars(select(RoomAssignment.application_id).where(
            RoomAssignment.room_id.in_([room.id for room in rooms if room.round_id == round_id])))
        if rnd is not None:
            told += notify.tell(rnd, list(members))
    return told


def set_participant(event: Event, application_id: int, facilitates: bool,
                    field: str = "application_id") -> Application:
    """Mark or unmark an applicant of this event as a facilitator (no commit)."""
    application = db.session.get(Application, application_id)
    if application is None or application.event_id != event.id or application.erased_at is not None:
        raise invalid(field, _("no application with this id in this event"))
    application.is_facilitator = facilitates
    return application


def place_in_rooms(event_id: int, rooms: Sequence[BreakoutRoom], covered: Sequence[bool]) -> None:
    """Give each room without a participant facilitator one of the event's staff facilitators."""
    from server.sessions.breakouts.staff import place_staff

    placed = place_staff(covered, [u.id for u in staff_facilitators(event_id)])
    for room, user_id in zip(rooms, placed, strict=True):
        room.facilitator_user_id = user_id


def room_staff(rooms: Sequence[BreakoutRoom], event_id: int) -> dict[int, User]:
    """``{room id: staff facilitator}`` for rooms held by someone who still facilitates."""
    held = {room.id: room.facilitator_user_id for room in rooms if room.facilitator_user_id}
    if not held:
        return {}
    staff = {u.id: u for u in staff_facilitators(event_id)}
    return {room_id: staff[user_id] for room_id, user_id in held.items() if user_id in staff}


def staff_dict(user: User) -> dict[str, Any]:
    """A staff facilitator as rooms show them: id, name and role, never an email."""
    return {"user_id": user.id, "name": user.name or user.role.title(), "role": user.role}


def rooms_of(event: Event, user_id: int) -> list[dict[str, Any]]:
    """The rooms a staff member facilitates in this event's rounds (published first, then drafts)."""
    return _held_rooms(event, user_id) if user_id in staff_facilitator_ids(event.id) else []


def _held_rooms(event: Event, user_id: int) -> list[dict[str, Any]]:
    """The rooms stored with this staff member as facilitator (the caller knows they still are)."""
    rows = db.session.execute(
        select(BreakoutRound, BreakoutRoom).join(BreakoutRoom, BreakoutRoom.round_id == BreakoutRound.id)
        .where(BreakoutRound.event_id == event.id, BreakoutRoom.facilitator_user_id == user_id)
        .order_by(BreakoutRound.status.desc(), BreakoutRound.id, BreakoutRoom.number))
    return [{"round_id": rnd.id, "round_title": rnd.title, "status": rnd.status, "room_id": room.id,
             "room_name": room.name, "topic": room.topic, "video_url": room.video_url or event.video_url}
            for rnd, room in rows]


def listing(event: Event) -> dict[str, Any]:
    """Who facilitates: the participants chosen, and every staff member with whether they do."""
    chosen = staff_facilitator_ids(event.id)
    participants = db.session.scalars(
        select(Application).where(Application.event_id == event.id, Application.is_facilitator.is_(True),
                                  Application.erased_at.is_(None)).order_by(Application.name, Application.id))
    return {
        "participants": [{"application_id": a.id, "name": a.name, "status": a.status,
                          "offers_to_facilitate": bool(a.offers_to_facilitate)} for a in participants],
        "staff": [{**staff_dict(u), "facilitator": u.id in chosen,
                   "rooms": _held_rooms(event, u.id) if u.id in chosen else []} for u in staff_members()],
    }
