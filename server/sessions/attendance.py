"""Attendance per morning: who was connected, from when to when, and in which room.

Plain data in, plain data out. A person's tabs are merged (two tabs open at once count once),
every span is clipped to the morning it falls in, and a span still open counts up to ``until``
(the present for a live view, the end of the morning afterwards).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Span:
    """One tab of one person, in one room (None: the plenary), from joined to left."""

    person_id: int
    room_id: int | None
    joined: datetime
    left: datetime | None  # None: still connected


@dataclass(frozen=True, slots=True)
class Morning:
    """One day of the meeting, as the window attendance is counted in."""

    day_id: int
    starts: datetime
    ends: datetime


@dataclass(slots=True)
class PersonMorning:
    """One person's attendance in one morning (all their tabs merged)."""

    person_id: int
    first_joined: datetime
    last_left: datetime
    minutes: int
    connected_now: bool
    room_minutes: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class MorningAttendance:
    morning: Morning
    people: list[PersonMorning]

    @property
    def attended(self) -> int:
        return len(self.people)

    def room_headcount(self) -> dict[int, int]:
        """How many different people were in each break-out room this morning."""
        counts: dict[int, int] = defaultdict(int)
        for person in self.people:
            for room_id in person.room_minutes:
                counts[room_id] += 1
        return dict(counts)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of intervals, as sorted disjoint intervals."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minutes(intervals: Sequence[Interval]) -> int:
    return round(sum(((end - start) for start, end in intervals), timedelta()).total_seconds() / 60)


def _clip(span: Span, morning: Morning, until: datetime) -> Interval | None:
    start = max(span.joined, morning.starts)
    end = min(span.left or until, morning.ends)
    return (start, end) if end > start else None


def summarise(spans: Iterable[Span], mornings: Sequence[Morning], until: datetime) -> list[MorningAttendance]:
    """Attendance per morning; people ordered by id, mornings as given."""
    spans = list(spans)
    result = []
    for morning in mornings:
        by_person: dict[int, list[tuple[Span, Interval]]] = defaultdict(list)
        for span in spans:
            clipped = _clip(span, morning, until)
            if clipped is not None:
                by_person[span.person_id].append((span, clipped))
        people = [_person(person_id, pieces, until) for person_id, pieces in sorted(by_person.items())]
        result.append(MorningAttendance(morning, people))
    return result


def _person(person_id: int, pieces: list[tuple[Span, Interval]], until: datetime) -> PersonMorning:
    whole = merge(interval for _, interval in pieces)
    rooms: dict[int, list[Interval]] = defaultdict(list)
    for span, interval in pieces:
        if span.room_id is not None:
            rooms[span.room_id].append(interval)
    return PersonMorning(
        person_id=person_id,
        first_joined=whole[0][0],
        last_left=whole[-1][1],
        minutes=_minutes(whole),
        connected_now=any(span.left is None and interval[1] >= until for span, interval in pieces),
        room_minutes={room: _minutes(merge(intervals)) for room, intervals in sorted(rooms.items())},
    )
