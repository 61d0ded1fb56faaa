"""Q&A queues: one per agenda item and one per break-out room.

Participants ask (optionally anonymous to the audience, never to moderators) and upvote;
moderators approve, dismiss, edit, pin, answer, reopen and merge duplicates. Plain data and
pure functions: the caller passes ``now``, persists the queue and broadcasts the ``Change``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypedDict

from server.sessions.protocol import Change, LiveError, PersonId, iso, stream_name, utc

QUESTION_MAX_LENGTH = 500

QueueKey = tuple[Literal["item", "room"], int]


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator (pre-moderated queues)
    LIVE = "live"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    MERGED = "merged"  # a duplicate; ``merged_into`` names the question that carries on


class Moderation(StrEnum):
    OPEN = "open"  # questions go live at once
    PRE = "pre"  # questions wait until a moderator approves them


# Display order of statuses: what is being discussed first, the archive last.
_STATUS_RANK: dict[QuestionStatus, int] = {
    QuestionStatus.LIVE: 0,
    QuestionStatus.PENDING: 1,
    QuestionStatus.ANSWERED: 2,
    QuestionStatus.DISMISSED: 3,
    QuestionStatus.MERGED: 4,
}


@dataclass(slots=True)
class Question:
    """One question; ``seq`` is its arrival order in the queue and its id."""

    id: int
    text: str
    created_at: datetime
    author_id: PersonId | None  # None for questions seeded from applications
    author_name: str | None
    anonymous: bool = False
    status: QuestionStatus = QuestionStatus.LIVE
    voters: set[PersonId] = field(default_factory=set)
    pinned: bool = False
    edited: bool = False
    merged_into: int | None = None
    answered_at: datetime | None = None

    @property
    def votes(self) -> int:
        return len(self.voters)


class QuestionView(TypedDict):
    """A question as sent over the wire (JSON-ready)."""

    id: int
    text: str
    status: str
    votes: int
    pinned: bool
    edited: bool
    anonymous: bool
    author_name: str | None
    author_id: PersonId | None  # moderators only; None in the audience view
    created_at: str | None
    answered_at: str | None
    merged_into: int | None
    mine: bool
    voted: bool


def clean_text(text: str, field_name: str = "text") -> str:
    """Return the stripped question text, or refuse empty and over-long text."""
    cleaned = text.strip()
    if not cleaned:
        raise LiveError(field_name, "must not be empty")
    if len(cleaned) > QUESTION_MAX_LENGTH:
        raise LiveError(field_name, f"must be at most {QUESTION_MAX_LENGTH} characters")
    return cleaned


@dataclass
class QAQueue:
    """The questions of one agenda item or break-out room, with a version per change."""

    key: QueueKey
    moderation: Moderation = Moderation.OPEN
    version: int = 0
    questions: dict[int, Question] = field(default_factory=dict)
    next_id: int = 1
    # Display order cached per version: views are read far more often than the queue changes.
    _order: tuple[int, list[int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    # -- reading ------------------------------------------------------------------------------

    def get(self, question_id: int, field_name: str = "question_id") -> Question:
        """Return a question or refuse an unknown id."""
        question = self.questions.get(question_id)
        if question is None:
            raise LiveError(field_name, "no such question in this queue")
        return question

    def ordered(self) -> list[Question]:
        """Return every question: live (pinned, then votes, then age), pending, answered, rest.

        Sorting 1,000 questions by a precomputed tuple key takes well under a millisecond;
        the result is cached until the next version.
        """
        if self._order is None or self._order[0] != self.version:
            ids = sorted(self.questions, key=self._sort_key)
            self._order = (self.version, ids)
        return [self.questions[qid] for qid in self._order[1]]

    def _sort_key(self, question_id: int) -> tuple[int, bool, int, int]:
        q = self.questions[question_id]
        return (_STATUS_RANK[q.status], not q.pinned, -len(q.voters), q.id)

    def audience_view(self, viewer: PersonId | None = None) -> list[QuestionView]:
        """Return what a participant sees: live and answered, plus the viewer's own pending."""
        return [audience_item(q, viewer) for q in self.ordered() if audience_visible(q, viewer)]

    def moderator_view(self) -> list[QuestionView]:
        """Return everything, authors always shown."""
        return [moderator_item(q) for q in self.ordered()]

    def snapshot(
        self, viewer: PersonId | None = None, *, moderator: bool = False
    ) -> dict[str, object]:
        """Return the full state of this queue for one recipient, with its version."""
        return {
            "stream": stream_name("qa", *self.key),
            "view": "moderator" if moderator else "audience",
            "key": list(self.key),
            "version": self.version,
            "moderation": self.moderation.value,
            "questions": self.moderator_view() if moderator else self.audience_view(viewer),
        }

    # -- participants ---------------------------------------------------------------------------

    def ask(
        self,
        author_id: PersonId,
        text: str,
        now: datetime,
        *,
        author_name: str | None = None,
        anonymous: bool = False,
    ) -> Change:
        """Add a question: live in an open queue, pending in a pre-moderated one."""
        cleaned = clean_text(text)
        moment = utc(now)
        status = (
            QuestionStatus.PENDING if self.moderation is Moderation.PRE else QuestionStatus.LIVE
        )
        question = Question(
            id=self.next_id,
            text=cleaned,
            created_at=moment,
            author_id=author_id,
            author_name=author_name,
            anonymous=anonymous,
            status=status,
        )
        self.questions[question.id] = question
        self.next_id += 1
        return self._bump("ask", question.id)

    def vote(self, question_id: int, voter: PersonId) -> Change:
        """Toggle ``voter``'s upvote: the first call adds it, the second withdraws it."""
        question = self.get(question_id)
        if question.status is not QuestionStatus.LIVE:
            raise LiveError("question_id", f"cannot vote on a {question.status.value} question")
        if voter in question.voters:
            question.voters.discard(voter)
            return self._bump("unvote", question_id)
        question.voters.add(voter)
        return self._bump("vote", question_id)

    # -- moderators -----------------------------------------------------------------------------

    def set_moderation(self, moderation: Moderation) -> Change:
        """Switch between open and pre-moderated; questions already pending stay pending."""
        if moderation is self.moderation:
            raise LiveError("moderation", f"queue is already {moderation.value}")
        self.moderation = moderation
        return self._bump("set_moderation")

    def approve(self, question_id: int) -> Change:
        """Make a pending question live."""
        question = self._expect(question_id, QuestionStatus.PENDING, verb="approve")
        question.status = QuestionStatus.LIVE
        return self._bump("approve", question_id)

    def dismiss(self, question_id: int) -> Change:
        """Hide a pending or live question from the audience (moderators still see it)."""
        question = self._expect(
            question_id, QuestionStatus.PENDING, QuestionStatus.LIVE, verb="dismiss"
        )
        question.status = QuestionStatus.DISMISSED
        question.pinned = False
        return self._bump("dismiss", question_id)

    def edit(self, question_id: int, text: str) -> Change:
        """Rewrite a question's text (typos, names); the audience sees it marked as edited."""
        question = self.get(question_id)
        if question.status is QuestionStatus.MERGED:
            raise LiveError("question_id", "cannot edit a merged question; edit its target")
        cleaned = clean_text(text)
        if cleaned == question.text:
            raise LiveError("text", "unchanged")
        question.text = cleaned
        question.edited = True
        return self._bump("edit", question_id)

    def pin(self, question_id: int) -> Change:
        """Put a live question at the top."""
        question = self._expect(question_id, QuestionStatus.LIVE, verb="pin")
        if question.pinned:
            raise LiveError("question_id", "already pinned")
        question.pinned = True
        return self._bump("pin", question_id)

    def unpin(self, question_id: int) -> Change:
        """Return a pinned question to its place by votes and age."""
        question = self.get(question_id)
        if not question.pinned:
            raise LiveError("question_id", "not pinned")
        question.pinned = False
        return self._bump("unpin", question_id)

    def mark_answered(self, question_id: int, now: datetime) -> Change:
        """Move a live question to the answered archive."""
        moment = utc(now)
        question = self._expect(question_id, QuestionStatus.LIVE, verb="mark answered")
        question.status = QuestionStatus.ANSWERED
        question.pinned = False
        question.answered_at = moment
        return self._bump("answer", question_id)

    def reopen(self, question_id: int) -> Change:
        """Bring an answered or dismissed question back live."""
        question = self._expect(
            question_id, QuestionStatus.ANSWERED, QuestionStatus.DISMISSED, verb="reopen"
        )
        question.status = QuestionStatus.LIVE
        question.answered_at = None
        return self._bump("reopen", question_id)

    def merge(self, source_id: int, target_id: int) -> Change:
        """Fold duplicate ``source`` into ``target``: votes are united, nobody counted twice.

        The source keeps its text and its own voters (for the record) and points to the target.
        """
        if source_id == target_id:
            raise LiveError("target_id", "cannot merge a question into itself")
        source = self._expect(
            source_id,
            QuestionStatus.PENDING,
            QuestionStatus.LIVE,
            QuestionStatus.ANSWERED,
            verb="merge",
            field_name="source_id",
        )
        target = self._expect(
            target_id,
            QuestionStatus.PENDING,
            QuestionStatus.LIVE,
            QuestionStatus.ANSWERED,
            verb="merge into",
            field_name="target_id",
        )
        target.voters |= source.voters  # set union: a person who voted on both counts once
        source.status = QuestionStatus.MERGED
        source.merged_into = target.id
        source.pinned = False
        return self._bump("merge", source_id, target_id)

    def seed(self, entries: Iterable[tuple[str, str | None]], now: datetime) -> Change:
        """Turn applicants' key questions ``(text, author name or None)`` into live questions.

        A name is shown only where the applicant agreed; ``None`` makes the question anonymous.
        All entries are validated first, so one bad entry adds none; one version for the batch.
        """
        moment = utc(now)
        cleaned: list[tuple[str, str | None]] = []
        for index, (text, name) in enumerate(entries):
            cleaned.append((clean_text(text, f"questions[{index}].text"), name or None))
        if not cleaned:
            raise LiveError("questions", "nothing to seed")
        first = self.next_id
        for offset, (text, name) in enumerate(cleaned):
            self.questions[first + offset] = Question(
                id=first + offset,
                text=text,
                created_at=moment,
                author_id=None,
                author_name=name,
                anonymous=name is None,
            )
        self.next_id = first + len(cleaned)
        return self._bump("seed", *range(first, self.next_id))

    # -- internals ------------------------------------------------------------------------------

    def _expect(
        self,
        question_id: int,
        *allowed: QuestionStatus,
        verb: str,
        field_name: str = "question_id",
    ) -> Question:
        question = self.get(question_id, field_name)
        if question.status not in allowed:
            raise LiveError(field_name, f"cannot {verb} a {question.status.value} question")
        return question

    def _bump(self, action: str, *ids: int) -> Change:
        self.version += 1
        return Change(self.version, action, ids)


def seed_questions(
    queue: QAQueue, entries: Iterable[tuple[str, str | None]], now: datetime
) -> Change:
    """Seed ``queue`` with applicants' key questions ``(text, author name or None)``."""
    return queue.seed(entries, now)


def audience_item(question: Question, viewer: PersonId | None = None) -> QuestionView:
    """Render a question for a participant: no author for anonymous ones, never author ids."""
    mine = viewer is not None and question.author_id == viewer
    return QuestionView(
        id=question.id,
        text=question.text,
        status=question.status.value,
        votes=len(question.voters),
        pinned=question.pinned,
        edited=question.edited,
        anonymous=question.anonymous,
        author_name=None if question.anonymous else question.author_name,
        author_id=None,
        created_at=iso(question.created_at),
        answered_at=iso(question.answered_at),
        merged_into=question.merged_into,
        mine=mine,
        voted=viewer is not None and viewer in question.voters,
    )


def moderator_item(question: Question) -> QuestionView:
    """Render a question for moderators: author always, anonymity only flagged."""
    return QuestionView(
        id=question.id,
        text=question.text,
        status=question.status.value,
        votes=len(question.voters),
        pinned=question.pinned,
        edited=question.edited,
        anonymous=question.anonymous,
        author_name=question.author_name,
        author_id=question.author_id,
        created_at=iso(question.created_at),
        answered_at=iso(question.answered_at),
        merged_into=question.merged_into,
        mine=False,
        voted=False,
    )


def change_payload(queue: QAQueue, change: Change, *, moderator: bool) -> dict[str, object]:
    """Return the ``qa:changed`` broadcast for one change, for moderators or the audience.

    Every version goes to every subscriber, or clients would see gaps and ask for
    snapshots; a question the audience may not see is sent as a tombstone
    ``{id, hidden: true, ...}`` (it reveals only that the id is not shown). The audience
    payload is viewer-neutral (``mine``/``voted`` false) so it is encoded once per broadcast;
    personal flags come from snapshots and acknowledgements.
    """
    questions: list[object] = []
    for qid in change.ids:
        question = queue.questions.get(int(qid))
        if question is None:
            continue
        if moderator:
            questions.append(moderator_item(question))
        elif audience_visible(question):
            questions.append(audience_item(question))
        else:
            questions.append(
                {
                    "id": question.id,
                    "hidden": True,
                    "status": question.status.value,
                    "merged_into": question.merged_into,
                }
            )
    return {
        "stream": stream_name("qa", *queue.key),
        # Moderators are in the event room too: they keep the moderator view, drop the other.
        "view": "moderator" if moderator else "audience",
        "key": list(queue.key),
        "version": change.version,
        "action": change.action,
        "moderation": queue.moderation.value,
        "questions": questions,
    }


def audience_visible(question: Question, viewer: PersonId | None = None) -> bool:
    """Say whether a participant may see this question (for filtering broadcasts)."""
    if question.status in (QuestionStatus.LIVE, QuestionStatus.ANSWERED):
        return True
    return (
        question.status is QuestionStatus.PENDING
        and viewer is not None
        and question.author_id == viewer
    )
