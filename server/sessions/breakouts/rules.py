"""The rules every part of the engine measures against: even-split bands, pools of rooms,
shared languages, and the pairs that should not meet (again)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from server.sessions.breakouts.model import Person, Round

Pair = tuple[str, str]


def deviation(count: int, low: int, high: int) -> int:
    """How far ``count`` lies outside the band [low, high]."""
    if count > high:
        return count - high
    if count < low:
        return low - count
    return 0


def bands(total: int, sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Even-split band of a value with ``total`` people over rooms of the given sizes (see Metrics)."""
    rooms = len(sizes)
    if not sizes or max(sizes) - min(sizes) <= 1:
        low, high = total // rooms, -(-total // rooms)
        return [(low, high)] * rooms
    seats = sum(sizes)
    return [((total * size) // seats, -(-(total * size) // seats)) for size in sizes]


def pools_of(themes: Sequence[str | None]) -> dict[str | None, list[int]]:
    """Rooms grouped by theme (a pool): spread is measured inside a pool."""
    pools: dict[str | None, list[int]] = {}
    for room, theme in enumerate(themes):
        pools.setdefault(theme, []).append(room)
    return pools


def language_ok(langsets: Iterable[frozenset[str]], room_language: str | None) -> bool:
    """Whether everyone with listed languages shares one (the room's, when it has one)."""
    common: set[str] | None = {room_language} if room_language else None
    for langs in langsets:
        if not langs:
            continue  # languages unknown: do not hold the room to them
        common = set(langs) if common is None else common & langs
        if not common:
            return False
    return True


def pair_key(first: str, second: str) -> Pair:
    return (first, second) if first < second else (second, first)


def separated_pairs(
    people: Sequence[Person], separations: Sequence[Sequence[str]], separate_organisations: bool
) -> set[Pair]:
    """Pairs who must not share a room: explicit separations, and colleagues when asked."""
    pairs: set[Pair] = set()
    groups: list[list[str]] = [list(group) for group in separations]
    if separate_organisations:
        by_org: dict[str, list[str]] = {}
        for person in people:
            org = person.organisation.strip().casefold()
            if org:
                by_org.setdefault(org, []).append(person.id)
        groups.extend(by_org.values())
    for group in groups:
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if first != second:
                    pairs.add(pair_key(first, second))
    return pairs


def earlier_pairs(previous: Sequence[Round], known: set[str] | None = None) -> set[Pair]:
    """Pairs who shared a room in an earlier round (only ``known`` ids, when given)."""
    pairs: set[Pair] = set()
    for earlier_round in previous:
        for members in earlier_round.rooms:
            ids = [m for m in members if known is None or m in known]
            for i, first in enumerate(ids):
                for second in ids[i + 1 :]:
                    pairs.add(pair_key(first, second))
    return pairs


def pigeonhole_pairs(size: int, groups: int) -> int:
    """Fewest pairs from the same group when ``size`` people come from ``groups`` groups."""
    per_group, extra = divmod(size, max(groups, 1))
    return extra * (per_group + 1) * per_group // 2 + (groups - extra) * per_group * (per_group - 1) // 2
