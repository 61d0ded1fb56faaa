"""Planning a break-out round: validate its settings, run the pure engine around the locks, and store
the rooms it proposes (no commit: the caller's write decides)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from server.breakouts import facilitators, schemas
from server.breakouts.loading import (
    arrangement,
    as_engine_round,
    participants,
    person,
    previous_rounds,
    separations,
)
from server.core.vocab import ROLE_GROUP_LABELS
from server.extensions import db
from server.models import AgendaDay, AgendaItem, Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment
from server.problems import Problem, invalid
from server.sessions.breakouts import AssignmentError, RoomSpec, assign, notes

# ------------------------------------------------------------------ validation shared by create and update


def check_item(event: Event, item_id: int | None) -> None:
    if item_id is None:
        return
    row = db.session.execute(
        select(AgendaItem.kind).join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
        .where(AgendaItem.id == item_id, AgendaDay.event_id == event.id)
    ).first()
    if row is None:
        raise invalid("agenda_item_id", "is not an item of this event's agenda")
    if row[0] != "breakout":
        raise invalid("agenda_item_id", "is not a break-out item")


def check_shape(room_count: int | None, room_size: int | None, topics: Sequence[str]) -> None:
    if room_count is None and room_size is None:
        raise invalid("room_count", "give the number of rooms (room_count), a room size (room_size), or both")
    if room_count is not None and len(topics) > room_count:
        raise invalid("topics", f"{len(topics)} topics for {room_count} rooms")


def check_separations(event: Event, groups: Sequence[Sequence[int]]) -> None:
    ids = {i for group in groups for i in group}
    if not ids:
        return
    found = set(db.session.scalars(select(Application.id).where(Application.event_id == event.id,
                                                                 Application.id.in_(ids))))
    for g, group in enumerate(groups):
        for k, i in enumerate(group):
            if i not in found:
                raise invalid(f"separations.{g}.{k}", "no application with this id in this event")


# ------------------------------------------------------------------ proposals


def _specs(rnd: BreakoutRound, n_people: int) -> list[RoomSpec]:
    if rnd.room_count:
        count, capacity = rnd.room_count, rnd.room_size
    elif rnd.room_size:
        count, capacity = max(1, -(-n_people // rnd.room_size)), None
    else:
        raise invalid("room_count", "give the number of rooms (room_count), a room size (room_size), or both")
    topics = list(rnd.topics or [])
    return [RoomSpec(capacity=capacity, topic=(topics[i] or None) if i < len(topics) else None)
            for i in range(count)]


def _engine_problem(exc: AssignmentError) -> Problem:
    text = str(exc)
    field = "room_size" if "fit" in text or "size" in text else "locks" if "lock" in text else "room_count"
    return invalid(field, text)


def _room_name(number: int, theme: str | None) -> str:
    return f"Room {number}" + (f" · {ROLE_GROUP_LABELS.get(theme, theme)}" if theme else "")


def _write_rooms(rnd: BreakoutRound, event: Event, specs: Sequence[RoomSpec], themes: Sequence[str | None],
                 rooms: Sequence[Sequence[str]], locked: set[str], leads: set[str]) -> None:
    existing = {room.number: room for room in rnd.rooms}
    for room in list(rnd.rooms):
        room.assignments.clear()
        if room.number > len(specs):
            rnd.rooms.remove(room)
    db.session.flush()  # old assignments go before new ones take their (round, application) keys
    ordered = []
    for i, spec in enumerate(specs):
        number = i + 1
        found = existing.get(number)
        if found is None:
            room = BreakoutRoom(number=number)
            rnd.rooms.append(room)
        else:
            room = found
        room.name = _room_name(number, themes[i])
        room.topic = spec.topic or ""
        room.role_group = themes[i]
        room.capacity = spec.capacity
        room.video_url = schemas.render_video_url(rnd.video_url_template, event.slug, number)
        ordered.append(room)
    db.session.flush()
    for room, ids in zip(ordered, rooms, strict=True):
        for pid in ids:
            db.session.add(RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=int(pid),
                                          locked=pid in locked))
    # Staff facilitators take the rooms the participants left without one (they are not seated).
    facilitators.place_in_rooms(event.id, ordered, [any(pid in leads for pid in ids) for ids in rooms])


def propose_rooms(rnd: BreakoutRound, event: Event) -> None:
    """Run the engine around the locks and store its rooms (no commit)."""
    people = [person(a) for a in participants(event.id)]
    known = {p.id for p in people}
    specs = _specs(rnd, len(people))
    arr = arrangement(rnd) if rnd.rooms else None
    locks: dict[str, int] = {}
    if arr is not None:
        locks = {pid: r for pid, r in arr.locks().items() if r < len(specs) and pid in known}
    earlier = previous_rounds(rnd)
    previous = [as_engine_round(r) for r in earlier]
    if people:
        try:
            result = assign(people, specs, mode=rnd.mode, previous=previous, locks=locks,
                            separations=separations(rnd, known),
                            separate_organisations=rnd.separate_organisations, seed=rnd.seed)
        except AssignmentError as exc:
            raise _engine_problem(exc) from None
        rooms, themes = result.rooms, result.themes
        summary = {"metrics": result.metrics.as_dict(), "explanations": list(result.explanations),
                   "notes": notes.as_json(result.notes), "iterations": result.iterations}
    else:
        rooms, themes = tuple(() for _ in specs), tuple(None for _ in specs)
        empty = [[(notes.EMPTY, {"number": i + 1})] for i in range(len(specs))]
        summary = {"metrics": {}, "explanations": [notes.english(room) for room in empty],
                   "notes": notes.as_json(empty)}
    _write_rooms(rnd, event, specs, themes, rooms, set(locks), {p.id for p in people if p.facilitator})
    rnd.metrics = {**summary, "source": "proposal", "previous_round_ids": [r.id for r in earlier]}
    rnd.version = (rnd.version or 0) + 1


def touched(rnd: BreakoutRound) -> None:
    """Rooms changed by hand: explanations are rebuilt from the rooms from now on."""
    rnd.metrics = {**(rnd.metrics or {}), "source": "manual"}
    rnd.version = (rnd.version or 0) + 1
