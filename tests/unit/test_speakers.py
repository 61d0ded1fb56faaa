"""Speakers' lists: order, first-timers-first, calling, timers with pause, refusals, versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.sessions.protocol import Change, LiveError
from server.sessions.speakers import SpeakerQueue

T0 = datetime(2026, 5, 25, 7, 30, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def names(queue: SpeakerQueue) -> list[str]:
    return [str(w.person_id) for w in queue.ordered()]


def queue_of(*people: str) -> SpeakerQueue:
    queue = SpeakerQueue(key=("plenary", 1))
    for i, person in enumerate(people):
        queue.raise_hand(person, person.title(), at(i))
    return queue


def test_raise_order_and_lower() -> None:
    queue = queue_of("a", "b", "c")
    assert names(queue) == ["a", "b", "c"]
    queue.lower_hand("b")
    assert names(queue) == ["a", "c"]
    assert queue.position("c") == 2 and queue.position("b") is None


def test_call_next_and_chosen() -> None:
    queue = queue_of("a", "b", "c")
    queue.call_next(at(10))
    assert queue.current is not None and queue.current.person_id == "a"
    queue.call("c", at(20))  # out of order; a's turn ends
    assert queue.current.person_id == "c"
    assert queue.spoken == {"a": 1}
    assert queue.last_speaker == ("a", "A")
    assert names(queue) == ["b"]
    queue.finish()
    assert queue.current is None and queue.last_speaker == ("c", "C")


def test_first_timers_first_is_stable_by_raise_order() -> None:
    queue = queue_of("a", "b")
    queue.call_next(at(5))
    queue.finish()  # a has spoken
    queue.call_next(at(6))
    queue.finish()  # b has spoken
    for i, person in enumerate(["a", "c", "b", "d"]):
        queue.raise_hand(person, person, at(10 + i))
    assert names(queue) == ["a", "c", "b", "d"]
    queue.set_options(first_timers_first=True)
    assert names(queue) == ["c", "d", "a", "b"]
    snapshot = queue.snapshot(at(20))
    assert [w["first_time"] for w in snapshot["waiting"]] == [True, True, False, False]  # type: ignore[attr-defined]
    queue.set_options(first_timers_first=False)
    assert names(queue) == ["a", "c", "b", "d"]


@given(
    st.lists(st.integers(0, 9), unique=True, min_size=1, max_size=10),
    st.sets(st.integers(0, 9)),
)
def test_first_timers_first_property(raisers: list[int], have_spoken: set[int]) -> None:
    queue = SpeakerQueue(key=("room", 3), first_timers_first=True)
    queue.spoken = {p: 1 for p in have_spoken}
    for i, person in enumerate(raisers):
        queue.raise_hand(person, str(person), at(i))
    order = [w.person_id for w in queue.ordered()]
    newcomers = [p for p in raisers if p not in have_spoken]
    veterans = [p for p in raisers if p in have_spoken]
    assert order == newcomers + veterans


def test_readd_last_speaker_goes_to_top() -> None:
    queue = queue_of("a", "b", "c")
    queue.call_next(at(10))
    queue.call_next(at(20))  # a finished, b speaking
    queue.readd_last(at(21))
    assert names(queue) == ["a", "c"]
    with pytest.raises(LiveError):
        queue.readd_last(at(22))  # a is already waiting


def test_closed_list_refuses_hands_but_keeps_waiting() -> None:
    queue = queue_of("a")
    queue.close_list()
    with pytest.raises(LiveError) as err:
        queue.raise_hand("b", "B", at(5))
    assert err.value.reason == "the speakers' list is closed"
    assert names(queue) == ["a"]
    queue.call_next(at(6))
    with pytest.raises(LiveError):
        queue.close_list()
    queue.open_list()
    queue.raise_hand("b", "B", at(7))
    assert names(queue) == ["b"]


def test_timer_with_pause_and_resume() -> None:
    queue = queue_of("a")
    queue.set_options(speaking_limit_seconds=180)
    queue.call_next(at(0))
    assert queue.current is not None
    timer = queue.current.timer
    assert timer.elapsed(at(50)) == timedelta(0)  # called, not started
    queue.start_timer(at(10))
    assert timer.elapsed(at(70)) == timedelta(seconds=60)
    queue.pause_timer(at(70))
    assert timer.elapsed(at(500)) == timedelta(seconds=60)  # paused: frozen
    queue.resume_timer(at(100))
    assert timer.elapsed(at(130)) == timedelta(seconds=90)
    assert timer.remaining(at(130)) == timedelta(seconds=90)
    assert timer.remaining(at(300)) == timedelta(seconds=-80)  # over time: negative
    queue.pause_timer(at(150))
    queue.resume_timer(at(160))
    assert timer.elapsed(at(170)) == timedelta(seconds=120)
    snap = queue.snapshot(at(170))
    assert (snap["stream"], snap["version"]) == ("speaker:plenary:1", queue.version)
    assert snap["current"]["timer"]["elapsed_seconds"] == 120.0  # type: ignore[index]
    assert snap["current"]["timer"]["remaining_seconds"] == 60.0  # type: ignore[index]


def test_timer_never_negative_when_clocks_disagree() -> None:
    queue = queue_of("a")
    queue.call_next(at(0))
    queue.start_timer(at(10))
    assert queue.current is not None
    assert queue.current.timer.elapsed(at(5)) == timedelta(0)


def test_limit_applies_from_next_speaker() -> None:
    queue = queue_of("a", "b")
    queue.call_next(at(0))
    queue.set_options(speaking_limit_seconds=120)
    assert queue.current is not None and queue.current.timer.limit_seconds is None
    queue.call_next(at(10))
    assert queue.current.timer.limit_seconds == 120


Op = Callable[[SpeakerQueue], Change]

ILLEGAL: dict[str, Op] = {
    "raise twice": lambda q: q.raise_hand("b", "B", at(50)),
    "raise while speaking": lambda q: q.raise_hand("a", "A", at(50)),
    "lower absent": lambda q: q.lower_hand("zz"),
    "call absent": lambda q: q.call("zz", at(50)),
    "call speaker": lambda q: q.call("a", at(50)),
    "start twice": lambda q: q.start_timer(at(50)),
    "resume running": lambda q: q.resume_timer(at(50)),
    "open open list": lambda q: q.open_list(),
    "options unchanged": lambda q: q.set_options(first_timers_first=False),
    "limit zero": lambda q: q.set_options(speaking_limit_seconds=0),
    "limit huge": lambda q: q.set_options(speaking_limit_seconds=10**6),
    "readd waiting": lambda q: q.readd_last(at(50)),  # b spoke last and is waiting again
    "naive now": lambda q: q.call_next(datetime(2026, 5, 25, 9, 30)),
}


def busy_queue() -> SpeakerQueue:
    """b, c waiting; a speaking with a running timer; b spoke before (last speaker)."""
    queue = queue_of("b", "a")
    queue.call("b", at(1))
    queue.call("a", at(2))  # b finished, a speaking
    queue.start_timer(at(3))
    queue.raise_hand("b", "B", at(4))
    queue.raise_hand("c", "C", at(5))
    return queue


@pytest.mark.parametrize("name", sorted(ILLEGAL))
def test_illegal_action_is_refused_and_changes_nothing(name: str) -> None:
    queue = busy_queue()
    before = copy.deepcopy(queue)
    with pytest.raises(LiveError) as err:
        ILLEGAL[name](queue)
    assert err.value.field and err.value.reason
    assert queue == before


@pytest.mark.parametrize(
    "op",
    [
        lambda q: q.finish(),
        lambda q: q.pause_timer(at(1)),
        lambda q: q.resume_timer(at(1)),
        lambda q: q.start_timer(at(1)),
        lambda q: q.call_next(at(1)),
        lambda q: q.readd_last(at(1)),
    ],
)
def test_refusals_on_an_empty_list(op: Op) -> None:
    queue = SpeakerQueue(key=("room", 1))
    before = copy.deepcopy(queue)
    with pytest.raises(LiveError):
        op(queue)
    assert queue == before


def test_versions_strictly_increase_on_changes_only() -> None:
    queue = busy_queue()
    steps: list[Op] = [
        lambda q: q.pause_timer(at(10)),
        lambda q: q.resume_timer(at(11)),
        lambda q: q.raise_hand("d", "D", at(12)),
        lambda q: q.lower_hand("d"),
        lambda q: q.set_options(first_timers_first=True),
        lambda q: q.call_next(at(13)),
        lambda q: q.readd_last(at(14)),
        lambda q: q.close_list(),
        lambda q: q.open_list(),
        lambda q: q.finish(),
        lambda q: q.call("a", at(15)),
    ]
    for op in steps:
        version = queue.version
        change = op(queue)
        assert change.version == queue.version == version + 1
        with pytest.raises(LiveError):
            queue.lower_hand("nobody")
        assert queue.version == version + 1
