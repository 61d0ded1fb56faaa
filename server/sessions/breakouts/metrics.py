"""Measure an assignment from its rooms alone, and explain each room in a line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from server.core.vocab import REGION_LABELS, ROLE_GROUP_LABELS, ROLE_LABELS, Region, role_group
from server.sessions.breakouts.model import AssignmentError, Metrics, Person, RoomSpec, Round
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


def explain_rooms(
    people: Sequence[Person],
    rooms: Sequence[Sequence[str]],
    themes: Sequence[str | None],
    specs: Sequence[RoomSpec],
    previous: Sequence[Round],
    apart: set[Pair],
    locks: Mapping[str, int],
) -> tuple[str, ...]:
    """One line per room: size, topic, theme, facilitator, mix, language, pairs, locks."""
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
    lines: list[str] = []
    for r, ids in enumerate(rooms):
        members = [by_id[pid] for pid in ids]
        bits = [f"Room {r + 1}: {len(members)} people"]
        if specs[r].topic:
            bits.append(f"topic {specs[r].topic!r}")
        bits.extend(_theme_and_facilitator(members, facilitators[themes[r]], themes[r], len(pools[themes[r]])))
        bits.extend(_mix(members, regions[themes[r]], len(pools[themes[r]])))
        bits.extend(_language(members, specs[r].language))
        bits.extend(_pairs(ids, earlier, apart, [pid for pid in ids if locks.get(pid) == r]))
        lines.append("; ".join(bits))
    return tuple(lines)


def _count_phrase(counter: Counter[str], labels: Mapping[str, str]) -> str:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{count} {labels.get(value, value)}" for value, count in ordered)


def _theme_and_facilitator(members: Sequence[Person], available: int, theme: str | None, pool_rooms: int) -> list[str]:
    bits: list[str] = []
    if theme is not None:
        others = sum(1 for person in members if role_group(person.role) != theme)
        text = f"theme {ROLE_GROUP_LABELS.get(theme, theme)} ({pool_rooms} room(s) for the group)"
        if others:
            text += f", {others} seated from other groups whose rooms were full"
        bits.append(text)
    facilitators = [person.id for person in members if person.facilitator]
    if facilitators:
        bits.append("facilitator " + ", ".join(facilitators))
    else:
        bits.append(f"no facilitator ({available} facilitator(s) for {pool_rooms} room(s))")
    return bits


def _mix(members: Sequence[Person], pool_regions: Counter[Region], pool_rooms: int) -> list[str]:
    role_labels = {str(role): label for role, label in ROLE_LABELS.items()}
    region_labels = {str(region): label for region, label in REGION_LABELS.items()}
    bits = [
        "roles: " + _count_phrase(Counter(str(person.role) for person in members), role_labels),
        "regions: " + _count_phrase(Counter(str(person.region) for person in members), region_labels),
    ]
    present = {person.region for person in members}
    for region, total in sorted(pool_regions.items()):
        if region not in present:
            why = f"only {total} for {pool_rooms} rooms" if total < pool_rooms else "other constraints came first"
            bits.append(f"no one from {REGION_LABELS[region]} ({why})")
    return bits


def _language(members: Sequence[Person], room_language: str | None) -> list[str]:
    langsets = [frozenset(person.languages) for person in members if person.languages]
    if room_language:
        spoken = language_ok(langsets, room_language)
        return [f"room language {room_language}" + ("" if spoken else ": NOT spoken by every member")]
    if not langsets:
        return []
    common = frozenset.intersection(*langsets)
    return ["common language " + "/".join(sorted(common)) if common else "NO common language among the members"]


def _pairs(ids: Sequence[str], earlier: set[Pair], apart: set[Pair], held: Sequence[str]) -> list[str]:
    bits: list[str] = []
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if pair_key(a, b) in earlier]
    if pairs:
        bits.append(f"{len(pairs)} pair(s) met in an earlier round")
    apart_here = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if pair_key(a, b) in apart]
    if apart_here:
        bits.append(f"{len(apart_here)} pair(s) that should be apart (e.g. same organisation)")
    if held:
        bits.append("locked here: " + ", ".join(held))
    return bits
