"""Break-out room assignment: who sits in which room for one round.

Pure Python over plain data (no Flask, Redis or Celery), deterministic for a given seed.

Problem
    People (role, region, organisation, languages, facilitator or not) go into rooms (a number,
    or a target size, or one ``RoomSpec`` per room with optional capacity, topic, role group and
    language). Earlier rounds, locks (person stays in a room) and separations (people who must
    not share a room; everyone from the same organisation by default) shape the answer.

Modes
    ``mixed``: every role and every region spread across all rooms as evenly as possible.
    ``role``:  rooms are themed by role group (``server.core.vocab.ROLE_GROUPS``); spread is then
    measured inside each group's rooms, so every themed room still mixes regions. Rooms are shared
    out between groups by Adams' method: every non-empty group first gets one room, then each
    further room goes to the group whose rooms would otherwise be most crowded (largest
    people / rooms; ties: larger group, then vocabulary order). When there are fewer rooms than
    groups, the largest groups get rooms and the others' people are seated where there is space.
    People whose group's rooms are full ("overflow") are seated in other groups' rooms and
    counted as ``theme_mismatches``. Rooms whose ``RoomSpec.role_group`` is set keep that theme in
    either mode; only ``role`` mode themes the remaining rooms.

Constraints, in strict (lexicographic) order
    1. hard: room sizes differ by at most one (or follow the capacities, filled evenly), locks
       hold, every room has a facilitator while facilitators last, every room has a language that
       all its members speak (members without listed languages are not counted).
    2. spread: see ``Metrics.spread_violations``.
    3. repeat pairs: pairs that already shared a room in an earlier round.
    4. separations.

Algorithm
    Room sizes and (in role mode) each person's group of rooms ("pool") are fixed first. Inside
    each pool a greedy construction places locked people, then one facilitator per room, then
    deals everyone else round-robin in (role, region) order, cohort by cohort when there is an
    earlier round (members of one earlier room land in different rooms). A local search then
    swaps pairs of unlocked people between rooms of the same pool (swaps keep sizes), choosing
    people who cause a cost and partners that can absorb them (rooms short of their role or
    region, look-alikes, earlier room-mates), and accepts non-worsening swaps of the weighted cost
    ``hard ≫ spread ≫ repeat pairs ≫ separations``. When it stalls it also tries two-swap chains
    and takes small pairs-level uphill steps (annealing), keeping the best state; meetings of up
    to SMALL_MEETING people restart from fresh deals. Every term is incremental, so one swap costs
    O(languages + earlier room-mates) to evaluate. It stops at a proven lower bound (pigeonhole
    bounds for repeats and colleagues), after ``max_iterations`` evaluated swaps, after a stall,
    or at ``time_limit`` seconds (the only non-deterministic stop; generous for real sizes).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from server.core.vocab import (
    REGION_LABELS,
    ROLE_GROUP_LABELS,
    ROLE_GROUPS,
    ROLE_LABELS,
    Region,
    Role,
    region_of,
    role_group,
)

ROLES: tuple[Role, ...] = tuple(Role)
REGIONS: tuple[Region, ...] = tuple(Region)
GROUPS: tuple[str, ...] = tuple(ROLE_GROUPS)
_ROLE_IX = {role: i for i, role in enumerate(ROLES)}
_REGION_IX = {region: i for i, region in enumerate(REGIONS)}
_GROUP_IX = {group: i for i, group in enumerate(GROUPS)}


SMALL_MEETING = 24  # people; up to this size the search restarts when it misses the bound
RESTARTS = 6


class Mode(StrEnum):
    MIXED = "mixed"
    ROLE = "role"


class AssignmentError(ValueError):
    """The input cannot be assigned at all (e.g. more locked people than a room holds)."""


# --------------------------------------------------------------------------- inputs and outputs


@dataclass(frozen=True)
class Person:
    id: str
    role: Role
    region: Region
    country: str = ""
    organisation: str = ""
    languages: tuple[str, ...] = ()
    facilitator: bool = False

    @classmethod
    def from_country(
        cls,
        id: str,
        role: Role | str,
        country: str,
        *,
        organisation: str = "",
        languages: Iterable[str] = (),
        facilitator: bool = False,
    ) -> Person:
        """Build a person whose region is derived from an ISO 3166-1 alpha-2 country code."""
        return cls(
            id=id,
            role=Role(role),
            region=region_of(country),
            country=country.strip().upper(),
            organisation=organisation,
            languages=tuple(languages),
            facilitator=facilitator,
        )


@dataclass(frozen=True)
class RoomSpec:
    capacity: int | None = None
    topic: str | None = None
    role_group: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Round:
    """The rooms of one round, each a tuple of person ids (an earlier round, or a result)."""

    rooms: tuple[tuple[str, ...], ...]

    @classmethod
    def from_mapping(cls, room_of: Mapping[str, object]) -> Round:
        """Build a round from ``{person id: room label}``; rooms ordered by first appearance."""
        rooms: dict[object, list[str]] = {}
        for pid, label in room_of.items():
            rooms.setdefault(label, []).append(pid)
        return cls(tuple(tuple(members) for members in rooms.values()))


@dataclass(frozen=True)
class Metrics:
    """Quality of an assignment; every field can be recomputed from the rooms alone.

    spread_violations: per attribute ("role", "region"), summed over pools (all rooms in mixed
        mode; the rooms sharing a theme in role mode) and over values v: with n_v people of value v
        in a pool of R rooms, each room's count should lie in [floor(n_v/R), ceil(n_v/R)] (then
        the per-room counts differ by at most one); the violation is the total distance of the
        counts from that band, i.e. the number of seats off the even split. When the pool's room
        sizes differ by more than one (capacities), the band is [floor, ceil] of
        n_v * size / pool size instead.
    repeat_pairs: distinct pairs sharing a room now who shared one in any earlier round.
    separation_pairs: pairs sharing a room who must be separated (explicit separations, and the
        same non-empty organisation when organisations are separated).
    rooms_lacking_region: rooms missing some region although their pool has at least as many
        people of that region as rooms.
    size_range: (smallest, largest) room size.
    rooms_without_facilitator / facilitator_shortfall: rooms with no facilitator; of those, how
        many could have had one: min(facilitators, rooms) - rooms with one.
    rooms_without_common_language: rooms (0-based) whose members, counting only those with
        listed languages, share no language (or do not all speak the room's language).
    rooms_over_capacity, uneven_sizes (sizes differ by more than one without capacities),
    broken_locks: the remaining hard constraints.
    theme_mismatches: people in a themed room that is not their role group's.
    """

    spread_violations: Mapping[str, int]
    repeat_pairs: int
    separation_pairs: int
    rooms_lacking_region: int
    size_range: tuple[int, int]
    rooms_without_facilitator: int
    facilitator_shortfall: int
    rooms_without_common_language: tuple[int, ...]
    rooms_over_capacity: tuple[int, ...]
    uneven_sizes: bool
    broken_locks: tuple[str, ...]
    theme_mismatches: int

    @property
    def hard_violations(self) -> int:
        return (
            self.facilitator_shortfall
            + len(self.rooms_without_common_language)
            + len(self.rooms_over_capacity)
            + int(self.uneven_sizes)
            + len(self.broken_locks)
        )

    @property
    def total_spread_violations(self) -> int:
        return sum(self.spread_violations.values())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "spread_violations": dict(self.spread_violations),
            "repeat_pairs": self.repeat_pairs,
            "separation_pairs": self.separation_pairs,
            "rooms_lacking_region": self.rooms_lacking_region,
            "size_range": list(self.size_range),
            "rooms_without_facilitator": self.rooms_without_facilitator,
            "facilitator_shortfall": self.facilitator_shortfall,
            "rooms_without_common_language": list(self.rooms_without_common_language),
            "rooms_over_capacity": list(self.rooms_over_capacity),
            "uneven_sizes": self.uneven_sizes,
            "broken_locks": list(self.broken_locks),
            "theme_mismatches": self.theme_mismatches,
            "hard_violations": self.hard_violations,
        }


@dataclass(frozen=True)
class AssignmentResult:
    rooms: tuple[tuple[str, ...], ...]
    themes: tuple[str | None, ...]
    metrics: Metrics
    explanations: tuple[str, ...]
    mode: Mode
    seed: int
    iterations: int

    def room_of(self) -> dict[str, int]:
        """``{person id: room index}`` (0-based)."""
        return {pid: r for r, members in enumerate(self.rooms) for pid in members}

    def as_round(self) -> Round:
        """This result as an earlier round for the next call of ``assign``."""
        return Round(self.rooms)


# --------------------------------------------------------------------------- shared helpers


def _dev(count: int, lo: int, hi: int) -> int:
    if count > hi:
        return count - hi
    if count < lo:
        return lo - count
    return 0


def _bands(n: int, sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Even-split band of a value with n people over rooms of the given sizes (see Metrics)."""
    rooms = len(sizes)
    if not sizes or max(sizes) - min(sizes) <= 1:
        lo, hi = n // rooms, -(-n // rooms)
        return [(lo, hi)] * rooms
    total = sum(sizes)
    return [((n * s) // total, -(-(n * s) // total)) for s in sizes]


def _pools(themes: Sequence[str | None]) -> dict[str | None, list[int]]:
    pools: dict[str | None, list[int]] = {}
    for r, theme in enumerate(themes):
        pools.setdefault(theme, []).append(r)
    return pools


def _language_ok(langsets: Iterable[frozenset[str]], room_language: str | None) -> bool:
    common: set[str] | None = {room_language} if room_language else None
    for langs in langsets:
        if not langs:
            continue  # languages unknown: do not hold the room to them
        common = set(langs) if common is None else common & langs
        if not common:
            return False
    return True


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _separated_pairs(
    people: Sequence[Person], separations: Sequence[Sequence[str]], separate_organisations: bool
) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    groups: list[list[str]] = [list(group) for group in separations]
    if separate_organisations:
        by_org: dict[str, list[str]] = {}
        for p in people:
            org = p.organisation.strip().casefold()
            if org:
                by_org.setdefault(org, []).append(p.id)
        groups.extend(by_org.values())
    for group in groups:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a != b:
                    pairs.add(_pair_key(a, b))
    return pairs


def _earlier_pairs(previous: Sequence[Round], known: set[str] | None = None) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for rnd in previous:
        for members in rnd.rooms:
            ids = [m for m in members if known is None or m in known]
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    pairs.add(_pair_key(a, b))
    return pairs


# --------------------------------------------------------------------------- metrics


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
    by_id = {p.id: p for p in people}
    for members in rooms:
        for pid in members:
            if pid not in by_id:
                raise AssignmentError(f"unknown person id {pid!r} in rooms")
    n_rooms = len(rooms)
    specs = list(specs) if specs is not None else [RoomSpec()] * n_rooms
    if len(specs) != n_rooms:
        raise AssignmentError("specs and rooms differ in length")
    if themes is None:
        themes = [s.role_group for s in specs]
    sizes = [len(m) for m in rooms]

    spread = {"role": 0, "region": 0}
    lacking = 0
    for pool in _pools(themes).values():
        seated = [[by_id[pid] for pid in rooms[r]] for r in pool]
        pool_sizes = [sizes[r] for r in pool]
        for attr in ("role", "region"):
            values = Counter(getattr(p, attr) for room in seated for p in room)
            for value, n in values.items():
                bands = _bands(n, pool_sizes)
                for room, (lo, hi) in zip(seated, bands, strict=True):
                    spread[attr] += _dev(sum(1 for p in room if getattr(p, attr) == value), lo, hi)
        region_totals = Counter(p.region for room in seated for p in room)
        needed = {reg for reg, n in region_totals.items() if n >= len(pool)}
        for room in seated:
            if needed - {p.region for p in room}:
                lacking += 1

    facilitators = sum(by_id[pid].facilitator for ids in rooms for pid in ids)
    with_fac = sum(1 for ids in rooms if any(by_id[pid].facilitator for pid in ids))

    earlier = _earlier_pairs(previous)
    apart = _separated_pairs(people, separations, separate_organisations)
    repeats = seps = 0
    for members in rooms:
        ids = list(members)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                key = _pair_key(a, b)
                repeats += key in earlier
                seps += key in apart

    no_language = tuple(
        r
        for r, members in enumerate(rooms)
        if not _language_ok((frozenset(by_id[pid].languages) for pid in members), specs[r].language)
    )
    over = tuple(r for r, s in enumerate(specs) if s.capacity is not None and sizes[r] > s.capacity)
    has_capacity = any(s.capacity is not None for s in specs)
    uneven = bool(sizes) and not has_capacity and max(sizes) - min(sizes) > 1
    room_of = {pid: r for r, members in enumerate(rooms) for pid in members}
    broken = tuple(sorted(pid for pid, r in (locks or {}).items() if room_of.get(pid) != r))
    mismatches = sum(
        1
        for r, members in enumerate(rooms)
        if themes[r] is not None
        for pid in members
        if role_group(by_id[pid].role) != themes[r]
    )
    return Metrics(
        spread_violations=spread,
        repeat_pairs=repeats,
        separation_pairs=seps,
        rooms_lacking_region=lacking,
        size_range=(min(sizes), max(sizes)) if sizes else (0, 0),
        rooms_without_facilitator=n_rooms - with_fac,
        facilitator_shortfall=min(facilitators, n_rooms) - with_fac,
        rooms_without_common_language=no_language,
        rooms_over_capacity=over,
        uneven_sizes=uneven,
        broken_locks=broken,
        theme_mismatches=mismatches,
    )


# --------------------------------------------------------------------------- planning


def _room_specs(n_people: int, rooms: int | Sequence[RoomSpec] | None, size: int | None) -> tuple[list[RoomSpec], bool]:
    """Return the specs and whether the rooms are interchangeable (given as a count or size)."""
    if isinstance(rooms, int):
        if rooms < 1:
            raise AssignmentError("there must be at least one room")
        if size is not None and size < 1:
            raise AssignmentError("room size must be at least 1")
        # Both given: that many rooms, each holding at most `size`.
        return [RoomSpec(capacity=size)] * rooms, True
    if rooms is None:
        if size is None or size < 1:
            raise AssignmentError("give the number of rooms or a room size of at least 1")
        return [RoomSpec()] * max(1, -(-n_people // size)), True
    specs = list(rooms)
    if not specs:
        raise AssignmentError("there must be at least one room")
    for r, spec in enumerate(specs):
        if spec.capacity is not None and spec.capacity < 0:
            raise AssignmentError(f"room {r}: capacity must not be negative")
        if spec.role_group is not None and spec.role_group not in ROLE_GROUPS:
            raise AssignmentError(f"room {r}: unknown role group {spec.role_group!r}")
    return specs, False


def _plan_themes(
    people: Sequence[Person], specs: Sequence[RoomSpec], mode: Mode, interchangeable: bool
) -> list[str | None]:
    themes: list[str | None] = [s.role_group for s in specs]
    if mode is not Mode.ROLE:
        return themes
    demand = Counter(role_group(p.role) for p in people)
    given = Counter(t for t in themes if t is not None)
    for r, theme in enumerate(themes):
        if theme is not None:
            continue
        candidates = [g for g in GROUPS if demand[g] > 0]
        if not candidates:
            break

        # Adams' method: a group without a room first, then the most crowded group.
        def crowding(g: str) -> tuple[int, float, int, int]:
            k = given[g]
            return (0 if k else 1, demand[g] / k if k else 0.0, demand[g], -_GROUP_IX[g])

        best = max(candidates, key=crowding)
        themes[r] = best
        given[best] += 1
    if interchangeable:
        # Identical rooms: number them group by group, in vocabulary order.
        themes.sort(key=lambda t: _GROUP_IX[t] if t is not None else len(GROUPS))
    return themes


def _home_pools(
    people: Sequence[Person], themes: Sequence[str | None], lock_room: Mapping[int, int]
) -> list[str | bool | None]:
    """Each person's preferred pool; False when no pool suits them."""
    pools = set(themes)
    homes: list[str | bool | None] = []
    for i, p in enumerate(people):
        if i in lock_room:
            homes.append(themes[lock_room[i]])
        elif role_group(p.role) in pools:
            homes.append(role_group(p.role))
        elif None in pools:
            homes.append(None)
        else:
            homes.append(False)
    return homes


def _plan_sizes(
    n_people: int,
    specs: Sequence[RoomSpec],
    themes: Sequence[str | None],
    homes: Sequence[str | bool | None],
    lock_room: Mapping[int, int],
) -> list[int]:
    n_rooms = len(specs)
    caps = [s.capacity for s in specs]
    locked = Counter(lock_room.values())
    if any(c is not None for c in caps):
        if all(c is not None for c in caps) and sum(c or 0 for c in caps) < n_people:
            raise AssignmentError(f"{n_people} people do not fit in rooms holding {sum(c or 0 for c in caps)}")
        # Water-filling: as even as the capacities allow.
        sizes = [0] * n_rooms
        remaining = n_people
        while remaining:
            open_rooms = [r for r in range(n_rooms) if caps[r] is None or sizes[r] < (caps[r] or 0)]
            level = min(sizes[r] for r in open_rooms)
            for r in open_rooms:
                if remaining and sizes[r] == level:
                    sizes[r] += 1
                    remaining -= 1
    else:
        base, extra = divmod(n_people, n_rooms)
        sizes = [base] * n_rooms
        pools = _pools(themes)
        demand = Counter(h for h in homes if h is not False)
        quota = {t: base * len(rs) for t, rs in pools.items()}
        # Inside a pool the extra seat goes where locks already crowd the room.
        order = {t: sorted(rs, key=lambda r: (-locked[r], r)) for t, rs in pools.items()}
        for _ in range(extra):
            # The extra seats go to the pools whose people overflow most.
            t = max(
                (t for t in pools if order[t]),
                key=lambda t: (demand[t] - quota[t], -pools[t][0]),
            )
            sizes[order[t].pop(0)] += 1
            quota[t] += 1
    for r, k in locked.items():
        if k > sizes[r]:
            raise AssignmentError(f"room {r} has {k} locked people but holds only {sizes[r]}")
    return sizes


def _plan_pool_members(
    people: Sequence[Person],
    themes: Sequence[str | None],
    sizes: Sequence[int],
    homes: Sequence[str | bool | None],
    lock_room: Mapping[int, int],
    rng: random.Random,
) -> dict[str | None, list[int]]:
    """Decide which people sit in which pool (group of rooms sharing a theme)."""
    pools = _pools(themes)
    quota = {t: sum(sizes[r] for r in rs) for t, rs in pools.items()}
    members: dict[str | None, list[int]] = {t: [] for t in pools}
    floating: list[int] = []
    for i, home in enumerate(homes):
        if home is False:
            floating.append(i)
        else:
            assert not isinstance(home, bool)
            members[home].append(i)
    tiebreak = [rng.random() for _ in people]
    for t, ms in members.items():
        excess = len(ms) - quota[t]
        if excess > 0:
            # Overflow leaves its group's rooms: non-facilitators first, at random.
            movable = sorted(
                (i for i in ms if i not in lock_room),
                key=lambda i: (people[i].facilitator, tiebreak[i]),
            )
            leaving = set(movable[:excess])
            members[t] = [i for i in ms if i not in leaving]
            floating.extend(sorted(leaving))
    facs = {t: sum(people[i].facilitator for i in ms) for t, ms in members.items()}
    floating.sort(key=lambda i: (not people[i].facilitator, tiebreak[i]))
    order = {t: k for k, t in enumerate(pools)}
    for i in floating:
        fac = people[i].facilitator
        t = max(
            (t for t in pools if len(members[t]) < quota[t]),
            key=lambda t: (
                fac and facs[t] < len(pools[t]),
                quota[t] - len(members[t]),
                -order[t],
            ),
        )
        members[t].append(i)
        facs[t] += fac
    # Facilitators before themes: swap a spare facilitator for someone in a pool without enough.
    for t in pools:
        while facs[t] < len(pools[t]):
            donor = next(
                (
                    s
                    for s in pools
                    if facs[s] > len(pools[s]) and any(people[i].facilitator and i not in lock_room for i in members[s])
                ),
                None,
            )
            taker = [i for i in members[t] if not people[i].facilitator and i not in lock_room]
            if donor is None or not taker:
                break
            give = min(
                (i for i in members[donor] if people[i].facilitator and i not in lock_room),
                key=lambda i: tiebreak[i],
            )
            take = min(taker, key=lambda i: tiebreak[i])
            members[donor].remove(give)
            members[t].remove(take)
            members[t].append(give)
            members[donor].append(take)
            facs[t] += 1
            facs[donor] -= 1
    return members


def _construct(
    people: Sequence[Person],
    pools: Mapping[str | None, list[int]],
    pool_members: Mapping[str | None, list[int]],
    sizes: Sequence[int],
    lock_room: Mapping[int, int],
    rng: random.Random,
    cohort: Sequence[int] | None = None,
) -> list[int]:
    """Greedy start: locks, then one facilitator per room, then a stratified deal.

    With ``cohort`` (each person's room in the latest earlier round) the deal goes cohort by
    cohort, so consecutive members of one earlier room land in different rooms (no repeats
    while a cohort is no larger than the pool); the search then mends the spread."""
    room_of = [-1] * len(people)
    fill = [0] * len(sizes)
    tiebreak = [rng.random() for _ in people]
    for t, rooms in pools.items():
        free: list[int] = []
        has_fac = {r: False for r in rooms}
        for i in pool_members[t]:
            if i in lock_room:
                r = lock_room[i]
                room_of[i] = r
                fill[r] += 1
                has_fac[r] = has_fac[r] or people[i].facilitator
            else:
                free.append(i)
        facs = sorted(
            (i for i in free if people[i].facilitator),
            key=lambda i: (_ROLE_IX[people[i].role], _REGION_IX[people[i].region], tiebreak[i]),
        )
        for r in rooms:
            if not has_fac[r] and facs and fill[r] < sizes[r]:
                i = facs.pop(0)
                room_of[i] = r
                fill[r] += 1
        rest = sorted(
            (i for i in free if room_of[i] < 0),
            key=lambda i: (
                cohort[i] if cohort is not None else 0,
                _ROLE_IX[people[i].role],
                _REGION_IX[people[i].region],
                tiebreak[i],
            ),
        )
        start = rng.randrange(len(rooms))
        k = start
        for i in rest:
            for _ in range(len(rooms)):
                r = rooms[k % len(rooms)]
                k += 1
                if fill[r] < sizes[r]:
                    room_of[i] = r
                    fill[r] += 1
                    break
            else:
                raise AssignmentError("internal: no room left while dealing")
    return room_of


# --------------------------------------------------------------------------- local search


class _IndexedSet:
    """A set of ints with O(1) add, discard and seeded random choice (no hash-order reliance)."""

    __slots__ = ("items", "pos")

    def __init__(self) -> None:
        self.items: list[int] = []
        self.pos: dict[int, int] = {}

    def add(self, x: int) -> None:
        if x not in self.pos:
            self.pos[x] = len(self.items)
            self.items.append(x)

    def discard(self, x: int) -> None:
        k = self.pos.pop(x, None)
        if k is None:
            return
        last = self.items.pop()
        if k < len(self.items):
            self.items[k] = last
            self.pos[last] = k


class _Search:
    """Incremental cost over a full assignment; swaps only inside a pool keep sizes and pools."""

    def __init__(
        self,
        people: Sequence[Person],
        room_of: list[int],
        pools: Mapping[str | None, list[int]],
        specs: Sequence[RoomSpec],
        sizes: Sequence[int],
        locked: set[int],
        neighbours: list[dict[int, int]],
        weights: tuple[int, int],
        rng: random.Random,
    ) -> None:
        n_rooms = len(sizes)
        self.rng = rng
        self.hard_w, self.spread_w = weights
        self.room_of = room_of
        self.role = [_ROLE_IX[p.role] for p in people]
        self.reg = [_REGION_IX[p.region] for p in people]
        self.fac = [p.facilitator for p in people]
        self.langs = [frozenset(p.languages) for p in people]
        self.nbr = neighbours
        self.movable = [i for i in range(len(people)) if i not in locked]
        self.is_movable = [i not in locked for i in range(len(people))]
        # People who could trade places without touching the spread: same role and/or region.
        self.alike: dict[tuple[int, int, int], list[int]] = {}
        self.pool_of_room = [0] * n_rooms
        self.pool_rooms: list[list[int]] = []
        for k, rooms in enumerate(pools.values()):
            self.pool_rooms.append(rooms)
            for r in rooms:
                self.pool_of_room[r] = k
        for i in self.movable:
            pool = self.pool_of_room[room_of[i]]
            for key in (
                (pool, self.role[i], self.reg[i]),
                (pool, self.role[i], -1),
                (pool, -1, self.reg[i]),
            ):
                self.alike.setdefault(key, []).append(i)
        self.pool_movable: list[list[int]] = [[] for _ in self.pool_rooms]
        for i in self.movable:
            self.pool_movable[self.pool_of_room[room_of[i]]].append(i)
        self.exhaustive = 120
        pool_of_person = [self.pool_of_room[r] for r in room_of]
        self.mates: list[list[int]] = [
            [j for j in sorted(nb) if self.is_movable[j] and pool_of_person[j] == pool_of_person[i]]
            for i, nb in enumerate(neighbours)
        ]
        self.best: list[int] = list(room_of)
        self.best_cost = 0
        self.members: list[list[int]] = [[] for _ in range(n_rooms)]
        self.slot = [0] * len(people)
        for i, r in enumerate(room_of):
            self.slot[i] = len(self.members[r])
            self.members[r].append(i)

        # Spread: counts and bands per room and value, and rooms under / below each band.
        self.cnt: list[list[list[int]]] = []  # [attr][room][value]
        self.lo: list[list[list[int]]] = []
        self.hi: list[list[list[int]]] = []
        self.under: list[list[_IndexedSet]] = []  # [attr][value]: rooms below the band
        self.below_hi: list[list[_IndexedSet]] = []  # [attr][value]: rooms that can take one
        self.attr_of = [self.role, self.reg]
        self.spread = 0
        for values, n_values in ((self.role, len(ROLES)), (self.reg, len(REGIONS))):
            cnt = [[0] * n_values for _ in range(n_rooms)]
            for i, r in enumerate(room_of):
                cnt[r][values[i]] += 1
            lo = [[0] * n_values for _ in range(n_rooms)]
            hi = [[0] * n_values for _ in range(n_rooms)]
            for rooms in pools.values():
                for v in range(n_values):
                    n = sum(cnt[r][v] for r in rooms)
                    for r, (b_lo, b_hi) in zip(rooms, _bands(n, [sizes[r] for r in rooms]), strict=True):
                        lo[r][v], hi[r][v] = b_lo, b_hi
            under = [_IndexedSet() for _ in range(n_values)]
            below = [_IndexedSet() for _ in range(n_values)]
            for r in range(n_rooms):
                for v in range(n_values):
                    c = cnt[r][v]
                    self.spread += _dev(c, lo[r][v], hi[r][v])
                    if c < lo[r][v]:
                        under[v].add(r)
                    if c < hi[r][v]:
                        below[v].add(r)
            self.cnt.append(cnt)
            self.lo.append(lo)
            self.hi.append(hi)
            self.under.append(under)
            self.below_hi.append(below)

        # Facilitators: rooms covered per pool against min(facilitators, rooms).
        self.fcount = [0] * n_rooms
        for i, r in enumerate(room_of):
            self.fcount[r] += self.fac[i]
        self.nofac = _IndexedSet()
        self.deficit = [0] * len(self.pool_rooms)
        for k, rooms in enumerate(self.pool_rooms):
            f = sum(self.fcount[r] for r in rooms)
            covered = sum(1 for r in rooms if self.fcount[r])
            self.deficit[k] = min(f, len(rooms)) - covered
            for r in rooms:
                if not self.fcount[r]:
                    self.nofac.add(r)

        # Languages: members who do not speak the room's best language ("outsiders").
        self.room_lang = [s.language for s in specs]
        known_sets = [ls for ls in self.langs if ls]
        common = frozenset.intersection(*known_sets) if known_sets else frozenset()
        self.lang_active = any(self.room_lang) or (bool(known_sets) and not common)
        self.lang_cnt: list[dict[str, int]] = [{} for _ in range(n_rooms)]
        self.known = [0] * n_rooms
        self.outs = [0] * n_rooms
        if self.lang_active:
            for i, r in enumerate(room_of):
                if self.langs[i]:
                    self.known[r] += 1
                    for lang in sorted(self.langs[i]):
                        self.lang_cnt[r][lang] = self.lang_cnt[r].get(lang, 0) + 1
            for r in range(n_rooms):
                self.outs[r] = self._outsiders(r, frozenset(), frozenset())

        # Pairs: M[i][room] = weight of i's earlier room-mates / separations in that room.
        self.M: list[dict[int, int]] = [{} for _ in people]
        self.pairs = 0
        for i, nb in enumerate(neighbours):
            for j, w in nb.items():
                r = room_of[j]
                self.M[i][r] = self.M[i].get(r, 0) + w
            self.pairs += self.M[i].get(room_of[i], 0)
        self.pairs //= 2

    # ---- cost

    def hard(self) -> int:
        return sum(self.deficit) + sum(self.outs)

    def cost(self) -> int:
        return self.hard() * self.hard_w + self.spread * self.spread_w + self.pairs

    def _outsiders(self, r: int, leaving: frozenset[str], coming: frozenset[str]) -> int:
        known = self.known[r] - bool(leaving) + bool(coming)
        if known <= 0:
            return 0
        cnt = self.lang_cnt[r]
        wanted = self.room_lang[r]
        if wanted:
            return known - (cnt.get(wanted, 0) - (wanted in leaving) + (wanted in coming))
        best = 0
        for lang, c in cnt.items():
            c = c - (lang in leaving) + (lang in coming)
            if c > best:
                best = c
        if not best and coming:
            best = 1
        return known - best

    def delta(self, p: int, q: int) -> int:
        a, b = self.room_of[p], self.room_of[q]
        d_spread = 0
        for k in (0, 1):
            values = self.attr_of[k]
            vp, vq = values[p], values[q]
            if vp == vq:
                continue
            cnt, lo, hi = self.cnt[k], self.lo[k], self.hi[k]
            ca, cb, la, lb, ha, hb = cnt[a], cnt[b], lo[a], lo[b], hi[a], hi[b]
            d_spread += (
                _dev(ca[vp] - 1, la[vp], ha[vp])
                - _dev(ca[vp], la[vp], ha[vp])
                + _dev(ca[vq] + 1, la[vq], ha[vq])
                - _dev(ca[vq], la[vq], ha[vq])
                + _dev(cb[vq] - 1, lb[vq], hb[vq])
                - _dev(cb[vq], lb[vq], hb[vq])
                + _dev(cb[vp] + 1, lb[vp], hb[vp])
                - _dev(cb[vp], lb[vp], hb[vp])
            )
        d_hard = 0
        if self.fac[p] != self.fac[q]:
            giver, taker = (a, b) if self.fac[p] else (b, a)
            d_hard += (self.fcount[giver] == 1) - (self.fcount[taker] == 0)
        if self.lang_active and self.langs[p] != self.langs[q]:
            lp, lq = self.langs[p], self.langs[q]
            d_hard += self._outsiders(a, lp, lq) - self.outs[a]
            d_hard += self._outsiders(b, lq, lp) - self.outs[b]
        d_pairs = 0
        mp, mq = self.M[p], self.M[q]
        if mp or mq:
            w = self.nbr[p].get(q, 0)
            d_pairs = mp.get(b, 0) - mp.get(a, 0) + mq.get(a, 0) - mq.get(b, 0) - 2 * w
        return d_hard * self.hard_w + d_spread * self.spread_w + d_pairs

    # ---- moves

    def _count(self, k: int, r: int, v: int, step: int) -> None:
        c = self.cnt[k][r][v]
        lo, hi = self.lo[k][r][v], self.hi[k][r][v]
        self.spread += _dev(c + step, lo, hi) - _dev(c, lo, hi)
        c += step
        self.cnt[k][r][v] = c
        if c < lo:
            self.under[k][v].add(r)
        else:
            self.under[k][v].discard(r)
        if c < hi:
            self.below_hi[k][v].add(r)
        else:
            self.below_hi[k][v].discard(r)

    def _move(self, i: int, src: int, dst: int) -> None:
        # Only ever called in pairs (a swap), so pool sizes and deficits stay consistent.
        for k in (0, 1):
            v = self.attr_of[k][i]
            self._count(k, src, v, -1)
            self._count(k, dst, v, +1)
        if self.fac[i]:
            pool = self.pool_of_room[src]
            self.fcount[src] -= 1
            if not self.fcount[src]:
                self.deficit[pool] += 1
                self.nofac.add(src)
            if not self.fcount[dst]:
                self.deficit[pool] -= 1
                self.nofac.discard(dst)
            self.fcount[dst] += 1
        if self.lang_active and self.langs[i]:
            for r, step in ((src, -1), (dst, 1)):
                cnt = self.lang_cnt[r]
                self.known[r] += step
                for lang in self.langs[i]:
                    c = cnt.get(lang, 0) + step
                    if c:
                        cnt[lang] = c
                    else:
                        del cnt[lang]
        self.pairs += self.M[i].get(dst, 0) - self.M[i].get(src, 0)
        for j, w in self.nbr[i].items():
            mj = self.M[j]
            left = mj[src] - w
            if left:
                mj[src] = left
            else:
                del mj[src]
            mj[dst] = mj.get(dst, 0) + w
        # membership
        ms = self.members[src]
        k = self.slot[i]
        last = ms.pop()
        if last != i:
            ms[k] = last
            self.slot[last] = k
        self.slot[i] = len(self.members[dst])
        self.members[dst].append(i)
        self.room_of[i] = dst

    def swap(self, p: int, q: int) -> None:
        a, b = self.room_of[p], self.room_of[q]
        self._move(p, a, b)
        self._move(q, b, a)
        if self.lang_active:
            self.outs[a] = self._outsiders(a, frozenset(), frozenset())
            self.outs[b] = self._outsiders(b, frozenset(), frozenset())

    # ---- search

    def _has_pool_room(self, rooms: _IndexedSet, pool: int) -> bool:
        return any(self.pool_of_room[r] == pool for r in rooms.items)

    def _conflicted(self, i: int) -> bool:
        r = self.room_of[i]
        if self.M[i].get(r):
            return True
        pool = self.pool_of_room[r]
        for k in (0, 1):
            v = self.attr_of[k][i]
            c = self.cnt[k][r][v]
            if c > self.hi[k][r][v]:
                return True
            if c > self.lo[k][r][v] and self._has_pool_room(self.under[k][v], pool):
                return True
        if self.fac[i] and self.fcount[r] > 1 and self.deficit[pool] > 0:
            return True
        return self.lang_active and self.outs[r] > 0

    def _pick(self, rooms: _IndexedSet, pool: int, avoid: int) -> int | None:
        items = rooms.items
        for _ in range(3):
            if not items:
                return None
            r = items[self.rng.randrange(len(items))]
            if r != avoid and self.pool_of_room[r] == pool:
                return r
        return None

    def _candidate_rooms(self, p: int, width: int) -> list[int]:
        a = self.room_of[p]
        pool = self.pool_of_room[a]
        rooms = self.pool_rooms[pool]
        found: list[int] = []
        for k in (0, 1):
            v = self.attr_of[k][p]
            c = self.cnt[k][a][v]
            if c > self.lo[k][a][v]:
                target = self._pick(self.under[k][v], pool, a)
                if target is None and c > self.hi[k][a][v]:
                    target = self._pick(self.below_hi[k][v], pool, a)
                if target is not None:
                    found.append(target)
        if self.fac[p] and self.fcount[a] > 1:
            target = self._pick(self.nofac, pool, a)
            if target is not None:
                found.append(target)
        while len(found) < width:
            r = rooms[self.rng.randrange(len(rooms))]
            if r != a:
                found.append(r)
        return found

    def _chain(self, p: int, q: int, first: int) -> tuple[int | None, int]:
        """Swap p and q, then the best repair swap from their rooms; keep both if the pair of
        swaps does not worsen the cost, else undo. Return (total delta or None, evaluations)."""
        rng = self.rng
        a, b = self.room_of[p], self.room_of[q]
        self.swap(p, q)
        best_d: int | None = None
        best = (-1, -1)
        spent = 0
        pool = self.pool_of_room[a]
        small = len(self.pool_movable[pool]) <= self.exhaustive // 4
        for r in (*self.members[a], *self.members[b]):
            if r in (p, q) or not self.is_movable[r]:
                continue
            if small:  # tiny pool: every repair
                partners = self.pool_movable[pool]
            else:
                partners = []
                for room in self._candidate_rooms(r, 2):
                    ms = self.members[room]
                    partners.append(ms[rng.randrange(len(ms))] if ms else -1)
            for t in partners:
                if t < 0 or t in (p, q) or not self.is_movable[t] or self.room_of[t] == self.room_of[r]:
                    continue
                d = self.delta(r, t)
                spent += 1
                if best_d is None or d < best_d:
                    best_d, best = d, (r, t)
        if best_d is not None and first + best_d <= 0:
            self.swap(*best)
            return first + best_d, spent
        self.swap(p, q)  # undo: p and q trade back
        return None, spent

    def run(self, max_evaluations: int, deadline: float | None, target: int, repeat_w: int) -> int:
        """Descend (sideways moves allowed); once the descent stalls, also try two-swap chains
        and accept pairs-level uphill swaps with probability exp(-delta / one repeat pair)
        (annealing at a fixed temperature), keeping the best state seen in ``self.best``. Stops at
        the target (a proven bound), the evaluation budget, a long stall or the deadline."""
        rng = self.rng
        self.best = list(self.room_of)
        cost = self.best_cost = self.cost()
        if all(len(rooms) < 2 for rooms in self.pool_rooms):
            return 0
        best_cost, best_is_current = cost, True
        evaluations = last_gain = last_best = steps = 0
        patience = max(1000, 8 * len(self.movable))  # descent without gain: chains and uphill steps
        stall = max(12_000, 60 * len(self.movable))  # search without a new best before stopping
        width = 4
        while cost > target:
            # A pool of one room has nothing to swap with: its people are as good as locked.
            conflicted = [
                i
                for i in self.movable
                if len(self.pool_rooms[self.pool_of_room[self.room_of[i]]]) > 1 and self._conflicted(i)
            ]
            if not conflicted:
                break
            rng.shuffle(conflicted)
            evaluated_before = evaluations
            for p in conflicted:
                best_d: int | None = None
                best_q = up_q = -1
                up_d = self.hard_w
                candidates: list[int] = []
                pool = self.pool_of_room[self.room_of[p]]
                if len(self.pool_movable[pool]) <= self.exhaustive:
                    candidates.extend(self.pool_movable[pool])  # small pool: try every partner
                for b in self._candidate_rooms(p, width):
                    ms = self.members[b]
                    candidates.append(ms[rng.randrange(len(ms))] if ms else -1)
                    candidates.append(ms[rng.randrange(len(ms))] if ms else -1)
                mates = self.mates[p]
                if mates:
                    # Trading places with an earlier room-mate leaves every room's mix of earlier
                    # rooms as it was, so it can mend the spread without making repeat pairs.
                    candidates.append(mates[rng.randrange(len(mates))])
                    candidates.append(mates[rng.randrange(len(mates))])
                for key in (
                    (pool, self.role[p], self.reg[p]),
                    (pool, self.role[p], self.reg[p]),
                    (pool, self.role[p], -1),
                    (pool, -1, self.reg[p]),
                ):
                    alike = self.alike[key]
                    candidates.append(alike[rng.randrange(len(alike))])
                for q in candidates:
                    if q < 0 or not self.is_movable[q] or self.room_of[q] == self.room_of[p]:
                        continue
                    d = self.delta(p, q)
                    evaluations += 1
                    if best_d is None or d < best_d:
                        best_d, best_q = d, q
                    if 0 < d < up_d:
                        up_d, up_q = d, q
                stuck = evaluations - last_gain > patience // 2
                if stuck and best_d is not None and best_d >= 0 and up_q >= 0 and up_d < self.hard_w:
                    # Stuck: try the least worsening swap followed by its best repair (a chain
                    # of two swaps), which crosses the walls a single swap cannot.
                    chained, spent = self._chain(p, up_q, up_d)
                    evaluations += spent
                    if chained is not None:
                        best_d, best_q = chained, -1
                    elif up_d <= 3 * repeat_w and rng.random() < math.exp(-up_d / repeat_w):
                        # Annealing at the pairs level only (no hard or spread change fits in
                        # so small a delta): step uphill now and then, remembering the best.
                        if best_is_current:
                            self.best = list(self.room_of)
                            best_is_current = False
                        self.swap(p, up_q)
                        cost += up_d
                        best_d = None
                if best_d is not None and (best_d < 0 or (best_d == 0 and rng.random() < 0.5)):
                    if best_q >= 0:
                        self.swap(p, best_q)
                    if best_d < 0:
                        cost += best_d
                        last_gain = evaluations
                        if cost < best_cost:
                            best_cost, best_is_current, last_best = cost, True, evaluations
                        if cost <= target:
                            break
                if evaluations >= max_evaluations or evaluations - last_best > stall:
                    break
                steps += 1
                if deadline is not None and not steps % 32 and time.perf_counter() > deadline:
                    break
            else:
                if evaluations == evaluated_before:
                    break  # nobody could trade places (every partner locked)
                continue
            break
        if best_is_current:
            self.best = list(self.room_of)
        self.best_cost = best_cost
        return evaluations


# --------------------------------------------------------------------------- assignment


def _pigeonhole_pairs(size: int, groups: int) -> int:
    """Fewest pairs from the same group when `size` people come from `groups` groups."""
    q, r = divmod(size, max(groups, 1))
    return r * (q + 1) * q // 2 + (groups - r) * q * (q - 1) // 2


def repeat_lower_bound(
    people: Sequence[Person],
    previous: Sequence[Round],
    pools: Mapping[str | None, Sequence[int]],
    pool_members: Mapping[str | None, Sequence[int]],
    sizes: Sequence[int],
) -> int:
    """A lower bound on repeat pairs: in each room, people from one earlier room must meet."""
    best = 0
    for rnd in previous:
        earlier: dict[str, int] = {}
        for k, members in enumerate(rnd.rooms):
            for pid in members:
                earlier[pid] = k
        bound = 0
        for t, rooms in pools.items():
            groups = {earlier.get(people[i].id, -1 - i) for i in pool_members[t]}
            bound += sum(_pigeonhole_pairs(sizes[r], len(groups)) for r in rooms)
        best = max(best, bound)
    return best


def _count_phrase(counter: Counter[str], labels: Mapping[str, str]) -> str:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n} {labels.get(v, v)}" for v, n in ordered)


def _explain(
    people: Sequence[Person],
    rooms: Sequence[Sequence[str]],
    themes: Sequence[str | None],
    specs: Sequence[RoomSpec],
    previous: Sequence[Round],
    apart: set[tuple[str, str]],
    locks: Mapping[str, int],
) -> tuple[str, ...]:
    by_id = {p.id: p for p in people}
    earlier = _earlier_pairs(previous)
    role_labels: dict[str, str] = {str(k): v for k, v in ROLE_LABELS.items()}
    region_labels: dict[str, str] = {str(k): v for k, v in REGION_LABELS.items()}
    pools = _pools(themes)
    lines: list[str] = []
    for r, ids in enumerate(rooms):
        members = [by_id[pid] for pid in ids]
        pool = pools[themes[r]]
        pool_people = [by_id[pid] for room in pool for pid in rooms[room]]
        bits = [f"Room {r + 1}: {len(members)} people"]
        if specs[r].topic:
            bits.append(f"topic {specs[r].topic!r}")
        theme = themes[r]
        if theme is not None:
            others = sum(1 for p in members if role_group(p.role) != theme)
            label = ROLE_GROUP_LABELS.get(theme, theme)
            text = f"theme {label} ({len(pool)} room(s) for the group)"
            if others:
                text += f", {others} seated from other groups whose rooms were full"
            bits.append(text)
        facs = [p.id for p in members if p.facilitator]
        if facs:
            bits.append("facilitator " + ", ".join(facs))
        else:
            n_facs = sum(p.facilitator for p in pool_people)
            bits.append(f"no facilitator ({n_facs} facilitator(s) for {len(pool)} room(s))")
        bits.append("roles: " + _count_phrase(Counter(str(p.role) for p in members), role_labels))
        bits.append("regions: " + _count_phrase(Counter(str(p.region) for p in members), region_labels))
        totals = Counter(p.region for p in pool_people)
        present = {p.region for p in members}
        for region, n in sorted(totals.items()):
            if region not in present:
                why = f"only {n} for {len(pool)} rooms" if n < len(pool) else "other constraints came first"
                bits.append(f"no one from {REGION_LABELS[region]} ({why})")
        langsets = [frozenset(p.languages) for p in members if p.languages]
        common = frozenset.intersection(*langsets) if langsets else frozenset()
        if specs[r].language:
            ok = _language_ok(langsets, specs[r].language)
            bits.append(f"room language {specs[r].language}" + ("" if ok else ": NOT spoken by every member"))
        elif langsets:
            bits.append(
                "common language " + "/".join(sorted(common)) if common else "NO common language among the members"
            )
        pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if _pair_key(a, b) in earlier]
        if pairs:
            bits.append(f"{len(pairs)} pair(s) met in an earlier round")
        seps = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if _pair_key(a, b) in apart]
        if seps:
            bits.append(f"{len(seps)} pair(s) that should be apart (e.g. same organisation)")
        held = [pid for pid in ids if locks.get(pid) == r]
        if held:
            bits.append("locked here: " + ", ".join(held))
        lines.append("; ".join(bits))
    return tuple(lines)


def assign(
    people: Sequence[Person],
    rooms: int | Sequence[RoomSpec] | None = None,
    *,
    size: int | None = None,
    mode: Mode | str = Mode.MIXED,
    previous: Sequence[Round] = (),
    locks: Mapping[str, int] | None = None,
    separations: Sequence[Sequence[str]] = (),
    separate_organisations: bool = True,
    seed: int = 0,
    max_iterations: int | None = None,
    time_limit: float | None = 10.0,
) -> AssignmentResult:
    """Assign people to break-out rooms for one round.

    ``rooms`` is a count, or one ``RoomSpec`` per room; ``size`` alone asks for
    ceil(people / size) rooms; a count and a size give that many rooms holding at most ``size``.
    ``locks`` maps person id to a 0-based room index. ``previous`` ids that are not among
    ``people`` are ignored. ``max_iterations`` bounds evaluated swaps (default 200 per person
    plus 40,000); ``time_limit`` in seconds is a safety net (None: none).
    Raises ``AssignmentError`` when the input cannot be assigned at all.
    """
    started = time.perf_counter()
    mode = Mode(mode)
    people = list(people)
    index: dict[str, int] = {}
    for i, p in enumerate(people):
        if p.id in index:
            raise AssignmentError(f"duplicate person id {p.id!r}")
        index[p.id] = i
    specs, interchangeable = _room_specs(len(people), rooms, size)
    locks = dict(locks or {})
    lock_room: dict[int, int] = {}
    for pid, r in locks.items():
        if pid not in index:
            raise AssignmentError(f"lock names unknown person {pid!r}")
        if not 0 <= r < len(specs):
            raise AssignmentError(f"lock puts {pid!r} in room {r}, which does not exist")
        lock_room[index[pid]] = r
    for group in separations:
        for pid in group:
            if pid not in index:
                raise AssignmentError(f"separation names unknown person {pid!r}")
    rng = random.Random(seed)

    themes = _plan_themes(people, specs, mode, interchangeable)
    homes = _home_pools(people, themes, lock_room)
    sizes = _plan_sizes(len(people), specs, themes, homes, lock_room)
    pools = _pools(themes)
    pool_members = _plan_pool_members(people, themes, sizes, homes, lock_room, rng)
    cohort: list[int] | None = None
    if previous:
        latest = {pid: k for k, members in enumerate(previous[-1].rooms) for pid in members}
        cohort = [latest.get(p.id, len(previous[-1].rooms)) for p in people]
    earlier = _earlier_pairs(previous, set(index))
    apart = _separated_pairs(people, separations, separate_organisations)
    max_pairs = sum(s * (s - 1) // 2 for s in sizes)
    repeat_w = max_pairs + 1  # more than all separations together
    spread_w = repeat_w * (max_pairs + 1)  # more than all pairs together
    hard_w = spread_w * (4 * len(people) + 1)  # more than any spread
    neighbours: list[dict[int, int]] = [{} for _ in people]
    for key in sorted(earlier | apart):
        a, b = index[key[0]], index[key[1]]
        w = repeat_w * (key in earlier) + (key in apart)
        neighbours[a][b] = w
        neighbours[b][a] = w

    target = repeat_w * repeat_lower_bound(people, previous, pools, pool_members, sizes)
    if separate_organisations and not separations:
        # Colleagues in a pool of R rooms must meet at least as often as the pigeonhole says.
        for t, pool_rooms in pools.items():
            orgs = Counter(people[i].organisation.strip().casefold() for i in pool_members[t])
            target += sum(_pigeonhole_pairs(k, len(pool_rooms)) for org, k in orgs.items() if org)
    budget = max_iterations if max_iterations is not None else 40_000 + 200 * len(people)
    deadline = started + time_limit if time_limit is not None else None
    # Tiny meetings: a few restarts from fresh deals cost little and escape rare dead ends.
    attempts = RESTARTS if len(people) <= SMALL_MEETING else 1
    iterations = 0
    search: _Search | None = None
    for _ in range(attempts):
        room_of = _construct(people, pools, pool_members, sizes, lock_room, rng, cohort)
        attempt = _Search(people, room_of, pools, specs, sizes, set(lock_room), neighbours, (hard_w, spread_w), rng)
        iterations += attempt.run(max(0, budget - iterations), deadline, target, repeat_w)
        if search is None or attempt.best_cost < search.best_cost:
            search = attempt
        if search.best_cost <= target or iterations >= budget:
            break
    assert search is not None

    best_rooms: list[list[int]] = [[] for _ in specs]
    for i, r in enumerate(search.best):
        best_rooms[r].append(i)
    result_rooms = tuple(tuple(people[i].id for i in members) for members in best_rooms)
    metrics = compute_metrics(
        people,
        result_rooms,
        specs=specs,
        themes=themes,
        previous=previous,
        locks=locks,
        separations=separations,
        separate_organisations=separate_organisations,
    )
    explanations = _explain(people, result_rooms, themes, specs, previous, apart, locks)
    return AssignmentResult(
        rooms=result_rooms,
        themes=tuple(themes),
        metrics=metrics,
        explanations=explanations,
        mode=mode,
        seed=seed,
        iterations=iterations,
    )


# --------------------------------------------------------------------------- late joiners


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
    by_id = {p.id: p for p in people}
    if newcomer.id in by_id:
        raise AssignmentError(f"{newcomer.id!r} is already assigned")
    specs = list(specs) if specs is not None else [RoomSpec()] * len(rooms)
    if themes is None:
        themes = [s.role_group for s in specs]
    members = [[by_id[pid] for pid in ids] for ids in rooms]
    sizes = [len(m) for m in members]
    has_capacity = any(s.capacity is not None for s in specs)
    everyone = [*people, newcomer]
    earlier = _earlier_pairs(previous)
    apart = _separated_pairs(everyone, separations, separate_organisations)
    pools = _pools(themes)

    # Spread added per room: only the newcomer's role and region change, inside one pool.
    added: dict[int, int] = {}
    for pool in pools.values():
        pool_sizes = [sizes[r] for r in pool]
        for attr in ("role", "region"):
            value = getattr(newcomer, attr)
            counts = [sum(1 for p in members[r] if getattr(p, attr) == value) for r in pool]
            n = sum(counts)
            before = sum(_dev(c, lo, hi) for c, (lo, hi) in zip(counts, _bands(n, pool_sizes), strict=True))
            even = max(pool_sizes) - min(pool_sizes) <= 1
            bands_after = _bands(n + 1, pool_sizes) if even else []
            after_base = sum(_dev(c, lo, hi) for c, (lo, hi) in zip(counts, bands_after, strict=True)) if even else 0
            for k, r in enumerate(pool):
                if even:
                    lo, hi = bands_after[k]
                    after = after_base - _dev(counts[k], lo, hi) + _dev(counts[k] + 1, lo, hi)
                else:
                    grown = [s + (j == k) for j, s in enumerate(pool_sizes)]
                    after = sum(
                        _dev(c + (j == k), lo, hi)
                        for j, (c, (lo, hi)) in enumerate(zip(counts, _bands(n + 1, grown), strict=True))
                    )
                added[r] = added.get(r, 0) + after - before

    smallest = min(sizes)

    def key(r: int) -> tuple[int, ...]:
        cap = specs[r].capacity
        over = int(cap is not None and sizes[r] + 1 > cap)
        uneven = int(not has_capacity and sizes[r] > smallest)
        speaks = _language_ok(
            [frozenset(p.languages) for p in members[r]] + [frozenset(newcomer.languages)],
            specs[r].language,
        )
        theme = themes[r]
        mismatch = int(theme is not None and theme != role_group(newcomer.role))
        repeats = sum(_pair_key(newcomer.id, p.id) in earlier for p in members[r])
        seps = sum(_pair_key(newcomer.id, p.id) in apart for p in members[r])
        fac_pref = int(newcomer.facilitator and any(p.facilitator for p in members[r]))
        return (
            over,
            uneven,
            int(not speaks),
            mismatch,
            sizes[r],
            added[r],
            repeats,
            seps,
            fac_pref,
            r,
        )

    best = min(range(len(rooms)), key=key)
    chosen = key(best)  # the reasons below read this key's fields
    reasons = [f"room {best + 1} has {sizes[best]} people (smallest: {smallest})"]
    reasons.append(
        "keeps the role and region spread"
        if chosen[5] <= 0
        else f"adds {chosen[5]} spread violation(s), the fewest possible"
    )
    if chosen[0]:
        reasons.append("OVER capacity: every room is full")
    if chosen[2]:
        reasons.append("NO room shares a language with the newcomer")
    if themes[best] is not None:
        reasons.append(
            f"theme {ROLE_GROUP_LABELS.get(themes[best] or '', themes[best])}"
            + (" (not the newcomer's group)" if chosen[3] else "")
        )
    reasons.append(f"{chosen[6]} earlier room-mate(s), {chosen[7]} to keep apart")
    return best, "; ".join(reasons)
