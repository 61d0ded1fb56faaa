"""The two writes a whole audience makes at once — a vote and a question — without contention.

A vote is one row in ``qa_votes`` (unique ``(question, voter)``): inserted, or deleted to
withdraw it. The queue's version is raised by one atomic ``UPDATE ... SET version = version
+ 1 ... RETURNING version``, the transaction's last write before the commit, so no voter
ever reads the queue, mutates it in Python and loses a race with a ``WHERE version = :seen``
guard: concurrent voters wait for each other for the length of one commit (PostgreSQL's row
lock, SQLite's write lock) and are never refused for being concurrent. The vote count sent
out is read *after* the version was raised, in the same transaction, so it is exactly the count
at that version: every transaction that took a smaller version has committed by then (it held
the lock until its commit) and none that takes a larger one is visible yet.

Asking is the same shape: the queue row hands out the next question number and version in one
statement, then the question row is inserted. Moderators' actions (rare, touching several
rows) keep the load-mutate-save path of ``operations``; they lock the queue row first, so a
burst of votes makes them wait, never fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from server.extensions import db
from server.models.live import QAQueueRow, QuestionRow, QuestionVote
from server.sessions.protocol import Change, LiveError, PersonId
from server.sessions.qa import Moderation, QAQueue, Question, QuestionStatus, clean_text

T = TypeVar("T")
ATTEMPTS = 3  # only for real faults: a duplicate click racing itself, SQLite's lock timeout


def _retrying(attempt: Callable[[], T]) -> T:
    """Run one short transaction; a unique-key race or a lock timeout is simply run again."""
    for left in range(ATTEMPTS - 1, -1, -1):
        try:
            result = attempt()
            db.session.commit()
            return result
        except LiveError:
            db.session.rollback()
            raise
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if left == 0 or (isinstance(exc, OperationalError) and "locked" not in str(exc).lower()):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _queue_row(kind: str, ref_id: int) -> tuple[int, str] | None:
    row = db.session.execute(
        select(QAQueueRow.id, QAQueueRow.moderation).where(QAQueueRow.kind == kind, QAQueueRow.ref_id == ref_id)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def _bump(queue_id: int, **also: object) -> tuple[int, int, str]:
    """Raise the queue's version by one (and whatever ``also`` says); return version, next_seq, moderation."""
    values: dict[str, object] = {"version": QAQueueRow.version + 1, **also}
    row = db.session.execute(
        update(QAQueueRow).where(QAQueueRow.id == queue_id).values(**values)
        .returning(QAQueueRow.version, QAQueueRow.next_seq, QAQueueRow.moderation)
        .execution_options(synchronize_session=False)
    ).one()
    return int(row[0]), int(row[1]), str(row[2])


def _as_core(row: QuestionRow, voters: set[PersonId]) -> Question:
    return Question(
        id=row.seq, text=row.text, created_at=row.created_at, author_id=row.author_application_id,
        author_name=row.author_name, anonymous=row.anonymous, status=QuestionStatus(row.status),
        voters=voters, pinned=row.pinned, edited=row.edited, merged_into=row.merged_into,
        answered_at=row.answered_at,
    )


def _partial_queue(kind: str, ref_id: int, version: int, moderation: str, question: Question) -> QAQueue:
    """A queue holding only the question a change touched: enough to render its broadcast."""
    queue = QAQueue(key=(kind, ref_id), moderation=Moderation(moderation), version=version)  # type: ignore[arg-type]
    queue.questions[question.id] = question
    return queue


def vote(kind: str, ref_id: int, seq: int, voter: int) -> tuple[QAQueue, Change]:
    """Toggle ``voter``'s vote on question ``seq``: add it, or withdraw it if it is there.

    The only write other voters wait for is the version increment. The question and its voters
    are read right after it, in the same transaction: every vote with a smaller version has
    committed (it held the lock until its commit) and none with a larger one is visible, so
    the frame is exactly the state at its version. Reading there rather than after the commit
    holds the lock for one short read more, and saves the voter a second transaction (a
    connection check-out with its ping, BEGIN, ROLLBACK): a vote's wait is its round trips.
    """

    def attempt() -> tuple[str, Question, Change]:
        # The queue and the question in one read.
        found = db.session.execute(
            select(QAQueueRow.id, QuestionRow.id, QuestionRow.status)
            .join(QuestionRow, (QuestionRow.queue_id == QAQueueRow.id) & (QuestionRow.seq == seq))
            .where(QAQueueRow.kind == kind, QAQueueRow.ref_id == ref_id)
        ).first()
        if found is None:
            raise LiveError("question_id", "no such question in this queue")
        queue_id, question_row_id, status = int(found[0]), int(found[1]), str(found[2])
        if status != QuestionStatus.LIVE.value:
            raise LiveError("question_id", f"cannot vote on a {status} question")
        withdrawn = db.session.execute(
            delete(QuestionVote).where(QuestionVote.question_id == question_row_id, QuestionVote.voter_id == voter)
        ).rowcount  # type: ignore[attr-defined]
        if not withdrawn:
            db.session.execute(insert(QuestionVote).values(question_id=question_row_id, voter_id=voter))
        version, _, moderation = _bump(queue_id)  # the last write: the lock is held until the commit
        # The question and its voters in one read: every round trip here is held by every other voter.
        rows = db.session.execute(
            select(QuestionRow, QuestionVote.voter_id)
            .outerjoin(QuestionVote, QuestionVote.question_id == QuestionRow.id)
            .where(QuestionRow.id == question_row_id)
            .execution_options(populate_existing=True)
        ).all()
        fresh = rows[0][0]
        voters: set[PersonId] = {row[1] for row in rows if row[1] is not None}
        # Made into the core's question now: the commit expires the row (a reload would be a round trip).
        question = _as_core(fresh, voters)
        return moderation, question, Change(version, "unvote" if withdrawn else "vote", (seq,))

    moderation, question, change = _retrying(attempt)
    return _partial_queue(kind, ref_id, change.version, moderation, question), change


def _ensure_queue(event_id: int, kind: str, ref_id: int) -> int:
    found = _queue_row(kind, ref_id)
    if found is not None:
        return found[0]
    db.session.execute(insert(QAQueueRow).values(event_id=event_id, kind=kind, ref_id=ref_id, version=0,
                                                 moderation="open", next_seq=1))
    created = _queue_row(kind, ref_id)
    assert created is not None
    return created[0]


def ask(event_id: int, kind: str, ref_id: int, author: int, author_name: str, text: str, anonymous: bool,
        now: datetime) -> tuple[QAQueue, Change]:
    """Add a question (live, or pending in a pre-moderated queue) with the queue's next number."""
    clean_text(text)  # refuse before touching the database

    def attempt() -> tuple[QAQueue, Change]:
        queue_id = _ensure_queue(event_id, kind, ref_id)
        version, next_seq, moderation = _bump(queue_id, next_seq=QAQueueRow.next_seq + 1)
        queue = QAQueue(key=(kind, ref_id), moderation=Moderation(moderation),  # type: ignore[arg-type]
                        version=version - 1, next_id=next_seq - 1)
        change = queue.ask(author, text, now, author_name=author_name, anonymous=anonymous)
        q = queue.questions[change.ids[0]]  # type: ignore[index]
        db.session.execute(insert(QuestionRow).values(
            queue_id=queue_id, seq=q.id, text=q.text, status=q.status.value, author_application_id=author,
            author_name=q.author_name, anonymous=q.anonymous, pinned=False, edited=False, created_at=q.created_at))
        return queue, change

    return _retrying(attempt)
