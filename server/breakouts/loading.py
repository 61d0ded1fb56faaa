"""Break-out rounds as stored: the rounds of an event, their participants, earlier rounds, and the
current arrangement of a round's rooms (members in number order, locks, who is not placed yet)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from server.core.vocab import Region, Role
from server.extensions import db
from server.models import AgendaItem, Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment
from server.models.applications import PARTICIPATING
from server.problems import invalid, not_found
from server.sessions.breakouts import Person, RoomSpec, Round

_FAR = datetime.max.replace(tzinfo=UTC)


def rounds_of(event: Event) -> list[BreakoutRound]:
    rounds = list(db.session.scalars(select(BreakoutRound).where(BreakoutRound.event_id == event.id)))
    keys = _order_keys(rounds)
    return sorted(rounds, key=lambda r: keys[r.id])


def get_round(event: Event, round_id: int) -> BreakoutRound:
    rnd = db.session.get(BreakoutRound, round_id)
    if rnd is None or rnd.event_id != event.id:
        raise not_found("break-out round")
    return rnd


def participants(event_id: int) -> list[Application]:
    """Accepted and invited applications of the event, not erased, in id order."""
    return list(db.session.scalars(
        select(Application)
        .where(Application.event_id == event_id, Application.status.in_(PARTICIPATING),
               Application.erased_at.is_(None))
        .order_by(Application.id)
    ))


def participant(event_id: int, application_id: int, field: str = "application_id") -> Application:
    application = db.session.get(Application, application_id)
    if (application is None or application.event_id != event_id or application.status not in PARTICIPATING
            or application.erased_at is not None):
        raise invalid(field, "no accepted or invited participant with this id in this event")
    return application


def person(application: Application) -> Person:
    return Person(
        id=str(application.id),
        role=Role(application.role),
        region=Region(application.region),
        country=application.country,
        organisation=application.organisation or "",
        languages=tuple(application.languages or ()),
        facilitator=bool(application.is_facilitator),
    )


def _order_keys(rounds: Iterable[BreakoutRound]) -> dict[int, tuple[datetime, int]]:
    rounds = list(rounds)
    item_ids = {r.agenda_item_id for r in rounds if r.agenda_item_id is not None}
    starts: dict[int, datetime] = {}
    if item_ids:
        query = select(AgendaItem.id, AgendaItem.starts_at).where(AgendaItem.id.in_(item_ids))
        starts = {item_id: at for item_id, at in db.session.execute(query)}
    return {r.id: (starts.get(r.agenda_item_id, _FAR) if r.agenda_item_id else _FAR, r.id) for r in rounds}


def previous_rounds(rnd: BreakoutRound) -> list[BreakoutRound]:
    """Rounds of the same event that come earlier (agenda time, then creation) and have rooms."""
    others = list(db.session.scalars(select(BreakoutRound).where(BreakoutRound.event_id == rnd.event_id)))
    keys = _order_keys(others)
    mine = keys[rnd.id]
    earlier = [r for r in others if r.id != rnd.id and keys[r.id] < mine]
    return sorted(earlier, key=lambda r: keys[r.id])


def assignments(rnd: BreakoutRound) -> list[RoomAssignment]:
    return list(db.session.scalars(select(RoomAssignment).where(RoomAssignment.round_id == rnd.id)))


def as_engine_round(rnd: BreakoutRound) -> Round:
    rooms: dict[int, list[str]] = {room.id: [] for room in rnd.rooms}
    for a in assignments(rnd):
        rooms.setdefault(a.room_id, []).append(str(a.application_id))
    return Round(tuple(tuple(ids) for ids in rooms.values() if ids))


def separations(rnd: BreakoutRound, known: set[str]) -> list[list[str]]:
    groups = []
    for group in rnd.separations or []:
        ids = [str(i) for i in group if str(i) in known]
        if len(ids) >= 2:
            groups.append(ids)
    return groups


# ------------------------------------------------------------------ the current arrangement


@dataclass
class Arrangement:
    """The round as stored: rooms in number order, their participating members, locks."""

    rooms: list[BreakoutRoom]
    members: list[list[Application]]
    locked: set[int]
    unplaced: list[Application]
    people: list[Person]
    previous: list[Round]
    previous_ids: list[int]

    def ids(self) -> list[list[str]]:
        return [[str(a.id) for a in room] for room in self.members]

    def specs(self) -> list[RoomSpec]:
        return [RoomSpec(capacity=r.capacity, topic=r.topic or None) for r in self.rooms]

    def themes(self) -> list[str | None]:
        return [r.role_group for r in self.rooms]

    def locks(self) -> dict[str, int]:
        return {str(a.id): i for i, room in enumerate(self.members) for a in room if a.id in self.locked}


def arrangement(rnd: BreakoutRound) -> Arrangement:
    everyone = {a.id: a for a in participants(rnd.event_id)}
    rooms = sorted(rnd.rooms, key=lambda r: r.number)
    index = {room.id: i for i, room in enumerate(rooms)}
    members: list[list[Application]] = [[] for _ in rooms]
    locked: set[int] = set()
    placed: set[int] = set()
    for a in assignments(rnd):
        application = everyone.get(a.application_id)
        if application is None or a.room_id not in index:
            continue  # withdrew, declined or erased since: no longer counted
        members[index[a.room_id]].append(application)
        placed.add(application.id)
        if a.locked:
            locked.add(application.id)
    for room in members:
        room.sort(key=lambda a: ((a.name or "").casefold(), a.id))
    earlier = previous_rounds(rnd)
    return Arrangement(
        rooms=rooms,
        members=members,
        locked=locked,
        unplaced=[a for a in everyone.values() if a.id not in placed],
        people=[person(a) for room in members for a in room],
        previous=[as_engine_round(r) for r in earlier],
        previous_ids=[r.id for r in earlier],
    )
