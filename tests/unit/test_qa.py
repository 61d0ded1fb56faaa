"""Q&A queues: ordering, votes, merge, moderation, anonymity, limits, versions."""

from __future__ import annotations

import copy
import csv
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.sessions.protocol import Change, LiveError
from server.sessions.qa import (
    QUESTION_MAX_LENGTH,
    Moderation,
    QAQueue,
    QuestionStatus,
    change_payload,
    seed_questions,
)
from server.sessions.qa_report import CSV_HEADER, questions_csv_rows, questions_markdown

T0 = datetime(2026, 5, 25, 7, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def queue_with(n: int, *, moderation: Moderation = Moderation.OPEN) -> QAQueue:
    queue = QAQueue(key=("item", 1), moderation=moderation)
    for i in range(n):
        queue.ask(f"p{i}", f"Question {i}?", at(i), author_name=f"Person {i}")
    return queue


def ids(queue: QAQueue) -> list[int]:
    return [q.id for q in queue.ordered()]


# -- ordering ---------------------------------------------------------------------------------


def test_order_is_pinned_then_votes_then_age() -> None:
    queue = queue_with(4)  # ids 1..4, oldest first
    queue.vote(3, "a")
    queue.vote(3, "b")
    queue.vote(4, "a")
    assert ids(queue) == [3, 4, 1, 2]
    queue.pin(2)
    assert ids(queue) == [2, 3, 4, 1]
    queue.mark_answered(3, at(10))
    # answered questions leave the live list and go to the archive at the end
    assert ids(queue) == [2, 4, 1, 3]


def test_equal_votes_keep_age_order() -> None:
    queue = queue_with(3)
    for qid in (1, 2, 3):
        queue.vote(qid, "x")
    assert ids(queue) == [1, 2, 3]


def test_ordering_a_thousand_questions_is_cheap() -> None:
    queue = queue_with(1000)
    for i in range(5000):
        queue.vote(1 + (i * 7919) % 1000, f"v{i % 300}")
    start = time.perf_counter()
    for _ in range(20):
        queue.version += 1  # defeat the cache: measure the sort itself
        ordered = queue.ordered()
    per_sort = (time.perf_counter() - start) / 20
    votes = [q.votes for q in ordered]
    assert votes == sorted(votes, reverse=True)
    assert per_sort < 0.02


# -- votes ------------------------------------------------------------------------------------


def test_vote_toggles() -> None:
    queue = queue_with(1)
    assert queue.vote(1, "a").action == "vote"
    assert queue.get(1).votes == 1
    assert queue.vote(1, "a").action == "unvote"
    assert queue.get(1).votes == 0
    queue.vote(1, "a")
    queue.vote(1, "b")
    assert queue.get(1).votes == 2


@pytest.mark.parametrize("status_change", ["answer", "dismiss", "pending"])
def test_votes_only_on_live_questions(status_change: str) -> None:
    queue = queue_with(
        1, moderation=Moderation.PRE if status_change == "pending" else Moderation.OPEN
    )
    if status_change == "answer":
        queue.mark_answered(1, at(5))
    elif status_change == "dismiss":
        queue.dismiss(1)
    with pytest.raises(LiveError) as err:
        queue.vote(1, "a")
    assert err.value.field == "question_id"


# -- merge ------------------------------------------------------------------------------------


def test_merge_unites_votes_and_keeps_source_text() -> None:
    queue = queue_with(2)
    for voter in ("a", "b"):
        queue.vote(1, voter)
    for voter in ("b", "c"):
        queue.vote(2, voter)
    change = queue.merge(2, 1)
    assert change.ids == (2, 1)
    assert queue.get(1).votes == 3  # b counted once
    source = queue.get(2)
    assert source.status is QuestionStatus.MERGED
    assert source.merged_into == 1
    assert source.text == "Question 1?"
    # a merged question leaves the audience's list; its target carries on
    assert [v["id"] for v in queue.audience_view()] == [1]
    # b already counts on the target: voting again withdraws it, as for any vote
    assert queue.vote(1, "b").action == "unvote"


voter_sets = st.sets(st.integers(min_value=0, max_value=30), max_size=20)


@given(voter_sets, voter_sets)
def test_merge_votes_are_the_union(a: set[int], b: set[int]) -> None:
    queue = queue_with(2)
    for v in a:
        queue.vote(1, v)
    for v in b:
        queue.vote(2, v)
    queue.merge(2, 1)
    assert queue.get(1).voters == a | b
    assert queue.get(1).votes == len(a | b)


def test_merge_refusals() -> None:
    queue = queue_with(3)
    queue.dismiss(3)
    for source, target, field in [
        (1, 1, "target_id"),
        (1, 99, "target_id"),
        (99, 1, "source_id"),
        (1, 3, "target_id"),
        (3, 1, "source_id"),
    ]:
        with pytest.raises(LiveError) as err:
            queue.merge(source, target)
        assert err.value.field == field
    queue.merge(2, 1)
    with pytest.raises(LiveError):
        queue.merge(2, 1)  # already merged
    with pytest.raises(LiveError):
        queue.merge(1, 2)  # into a merged question


# -- moderation and visibility ----------------------------------------------------------------


def test_pre_moderation_hides_pending_except_from_author() -> None:
    queue = QAQueue(key=("room", 5), moderation=Moderation.PRE)
    queue.ask("alice", "Mine?", at(0), author_name="Alice")
    assert queue.get(1).status is QuestionStatus.PENDING
    assert queue.audience_view("bob") == []
    assert queue.audience_view(None) == []
    own = queue.audience_view("alice")
    assert [(v["id"], v["status"], v["mine"]) for v in own] == [(1, "pending", True)]
    assert [v["status"] for v in queue.moderator_view()] == ["pending"]
    queue.approve(1)
    assert [v["id"] for v in queue.audience_view("bob")] == [1]


def test_dismissed_questions_leave_the_audience_view() -> None:
    queue = queue_with(2)
    queue.dismiss(1)
    assert [v["id"] for v in queue.audience_view("p0")] == [2]
    assert {v["id"] for v in queue.moderator_view()} == {1, 2}
    queue.reopen(1)
    assert {v["id"] for v in queue.audience_view()} == {1, 2}


def test_switching_moderation_keeps_pending_pending() -> None:
    queue = queue_with(1, moderation=Moderation.PRE)
    queue.set_moderation(Moderation.OPEN)
    assert queue.get(1).status is QuestionStatus.PENDING
    queue.ask("x", "Now live?", at(1))
    assert queue.get(2).status is QuestionStatus.LIVE


def test_anonymous_to_audience_never_to_moderators() -> None:
    queue = QAQueue(key=("item", 1))
    queue.ask("alice", "Sensitive?", at(0), author_name="Alice", anonymous=True)
    queue.ask("bob", "Open?", at(1), author_name="Bob")
    audience = {v["id"]: v for v in queue.audience_view("carol")}
    assert audience[1]["author_name"] is None
    assert audience[1]["author_id"] is None
    assert audience[2]["author_name"] == "Bob"
    assert audience[2]["author_id"] is None  # ids never go to the audience
    assert queue.audience_view("alice")[0]["mine"] is True
    moderator = {v["id"]: v for v in queue.moderator_view()}
    assert moderator[1]["author_name"] == "Alice"
    assert moderator[1]["author_id"] == "alice"
    assert moderator[1]["anonymous"] is True


def test_audience_view_flags_own_votes() -> None:
    queue = queue_with(2)
    queue.vote(2, "me")
    voted = {v["id"]: v["voted"] for v in queue.audience_view("me")}
    assert voted == {1: False, 2: True}


def test_edit_marks_question_edited() -> None:
    queue = queue_with(1)
    queue.edit(1, "  Better wording?  ")
    q = queue.get(1)
    assert (q.text, q.edited) == ("Better wording?", True)


# -- text limits ------------------------------------------------------------------------------


def test_text_limits() -> None:
    queue = QAQueue(key=("item", 1))
    queue.ask("a", "x" * QUESTION_MAX_LENGTH, at(0))
    queue.ask("a", "  " + "y" * QUESTION_MAX_LENGTH + "\n", at(0))  # length counted after strip
    for text in ("", "   \n\t", "z" * (QUESTION_MAX_LENGTH + 1)):
        with pytest.raises(LiveError) as err:
            queue.ask("a", text, at(1))
        assert err.value.field == "text"
    with pytest.raises(LiveError):
        queue.edit(1, "z" * (QUESTION_MAX_LENGTH + 1))
    assert len(queue.questions) == 2


def test_naive_now_is_refused() -> None:
    queue = QAQueue(key=("item", 1))
    with pytest.raises(LiveError) as err:
        queue.ask("a", "When?", datetime(2026, 5, 25, 9, 30))
    assert err.value.field == "now"


# -- seeding ----------------------------------------------------------------------------------


def test_seed_from_applications() -> None:
    queue = QAQueue(key=("item", 1), moderation=Moderation.PRE)
    change = seed_questions(
        queue,
        [("How do you work with children?", "Aigerim"), ("What about families?", None)],
        at(0),
    )
    assert change.action == "seed" and change.ids == (1, 2) and change.version == 1
    audience = queue.audience_view()
    assert [(v["author_name"], v["anonymous"], v["status"]) for v in audience] == [
        ("Aigerim", False, "live"),
        (None, True, "live"),
    ]


def test_seed_is_all_or_nothing() -> None:
    queue = QAQueue(key=("item", 1))
    with pytest.raises(LiveError) as err:
        queue.seed([("fine", None), ("x" * 501, "Too long")], at(0))
    assert err.value.field == "questions[1].text"
    assert queue.questions == {} and queue.version == 0
    with pytest.raises(LiveError):
        queue.seed([], at(0))


# -- illegal transitions change nothing; versions -------------------------------------------

Op = Callable[[QAQueue], Change]

ILLEGAL: dict[str, Op] = {
    "approve live": lambda q: q.approve(1),
    "answer pending": lambda q: q.mark_answered(4, at(9)),
    "pin pending": lambda q: q.pin(4),
    "pin answered": lambda q: q.pin(2),
    "pin pinned": lambda q: q.pin(1),
    "unpin unpinned": lambda q: q.unpin(3),
    "reopen live": lambda q: q.reopen(1),
    "dismiss answered": lambda q: q.dismiss(2),
    "dismiss dismissed": lambda q: q.dismiss(3),
    "answer answered": lambda q: q.mark_answered(2, at(9)),
    "vote unknown": lambda q: q.vote(99, "a"),
    "edit unchanged": lambda q: q.edit(1, "Question 0?"),
    "edit empty": lambda q: q.edit(1, " "),
    "edit merged": lambda q: q.edit(5, "new"),
    "reopen merged": lambda q: q.reopen(5),
    "approve merged": lambda q: q.approve(5),
    "same moderation": lambda q: q.set_moderation(Moderation.OPEN),
    "ask empty": lambda q: q.ask("a", "", at(9)),
}


def busy_queue() -> QAQueue:
    """1 live pinned, 2 answered, 3 dismissed, 4 pending, 5 merged into 1."""
    queue = queue_with(3)
    queue.pin(1)
    queue.vote(1, "v")
    queue.mark_answered(2, at(5))
    queue.dismiss(3)
    queue.set_moderation(Moderation.PRE)
    queue.ask("p3", "Pending?", at(6))
    queue.ask("p4", "Dup?", at(7))
    queue.approve(5)
    queue.merge(5, 1)
    queue.set_moderation(Moderation.OPEN)
    return queue


@pytest.mark.parametrize("name", sorted(ILLEGAL))
def test_illegal_transition_is_refused_and_changes_nothing(name: str) -> None:
    queue = busy_queue()
    before = copy.deepcopy(queue.questions), queue.version, queue.next_id, queue.moderation
    with pytest.raises(LiveError) as err:
        ILLEGAL[name](queue)
    assert err.value.field and err.value.reason
    assert (queue.questions, queue.version, queue.next_id, queue.moderation) == before


LEGAL: list[Op] = [
    lambda q: q.ask("z", "New?", at(20)),
    lambda q: q.vote(1, "w"),
    lambda q: q.vote(1, "w"),
    lambda q: q.unpin(1),
    lambda q: q.pin(1),
    lambda q: q.approve(4),
    lambda q: q.edit(4, "Edited?"),
    lambda q: q.reopen(2),
    lambda q: q.reopen(3),
    lambda q: q.dismiss(3),
    lambda q: q.mark_answered(1, at(21)),
    lambda q: q.merge(4, 1),
    lambda q: q.set_moderation(Moderation.PRE),
    lambda q: q.seed([("Seed?", None)], at(22)),
]


def test_versions_strictly_increase_on_changes_only() -> None:
    queue = busy_queue()
    seen = [queue.version]
    for i, op in enumerate(LEGAL):
        change = op(queue)
        assert queue.version == seen[-1] + 1
        assert change.version == queue.version
        seen.append(queue.version)
        # interleave a refused action after every accepted one
        with pytest.raises(LiveError):
            queue.vote(1000 + i, "x")
        assert queue.version == seen[-1]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["vote", "pin", "unpin", "answer", "reopen", "dismiss", "approve", "merge"]
            ),
            st.integers(1, 4),
            st.integers(1, 4),
            st.integers(0, 5),
        )
    )
)
def test_random_operations_keep_versions_and_refusals_honest(
    ops: list[tuple[str, int, int, int]],
) -> None:
    queue = queue_with(4)
    for name, a, b, voter in ops:
        before = copy.deepcopy(queue.questions), queue.version
        try:
            if name == "vote":
                queue.vote(a, voter)
            elif name == "pin":
                queue.pin(a)
            elif name == "unpin":
                queue.unpin(a)
            elif name == "answer":
                queue.mark_answered(a, at(30))
            elif name == "reopen":
                queue.reopen(a)
            elif name == "dismiss":
                queue.dismiss(a)
            elif name == "approve":
                queue.approve(a)
            else:
                queue.merge(a, b)
        except LiveError:
            assert (queue.questions, queue.version) == before
        else:
            assert queue.version == before[1] + 1
        # invariants: only live questions are pinned; merged ones point to a non-merged target
        for q in queue.questions.values():
            assert not q.pinned or q.status is QuestionStatus.LIVE
            if q.status is QuestionStatus.MERGED:
                assert q.merged_into is not None and q.merged_into != q.id
            else:
                assert q.merged_into is None


# -- export -----------------------------------------------------------------------------------


def test_export_csv_and_markdown() -> None:
    item = queue_with(2)
    item.vote(2, "a")
    item.ask("evil", '=HYPERLINK("http://x")', at(3), anonymous=True, author_name="Eve")
    room = QAQueue(key=("room", 9))
    titles = {("item", 1): "Presentations: Kazakhstan", ("room", 9): "Room A"}
    rows = list(questions_csv_rows([item, room], titles))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 4
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    parsed = list(csv.reader(io.StringIO(buf.getvalue())))
    by_id = {r[1]: dict(zip(CSV_HEADER, r, strict=True)) for r in parsed[1:]}
    assert by_id["2"]["votes"] == "1"
    assert by_id["3"]["text"].startswith("'=")  # no formula injection into spreadsheets
    assert by_id["3"]["author"] == ""  # anonymous stays anonymous in the report
    md = questions_markdown([item, room], titles)
    assert "## Presentations: Kazakhstan" in md
    assert "## Room A" in md and "_No questions._" in md
    assert "(1 vote, live) — Person 1: Question 1?" in md
    assert "Eve" not in md


# -- broadcast payloads -----------------------------------------------------------------------


def listed(payload: dict[str, object]) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], payload["questions"])


def test_change_payload_hides_what_the_audience_may_not_see() -> None:
    queue = QAQueue(key=("room", 2), moderation=Moderation.PRE)
    change = queue.ask("alice", "Pending?", at(0), author_name="Alice", anonymous=True)
    audience = change_payload(queue, change, moderator=False)
    assert audience["version"] == 1 and audience["action"] == "ask"
    assert (audience["stream"], audience["view"]) == ("qa:room:2", "audience")
    assert audience["questions"] == [
        {"id": 1, "hidden": True, "status": "pending", "merged_into": None}
    ]
    moderators = change_payload(queue, change, moderator=True)
    [item] = listed(moderators)
    assert item["author_name"] == "Alice" and item["status"] == "pending"
    approved = change_payload(queue, queue.approve(1), moderator=False)
    [shown] = listed(approved)
    assert shown["status"] == "live" and shown["author_name"] is None
    queue.ask("bob", "Dup?", at(1))
    queue.approve(2)
    merged = change_payload(queue, queue.merge(2, 1), moderator=False)
    tomb, target = listed(merged)
    assert tomb == {"id": 2, "hidden": True, "status": "merged", "merged_into": 1}
    assert target["id"] == 1
