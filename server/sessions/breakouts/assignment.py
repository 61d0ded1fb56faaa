"""Assign people to break-out rooms for one round: plan, deal, search, measure, explain."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.sessions.breakouts import notes
from server.sessions.breakouts.metrics import compute_metrics, room_notes
from server.sessions.breakouts.model import AssignmentError, AssignmentResult, Mode, Person, RoomSpec, Round
from server.sessions.breakouts.planning import (
    cohorts_tight,
    construct,
    home_pools,
    plan_pool_members,
    plan_sizes,
    plan_themes,
    room_specs,
)
from server.sessions.breakouts.rules import earlier_pairs, pigeonhole_pairs, pools_of, separated_pairs
from server.sessions.breakouts.search import Search

SMALL_MEETING = 24  # people; up to this size the search restarts when it misses the bound
RESTARTS = 6


@dataclass(frozen=True)
class _Weights:
    """Weights that make the cost lexicographic: hard ≫ spread ≫ repeat pairs ≫ separations."""

    repeat: int  # more than all separations together
    spread: int  # more than all pairs together
    hard: int  # more than any spread

    @classmethod
    def for_sizes(cls, sizes: Sequence[int], n_people: int) -> _Weights:
        max_pairs = sum(size * (size - 1) // 2 for size in sizes)
        repeat = max_pairs + 1
        spread = repeat * (max_pairs + 1)
        return cls(repeat=repeat, spread=spread, hard=spread * (4 * n_people + 1))


@dataclass(frozen=True)
class _Plan:
    """Everything fixed before the search."""

    specs: list[RoomSpec]
    themes: list[str | None]
    sizes: list[int]
    pools: dict[str | None, list[int]]
    pool_members: dict[str | None, list[int]]
    lock_room: dict[int, int]
    cohort: list[int] | None  # each person's room in the latest earlier round


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
    index = _index(people)
    locks = dict(locks or {})
    specs, interchangeable = room_specs(len(people), rooms, size)
    lock_room = _lock_rooms(index, locks, len(specs), separations)
    rng = random.Random(seed)
    plan = _plan(people, specs, interchangeable, mode, lock_room, previous, rng)
    apart = separated_pairs(people, separations, separate_organisations)
    weights = _Weights.for_sizes(plan.sizes, len(people))
    neighbours = _neighbours(index, earlier_pairs(previous, set(index)), apart, weights.repeat)
    target = weights.repeat * repeat_lower_bound(people, previous, plan.pools, plan.pool_members, plan.sizes)
    if separate_organisations and not separations:
        target += _colleague_bound(people, plan)
    budget = max_iterations if max_iterations is not None else 40_000 + 200 * len(people)
    deadline = started + time_limit if time_limit is not None else None
    search, iterations = _search(people, plan, neighbours, weights, target, budget, deadline, rng)
    best_rooms: list[list[int]] = [[] for _ in specs]
    for i, room in enumerate(search.best):
        best_rooms[room].append(i)
    rooms_ids = tuple(tuple(people[i].id for i in members) for members in best_rooms)
    metrics = compute_metrics(
        people, rooms_ids, specs=specs, themes=plan.themes, previous=previous, locks=locks,
        separations=separations, separate_organisations=separate_organisations,
    )
    said = room_notes(people, rooms_ids, plan.themes, specs, previous, apart, locks)
    return AssignmentResult(rooms_ids, tuple(plan.themes), metrics, tuple(notes.english(room) for room in said),
                            mode, seed, iterations, said)


def _index(people: Sequence[Person]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, person in enumerate(people):
        if person.id in index:
            raise AssignmentError(f"duplicate person id {person.id!r}")
        index[person.id] = i
    return index


def _lock_rooms(
    index: Mapping[str, int], locks: Mapping[str, int], n_rooms: int, separations: Sequence[Sequence[str]]
) -> dict[int, int]:
    lock_room: dict[int, int] = {}
    for pid, room in locks.items():
        if pid not in index:
            raise AssignmentError(f"lock names unknown person {pid!r}")
        if not 0 <= room < n_rooms:
            raise AssignmentError(f"lock puts {pid!r} in room {room}, which does not exist")
        lock_room[index[pid]] = room
    for group in separations:
        for pid in group:
            if pid not in index:
                raise AssignmentError(f"separation names unknown person {pid!r}")
    return lock_room


def _plan(
    people: Sequence[Person],
    specs: list[RoomSpec],
    interchangeable: bool,
    mode: Mode,
    lock_room: dict[int, int],
    previous: Sequence[Round],
    rng: random.Random,
) -> _Plan:
    themes = plan_themes(people, specs, mode, interchangeable)
    homes = home_pools(people, themes, lock_room)
    sizes = plan_sizes(len(people), specs, themes, homes, lock_room)
    pool_members = plan_pool_members(people, themes, sizes, homes, lock_room, rng)
    cohort: list[int] | None = None
    if previous:
        latest = {pid: k for k, members in enumerate(previous[-1].rooms) for pid in members}
        cohort = [latest.get(person.id, len(previous[-1].rooms)) for person in people]
    return _Plan(specs, themes, sizes, pools_of(themes), pool_members, lock_room, cohort)


def _neighbours(
    index: Mapping[str, int], earlier: set[tuple[str, str]], apart: set[tuple[str, str]], repeat_weight: int
) -> list[dict[int, int]]:
    """Per person, the weight of sharing a room with each earlier room-mate or person to keep apart."""
    neighbours: list[dict[int, int]] = [{} for _ in index]
    for key in sorted(earlier | apart):
        first, second = index[key[0]], index[key[1]]
        weight = repeat_weight * (key in earlier) + (key in apart)
        neighbours[first][second] = weight
        neighbours[second][first] = weight
    return neighbours


def _colleague_bound(people: Sequence[Person], plan: _Plan) -> int:
    """Colleagues in a pool of R rooms must meet at least as often as the pigeonhole says."""
    bound = 0
    for theme, rooms in plan.pools.items():
        orgs = Counter(people[i].organisation.strip().casefold() for i in plan.pool_members[theme])
        bound += sum(pigeonhole_pairs(count, len(rooms)) for org, count in orgs.items() if org)
    return bound


def _search(
    people: Sequence[Person],
    plan: _Plan,
    neighbours: list[dict[int, int]],
    weights: _Weights,
    target: int,
    budget: int,
    deadline: float | None,
    rng: random.Random,
) -> tuple[Search, int]:
    """Deal and search; tiny meetings restart from fresh deals, which cost little and escape
    rare dead ends. Return the best search and the evaluations spent."""
    attempts = RESTARTS if len(people) <= SMALL_MEETING else 1
    cohort = plan.cohort
    tight = cohort is not None and any(
        cohorts_tight(len(rooms), [cohort[i] for i in plan.pool_members[theme]]) for theme, rooms in plan.pools.items()
    )
    iterations = 0
    best: Search | None = None
    for _ in range(attempts):
        room_of = construct(people, plan.pools, plan.pool_members, plan.sizes, plan.lock_room, rng, plan.cohort)
        attempt = Search(
            people, room_of, plan.pools, plan.specs, plan.sizes, set(plan.lock_room), neighbours,
            (weights.hard, weights.spread), rng,
        )
        iterations += attempt.run(max(0, budget - iterations), deadline, target, weights.repeat, tight)
        if best is None or attempt.best_cost < best.best_cost:
            best = attempt
        if best.best_cost <= target or iterations >= budget:
            break
    assert best is not None
    return best, iterations


def repeat_lower_bound(
    people: Sequence[Person],
    previous: Sequence[Round],
    pools: Mapping[str | None, Sequence[int]],
    pool_members: Mapping[str | None, Sequence[int]],
    sizes: Sequence[int],
) -> int:
    """A lower bound on repeat pairs: in each room, people from one earlier room must meet."""
    best = 0
    for earlier_round in previous:
        earlier: dict[str, int] = {}
        for k, members in enumerate(earlier_round.rooms):
            for pid in members:
                earlier[pid] = k
        bound = 0
        for theme, rooms in pools.items():
            groups = {earlier.get(people[i].id, -1 - i) for i in pool_members[theme]}
            bound += sum(pigeonhole_pairs(sizes[room], len(groups)) for room in rooms)
        best = max(best, bound)
    return best
