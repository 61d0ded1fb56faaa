"""Measure an assignment from its rooms alone, and explain each room in a line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from server.core.vocab import Region, role_group
from server.sessions.breakouts import notes
from server.sessions.breakouts.model import AssignmentError, Metrics, Person, RoomSpec, Round
from server.sessions.breakouts.notes import Note
from server.sessions.breakouts.rules import (
    Pair,
    bands,
    deviation,
    earlier_pairs,
    language_ok,
    pair_key,
    pools_of,
    separated_pairs,
)


def compute_metrics(
    people: Sequence[Person],
    rooms: Sequence[Sequence[str]],
    *,
    specs: Sequence[RoomSpec] | None = None,
    themes: Sequence[str | None] | None = None,
    previous: Sequence[Round] = (),
    locks: Mapping[str, int] | None = None,
    separations: Sequence[Sequence[str]] = (),
    separate_organisations: bool = True,
) -> Metrics:
    """Recompute every metric of a given assignment (e.g. after moderators moved people).

    ``rooms`` holds person ids per room; every id must be one of ``people``. ``themes`` gives
    the role group per room (as in ``AssignmentResult.themes``); without it, themes come from the
    specs' role groups, or none.
    """
    by_id = {person.id: person for person in people}
    for members in rooms:
        for pid in members:
            if pid not in by_id:
                raise AssignmentError(f"unknown person id {pid!r} in rooms")
    specs = list(specs) if specs is not None else [RoomSpec()] * len(rooms)
    if len(specs) != len(rooms):
        raise AssignmentError("specs and rooms differ in length")
    if themes is None:
        themes = [spec.role_group for spec in specs]
    seated = [[by_id[pid] for pid in members] for members in rooms]
    spread, lacking = _spread(seated, themes)
    apart = separated_pairs(people, separations, separate_organisations)
    repeats, separated = _pair_counts(rooms, earlier_pairs(previous), apart)
    sizes = [len(members) for members in rooms]
    facilitators = sum(person.facilitator for room in seated for person in room)
    with_facilitator = sum(1 for room in seated if any(person.facilitator for person in room))
    room_of = {pid: r for r, members in enumerate(rooms) for pid in members}
    return Metrics(
        spread_violations=spread,
        repeat_pairs=repeats,
        separation_pairs=separated,
        rooms_lacking_region=lacking,
        size_range=(min(sizes), max(sizes)) if sizes else (0, 0),
        rooms_without_facilitator=len(rooms) - with_facilitator,
        facilitator_shortfall=min(facilitators, len(rooms)) - with_facilitator,
        rooms_without_common_language=tuple(
            r
            for r, room in enumerate(seated)
            if not language_ok((frozenset(person.languages) for person in room), specs[r].language)
        ),
        rooms_over_capacity=tuple(
            r for r, spec in enumerate(specs) if spec.capacity is not None and sizes[r] > spec.capacity
        ),
        uneven_sizes=bool(sizes)
        and not any(spec.capacity is not None for spec in specs)
        and max(sizes) - min(sizes) > 1,
        broken_locks=tuple(sorted(pid for pid, r in (locks or {}).items() if room_of.get(pid) != r)),
        theme_mismatches=sum(
            1 for r, room in enumerate(seated) if themes[r] is not None for person in room
            if role_group(person.role) != themes[r]
        ),
    )


def _spread(seated: Sequence[Sequence[Person]], themes: Sequence[str | None]) -> tuple[dict[str, int], int]:
    """Spread violations per attribute, and rooms lacking a region their pool could give them."""
    spread = {"role": 0, "region": 0}
    lacking = 0
    for pool in pools_of(themes).values():
        pool_rooms = [seated[r] for r in pool]
        pool_sizes = [len(room) for room in pool_rooms]
        for attr in ("role", "region"):
            per_room = [Counter(getattr(person, attr) for person in room) for room in pool_rooms]
            values: Counter[object] = Counter()
            for counts in per_room:
                values.update(counts)
            for value, total in values.items():
                for counts, (low, high) in zip(per_room, bands(total, pool_sizes), strict=True):
                    spread[attr] += deviation(counts[value], low, high)
        region_totals = Counter(person.region for room in pool_rooms for person in room)
        needed = {region for region, total in region_totals.items() if total >= len(pool)}
        lacking += sum(1 for room in pool_rooms if needed - {person.region for person in room})
    return spread, lacking


def _pair_counts(rooms: Sequence[Sequence[str]], earlier: set[Pair], apart: set[Pair]) -> tuple[int, int]:
    """(repeat pairs, pairs to keep apart) sharing a room."""
    repeats = separated = 0
    for members in rooms:
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                key = pair_key(first, second)
                repeats += key in earlier
                separated += key in apart
    return repeats, separated


# --------------------------------------------------------------------------- explanations


def room_notes(
    people: Sequence[Person],
    rooms: Sequence[Sequence[str]],
    themes: Sequence[str | None],
    specs: Sequence[RoomSpec],
    previous: Sequence[Round],
    apart: set[Pair],
    locks: Mapping[str, int],
) -> tuple[tuple[Note, ...], ...]:
    """Per room, what to say about it: size, topic, theme, facilitator, mix, language, pairs, locks."""
    by_id = {person.id: person for person in people}
    earlier = earlier_pairs(previous)
    pools = pools_of(themes)
    # Per pool, once: its facilitators and its people per region (not once per room).
    facilitators: dict[str | None, int] = {}
    regions: dict[str | None, Counter[Region]] = {}
    for theme, pool in pools.items():
        pool_people = [by_id[pid] for room in pool for pid in rooms[room]]
        facilitators[theme] = sum(person.facilitator for person in pool_people)
        regions[theme] = Counter(person.region for person in pool_people)
    said: list[tuple[Note, ...]] = []
    for r, ids in enumerate(rooms):
        members = [by_id[pid] for pid in ids]
        room: list[Note] = [(notes.ROOM, {"number": r + 1, "people": len(members)})]
        if specs[r].topic:
            room.append((notes.TOPIC, {"topic": specs[r].topic}))
        room.extend(_theme_and_facilitator(members, facilitators[themes[r]], themes[r], len(pools[themes[r]])))
        room.extend(_mix(members, regions[themes[r]], len(pools[themes[r]])))
        room.extend(_language(members, specs[r].language))
        room.extend(_pairs(ids, earlier, apart, [pid for pid in ids if locks.get(pid) == r]))
        said.append(tuple(room))
    return tuple(said)


def counts(values: Sequence[str]) -> list[list[Any]]:
    """``[[value, n], ...]``, most first, then by value."""
    return [[value, n] for value, n in sorted(Counter(values).items(), key=lambda item: (-item[1], item[0]))]


def _theme_and_facilitator(members: Sequence[Person], available: int, theme: str | None, pool_rooms: int) -> list[Note]:
    said: list[Note] = []
    if theme is not None:
        others = sum(1 for person in members if role_group(person.role) != theme)
        said.append((notes.THEME, {"group": theme, "rooms": pool_rooms, "others": others}))
    facilitators = [person.id for person in members if person.facilitator]
    if facilitators:
        said.append((notes.FACILITATORS, {"ids": facilitators}))
    else:
        said.append((notes.NO_FACILITATOR, {"available": available, "rooms": pool_rooms}))
    return said


def _mix(members: Sequence[Person], pool_regions: Counter[Region], pool_rooms: int) -> list[Note]:
    said: list[Note] = [
        (notes.ROLES, {"counts": counts([str(person.role) for person in members])}),
        (notes.REGIONS, {"counts": counts([str(person.region) for person in members])}),
    ]
    present = {person.region for person in members}
    for region, total in sorted(pool_regions.items()):
        if region not in present:
            said.append((notes.REGION_MISSING, {"region": str(region), "total": total, "rooms": pool_rooms}))
    return said


def _language(members: Sequence[Person], room_language: str | None) -> list[Note]:
    langsets = [frozenset(person.languages) for person in members if person.languages]
    if room_language:
        return [(notes.ROOM_LANGUAGE, {"language": room_language, "spoken": language_ok(langsets, room_language)})]
    if not langsets:
        return []
    common = frozenset.intersection(*langsets)
    if common:
        return [(notes.COMMON_LANGUAGE, {"languages": sorted(common)})]
    return [(notes.NO_COMMON_LANGUAGE, {})]


def _pairs(ids: Sequence[str], earlier: set[Pair], apart: set[Pair], held: Sequence[str]) -> list[Note]:
    said: list[Note] = []
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if pair_key(a, b) in earlier]
    if pairs:
        said.append((notes.REPEAT_PAIRS, {"count": len(pairs)}))
    apart_here = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if pair_key(a, b) in apart]
    if apart_here:
        said.append((notes.APART_PAIRS, {"count": len(apart_here)}))
    if held:
        said.append((notes.LOCKED, {"ids": list(held)}))
    return said
