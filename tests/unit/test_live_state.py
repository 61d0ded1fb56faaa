"""Live agenda state machine, room notes, exports and the version contract."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.sessions import protocol as events
from server.sessions.live_state import (
    ANNOUNCEMENTS_KEPT,
    NOTES_CSV_HEADER,
    NOTES_MAX_LENGTH,
    LiveState,
    Mode,
    RoomNotes,
    notes_csv_rows,
    notes_markdown,
)
from server.sessions.protocol import Change, LiveError, classify_version

T0 = datetime(2026, 5, 25, 7, 30, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def fresh() -> LiveState:
    return LiveState(event_id=1, agenda=[10, 20, 30])


def in_breakouts() -> LiveState:
    state = fresh()
    state.start_item(20, at(0))
    state.open_breakouts("round-1", 20, at(1))
    return state


# -- the happy path ---------------------------------------------------------------------------


def test_drive_a_morning() -> None:
    state = fresh()
    assert state.next_item(at(0)).ids == (10,)
    state.next_item(at(30))
    assert (state.mode, state.current_item) == (Mode.PLENARY, 20)
    state.open_breakouts(7, 25, at(40))
    assert state.mode is Mode.BREAKOUTS and state.round_id == 7
    assert state.remaining(at(50)) == timedelta(minutes=15)
    state.extend_breakouts(5, at(60))
    assert state.breakouts_end_at == at(70)
    state.announce("Five minutes left", at(65), target="rooms", by="mod")
    state.close_breakouts(at(66), grace_seconds=60)
    assert state.closing and state.breakouts_end_at == at(67)
    state.bring_back(at(67))
    assert (str(state.mode), state.current_item) == ("plenary", 20)
    assert state.snapshot(at(67))["breakouts_end_at"] is None
    state.next_item(at(70))
    assert state.current_item == 30
    assert state.version == 8  # one per accepted transition


def test_extend_after_overrun_counts_from_now() -> None:
    state = in_breakouts()  # ends at minute 21
    state.extend_breakouts(5, at(30))
    assert state.breakouts_end_at == at(35)
    assert state.remaining(at(36)) == timedelta(minutes=-1)


def test_close_never_lengthens_and_extend_cancels_closing() -> None:
    state = in_breakouts()  # ends at minute 21
    state.close_breakouts(at(20.5), grace_seconds=120)
    assert state.breakouts_end_at == at(21)
    state.extend_breakouts(3, at(20.6))
    assert not state.closing and state.breakouts_end_at == at(24)


def test_bring_back_works_even_before_the_countdown_ends() -> None:
    state = in_breakouts()
    state.bring_back(at(2))
    assert state.mode is Mode.PLENARY
    state.open_breakouts("round-2", 10, at(3))  # and the next round can open
    assert state.round_id == "round-2"


def test_announcements_keep_the_recent_ones() -> None:
    state = fresh()
    for i in range(ANNOUNCEMENTS_KEPT + 5):
        state.announce(f"note {i}", at(i))
    assert len(state.announcements) == ANNOUNCEMENTS_KEPT
    assert state.announcements[-1].id == ANNOUNCEMENTS_KEPT + 5
    assert state.announcements[0].text == "note 5"


def test_snapshot_is_plain_data_with_utc_times() -> None:
    state = in_breakouts()
    brussels = at(11).astimezone(ZoneInfo("Europe/Brussels"))  # any zone in, UTC out
    snap = state.snapshot(brussels)
    assert snap["stream"] == "agenda:1" and snap["version"] == 2
    assert snap["mode"] == "breakouts"
    assert snap["round_id"] == "round-1"
    assert snap["breakouts_end_at"] == "2026-05-25T07:51:00Z"
    assert snap["remaining_seconds"] == 600.0
    assert snap["server_now"] == "2026-05-25T07:41:00Z"


# -- illegal transitions ----------------------------------------------------------------------

Op = Callable[[LiveState], Change]

ILLEGAL_FROM_IDLE: dict[str, Op] = {
    "open breakouts": lambda s: s.open_breakouts("r", 10, at(5)),
    "extend": lambda s: s.extend_breakouts(5, at(5)),
    "close": lambda s: s.close_breakouts(at(5)),
    "bring back": lambda s: s.bring_back(at(5)),
    "announce to rooms": lambda s: s.announce("hi", at(5), target="rooms"),
    "start unknown item": lambda s: s.start_item(99, at(5)),
}

ILLEGAL_FROM_PLENARY: dict[str, Op] = {
    "start current item": lambda s: s.start_item(30, at(5)),
    "next after last": lambda s: s.next_item(at(5)),
    "extend": lambda s: s.extend_breakouts(5, at(5)),
    "close": lambda s: s.close_breakouts(at(5)),
    "bring back": lambda s: s.bring_back(at(5)),
    "zero minutes": lambda s: s.open_breakouts("r", 0, at(5)),
    "too many minutes": lambda s: s.open_breakouts("r", 10_000, at(5)),
    "float minutes": lambda s: s.open_breakouts("r", 1.5, at(5)),  # type: ignore[arg-type]
    "bool minutes": lambda s: s.open_breakouts("r", True, at(5)),
    "blank round": lambda s: s.open_breakouts("  ", 10, at(5)),
    "negative round": lambda s: s.open_breakouts(-1, 10, at(5)),
    "empty announcement": lambda s: s.announce("   ", at(5)),
    "long announcement": lambda s: s.announce("x" * 1001, at(5)),
    "bad target": lambda s: s.announce("hi", at(5), target="nobody"),  # type: ignore[arg-type]
    "agenda drops current": lambda s: s.set_agenda([10, 20], at(5)),
    "agenda duplicate": lambda s: s.set_agenda([10, 30, 30], at(5)),
    "agenda unchanged": lambda s: s.set_agenda([10, 20, 30], at(5)),
    "naive now": lambda s: s.start_item(10, datetime(2026, 5, 25, 9, 30)),
}

ILLEGAL_FROM_BREAKOUTS: dict[str, Op] = {
    "start item": lambda s: s.start_item(10, at(5)),
    "next item": lambda s: s.next_item(at(5)),
    "open again": lambda s: s.open_breakouts("r2", 10, at(5)),
    "extend zero": lambda s: s.extend_breakouts(0, at(5)),
    "extend too long": lambda s: s.extend_breakouts(500, at(5)),
    "close negative grace": lambda s: s.close_breakouts(at(5), grace_seconds=-1),
    "close huge grace": lambda s: s.close_breakouts(at(5), grace_seconds=3600),
}


def plenary_at_last() -> LiveState:
    state = fresh()
    state.start_item(30, at(0))
    return state


CASES = (
    [(fresh, name, op) for name, op in ILLEGAL_FROM_IDLE.items()]
    + [(plenary_at_last, name, op) for name, op in ILLEGAL_FROM_PLENARY.items()]
    + [(in_breakouts, name, op) for name, op in ILLEGAL_FROM_BREAKOUTS.items()]
)


@pytest.mark.parametrize(
    ("make", "name", "op"), CASES, ids=[f"{m.__name__}-{n}" for m, n, _ in CASES]
)
def test_illegal_transition_is_refused_and_changes_nothing(
    make: Callable[[], LiveState], name: str, op: Op
) -> None:
    state = make()
    before = copy.deepcopy(state)
    with pytest.raises(LiveError) as err:
        op(state)
    assert err.value.field and err.value.reason
    assert state == before


def test_close_twice_is_refused() -> None:
    state = in_breakouts()
    state.close_breakouts(at(5))
    before = copy.deepcopy(state)
    with pytest.raises(LiveError) as err:
        state.close_breakouts(at(5))
    assert err.value.field == "mode"
    assert state == before


def test_empty_agenda_next_item_refused() -> None:
    state = LiveState(event_id=1)
    with pytest.raises(LiveError) as err:
        state.next_item(at(0))
    assert err.value.field == "agenda" and state.version == 0


ALL_OPS: list[Callable[[LiveState, int], Change]] = [
    lambda s, n: s.start_item(n * 10, at(n)),
    lambda s, n: s.next_item(at(n)),
    lambda s, n: s.open_breakouts(n, n * 5, at(n)),
    lambda s, n: s.extend_breakouts(n, at(n)),
    lambda s, n: s.close_breakouts(at(n), grace_seconds=n * 30),
    lambda s, n: s.bring_back(at(n)),
    lambda s, n: s.announce("hi" * n, at(n), target="rooms" if n % 2 else "everyone"),
]


@given(st.lists(st.tuples(st.integers(0, len(ALL_OPS) - 1), st.integers(0, 4)), max_size=40))
def test_versions_increase_by_one_on_accepted_changes_only(steps: list[tuple[int, int]]) -> None:
    state = fresh()
    for index, arg in steps:
        before = copy.deepcopy(state)
        try:
            change = ALL_OPS[index](state, arg)
        except LiveError:
            assert state == before
        else:
            assert change.version == state.version == before.version + 1
        # invariants of the machine
        if state.mode is Mode.BREAKOUTS:
            assert state.breakouts_end_at is not None and state.round_id is not None
            assert state.current_item is not None
        else:
            assert state.breakouts_end_at is None and not state.closing
        if state.mode is Mode.PLENARY:
            assert state.current_item in state.agenda


# -- room notes -------------------------------------------------------------------------------


def test_room_notes_versions_and_editor() -> None:
    notes = RoomNotes(room_id=4)
    assert notes.edit("First ideas", "ana", at(1)).version == 1
    notes.edit("First ideas\n- more", "ben", at(2), base_version=1)
    assert (notes.version, notes.last_editor, notes.updated_at) == (2, "ben", at(2))
    snap = notes.snapshot()
    assert snap["version"] == 2 and snap["text"] == "First ideas\n- more"


@pytest.mark.parametrize(
    ("text", "base", "field"),
    [
        ("x" * (NOTES_MAX_LENGTH + 1), None, "text"),
        ("same", None, "text"),
        ("other", 0, "base_version"),  # someone saved in between
    ],
)
def test_room_notes_refusals(text: str, base: int | None, field: str) -> None:
    notes = RoomNotes(room_id=4)
    notes.edit("same", "ana", at(1))
    before = copy.deepcopy(notes)
    with pytest.raises(LiveError) as err:
        notes.edit(text, "ben", at(2), base_version=base)
    assert err.value.field == field
    assert notes == before


def test_room_notes_at_the_limit() -> None:
    notes = RoomNotes(room_id=1)
    notes.edit("x" * NOTES_MAX_LENGTH, "ana", at(1))
    assert len(notes.text) == NOTES_MAX_LENGTH


def test_notes_export() -> None:
    a = RoomNotes(room_id=1)
    a.edit("=cmd|' /C calc'!A0\nsecond line", "ana", at(1))
    b = RoomNotes(room_id=2)
    rows = list(notes_csv_rows([a, b], {1: "Room A: prison and probation"}))
    assert rows[0] == NOTES_CSV_HEADER
    assert rows[1][0] == "Room A: prison and probation"
    assert rows[1][3].startswith("'=")
    assert rows[2][0] == "Room 2"
    md = notes_markdown([a, b], {1: "Room A"})
    assert "## Room A" in md and "## Room 2" in md and "_No notes._" in md


# -- the versions contract (events.py) --------------------------------------------------------


def test_classify_version() -> None:
    assert classify_version(None, 5) == "gap"
    assert classify_version(4, 5) == "apply"
    assert classify_version(5, 5) == "stale"
    assert classify_version(5, 3) == "stale"
    assert classify_version(5, 7) == "gap"


def test_event_names_follow_one_scheme_and_are_unique() -> None:
    names = [
        value
        for key, value in vars(events).items()
        if key.isupper() and isinstance(value, str) and ":" in value
    ]
    assert len(names) == len(set(names))  # no two constants share a wire name
    for name in events.CLIENT_EVENTS | events.SERVER_EVENTS:
        topic, verb = name.split(":")
        assert topic in {"sync", "agenda", "qa", "speaker", "notes", "room", "presence"}
        assert verb and verb == verb.lower()
    assert events.CLIENT_EVENTS.isdisjoint(events.SERVER_EVENTS)
    assert events.event_room(3) == "event:3"
    assert events.moderators_room(3) == "event:3:moderators"
    assert events.breakout_room(8) == "room:8"
    assert events.person_room(5) == "person:5"
    assert events.stream_name("qa", "item", 7) == "qa:item:7"


def test_acks() -> None:
    assert events.ack_ok(version=3) == {"ok": True, "version": 3}
    err = LiveError("text", "must not be empty")
    assert events.ack_error(err) == {
        "ok": False,
        "error": {"field": "text", "reason": "must not be empty"},
    }


def test_time_up_starts_the_grace_countdown_then_brings_everyone_back() -> None:
    from datetime import UTC, datetime, timedelta

    from server.sessions.live_state import LiveState, Mode
    from server.sessions.protocol import LiveError

    opened = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)
    state = LiveState(event_id=1, agenda=[10])
    state.start_item(10, opened)
    state.open_breakouts(5, 20, opened)
    with pytest.raises(LiveError):
        state.time_up(opened + timedelta(minutes=19), 60)
    up = opened + timedelta(minutes=20, seconds=3)
    assert state.time_up(up, 60).action == "time_up"
    assert state.closing and state.breakouts_end_at == up + timedelta(seconds=60)
    with pytest.raises(LiveError):
        state.time_up(up + timedelta(seconds=30), 60)
    assert state.time_up(up + timedelta(seconds=61), 60).action == "bring_back"
    assert state.mode is Mode.PLENARY


def test_classify_a_coalesced_frame_by_the_versions_it_covers() -> None:
    assert classify_version(4, 8, 5) == "apply"  # exactly the next ones
    assert classify_version(6, 8, 5) == "apply"  # overlaps what we have: absolute state, harmless
    assert classify_version(3, 8, 5) == "gap"  # version 4 is in no frame we got
    assert classify_version(8, 8, 5) == "stale"


def test_coalescer_sends_a_lone_change_at_once_and_a_burst_as_one_frame_per_window() -> None:
    from server.live.fanout import HOLE_WAITS, Coalescer, Frame

    sent: list[dict[str, object]] = []
    later: list[tuple[object, ...]] = []
    clock = [100.0]
    coalescer = Coalescer(lambda e, p, to: sent.append(p), 0.1, lambda fn, *a: later.append((fn, *a)),
                          lambda s: None, clock=lambda: clock[0])

    def frame(version: int, qid: int, votes: int) -> Frame:
        return Frame("qa:changed", "event:1", {"stream": "qa:item:7", "view": "audience", "version": version,
                                               "questions": [{"id": qid, "votes": votes}]})

    coalescer.submit(frame(1, 1, 1))
    assert [p["version"] for p in sent] == [1] and not later  # lone: at once
    for version, (qid, votes) in zip((2, 3, 4), ((1, 2), (2, 1), (1, 3)), strict=True):
        coalescer.submit(frame(version, qid, votes))
    assert len(sent) == 1 and len(later) == 1  # one flush scheduled for the window's end
    clock[0] += 0.1
    fn, *args = later.pop()
    fn(*args)  # type: ignore[operator]
    merged = sent[-1]
    assert (merged["from_version"], merged["version"]) == (2, 4)
    assert merged["questions"] == [{"id": 2, "votes": 1}, {"id": 1, "votes": 3}]
    coalescer.submit(frame(6, 1, 4))  # version 5 is missing: wait for it, a window at a time...
    for _ in range(1 + HOLE_WAITS):
        assert sent[-1]["version"] == 4
        clock[0] += 0.1
        fn, *args = later.pop()
        fn(*args)  # type: ignore[operator]
    assert (sent[-1]["from_version"], sent[-1]["version"]) == (6, 6)  # ...then send without claiming it
    assert not later
    coalescer.submit(frame(8, 1, 5))  # 7 is late but comes within the waits: one frame 7..8, in order
    clock[0] += 0.1
    fn, *args = later.pop()
    fn(*args)  # type: ignore[operator]
    coalescer.submit(frame(7, 2, 2))
    clock[0] += 0.1
    fn, *args = later.pop()
    fn(*args)  # type: ignore[operator]
    assert (sent[-1]["from_version"], sent[-1]["version"]) == (7, 8) and not later


def test_coalescer_sends_one_streams_frames_in_order_even_when_a_send_is_slow() -> None:
    """A frame going out to hundreds of sockets is not overtaken by the next one on any socket:
    while one thread sends a stream's frame, a newer frame of that stream waits its turn."""
    import threading

    from server.live.fanout import Coalescer, Frame

    sent: list[int] = []
    first_started, release = threading.Event(), threading.Event()

    def send(event: str, payload: dict[str, object], to: object) -> None:
        if payload["version"] == 1:
            first_started.set()
            release.wait(5)
        sent.append(int(payload["version"]))  # type: ignore[call-overload]

    coalescer = Coalescer(send, 0.0, lambda fn, *a: fn(*a), lambda s: None)
    frame = lambda v: Frame("qa:changed", "event:1", {"stream": "qa:item:7", "version": v,  # noqa: E731
                                                       "questions": []})
    slow = threading.Thread(target=coalescer.submit, args=(frame(1),))
    slow.start()
    assert first_started.wait(5)
    coalescer.submit(frame(2))  # returns at once: the sending thread will carry it
    assert sent == []
    release.set()
    slow.join(5)
    assert sent == [1, 2]


def test_coalescer_window_grows_with_the_local_audience_and_a_lone_change_still_goes_at_once() -> None:
    """Before 1,000 local sockets a frame takes about a quarter of a second to write: the next
    one waits that long instead of queueing behind it on every socket. A meeting's few hundred
    sockets keep the configured window; an idle stream still sends at once."""
    from server.live.fanout import MAX_WINDOW, Coalescer, Frame

    audience = {"event:1": 100}
    sent: list[int] = []
    later: list[tuple[object, ...]] = []
    clock = [100.0]
    coalescer = Coalescer(lambda e, p, to: sent.append(int(p["version"])), 0.1,  # type: ignore[call-overload]
                          lambda fn, *a: later.append((fn, *a)), lambda s: None, clock=lambda: clock[0],
                          audience=lambda f: audience[str(f.to)], seconds_per_socket=0.00025)
    frame = lambda v: Frame("qa:changed", "event:1", {"stream": "qa:item:7", "view": "audience",  # noqa: E731
                                                       "version": v, "questions": []})
    assert coalescer.window_for(frame(1)) == 0.1  # 100 sockets: 25 ms to write, the 100 ms window rules
    audience["event:1"] = 1000
    assert coalescer.window_for(frame(1)) == 0.25
    audience["event:1"] = 100_000
    assert coalescer.window_for(frame(1)) == MAX_WINDOW

    audience["event:1"] = 1000
    coalescer.submit(frame(1))
    assert sent == [1] and not later  # lone: at once, whatever the audience
    clock[0] += 0.15  # past the configured window, inside the audience's
    coalescer.submit(frame(2))
    assert sent == [1] and len(later) == 1
    fn, *args = later.pop()
    assert abs(args[-1] - 0.1) < 1e-9  # type: ignore[operator]  # waits out the quarter second: 0.25 - 0.15
    clock[0] += 0.1
    fn(*args)  # type: ignore[operator]
    assert sent == [1, 2]


class _Timers:
    """A clock and the coalescer's timers, run in time order (its ``sleep`` is the wait itself)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pending: list[tuple[float, int, object, tuple[object, ...]]] = []

    def spawn(self, fn: object, *args: object) -> None:
        wait = float(args[-1])  # type: ignore[arg-type]
        self.pending.append((self.now + wait, len(self.pending), fn, args))

    def run_until(self, moment: float) -> None:
        while self.pending and min(self.pending)[0] <= moment + 1e-9:
            self.pending.sort(key=lambda t: (t[0], t[1]))
            due, _, fn, args = self.pending.pop(0)
            self.now = max(self.now, due)
            fn(*args)  # type: ignore[operator]
        self.now = max(self.now, moment)


def test_coalescer_before_a_large_audience_follows_the_writes_and_the_end_of_a_burst() -> None:
    """Before 1,000 local sockets (a 500 ms audience window): a paced change goes at once as soon
    as the previous frame is written; a steady burst goes out once per audience window; when the
    burst stops, its last changes leave one short window later (once the writes are done), not
    at the end of the long window; a missing version is waited for in short windows."""
    from server.live.fanout import Coalescer, Frame

    timers = _Timers()
    queued = [False]  # do this frame's sockets here still hold unwritten frames?
    sent: list[tuple[float, int, int]] = []
    coalescer = Coalescer(
        lambda e, p, to: sent.append((round(timers.now, 3), int(p.get("from_version", p["version"])),  # type: ignore[call-overload]
                                      int(p["version"]))),  # type: ignore[call-overload]
        0.1, timers.spawn, lambda s: None, clock=lambda: timers.now,
        audience=lambda f: 1000, seconds_per_socket=0.0005, backlog=lambda f: queued[0])
    frame = lambda v: Frame("qa:changed", "event:1", {"stream": "qa:item:7", "view": "audience",  # noqa: E731
                                                       "version": v, "questions": []})
    coalescer.submit(frame(1))
    assert sent == [(100.0, 1, 1)]
    queued[0] = True
    timers.run_until(100.3)
    coalescer.submit(frame(2))  # paced, but the last frame is still being written here: it waits
    timers.run_until(100.45)
    assert len(sent) == 1
    queued[0] = False
    timers.run_until(100.5)
    assert sent[-1] == (100.46, 2, 2)  # sent at the first look after the writes, before the long window
    timers.run_until(100.9)
    coalescer.submit(frame(3))  # paced and everything written: at once, inside the long window
    assert sent[-1] == (100.9, 3, 3)

    # A steady burst, a change every 50 ms for 2 s: one frame per audience window (500 ms).
    version, moment = 3, 100.95
    while moment < 102.95 - 1e-9:
        timers.run_until(moment)
        version += 1
        coalescer.submit(frame(version))
        moment = round(moment + 0.05, 3)
    timers.run_until(102.95)
    during = [s for s in sent if s[0] > 100.9]
    assert [s[0] for s in during] == [101.4, 101.9, 102.4, 102.9]
    # The burst stopped at 102.9: its last change leaves 100 ms later, written or not after
    # the long window — here the writes are done, so at the quiet moment.
    timers.run_until(103.5)
    assert sent[-1] == (103.0, 43, 43) and len(sent) == 8
    assert [s[1] for s in sent] == [1, 2, 3, 4, 13, 23, 33, 43]  # every version, in order, no gaps

    # Version 45 arrives before 44: waited for in short windows (not in 500 ms ones), then sent.
    timers.run_until(104.0)
    coalescer.submit(frame(45))
    timers.run_until(104.15)
    coalescer.submit(frame(44))
    timers.run_until(104.5)
    assert sent[-1] == (104.2, 44, 45)
    timers.run_until(105.0)
    coalescer.submit(frame(47))  # 46 is lost
    timers.run_until(106.0)
    assert sent[-1] == (105.3, 47, 47)  # due at 105.1, two short waits, then around the hole
