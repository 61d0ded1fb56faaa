"""Attendance per morning from raw connection spans: tabs merged, clipped to the morning, rooms timed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.sessions.attendance import Morning, Span, merge, summarise

START = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)  # 09:30 Brussels
MORNING = Morning(1, START, START + timedelta(hours=3))
NEXT = Morning(2, START + timedelta(days=1), START + timedelta(days=1, hours=3))


def at(minutes: int, day: int = 0) -> datetime:
    return START + timedelta(days=day, minutes=minutes)


def test_two_tabs_of_one_person_count_once() -> None:
    spans = [Span(7, None, at(0), at(60)), Span(7, None, at(30), at(90))]  # second tab overlaps the first
    (morning,) = summarise(spans, [MORNING], until=at(500))
    (person,) = morning.people
    assert person.minutes == 90
    assert (person.first_joined, person.last_left) == (at(0), at(90))


def test_spans_are_clipped_to_the_morning_and_split_between_mornings() -> None:
    spans = [Span(1, None, at(-20), at(15)),              # joined before 09:30: counted from 09:30
             Span(1, None, at(170, 0), at(200, 0)),       # stayed after 12:30: counted to 12:30
             Span(2, None, at(10, 1), at(40, 1))]         # only on day two
    first, second = summarise(spans, [MORNING, NEXT], until=at(0, 5))
    assert [(p.person_id, p.minutes) for p in first.people] == [(1, 25)]
    assert [(p.person_id, p.minutes) for p in second.people] == [(2, 30)]
    assert first.attended == 1 and second.attended == 1


def test_room_minutes_and_headcount() -> None:
    spans = [Span(1, None, at(0), at(60)), Span(1, 11, at(60), at(100)), Span(1, None, at(100), at(180)),
             Span(2, 12, at(60), at(70)), Span(2, 12, at(65), at(100)),  # two tabs in the same room
             Span(3, 11, at(60), at(100))]
    (morning,) = summarise(spans, [MORNING], until=at(500))
    rooms = {p.person_id: p.room_minutes for p in morning.people}
    assert rooms == {1: {11: 40}, 2: {12: 40}, 3: {11: 40}}
    assert morning.room_headcount() == {11: 2, 12: 1}
    assert next(p for p in morning.people if p.person_id == 1).minutes == 180


def test_an_open_span_counts_until_now_and_says_connected() -> None:
    spans = [Span(5, None, at(10), None), Span(6, None, at(10), at(20))]
    (morning,) = summarise(spans, [MORNING], until=at(45))
    by_id = {p.person_id: p for p in morning.people}
    assert by_id[5].minutes == 35 and by_id[5].connected_now
    assert by_id[6].minutes == 10 and not by_id[6].connected_now


def test_nobody_outside_the_mornings() -> None:
    (morning,) = summarise([Span(1, None, at(-90), at(-10))], [MORNING], until=at(500))
    assert morning.people == [] and morning.attended == 0


def test_merge_joins_touching_and_overlapping_intervals() -> None:
    assert merge([(at(30), at(40)), (at(0), at(10)), (at(10), at(20)), (at(35), at(50))]) == [
        (at(0), at(20)), (at(30), at(50))]
