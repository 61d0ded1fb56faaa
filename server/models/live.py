"""The live meeting's state: agenda driving, Q&A queues, speakers' lists and room notes.

Each row that is a stream (live state, Q&A queue, speakers' list, room notes) carries the
stream's ``version``; the live layer raises it in the same transaction as the change, guarded
by ``WHERE version = :seen``, so two processes can never issue the same version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class LiveStateRow(db.Model):  # type: ignore[name-defined,misc]
    """What is on now in one event (``server.sessions.live_state.LiveState``)."""

    __tablename__ = "live_states"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(20), default="idle")
    current_item_id: Mapped[int | None] = mapped_column(Integer)
    round_id: Mapped[int | None] = mapped_column(Integer)
    breakouts_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breakouts_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"id", "text", "target", "at", "by"}], the latest ANNOUNCEMENTS_KEPT only.
    announcements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    next_announcement_id: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QAQueueRow(db.Model):  # type: ignore[name-defined,misc]
    """One Q&A queue, of an agenda item (``kind="item"``) or a break-out room (``"room"``)."""

    __tablename__ = "qa_queues"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_qa_queues_kind_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)
    moderation: Mapped[str] = mapped_column(String(10), default="open")
    version: Mapped[int] = mapped_column(Integer, default=0)
    next_seq: Mapped[int] = mapped_column(Integer, default=1)


class QuestionRow(db.Model):  # type: ignore[name-defined,misc]
    """One question; ``seq`` is its id within the queue, the id clients see."""

    __tablename__ = "qa_questions"
    __table_args__ = (UniqueConstraint("queue_id", "seq", name="uq_qa_questions_queue_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("qa_queues.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    # The asking participant (None for questions seeded from applications).
    author_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QuestionVote(db.Model):  # type: ignore[name-defined,misc]
    """One person's upvote; the unique pair makes a second vote impossible, not just unlikely."""

    __tablename__ = "qa_votes"
    __table_args__ = (UniqueConstraint("question_id", "voter_id", name="uq_qa_votes_question_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))


class SpeakerQueueRow(db.Model):  # type: ignore[name-defined,misc]
    """One speakers' list, of the plenary (``kind="plenary"``, ref = event) or a room."""

    __tablename__ = "speaker_queues"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_speaker_queues_kind_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    first_timers_first: Mapped[bool] = mapped_column(Boolean, default=False)
    speaking_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer, default=1)
    # The current speaker and their timer (all None when nobody has the floor).
    current_person_id: Mapped[int | None] = mapped_column(Integer)
    current_name: Mapped[str | None] = mapped_column(String(200))
    current_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timer_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    timer_started: Mapped[bool] = mapped_column(Boolean, default=False)
    timer_running_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timer_elapsed_before: Mapped[float] = mapped_column(Float, default=0.0)
    last_person_id: Mapped[int | None] = mapped_column(Integer)
    last_name: Mapped[str | None] = mapped_column(String(200))
    # [[person_id, finished turns], ...]: who has spoken (first-timers-first ordering).
    spoken: Mapped[list[list[int]]] = mapped_column(JSON, default=list)


class SpeakerEntry(db.Model):  # type: ignore[name-defined,misc]
    """A raised hand on a speakers' list; ``seq`` is the raise order."""

    __tablename__ = "speaker_entries"
    __table_args__ = (UniqueConstraint("queue_id", "person_id", name="uq_speaker_entries_queue_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("speaker_queues.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seq: Mapped[int] = mapped_column(Integer)


class RoomNotesRow(db.Model):  # type: ignore[name-defined,misc]
    """The shared notes of one break-out room."""

    __tablename__ = "room_notes"

    room_id: Mapped[int] = mapped_column(ForeignKey("breakout_rooms.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_editor: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoomNoteUpdate(db.Model):  # type: ignore[name-defined,misc]
    """One CRDT (Yjs) update to a room's shared notes, append-only: concurrent writers never contend.

    The notes are the merge of all of a room's updates; ``RoomNotesRow.text`` is its plain text,
    refreshed after each update for exports, the report and the plenary.
    """

    __tablename__ = "room_note_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("breakout_rooms.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
