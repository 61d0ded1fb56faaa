"""Break-out rounds: load the people, call the pure engine, persist rooms, tell participants.

Every write validates first and raises a ``Problem`` naming the field before anything is
stored. Emitting (``server.live.emit``) happens only after the commit, and only for a
published round that is the event's *current* round (the one whose rooms the live layer lets
participants into), so a day-two round published during day one's break-outs does not pull
people out of the rooms they are sitting in; opening that round later tells them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.breakouts import schemas
from server.clock import now
from server.core.timeutil import iso_utc
from server.core.vocab import REGION_LABELS, ROLE_GROUP_LABELS, ROLE_LABELS, Region, Role
from server.extensions import db
from server.models import AgendaDay, AgendaItem, Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment
from server.models.applications import PARTICIPATING
from server.problems import Problem, invalid, not_found
from server.sessions.breakouts import (
    AssignmentError,
    Person,
    RoomSpec,
    Round,
    assign,
    compute_metrics,
    place_late_joiner,
)
from server.sessions.protocol import LiveError

STRUCTURE = ("room_count", "room_size", "mode", "seed", "separate_organisations", "separations")
_FAR = datetime.max.replace(tzinfo=UTC)
_ROLE_LABELS = {str(k): v for k, v in ROLE_LABELS.items()}
_REGION_LABELS = {str(k): v for k, v in REGION_LABELS.items()}


def conflict(field: str, reason: str) -> Problem:
    return Problem(409, "Conflict", [(field, reason)])


# ------------------------------------------------------------------ loading


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


def _assignments(rnd: BreakoutRound) -> list[RoomAssignment]:
    return list(db.session.scalars(select(RoomAssignment).where(RoomAssignment.round_id == rnd.id)))


def as_engine_round(rnd: BreakoutRound) -> Round:
    rooms: dict[int, list[str]] = {room.id: [] for room in rnd.rooms}
    for a in _assignments(rnd):
        rooms.setdefault(a.room_id, []).append(str(a.application_id))
    return Round(tuple(tuple(ids) for ids in rooms.values() if ids))


def _separations(rnd: BreakoutRound, known: set[str]) -> list[list[str]]:
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
    for a in _assignments(rnd):
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


def evaluate(rnd: BreakoutRound, arr: Arrangement | None = None) -> tuple[dict[str, Any], list[str]]:
    """Metrics recomputed from the stored rooms (so manual moves count) and one line per room."""
    arr = arr or arrangement(rnd)
    if not arr.rooms:
        return {}, []
    known = {p.id for p in arr.people}
    metrics = compute_metrics(
        arr.people, arr.ids(), specs=arr.specs(), themes=arr.themes(), previous=arr.previous,
        locks=arr.locks(), separations=_separations(rnd, known),
        separate_organisations=rnd.separate_organisations,
    ).as_dict()
    stored = rnd.metrics or {}
    if stored.get("source") == "proposal" and len(stored.get("explanations", [])) == len(arr.rooms):
        lines = list(stored["explanations"])
    else:
        lines = _lines(rnd, arr)
    return metrics, lines


def _phrase(values: Iterable[str], labels: dict[str, str]) -> str:
    counts = Counter(values)
    return ", ".join(f"{n} {labels.get(v, v)}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _lines(rnd: BreakoutRound, arr: Arrangement) -> list[str]:
    """Per-room lines after manual changes (the engine's own lines describe only its proposal)."""
    earlier: set[tuple[str, str]] = set()
    for past in arr.previous:
        for past_ids in past.rooms:
            earlier.update((a, b) for a in past_ids for b in past_ids if a < b)
    lines = []
    for room, members in zip(arr.rooms, arr.members, strict=True):
        ids = sorted(str(a.id) for a in members)
        bits = [f"Room {room.number}: {len(members)} people"]
        if room.topic:
            bits.append(f"topic {room.topic!r}")
        if room.role_group:
            bits.append(f"theme {ROLE_GROUP_LABELS.get(room.role_group, room.role_group)}")
        if members:
            bits.append("roles: " + _phrase((a.role for a in members), _ROLE_LABELS))
            bits.append("regions: " + _phrase((a.region for a in members), _REGION_LABELS))
        repeats = sum(1 for i, a in enumerate(ids) for b in ids[i + 1:] if (a, b) in earlier)
        if repeats:
            bits.append(f"{repeats} pair(s) met in an earlier round")
        held = [a.name or str(a.id) for a in members if a.id in arr.locked]
        if held:
            bits.append("locked here: " + ", ".join(held))
        bits.append("arranged by hand since the last proposal")
        lines.append("; ".join(bits))
    return lines


# ------------------------------------------------------------------ answers


def member_dict(a: Application, locked: bool) -> dict[str, Any]:
    return {
        "application_id": a.id,
        "name": a.name or "(erased)",
        "role": a.role,
        "role_label": _ROLE_LABELS.get(a.role, a.role),
        "country": a.country,
        "region": a.region,
        "organisation": a.organisation or "",
        "facilitator": bool(a.is_facilitator),
        "locked": locked,
    }


def round_dict(rnd: BreakoutRound, slug: str) -> dict[str, Any]:
    arr = arrangement(rnd)
    metrics, lines = evaluate(rnd, arr)
    return {
        "id": rnd.id,
        "event": slug,
        "title": rnd.title,
        "agenda_item_id": rnd.agenda_item_id,
        "mode": rnd.mode,
        "room_count": rnd.room_count,
        "room_size": rnd.room_size,
        "topics": list(rnd.topics or []),
        "seed": rnd.seed,
        "video_url_template": rnd.video_url_template,
        "separate_organisations": rnd.separate_organisations,
        "separations": [list(g) for g in rnd.separations or []],
        "status": rnd.status,
        "version": rnd.version,
        "created_at": iso_utc(rnd.created_at),
        "published_at": iso_utc(rnd.published_at) if rnd.published_at else None,
        "previous_round_ids": arr.previous_ids,
        "metrics": metrics,
        "explanations": lines,
        "rooms": [
            {
                "id": room.id,
                "number": room.number,
                "name": room.name,
                "topic": room.topic,
                "role_group": room.role_group,
                "video_url": room.video_url,
                "count": len(members),
                "explanation": lines[i] if i < len(lines) else "",
                "members": [member_dict(a, a.id in arr.locked) for a in members],
            }
            for i, (room, members) in enumerate(zip(arr.rooms, arr.members, strict=True))
        ],
        "unplaced": [member_dict(a, False) for a in arr.unplaced],
    }


# ------------------------------------------------------------------ validation shared by create and update


def _check_item(event: Event, item_id: int | None) -> None:
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


def _check_shape(room_count: int | None, room_size: int | None, topics: Sequence[str]) -> None:
    if room_count is None and room_size is None:
        raise invalid("room_count", "give the number of rooms (room_count), a room size (room_size), or both")
    if room_count is not None and len(topics) > room_count:
        raise invalid("topics", f"{len(topics)} topics for {room_count} rooms")


def _check_separations(event: Event, groups: Sequence[Sequence[int]]) -> None:
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
                 rooms: Sequence[Sequence[str]], locked: set[str]) -> None:
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


def _propose(rnd: BreakoutRound, event: Event) -> None:
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
                            separations=_separations(rnd, known),
                            separate_organisations=rnd.separate_organisations, seed=rnd.seed)
        except AssignmentError as exc:
            raise _engine_problem(exc) from None
        rooms, themes = result.rooms, result.themes
        summary = {"metrics": result.metrics.as_dict(), "explanations": list(result.explanations),
                   "iterations": result.iterations}
    else:
        rooms, themes = tuple(() for _ in specs), tuple(None for _ in specs)
        summary = {"metrics": {}, "explanations": [f"Room {i + 1}: no participants yet" for i in range(len(specs))]}
    _write_rooms(rnd, event, specs, themes, rooms, set(locks))
    rnd.metrics = {**summary, "source": "proposal", "previous_round_ids": [r.id for r in earlier]}
    rnd.version = (rnd.version or 0) + 1


def _touched(rnd: BreakoutRound) -> None:
    """Rooms changed by hand: explanations are rebuilt from the rooms from now on."""
    rnd.metrics = {**(rnd.metrics or {}), "source": "manual"}
    rnd.version = (rnd.version or 0) + 1


# ------------------------------------------------------------------ writes


def create_round(event: Event, data: schemas.RoundIn) -> BreakoutRound:
    _check_item(event, data.agenda_item_id)
    _check_shape(data.room_count, data.room_size, data.topics)
    _check_separations(event, data.separations)
    rnd = BreakoutRound(
        event_id=event.id, agenda_item_id=data.agenda_item_id, title=data.title, mode=data.mode,
        room_count=data.room_count, room_size=data.room_size, topics=list(data.topics), seed=data.seed,
        video_url_template=data.video_url_template, separate_organisations=data.separate_organisations,
        separations=[list(g) for g in data.separations], status="draft", metrics={}, version=0,
    )
    db.session.add(rnd)
    try:
        db.session.flush()
        _propose(rnd, event)
    except Problem:
        db.session.rollback()
        raise
    db.session.commit()
    return rnd


def update_round(event: Event, rnd: BreakoutRound, data: schemas.RoundPatch) -> BreakoutRound:
    changes = data.model_dump(exclude_unset=True)
    for key in ("title", "mode", "seed", "topics", "video_url_template", "separate_organisations", "separations"):
        if key in changes and changes[key] is None:
            raise invalid(key, "may not be null")
    if rnd.status == "published":
        for key in STRUCTURE:
            if key in changes and changes[key] != getattr(rnd, key):
                raise conflict(key, "cannot change once the round is published; move people instead")
    if "agenda_item_id" in changes:
        _check_item(event, changes["agenda_item_id"])
    count = changes.get("room_count", rnd.room_count)
    size = changes.get("room_size", rnd.room_size)
    topics = changes.get("topics", rnd.topics or [])
    _check_shape(count, size, topics)
    if rnd.status == "published" and len(topics) > len(rnd.rooms):
        raise invalid("topics", f"{len(topics)} topics for {len(rnd.rooms)} rooms")
    if "separations" in changes:
        _check_separations(event, changes["separations"])
    rerun = rnd.status == "draft" and any(k in changes and changes[k] != getattr(rnd, k) for k in STRUCTURE)
    try:
        for key, value in changes.items():
            setattr(rnd, key, value)
        if rerun:
            _propose(rnd, event)
        else:
            for room in rnd.rooms:
                room.topic = topics[room.number - 1] if room.number <= len(topics) else ""
                room.video_url = schemas.render_video_url(rnd.video_url_template, event.slug, room.number)
            rnd.version = (rnd.version or 0) + 1
    except Problem:
        db.session.rollback()
        raise
    db.session.commit()
    if rnd.status == "published" and {"title", "topics", "video_url_template"} & changes.keys():
        tell(rnd, None)
    return rnd


def propose(event: Event, rnd: BreakoutRound) -> BreakoutRound:
    if rnd.status == "published":
        raise conflict("status", "a published round is not re-run; move people instead")
    try:
        _propose(rnd, event)
    except Problem:
        db.session.rollback()
        raise
    db.session.commit()
    return rnd


def _room_of_round(rnd: BreakoutRound, room_id: int) -> BreakoutRoom:
    room = db.session.get(BreakoutRoom, room_id)
    if room is None or room.round_id != rnd.id:
        raise invalid("room_id", "is not a room of this round")
    return room


def _assignment(rnd: BreakoutRound, application_id: int) -> RoomAssignment | None:
    return db.session.scalar(select(RoomAssignment).where(RoomAssignment.round_id == rnd.id,
                                                          RoomAssignment.application_id == application_id))


def move(event: Event, rnd: BreakoutRound, data: schemas.MoveIn) -> RoomAssignment:
    application = participant(event.id, data.application_id)
    room = _room_of_round(rnd, data.room_id)
    row = _assignment(rnd, application.id)
    if row is None:
        row = RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=application.id, locked=False)
        db.session.add(row)
        old_room: int | None = None
    else:
        old_room = row.room_id
    moved = old_room != room.id
    row.room_id = room.id
    if data.lock is not None:
        row.locked = data.lock
    elif rnd.status == "draft":
        row.locked = True  # a hand-made decision: the next re-run keeps it
    _touched(rnd)
    db.session.commit()
    if moved:
        # The moved person gets their new room; both rooms' members get the new member lists.
        mates = {a.application_id for a in _assignments(rnd) if a.room_id in (old_room, room.id)}
        tell(rnd, [application.id, *sorted(mates - {application.id})])
    return row


def set_lock(event: Event, rnd: BreakoutRound, data: schemas.LockIn) -> RoomAssignment:
    participant(event.id, data.application_id)
    row = _assignment(rnd, data.application_id)
    if row is None:
        raise invalid("application_id", "has no room in this round yet (move or place them first)")
    row.locked = data.locked
    rnd.version = (rnd.version or 0) + 1
    db.session.commit()
    return row


def _place(rnd: BreakoutRound, application: Application, arr: Arrangement) -> tuple[BreakoutRoom, str]:
    known = {p.id for p in arr.people} | {str(application.id)}
    try:
        index, reason = place_late_joiner(
            arr.people, arr.ids(), person(application), specs=arr.specs(), themes=arr.themes(),
            previous=arr.previous, separations=_separations(rnd, known),
            separate_organisations=rnd.separate_organisations,
        )
    except AssignmentError as exc:
        raise invalid("application_id", str(exc)) from None
    room = arr.rooms[index]
    db.session.add(RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=application.id, locked=False))
    arr.members[index].append(application)
    arr.people.append(person(application))
    return room, reason


def late_joiner(event: Event, rnd: BreakoutRound, application_id: int) -> tuple[BreakoutRoom, str]:
    application = participant(event.id, application_id)
    if not rnd.rooms:
        raise conflict("rooms", "the round has no rooms yet: propose first")
    row = _assignment(rnd, application.id)
    if row is not None:
        here = db.session.get(BreakoutRoom, row.room_id)
        raise conflict("application_id", f"already has a room in this round ({here.name if here else row.room_id})")
    room, reason = _place(rnd, application, arrangement(rnd))
    _touched(rnd)
    db.session.commit()
    tell(rnd, [application.id])
    return room, reason


def seat_in_published_round(rnd: BreakoutRound, application: Application) -> tuple[BreakoutRoom, bool]:
    """Seat a new participant in a published round without committing (the caller's transaction
    decides); return their room and whether the round is the one live now (then tell them)."""
    arr = arrangement(rnd)
    arr.unplaced = [a for a in arr.unplaced if a.id != application.id]
    room, _reason = _place(rnd, application, arr)
    _touched(rnd)
    db.session.flush()
    return room, _is_current(rnd)


def publish(event: Event, rnd: BreakoutRound) -> BreakoutRound:
    if rnd.status == "published":
        raise conflict("status", "the round is published already")
    if not rnd.rooms:
        raise conflict("rooms", "the round has no rooms yet: propose first")
    arr = arrangement(rnd)
    # People who stopped participating leave; people accepted since the proposal join.
    active = {a.id for room in arr.members for a in room}
    for row in _assignments(rnd):
        if row.application_id not in active:
            db.session.delete(row)
    for application in arr.unplaced:
        _place(rnd, application, arr)
    if arr.unplaced:
        _touched(rnd)
    rnd.status = "published"
    rnd.published_at = now()
    rnd.version = (rnd.version or 0) + 1
    db.session.commit()
    tell(rnd, None)
    _refresh_live(event.id)
    return rnd


def delete_round(event: Event, rnd: BreakoutRound) -> None:
    from server.live import store
    from server.sessions.live_state import Mode as LiveMode

    state = store.load_live_state(event.id)
    if state.mode is LiveMode.BREAKOUTS and state.round_id == rnd.id:
        raise conflict("status", "the rooms of this round are open now; bring everyone back first")
    was_current = rnd.status == "published" and _is_current(rnd)
    members = [a.application_id for a in _assignments(rnd)]
    round_id = rnd.id
    db.session.delete(rnd)
    db.session.commit()
    if was_current:
        from server.live import emit
        from server.live import operations as live_ops

        for application_id in members:
            emit.room_assigned(event.id, application_id,
                               live_ops.assignment(event.id, application_id) or live_ops.room_payload(round_id, None))


# ------------------------------------------------------------------ telling participants


def _is_current(rnd: BreakoutRound) -> bool:
    from server.live import operations as live_ops

    return live_ops.current_round_id(rnd.event_id) == rnd.id


def tell(rnd: BreakoutRound, application_ids: Sequence[int] | None) -> int:
    """After the commit: send ``room:assigned`` to these members (None: everyone) of a published,
    current round and move their sockets. Returns how many were told."""
    if rnd.status != "published" or not _is_current(rnd):
        return 0
    from server.live import emit
    from server.live import operations as live_ops

    wanted = None if application_ids is None else set(application_ids)
    told = 0
    for application_id, payload in live_ops.round_assignments(rnd.id):
        if wanted is None or application_id in wanted:
            emit.room_assigned(rnd.event_id, application_id, payload)
            told += 1
    return told


def _refresh_live(event_id: int) -> None:
    from server.live import emit

    try:
        emit.live_state_changed(event_id)
    except LiveError:  # pragma: no cover - busy twice; clients resync on the next change
        current_app.logger.warning("live state refresh after publishing was refused")
