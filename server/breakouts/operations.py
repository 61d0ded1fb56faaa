"""Break-out rounds: the writes (create, change, re-run, move, lock, place, publish, delete).

Reading the stored rounds is ``server.breakouts.loading``, answering ``server.breakouts.summary``,
validating and running the engine ``server.breakouts.planning``, telling participants
``server.breakouts.notify``.

Every write validates first and raises a ``Problem`` naming the field before anything is
stored. Emitting (``server.live.emit``) happens only after the commit, and only for a
published round that is the event's *current* round (the one whose rooms the live layer lets
participants into), so a day-two round published during day one's break-outs does not pull
people out of the rooms they are sitting in; opening that round later tells them.
"""

from __future__ import annotations

from sqlalchemy import select

from server.breakouts import schemas
from server.breakouts.loading import Arrangement, arrangement, assignments, participant, person, separations
from server.breakouts.notify import is_current, refresh_live, tell
from server.breakouts.planning import check_item, check_separations, check_shape, propose_rooms, touched
from server.clock import now
from server.extensions import db
from server.models import Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment
from server.problems import Problem, invalid
from server.sessions.breakouts import AssignmentError, place_late_joiner

STRUCTURE = ("room_count", "room_size", "mode", "seed", "separate_organisations", "separations")


def conflict(field: str, reason: str) -> Problem:
    return Problem(409, "Conflict", [(field, reason)])


# ------------------------------------------------------------------ writes


def create_round(event: Event, data: schemas.RoundIn) -> BreakoutRound:
    check_item(event, data.agenda_item_id)
    check_shape(data.room_count, data.room_size, data.topics)
    check_separations(event, data.separations)
    rnd = BreakoutRound(
        event_id=event.id, agenda_item_id=data.agenda_item_id, title=data.title, mode=data.mode,
        room_count=data.room_count, room_size=data.room_size, topics=list(data.topics), seed=data.seed,
        video_url_template=data.video_url_template, separate_organisations=data.separate_organisations,
        separations=[list(g) for g in data.separations], status="draft", metrics={}, version=0,
    )
    db.session.add(rnd)
    try:
        db.session.flush()
        propose_rooms(rnd, event)
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
        check_item(event, changes["agenda_item_id"])
    count = changes.get("room_count", rnd.room_count)
    size = changes.get("room_size", rnd.room_size)
    topics = changes.get("topics", rnd.topics or [])
    check_shape(count, size, topics)
    if rnd.status == "published" and len(topics) > len(rnd.rooms):
        raise invalid("topics", f"{len(topics)} topics for {len(rnd.rooms)} rooms")
    if "separations" in changes:
        check_separations(event, changes["separations"])
    rerun = rnd.status == "draft" and any(k in changes and changes[k] != getattr(rnd, k) for k in STRUCTURE)
    try:
        for key, value in changes.items():
            setattr(rnd, key, value)
        if rerun:
            propose_rooms(rnd, event)
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
        propose_rooms(rnd, event)
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
    touched(rnd)
    db.session.commit()
    if moved:
        # The moved person gets their new room; both rooms' members get the new member lists.
        mates = {a.application_id for a in assignments(rnd) if a.room_id in (old_room, room.id)}
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
            previous=arr.previous, separations=separations(rnd, known),
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
    touched(rnd)
    db.session.commit()
    tell(rnd, [application.id])
    return room, reason


def seat_in_published_round(rnd: BreakoutRound, application: Application) -> tuple[BreakoutRoom, bool]:
    """Seat a new participant in a published round without committing (the caller's transaction
    decides); return their room and whether the round is the one live now (then tell them)."""
    arr = arrangement(rnd)
    arr.unplaced = [a for a in arr.unplaced if a.id != application.id]
    room, _reason = _place(rnd, application, arr)
    touched(rnd)
    db.session.flush()
    return room, is_current(rnd)


def publish(event: Event, rnd: BreakoutRound) -> BreakoutRound:
    if rnd.status == "published":
        raise conflict("status", "the round is published already")
    if not rnd.rooms:
        raise conflict("rooms", "the round has no rooms yet: propose first")
    arr = arrangement(rnd)
    # People who stopped participating leave; people accepted since the proposal join.
    active = {a.id for room in arr.members for a in room}
    for row in assignments(rnd):
        if row.application_id not in active:
            db.session.delete(row)
    for application in arr.unplaced:
        _place(rnd, application, arr)
    if arr.unplaced:
        touched(rnd)
    rnd.status = "published"
    rnd.published_at = now()
    rnd.version = (rnd.version or 0) + 1
    db.session.commit()
    tell(rnd, None)
    refresh_live(event.id)
    return rnd


def delete_round(event: Event, rnd: BreakoutRound) -> None:
    from server.live import store
    from server.sessions.live_state import Mode as LiveMode

    state = store.load_live_state(event.id)
    if state.mode is LiveMode.BREAKOUTS and state.round_id == rnd.id:
        raise conflict("status", "the rooms of this round are open now; bring everyone back first")
    was_current = rnd.status == "published" and is_current(rnd)
    members = [a.application_id for a in assignments(rnd)]
    round_id = rnd.id
    db.session.delete(rnd)
    db.session.commit()
    if was_current:
        from server.live import emit
        from server.live import operations as live_ops

        for application_id in members:
            emit.room_assigned(event.id, application_id,
                               live_ops.assignment(event.id, application_id) or live_ops.room_payload(round_id, None))
