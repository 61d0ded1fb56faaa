"""Late joiners: the room for someone arriving after the rooms were made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.core.vocab import ROLE_GROUP_LABELS, role_group
from server.sessions.breakouts.model import AssignmentError, Person, RoomSpec, Round
from server.sessions.breakouts.rules import (
    bands,
    deviation,
    earlier_pairs,
    language_ok,
    pair_key,
    pools_of,
    separated_pairs,
)


@dataclass(frozen=True, order=True)
class RoomChoice:
    """What joining one room costs the newcomer; rooms compare field by field, in this order."""

    over_capacity: int
    uneven: int  # the room is not among the smallest (rooms without capacities stay even)
    no_shared_language: int
    theme_mismatch: int
    size: int
    added_spread: int
    repeats: int  # earlier room-mates in the room
    separations: int  # people to keep apart in the room
    facilitator_present: int  # for a facilitator: the room already has one
    room: int


def place_late_joiner(
    people: Sequence[Person],
    rooms: Sequence[Sequence[str]],
    newcomer: Person,
    *,
    specs: Sequence[RoomSpec] | None = None,
    themes: Sequence[str | None] | None = None,
    previous: Sequence[Round] = (),
    separations: Sequence[Sequence[str]] = (),
    separate_organisations: bool = True,
) -> tuple[int, str]:
    """Pick the room for someone arriving after the rooms were made; return (index, reason).

    Preference, in order: capacity and even sizes kept, a shared language kept, the newcomer's
    own theme, the smallest room, the least added spread violation, the fewest earlier
    room-mates, the fewest people to keep apart, a room without a facilitator for a
    facilitator, the lowest index.
    """
    if not rooms:
        raise AssignmentError("there are no rooms to join")
    by_id = {person.id: person for person in people}
    if newcomer.id in by_id:
        raise AssignmentError(f"{newcomer.id!r} is already assigned")
    specs = list(specs) if specs is not None else [RoomSpec()] * len(rooms)
    if themes is None:
        themes = [spec.role_group for spec in specs]
    members = [[by_id[pid] for pid in ids] for ids in rooms]
    choices = _choices(people, members, newcomer, specs, themes, previous, separations, separate_organisations)
    best = min(choices)
    return best.room, _reason(best, themes[best.room], min(len(room) for room in members))


def _choices(
    people: Sequence[Person],
    members: Sequence[Sequence[Person]],
    newcomer: Person,
    specs: Sequence[RoomSpec],
    themes: Sequence[str | None],
    previous: Sequence[Round],
    separations: Sequence[Sequence[str]],
    separate_organisations: bool,
) -> list[RoomChoice]:
    sizes = [len(room) for room in members]
    smallest = min(sizes)
    has_capacity = any(spec.capacity is not None for spec in specs)
    earlier = earlier_pairs(previous)
    apart = separated_pairs([*people, newcomer], separations, separate_organisations)
    added = added_spread(members, newcomer, themes)
    choices = []
    for r, room in enumerate(members):
        capacity = specs[r].capacity
        langsets = [frozenset(p.languages) for p in room] + [frozenset(newcomer.languages)]
        speaks = language_ok(langsets, specs[r].language)
        choices.append(
            RoomChoice(
                over_capacity=int(capacity is not None and sizes[r] + 1 > capacity),
                uneven=int(not has_capacity and sizes[r] > smallest),
                no_shared_language=int(not speaks),
                theme_mismatch=int(themes[r] is not None and themes[r] != role_group(newcomer.role)),
                size=sizes[r],
                added_spread=added[r],
                repeats=sum(pair_key(newcomer.id, p.id) in earlier for p in room),
                separations=sum(pair_key(newcomer.id, p.id) in apart for p in room),
                facilitator_present=int(newcomer.facilitator and any(p.facilitator for p in room)),
                room=r,
            )
        )
    return choices


def added_spread(members: Sequence[Sequence[Person]], newcomer: Person, themes: Sequence[str | None]) -> list[int]:
    """Spread violations the newcomer adds per room: only their role and region change, in one pool."""
    sizes = [len(room) for room in members]
    added = [0] * len(members)
    for pool in pools_of(themes).values():
        pool_sizes = [sizes[r] for r in pool]
        even = max(pool_sizes) - min(pool_sizes) <= 1
        for attr in ("role", "region"):
            value = getattr(newcomer, attr)
            counts = [sum(1 for p in members[r] if getattr(p, attr) == value) for r in pool]
            total = sum(counts)
            before = sum(deviation(c, lo, hi) for c, (lo, hi) in zip(counts, bands(total, pool_sizes), strict=True))
            even_bands = bands(total + 1, pool_sizes) if even else []
            even_after = sum(deviation(c, lo, hi) for c, (lo, hi) in zip(counts, even_bands, strict=even))
            for k, r in enumerate(pool):
                if even:  # the bands do not depend on which room grows: adjust one room's term
                    lo, hi = even_bands[k]
                    after = even_after - deviation(counts[k], lo, hi) + deviation(counts[k] + 1, lo, hi)
                else:
                    grown = bands(total + 1, [s + (j == k) for j, s in enumerate(pool_sizes)])
                    pairs = enumerate(zip(counts, grown, strict=True))
                    after = sum(deviation(c + (j == k), lo, hi) for j, (c, (lo, hi)) in pairs)
                added[r] += after - before
    return added


def _reason(choice: RoomChoice, theme: str | None, smallest: int) -> str:
    reasons = [f"room {choice.room + 1} has {choice.size} people (smallest: {smallest})"]
    reasons.append(
        "keeps the role and region spread"
        if choice.added_spread <= 0
        else f"adds {choice.added_spread} spread violation(s), the fewest possible"
    )
    if choice.over_capacity:
        reasons.append("OVER capacity: every room is full")
    if choice.no_shared_language:
        reasons.append("NO room shares a language with the newcomer")
    if theme is not None:
        mismatch = " (not the newcomer's group)" if choice.theme_mismatch else ""
        reasons.append(f"theme {ROLE_GROUP_LABELS.get(theme, theme)}{mismatch}")
    reasons.append(f"{choice.repeats} earlier room-mate(s), {choice.separations} to keep apart")
    return "; ".join(reasons)

