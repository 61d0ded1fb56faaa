"""Rows to core objects and back: the live streams as the pure core knows them.

Each ``load_*`` reads one stream (with ``FOR UPDATE`` when it is about to change; a no-op on
SQLite, whose writers are serialised anyway) and returns the core object plus a ``Loaded``
record of what the database held. Each ``save_*`` writes the change back, raising the stream's
version with ``UPDATE ... SET version = :new WHERE version = :seen``; when no row matches,
another process got there first and ``Conflict`` is raised (the caller retries once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from server.extensions import db
from server.models import AgendaDay, AgendaItem
from server.models.live import (
    LiveStateRow,
    QAQueueRow,
    QuestionRow,
    QuestionVote,
    RoomNotesRow,
    SpeakerEntry,
    SpeakerQueueRow,
)
from server.sessions.live_state import Announcement, LiveState, Mode, RoomNotes
from server.sessions.protocol import Change
from server.sessions.qa import Moderation, QAQueue, Question, QuestionStatus
from server.sessions.speakers import CurrentSpeaker, SpeakerQueue, SpeakerTimer, WaitingSpeaker


class Conflict(Exception):
    """Another writer raised this stream's version between our read and our write."""


def _parse_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _guarded_update(model: Any, where: list[Any], seen: int, values: dict[str, Any]) -> None:
    result = db.session.execute(update(model).where(*where, model.version == seen).values(**values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict


def _locked(stmt: Any, lock: bool) -> Any:
    stmt = stmt.execution_options(populate_existing=True)
    return stmt.with_for_update() if lock else stmt


def _ensure(model: Any, values: dict[str, Any]) -> None:
    """Create a stream row at version 0 (a concurrent creation fails on the unique key)."""
    db.session.execute(insert(model).values(**values))


# ---------------------------------------------------------------------------------------------
# Live state (agenda driving)
# ---------------------------------------------------------------------------------------------


def agenda_ids(event_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(AgendaItem.id)
            .join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
            .where(AgendaDay.event_id == event_id)
            .order_by(AgendaDay.date, AgendaItem.starts_at, AgendaItem.id)
        )
    )


def load_live_state(event_id: int, *, lock: bool = False) -> LiveState:
    row = db.session.scalar(_locked(select(LiveStateRow).where(LiveStateRow.event_id == event_id), lock))
    state = LiveState(event_id=event_id, agenda=agenda_ids(event_id))
    if row is None:
        if lock:
            _ensure(LiveStateRow, {"event_id": event_id, "version": 0, "announcements": []})
        return state
    state.version = row.version
    state.mode = Mode(row.mode)
    state.current_item = row.current_item_id
    state.round_id = row.round_id
    state.breakouts_opened_at = row.breakouts_opened_at
    state.breakouts_end_at = row.breakouts_end_at
    state.closing = row.closing
    state.announcements = [
        Announcement(a["id"], a["text"], a["target"], _parse_iso(a["at"]) or row.updated_at, a.get("by"))
        for a in row.announcements or []
    ]
    state.next_announcement_id = row.next_announcement_id
    state.updated_at = row.updated_at
    return state


def save_live_state(state: LiveState, seen: int) -> None:
    _guarded_update(
        LiveStateRow,
        [LiveStateRow.event_id == state.event_id],
        seen,
        {
            "version": state.version,
            "mode": state.mode.value,
            "current_item_id": state.current_item,
            "round_id": state.round_id,
            "breakouts_opened_at": state.breakouts_opened_at,
            "breakouts_end_at": state.breakouts_end_at,
            "closing": state.closing,
            "announcements": [
                {"id": a.id, "text": a.text, "target": a.target, "at": a.at.isoformat(), "by": a.by}
                for a in state.announcements
            ],
            "next_announcement_id": state.next_announcement_id,
            "updated_at": state.updated_at,
        },
    )


# ---------------------------------------------------------------------------------------------
# Q&A queues
# ---------------------------------------------------------------------------------------------


@dataclass
class LoadedQueue:
    """What the database held for one Q&A queue: its row id, question row ids and voters."""

    queue_id: int | None
    row_ids: dict[int, int] = field(default_factory=dict)  # seq -> qa_questions.id
    voters: dict[int, frozenset[int]] = field(default_factory=dict)  # seq -> voters in the DB


def load_queue(event_id: int, kind: str, ref_id: int, *, lock: bool = False) -> tuple[QAQueue, LoadedQueue]:
    key = (kind, ref_id)
    row = db.session.scalar(
        _locked(select(QAQueueRow).where(QAQueueRow.kind == kind, QAQueueRow.ref_id == ref_id), lock)
    )
    queue = QAQueue(key=key)  # type: ignore[arg-type]
    if row is None:
        if lock:
            _ensure(QAQueueRow, {"event_id": event_id, "kind": kind, "ref_id": ref_id, "version": 0,
                                 "moderation": "open", "next_seq": 1})
            row = db.session.scalar(select(QAQueueRow).where(QAQueueRow.kind == kind, QAQueueRow.ref_id == ref_id))
            assert row is not None
            return queue, LoadedQueue(row.id)
        return queue, LoadedQueue(None)
    queue.moderation = Moderation(row.moderation)
    queue.version = row.version
    queue.next_id = row.next_seq
    loaded = LoadedQueue(row.id)
    by_row: dict[int, Question] = {}
    for q in db.session.scalars(select(QuestionRow).where(QuestionRow.queue_id == row.id)):
        question = Question(
            id=q.seq,
            text=q.text,
            created_at=q.created_at,
            author_id=q.author_application_id,
            author_name=q.author_name,
            anonymous=q.anonymous,
            status=QuestionStatus(q.status),
            pinned=q.pinned,
            edited=q.edited,
            merged_into=q.merged_into,
            answered_at=q.answered_at,
        )
        queue.questions[q.seq] = question
        loaded.row_ids[q.seq] = q.id
        by_row[q.id] = question
    votes = db.session.execute(
        select(QuestionVote.question_id, QuestionVote.voter_id)
        .join(QuestionRow, QuestionRow.id == QuestionVote.question_id)
        .where(QuestionRow.queue_id == row.id)
    )
    for question_id, voter_id in votes:
        by_row[question_id].voters.add(voter_id)
    loaded.voters = {seq: frozenset(v for v in q.voters if isinstance(v, int)) for seq, q in queue.questions.items()}
    return queue, loaded


def save_queue(queue: QAQueue, loaded: LoadedQueue, change: Change, seen: int) -> None:
    assert loaded.queue_id is not None
    _guarded_update(
        QAQueueRow,
        [QAQueueRow.id == loaded.queue_id],
        seen,
        {"version": queue.version, "moderation": queue.moderation.value, "next_seq": queue.next_id},
    )
    for seq in (int(i) for i in change.ids):
        q = queue.questions[seq]
        values = {
            "text": q.text,
            "status": q.status.value,
            "pinned": q.pinned,
            "edited": q.edited,
            "merged_into": q.merged_into,
            "answered_at": q.answered_at,
        }
        row_id = loaded.row_ids.get(seq)
        if row_id is None:
            row_id = db.session.execute(
                insert(QuestionRow)
                .values(queue_id=loaded.queue_id, seq=seq, created_at=q.created_at,
                        author_application_id=q.author_id if isinstance(q.author_id, int) else None,
                        author_name=q.author_name, anonymous=q.anonymous, **values)
                .returning(QuestionRow.id)
            ).scalar_one()
            loaded.row_ids[seq] = row_id
        else:
            db.session.execute(update(QuestionRow).where(QuestionRow.id == row_id).values(**values))
        before = loaded.voters.get(seq, frozenset())
        after = {v for v in q.voters if isinstance(v, int)}
        if after - before:
            db.session.execute(
                insert(QuestionVote), [{"question_id": row_id, "voter_id": v} for v in sorted(after - before)]
            )
        if before - after:
            db.session.execute(
                delete(QuestionVote).where(QuestionVote.question_id == row_id,
                                           QuestionVote.voter_id.in_(before - after))
            )
        loaded.voters[seq] = frozenset(after)


def queues_of_event(event_id: int) -> list[tuple[str, int]]:
    return [
        (kind, ref)
        for kind, ref in db.session.execute(
            select(QAQueueRow.kind, QAQueueRow.ref_id).where(QAQueueRow.event_id == event_id)
            .order_by(QAQueueRow.kind, QAQueueRow.ref_id)
        )
    ]


# ---------------------------------------------------------------------------------------------
# Speakers' lists
# ---------------------------------------------------------------------------------------------


def load_speakers(event_id: int, kind: str, ref_id: int, *, lock: bool = False) -> tuple[SpeakerQueue, int | None]:
    where = [SpeakerQueueRow.kind == kind, SpeakerQueueRow.ref_id == ref_id]
    row = db.session.scalar(_locked(select(SpeakerQueueRow).where(*where), lock))
    queue = SpeakerQueue(key=(kind, ref_id))  # type: ignore[arg-type]
    if row is None:
        if lock:
            _ensure(SpeakerQueueRow, {"event_id": event_id, "kind": kind, "ref_id": ref_id, "version": 0,
                                      "next_seq": 1, "spoken": []})
            return queue, db.session.scalar(select(SpeakerQueueRow.id).where(*where))
        return queue, None
    queue.version = row.version
    queue.closed = row.closed
    queue.first_timers_first = row.first_timers_first
    queue.speaking_limit_seconds = row.speaking_limit_seconds
    queue.next_seq = row.next_seq
    queue.spoken = {int(p): int(n) for p, n in row.spoken or []}
    if row.last_person_id is not None:
        queue.last_speaker = (row.last_person_id, row.last_name or "")
    if row.current_person_id is not None and row.current_called_at is not None:
        queue.current = CurrentSpeaker(
            person_id=row.current_person_id,
            name=row.current_name or "",
            called_at=row.current_called_at,
            timer=SpeakerTimer(
                limit_seconds=row.timer_limit_seconds,
                started=row.timer_started,
                running_since=row.timer_running_since,
                elapsed_before=timedelta(seconds=row.timer_elapsed_before or 0.0),
            ),
        )
    queue.waiting = [
        WaitingSpeaker(e.person_id, e.name, e.raised_at, e.seq)
        for e in db.session.scalars(select(SpeakerEntry).where(SpeakerEntry.queue_id == row.id))
    ]
    return queue, row.id


def save_speakers(queue: SpeakerQueue, queue_id: int, seen: int) -> None:
    current = queue.current
    _guarded_update(
        SpeakerQueueRow,
        [SpeakerQueueRow.id == queue_id],
        seen,
        {
            "version": queue.version,
            "closed": queue.closed,
            "first_timers_first": queue.first_timers_first,
            "speaking_limit_seconds": queue.speaking_limit_seconds,
            "next_seq": queue.next_seq,
            "current_person_id": None if current is None else current.person_id,
            "current_name": None if current is None else current.name,
            "current_called_at": None if current is None else current.called_at,
            "timer_limit_seconds": None if current is None else current.timer.limit_seconds,
            "timer_started": False if current is None else current.timer.started,
            "timer_running_since": None if current is None else current.timer.running_since,
            "timer_elapsed_before": 0.0 if current is None else current.timer.elapsed_before.total_seconds(),
            "last_person_id": None if queue.last_speaker is None else queue.last_speaker[0],
            "last_name": None if queue.last_speaker is None else queue.last_speaker[1],
            "spoken": [[p, n] for p, n in sorted(queue.spoken.items(), key=lambda kv: str(kv[0]))],
        },
    )
    db.session.execute(delete(SpeakerEntry).where(SpeakerEntry.queue_id == queue_id))
    if queue.waiting:
        db.session.execute(
            insert(SpeakerEntry),
            [{"queue_id": queue_id, "person_id": w.person_id, "name": w.name, "raised_at": w.raised_at,
              "seq": w.seq} for w in queue.waiting],
        )


# ---------------------------------------------------------------------------------------------
# Room notes
# ---------------------------------------------------------------------------------------------


def load_notes(event_id: int, room_id: int, *, lock: bool = False) -> RoomNotes:
    row = db.session.scalar(_locked(select(RoomNotesRow).where(RoomNotesRow.room_id == room_id), lock))
    if row is None:
        if lock:
            _ensure(RoomNotesRow, {"room_id": room_id, "event_id": event_id, "text": "", "version": 0})
        return RoomNotes(room_id=room_id)
    return RoomNotes(room_id=room_id, text=row.text, version=row.version, last_editor=row.last_editor,
                     updated_at=row.updated_at)


def save_notes(notes: RoomNotes, seen: int) -> None:
    _guarded_update(
        RoomNotesRow,
        [RoomNotesRow.room_id == notes.room_id],
        seen,
        {"version": notes.version, "text": notes.text,
         "last_editor": None if notes.last_editor is None else str(notes.last_editor),
         "updated_at": notes.updated_at},
    )


# ---------------------------------------------------------------------------------------------
# Versions only (the heartbeat)
# ---------------------------------------------------------------------------------------------


def stream_versions(event_id: int) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """Every written stream's version: the event's own streams, and each break-out room's."""
    plenary: dict[str, int] = {}
    rooms: dict[int, dict[str, int]] = {}

    def put(kind: str, ref: int, name: str, version: int) -> None:
        (rooms.setdefault(ref, {}) if kind == "room" else plenary)[name] = version

    agenda = db.session.scalar(select(LiveStateRow.version).where(LiveStateRow.event_id == event_id))
    if agenda is not None:
        plenary[f"agenda:{event_id}"] = agenda
    for kind, ref, version in db.session.execute(
        select(QAQueueRow.kind, QAQueueRow.ref_id, QAQueueRow.version).where(QAQueueRow.event_id == event_id)
    ):
        put(kind, ref, f"qa:{kind}:{ref}", version)
    for kind, ref, version in db.session.execute(
        select(SpeakerQueueRow.kind, SpeakerQueueRow.ref_id, SpeakerQueueRow.version)
        .where(SpeakerQueueRow.event_id == event_id)
    ):
        put(kind, ref, f"speaker:{kind}:{ref}", version)
    for room_id, version in db.session.execute(
        select(RoomNotesRow.room_id, RoomNotesRow.version).where(RoomNotesRow.event_id == event_id)
    ):
        put("room", room_id, f"notes:room:{room_id}", version)
    return plenary, rooms
