"""The functions that change live state: load a stream, call the core, save, commit.

Each ``change_*`` runs one core mutation in one transaction: the stream row is read with a
lock, the core validates and mutates (a ``LiveError`` rolls back and changes nothing), the new
version is written with a ``WHERE version = :seen`` guard. If the guard fails (it cannot while
the row lock — or SQLite's write lock, see ``_write_lock_first`` — is held) the whole thing is
reloaded and retried once, then refused with ``{field: "version", reason: "busy"}``. Votes
and questions do not come here: ``qa_writes`` has their contention-free path.
Emitting is the caller's job, after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from server.extensions import db
from server.live import attendance, store
from server.models import (
    AgendaDay,
    AgendaItem,
    Application,
    BreakoutRoom,
    BreakoutRound,
    Event,
    RoomAssignment,
)
from server.models.applications import PARTICIPATING
from server.models.live import LiveStateRow, RoomNotesRow
from server.sessions.live_state import LiveState, Mode, RoomNotes
from server.sessions.protocol import Change, LiveError
from server.sessions.qa import QAQueue
from server.sessions.speakers import SpeakerQueue

T = TypeVar("T")
ATTEMPTS = 2


def _write_lock_first() -> None:
    """On SQLite, take the database's write lock before reading the stream.

    PostgreSQL reads the stream row ``FOR UPDATE``; SQLite has no row locks and would read
    outside any transaction, so a vote committed between the read and the guarded write made
    the guard fail. A no-op UPDATE opens the write transaction first (concurrent writers wait
    on ``busy_timeout`` instead of racing), which makes the guard a safety net, not a gamble.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(update(LiveStateRow).where(false()).values(version=LiveStateRow.version))


def _transaction(attempt: Callable[[], T]) -> T:
    for _ in range(ATTEMPTS):
        try:
            _write_lock_first()
            result = attempt()
            db.session.commit()
            return result
        except LiveError:
            db.session.rollback()
            raise
        except (store.Conflict, IntegrityError) as exc:
            db.session.rollback()
            last: Exception = exc
        except OperationalError as exc:  # SQLite: "database is locked" between two writers
            db.session.rollback()
            if "locked" not in str(exc).lower():
                raise
            last = exc
    raise LiveError("version", "busy") from last


# ---------------------------------------------------------------------------------------------
# One mutation per stream kind
# ---------------------------------------------------------------------------------------------


def change_live_state(event_id: int, mutate: Callable[[LiveState], Change]) -> tuple[LiveState, Change]:
    def attempt() -> tuple[LiveState, Change]:
        state = store.load_live_state(event_id, lock=True)
        seen = state.version
        change = mutate(state)
        store.save_live_state(state, seen)
        return state, change

    result = _transaction(attempt)
    attendance.sync_rooms_quietly(event_id)  # rooms opened or closed: room time starts or ends
    return result


def change_queue(event_id: int, kind: str, ref_id: int,
                 mutate: Callable[[QAQueue], Change]) -> tuple[QAQueue, Change]:
    def attempt() -> tuple[QAQueue, Change]:
        queue, loaded = store.load_queue(event_id, kind, ref_id, lock=True)
        seen = queue.version
        change = mutate(queue)
        store.save_queue(queue, loaded, change, seen)
        return queue, change

    return _transaction(attempt)


def change_speakers(event_id: int, kind: str, ref_id: int,
                    mutate: Callable[[SpeakerQueue], Change]) -> tuple[SpeakerQueue, Change]:
    def attempt() -> tuple[SpeakerQueue, Change]:
        queue, queue_id = store.load_speakers(event_id, kind, ref_id, lock=True)
        assert queue_id is not None
        seen = queue.version
        change = mutate(queue)
        store.save_speakers(queue, queue_id, seen)
        return queue, change

    return _transaction(attempt)


def change_notes(event_id: int, room_id: int, mutate: Callable[[RoomNotes], Change]) -> tuple[RoomNotes, Change]:
    def attempt() -> tuple[RoomNotes, Change]:
        notes = store.load_notes(event_id, room_id, lock=True)
        seen = notes.version
        change = mutate(notes)
        store.save_notes(notes, seen)
        return notes, change

    return _transaction(attempt)


def load_notes_text(event_id: int, room_id: int) -> str:
    return store.load_notes(event_id, room_id).text


def with_notes_lock(event_id: int, room_id: int, read: Callable[[], T]) -> T:
    """Run ``read`` holding the room notes row's lock, then commit (what it wrote happens once)."""

    def attempt() -> T:
        store.load_notes(event_id, room_id, lock=True)
        return read()

    return _transaction(attempt)


def refresh_live_state(event_id: int, now: datetime) -> tuple[LiveState, Change]:
    """Raise the live state's version without changing it (something it shows changed)."""

    def bump(state: LiveState) -> Change:
        state.version += 1
        state.updated_at = now
        return Change(state.version, "refresh")

    return change_live_state(event_id, bump)


# ---------------------------------------------------------------------------------------------
# Who belongs where
# ---------------------------------------------------------------------------------------------


def item_event_id(item_id: int) -> int | None:
    return db.session.scalar(
        select(AgendaDay.event_id).join(AgendaItem, AgendaItem.day_id == AgendaDay.id).where(AgendaItem.id == item_id)
    )


def room_event_id(room_id: int) -> int | None:
    return db.session.scalar(
        select(BreakoutRound.event_id).join(BreakoutRoom, BreakoutRoom.round_id == BreakoutRound.id)
        .where(BreakoutRoom.id == room_id)
    )


def published_round(event_id: int, round_id: int) -> BreakoutRound:
    """Return a round of this event that may be opened, or refuse."""
    rnd = db.session.get(BreakoutRound, round_id)
    if rnd is None or rnd.event_id != event_id:
        raise LiveError("round_id", "no such break-out round in this event")
    if rnd.status != "published":
        raise LiveError("round_id", "the round is not published yet")
    return rnd


def current_round_id(event_id: int) -> int | None:
    """The round whose rooms count now: the one open, else the latest published one."""
    state = store.load_live_state(event_id)
    if state.mode is Mode.BREAKOUTS and isinstance(state.round_id, int):
        return state.round_id
    return db.session.scalar(
        select(BreakoutRound.id)
        .where(BreakoutRound.event_id == event_id, BreakoutRound.status == "published")
        .order_by(BreakoutRound.published_at.desc().nulls_last(), BreakoutRound.id.desc())
        .limit(1)
    )


def room_members(room_id: int) -> list[dict[str, Any]]:
    """A room's members as room-mates may see them: name, role and country, never an email."""
    from server.core.vocab import ROLE_LABELS

    rows = db.session.execute(
        select(Application.id, Application.name, Application.role, Application.country)
        .join(RoomAssignment, RoomAssignment.application_id == Application.id)
        .where(RoomAssignment.room_id == room_id, Application.status.in_(PARTICIPATING))
        .order_by(Application.name, Application.id)
    )
    labels = {str(k): v for k, v in ROLE_LABELS.items()}
    return [{"person_id": pid, "name": name or "", "role": role, "role_label": labels.get(role, role),
             "country": country} for pid, name, role, country in rows]


def room_payload(rnd_id: int, room: BreakoutRoom | None,
                 members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``room:assigned`` body: the round, the room, its topic, video link and members (room None: no room).

    ``members`` may be passed when the caller already has them (see ``room_members``).
    """
    rnd = room.round if room is not None else db.session.get(BreakoutRound, rnd_id)
    return {
        "round_id": rnd_id,
        "round_title": None if rnd is None else rnd.title,
        "room_id": None if room is None else room.id,
        "room_number": None if room is None else room.number,
        "room_name": None if room is None else room.name,
        "topic": None if room is None else room.topic,
        "video_url": None if room is None else room.video_url,
        "members": [] if room is None else (room_members(room.id) if members is None else members),
        "staff_facilitator": None if room is None else room_staff_facilitator(room),
    }


def room_staff_facilitator(room: BreakoutRoom) -> dict[str, Any] | None:
    """The staff member who facilitates a room, as room-mates see them (name and role), or None."""
    from server.breakouts import facilitators

    held = facilitators.room_staff([room], room.round.event_id) if room.facilitator_user_id else {}
    user = held.get(room.id)
    return None if user is None else facilitators.staff_dict(user)


def assignment(event_id: int, application_id: int) -> dict[str, Any] | None:
    """Return a participant's room in the current round, or None."""
    round_id = current_round_id(event_id)
    if round_id is None:
        return None
    room = db.session.scalar(
        select(BreakoutRoom)
        .join(RoomAssignment, RoomAssignment.room_id == BreakoutRoom.id)
        .where(RoomAssignment.round_id == round_id, RoomAssignment.application_id == application_id)
    )
    return None if room is None else room_payload(round_id, room)


def round_assignments(round_id: int) -> list[tuple[int, dict[str, Any]]]:
    """Return (application id, ``room:assigned`` body) for everyone in a round."""
    rows = db.session.execute(
        select(RoomAssignment.application_id, BreakoutRoom)
        .join(BreakoutRoom, RoomAssignment.room_id == BreakoutRoom.id)
        .where(RoomAssignment.round_id == round_id)
    ).all()
    members: dict[int, list[dict[str, Any]]] = {}
    out = []
    for app_id, room in rows:
        if room.id not in members:
            members[room.id] = room_members(room.id)
        out.append((app_id, room_payload(round_id, room, members[room.id])))
    return out


def participant_by_token_hash(token_hash: str) -> Application | None:
    application = db.session.scalar(select(Application).where(Application.access_token_hash == token_hash))
    if application is None or application.status not in PARTICIPATING:
        return None
    return application


def event_by_ref(ref: Any) -> Event | None:
    """An event named by id or slug (the staff connect payload)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return db.session.get(Event, ref)
    if isinstance(ref, str) and ref:
        return db.session.scalar(select(Event).where(Event.slug == ref))
    return None


# ---------------------------------------------------------------------------------------------
# Seeding and export (organisers)
# ---------------------------------------------------------------------------------------------


def default_seed_item(event_id: int) -> int | None:
    """The first Q&A item of the agenda: where applicants' key questions go by default."""
    return db.session.scalar(
        select(AgendaItem.id)
        .join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
        .where(AgendaDay.event_id == event_id, AgendaItem.kind == "qa")
        .order_by(AgendaDay.date, AgendaItem.starts_at, AgendaItem.id)
        .limit(1)
    )


def seed_entries(event_id: int) -> list[tuple[str, str | None]]:
    """Participants' key questions they agreed to share, with their name only where they said so."""
    entries: list[tuple[str, str | None]] = []
    applications = db.session.scalars(
        select(Application)
        .where(Application.event_id == event_id, Application.status.in_(PARTICIPATING),
               Application.share_questions != "no")
        .order_by(Application.id)
    )
    for application in applications:
        name = application.name if application.share_questions == "with_name" else None
        for text in application.key_questions or []:
            if isinstance(text, str) and text.strip():
                entries.append((text.strip()[:500], name))
    return entries


def seed_queue(event_id: int, item_id: int, now: datetime) -> tuple[QAQueue, Change]:
    """Seed one item's Q&A with the participants' key questions (once per queue)."""
    if item_event_id(item_id) != event_id:
        raise LiveError("item_id", "not on this event's agenda")
    entries = seed_entries(event_id)

    def seed(queue: QAQueue) -> Change:
        if any(q.author_id is None for q in queue.questions.values()):
            raise LiveError("item_id", "this queue has been seeded already")
        if not entries:
            raise LiveError("questions", "no participant shared key questions")
        return queue.seed(entries, now)

    return change_queue(event_id, "item", item_id, seed)


def export_queues(event_id: int) -> tuple[list[QAQueue], dict[tuple[str, int], str]]:
    """Every Q&A queue of an event (agenda order, then rooms) and a readable title for each."""
    keys = store.queues_of_event(event_id)
    titles: dict[tuple[str, int], str] = {}
    for item_id, title in db.session.execute(
        select(AgendaItem.id, AgendaItem.title).join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
        .where(AgendaDay.event_id == event_id)
    ):
        titles[("item", item_id)] = title
    titles.update({("room", rid): f"{rtitle} — {name}" for rid, name, rtitle in _rooms(event_id)})
    order = {item: index for index, item in enumerate(store.agenda_ids(event_id))}
    keys.sort(key=lambda k: (k[0] != "item", order.get(k[1], 10**9) if k[0] == "item" else k[1]))
    return [store.load_queue(event_id, kind, ref)[0] for kind, ref in keys], titles


def _rooms(event_id: int) -> list[tuple[int, str, str]]:
    return [
        (rid, name, rtitle)
        for rid, name, rtitle in db.session.execute(
            select(BreakoutRoom.id, BreakoutRoom.name, BreakoutRound.title)
            .join(BreakoutRound, BreakoutRoom.round_id == BreakoutRound.id)
            .where(BreakoutRound.event_id == event_id)
            .order_by(BreakoutRound.id, BreakoutRoom.number)
        )
    ]


def export_notes(event_id: int) -> tuple[list[RoomNotes], dict[int, str]]:
    """Every break-out room's notes (empty rooms included) and its name."""
    rooms = _rooms(event_id)
    stored = {
        row.room_id: row
        for row in db.session.scalars(select(RoomNotesRow).where(RoomNotesRow.event_id == event_id))
    }
    notes = []
    for rid, _name, _title in rooms:
        row = stored.get(rid)
        notes.append(RoomNotes(room_id=rid) if row is None else RoomNotes(
            room_id=rid, text=row.text, version=row.version, last_editor=row.last_editor,
            updated_at=row.updated_at))
    return notes, {rid: f"{rtitle} — {name}" for rid, name, rtitle in rooms}
