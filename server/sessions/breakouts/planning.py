"""Plan a round before the search: the rooms, their themes and sizes, who sits in which pool
(group of rooms sharing a theme), and a greedy first deal of people into rooms."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

from server.core.vocab import ROLE_GROUPS, role_group
from server.sessions.breakouts.cohorts import deal_by_cohort
from server.sessions.breakouts.model import (
    GROUP_INDEX,
    GROUPS,
    REGION_INDEX,
    ROLE_INDEX,
    AssignmentError,
    Mode,
    Person,
    RoomSpec,
)
from server.sessions.breakouts.rules import pools_of

# A person's preferred pool: a theme, None (the unthemed rooms), or False when no pool suits them.
Home = str | bool | None
Pools = Mapping[str | None, list[int]]


def room_specs(n_people: int, rooms: int | Sequence[RoomSpec] | None, size: int | None) -> tuple[list[RoomSpec], bool]:
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


def plan_themes(
    people: Sequence[Person], specs: Sequence[RoomSpec], mode: Mode, interchangeable: bool
) -> list[str | None]:
    """Each room's role group: the spec's, else (role mode) shared out by Adams' method."""
    themes: list[str | None] = [spec.role_group for spec in specs]
    if mode is not Mode.ROLE:
        return themes
    demand = Counter(role_group(person.role) for person in people)
    given = Counter(theme for theme in themes if theme is not None)

    def crowding(group: str) -> tuple[int, float, int, int]:
        # Adams' method: a group without a room first, then the most crowded group.
        rooms = given[group]
        return (0 if rooms else 1, demand[group] / rooms if rooms else 0.0, demand[group], -GROUP_INDEX[group])

    for r, theme in enumerate(themes):
        if theme is not None:
            continue
        wanting = [group for group in GROUPS if demand[group] > 0]
        if not wanting:
            break
        chosen = max(wanting, key=crowding)
        themes[r] = chosen
        given[chosen] += 1
    if interchangeable:
        # Identical rooms: number them group by group, in vocabulary order.
        themes.sort(key=lambda theme: GROUP_INDEX[theme] if theme is not None else len(GROUPS))
    return themes


def home_pools(people: Sequence[Person], themes: Sequence[str | None], lock_room: Mapping[int, int]) -> list[Home]:
    """Each person's preferred pool; False when no pool suits them."""
    pools = set(themes)
    homes: list[Home] = []
    for i, person in enumerate(people):
        if i in lock_room:
            homes.append(themes[lock_room[i]])
        elif role_group(person.role) in pools:
            homes.append(role_group(person.role))
        elif None in pools:
            homes.append(None)
        else:
            homes.append(False)
    return homes


def plan_sizes(
    n_people: int,
    specs: Sequence[RoomSpec],
    themes: Sequence[str | None],
    homes: Sequence[Home],
    lock_room: Mapping[int, int],
) -> list[int]:
    """Room sizes: as even as the capacities allow, extra seats where people overflow."""
    capacities = [spec.capacity for spec in specs]
    locked = Counter(lock_room.values())
    if any(cap is not None for cap in capacities):
        sizes = _water_fill(n_people, capacities)
    else:
        sizes = _even_sizes(n_people, len(specs), themes, homes, locked)
    for r, count in locked.items():
        if count > sizes[r]:
            raise AssignmentError(f"room {r} has {count} locked people but holds only {sizes[r]}")
    return sizes


def _water_fill(n_people: int, capacities: Sequence[int | None]) -> list[int]:
    """Fill the lowest rooms first, one seat at a time, within their capacities."""
    if all(cap is not None for cap in capacities) and sum(cap or 0 for cap in capacities) < n_people:
        raise AssignmentError(f"{n_people} people do not fit in rooms holding {sum(cap or 0 for cap in capacities)}")
    sizes = [0] * len(capacities)
    remaining = n_people
    while remaining:
        open_rooms = [r for r, cap in enumerate(capacities) if cap is None or sizes[r] < cap]
        level = min(sizes[r] for r in open_rooms)
        for r in open_rooms:
            if remaining and sizes[r] == level:
                sizes[r] += 1
                remaining -= 1
    return sizes


def _even_sizes(
    n_people: int, n_rooms: int, themes: Sequence[str | None], homes: Sequence[Home], locked: Counter[int]
) -> list[int]:
    base, extra = divmod(n_people, n_rooms)
    sizes = [base] * n_rooms
    pools = pools_of(themes)
    demand = Counter(home for home in homes if home is not False)
    quota = {theme: base * len(rooms) for theme, rooms in pools.items()}
    # Inside a pool the extra seat goes where locks already crowd the room.
    order = {theme: sorted(rooms, key=lambda r: (-locked[r], r)) for theme, rooms in pools.items()}
    for _ in range(extra):
        # The extra seats go to the pools whose people overflow most.
        theme = max(
            (theme for theme in pools if order[theme]),
            key=lambda theme: (demand[theme] - quota[theme], -pools[theme][0]),
        )
        sizes[order[theme].pop(0)] += 1
        quota[theme] += 1
    return sizes


def plan_pool_members(
    people: Sequence[Person],
    themes: Sequence[str | None],
    sizes: Sequence[int],
    homes: Sequence[Home],
    lock_room: Mapping[int, int],
    rng: random.Random,
) -> dict[str | None, list[int]]:
    """Decide which people sit in which pool (group of rooms sharing a theme)."""
    pools = pools_of(themes)
    quota = {theme: sum(sizes[r] for r in rooms) for theme, rooms in pools.items()}
    members: dict[str | None, list[int]] = {theme: [] for theme in pools}
    floating: list[int] = []
    for i, home in enumerate(homes):
        if home is False:
            floating.append(i)
        else:
            assert not isinstance(home, bool)
            members[home].append(i)
    tiebreak = [rng.random() for _ in people]
    for theme, pool_people in members.items():
        excess = len(pool_people) - quota[theme]
        if excess > 0:
            # Overflow leaves its group's rooms: non-facilitators first, at random.
            movable = sorted(
                (i for i in pool_people if i not in lock_room),
                key=lambda i: (people[i].facilitator, tiebreak[i]),
            )
            leaving = set(movable[:excess])
            members[theme] = [i for i in pool_people if i not in leaving]
            floating.extend(sorted(leaving))
    _seat_floating(people, pools, quota, members, floating, tiebreak)
    _share_facilitators(people, pools, members, lock_room, tiebreak)
    return members


def _seat_floating(
    people: Sequence[Person],
    pools: Pools,
    quota: Mapping[str | None, int],
    members: dict[str | None, list[int]],
    floating: list[int],
    tiebreak: Sequence[float],
) -> None:
    """Seat people without a pool where there is room, facilitators first where one is missing."""
    facilitators = {theme: sum(people[i].facilitator for i in pool) for theme, pool in members.items()}
    floating.sort(key=lambda i: (not people[i].facilitator, tiebreak[i]))
    order = {theme: k for k, theme in enumerate(pools)}
    for i in floating:
        leads = people[i].facilitator
        theme = max(
            (theme for theme in pools if len(members[theme]) < quota[theme]),
            key=lambda theme: (
                leads and facilitators[theme] < len(pools[theme]),
                quota[theme] - len(members[theme]),
                -order[theme],
            ),
        )
        members[theme].append(i)
        facilitators[theme] += leads


def _share_facilitators(
    people: Sequence[Person],
    pools: Pools,
    members: dict[str | None, list[int]],
    lock_room: Mapping[int, int],
    tiebreak: Sequence[float],
) -> None:
    """Facilitators before themes: swap a spare facilitator for someone in a pool without enough."""
    facilitators = {theme: sum(people[i].facilitator for i in pool) for theme, pool in members.items()}

    def free_facilitators(theme: str | None) -> list[int]:
        return [i for i in members[theme] if people[i].facilitator and i not in lock_room]

    for theme in pools:
        while facilitators[theme] < len(pools[theme]):
            donor = next(
                (other for other in pools if facilitators[other] > len(pools[other]) and free_facilitators(other)),
                None,
            )
            takers = [i for i in members[theme] if not people[i].facilitator and i not in lock_room]
            if donor is None or not takers:
                break
            give = min(free_facilitators(donor), key=lambda i: tiebreak[i])
            take = min(takers, key=lambda i: tiebreak[i])
            members[donor].remove(give)
            members[theme].remove(take)
            members[theme].append(give)
            members[donor].append(take)
            facilitators[theme] += 1
            facilitators[donor] -= 1


def cohorts_tight(n_rooms: int, cohorts: Sequence[int]) -> bool:
    """Whether an earlier room holds at least half as many people as this pool has rooms.

    Then keeping a cohort apart takes most rooms, and a later round is dealt cohort by cohort
    (``cohorts.py``) and searched in two phases (``Search.run``). Smaller cohorts are kept apart
    by the round-robin deal already, and the cohort deal's room choice, quadratic in the
    cohorts, would cost more than it saves (600 people in 60 rooms: a third slower).
    """
    largest = max(Counter(cohorts).values(), default=0)
    return 2 * largest >= n_rooms


def construct(
    people: Sequence[Person],
    pools: Pools,
    pool_members: Mapping[str | None, list[int]],
    sizes: Sequence[int],
    lock_room: Mapping[int, int],
    rng: random.Random,
    cohort: Sequence[int] | None = None,
) -> list[int]:
    """Greedy start: locks, then one facilitator per room, then a stratified deal.

    With ``cohort`` (each person's room in the latest earlier round) the deal goes cohort by
    cohort into rooms that hold nobody of that cohort yet (see ``cohorts.py``)."""
    room_of = [-1] * len(people)
    fill = [0] * len(sizes)
    tiebreak = [rng.random() for _ in people]
    for theme, rooms in pools.items():
        free: list[int] = []
        has_facilitator = dict.fromkeys(rooms, False)
        for i in pool_members[theme]:
            if i in lock_room:
                room = lock_room[i]
                room_of[i] = room
                fill[room] += 1
                has_facilitator[room] = has_facilitator[room] or people[i].facilitator
            else:
                free.append(i)
        facilitators = sorted(
            (i for i in free if people[i].facilitator),
            key=lambda i: (ROLE_INDEX[people[i].role], REGION_INDEX[people[i].region], tiebreak[i]),
        )
        for room in rooms:
            if not has_facilitator[room] and facilitators and fill[room] < sizes[room]:
                i = facilitators.pop(0)
                room_of[i] = room
                fill[room] += 1
        rest = sorted(
            (i for i in free if room_of[i] < 0),
            key=lambda i: (ROLE_INDEX[people[i].role], REGION_INDEX[people[i].region], tiebreak[i]),
        )
        if cohort is None or not cohorts_tight(len(rooms), [cohort[i] for i in pool_members[theme]]):
            if cohort is not None:  # consecutive members of a cohort land in different rooms
                rest.sort(key=lambda i: cohort[i])
            _deal(rest, rooms, sizes, fill, room_of, rng.randrange(len(rooms)))
        else:
            deal_by_cohort(people, rooms, sizes, fill, room_of, cohort, rest)
    return room_of


def _deal(order: Sequence[int], rooms: Sequence[int], sizes: Sequence[int], fill: list[int], room_of: list[int],
          start: int) -> None:
    """Round-robin from room ``start``, skipping full rooms."""
    turn = start
    for i in order:
        for _ in range(len(rooms)):
            room = rooms[turn % len(rooms)]
            turn += 1
            if fill[room] < sizes[room]:
                room_of[i] = room
                fill[room] += 1
                break
        else:
            raise AssignmentError("internal: no room left while dealing")

