"""The first deal of a later round: cohort by cohort (a cohort: the members of one earlier room),
so that no room gets two of a cohort while the rooms can take them, then an even spread.

1. Rooms per cohort. The largest cohorts go first, while rooms have the most freedom; each
   takes the rooms with the most free seats that hold nobody of it yet (the greedy
   construction of a 0-1 matrix with given row and column sums: filling the emptiest rooms
   first keeps every later cohort placeable).
2. Members to those rooms. Rarest role first, each member takes the cohort's room with the
   fewest of their role, then of their region.
3. Even spread, exactly per cohort. With every other cohort fixed, seating one cohort in its
   rooms (one member per room) is an assignment problem: each member's cost in a room is the
   spread their role and region add there, independent of where the others go. The Hungarian
   method solves it exactly; cohort after cohort, pass after pass, the spread only falls
   (block coordinate descent), and the rooms' mix of cohorts, hence the pairs, never changes.
   Facilitators and locked people stay where they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from server.sessions.breakouts.model import REGION_INDEX, ROLE_INDEX, AssignmentError, Person
from server.sessions.breakouts.rules import bands, deviation

PASSES = 4  # block-coordinate passes over the cohorts; the spread settles within two or three


def deal_by_cohort(
    people: Sequence[Person],
    rooms: Sequence[int],
    sizes: Sequence[int],
    fill: list[int],
    room_of: list[int],
    cohort: Sequence[int],
    order: Sequence[int],
) -> None:
    """Seat ``order`` (this pool's people not seated yet) in ``rooms``, updating ``room_of`` and ``fill``."""
    by_cohort: dict[int, list[int]] = {}
    for i in order:
        by_cohort.setdefault(cohort[i], []).append(i)
    cohorts_in: dict[int, set[int]] = {room: set() for room in rooms}
    for i, room in enumerate(room_of):
        if room in cohorts_in:
            cohorts_in[room].add(cohort[i])
    role_total = Counter(ROLE_INDEX[people[i].role] for i in order)
    role_in: dict[int, Counter[int]] = {room: Counter() for room in rooms}
    region_in: dict[int, Counter[int]] = {room: Counter() for room in rooms}
    for i, room in enumerate(room_of):
        if room in role_in:
            role_in[room][ROLE_INDEX[people[i].role]] += 1
            region_in[room][REGION_INDEX[people[i].region]] += 1
    waiting = sorted(by_cohort, key=lambda key: (-len(by_cohort[key]), key))
    for position, key in enumerate(waiting):
        members = sorted(by_cohort[key], key=lambda i: (role_total[ROLE_INDEX[people[i].role]], i))
        later = waiting[position + 1 :]
        # Seats only few later cohorts may take (they sit there already) are taken now.
        takers = {room: sum(1 for other in later if other not in cohorts_in[room]) for room in rooms}
        chosen = _rooms_for_cohort(rooms, sizes, fill, cohorts_in, key, len(members), takers)
        for i in members:
            role, region = ROLE_INDEX[people[i].role], REGION_INDEX[people[i].region]
            room = min(chosen, key=lambda room: (role_in[room][role], region_in[room][region], room))
            chosen.remove(room)
            room_of[i] = room
            fill[room] += 1
            cohorts_in[room].add(key)
            role_in[room][role] += 1
            region_in[room][region] += 1
    _rebalance(people, rooms, sizes, room_of, by_cohort)


def _rooms_for_cohort(
    rooms: Sequence[int],
    sizes: Sequence[int],
    fill: Sequence[int],
    cohorts_in: dict[int, set[int]],
    key: int,
    count: int,
    takers: dict[int, int],
) -> list[int]:
    """``count`` seats for one cohort: rooms without it first, the emptiest first; a room twice
    only when there are not enough rooms with free seats (then repeats cannot be avoided)."""
    free = {room: sizes[room] - fill[room] for room in rooms}
    chosen: list[int] = []
    while len(chosen) < count:
        open_rooms = [room for room in rooms if free[room] > 0]
        if not open_rooms:
            raise AssignmentError("internal: no room left while dealing")
        room = max(
            open_rooms,
            key=lambda room: (
                key not in cohorts_in[room] and room not in chosen,
                free[room],
                free[room] - takers[room],
                -room,
            ),
        )
        chosen.append(room)
        free[room] -= 1
    return chosen


def _rebalance(
    people: Sequence[Person], rooms: Sequence[int], sizes: Sequence[int], room_of: list[int],
    by_cohort: dict[int, list[int]],
) -> None:
    """Re-seat each cohort's dealt members exactly (Hungarian method) to even the spread."""
    in_pool = set(rooms)
    seated = [i for i, room in enumerate(room_of) if room in in_pool]
    attributes = [
        [ROLE_INDEX[person.role] for person in people],
        [REGION_INDEX[person.region] for person in people],
    ]
    counts: list[dict[int, Counter[int]]] = []
    limits: list[dict[int, dict[int, tuple[int, int]]]] = []
    pool_sizes = [sizes[room] for room in rooms]
    for values in attributes:
        per_room: dict[int, Counter[int]] = {room: Counter() for room in rooms}
        for i in seated:
            per_room[room_of[i]][values[i]] += 1
        totals = Counter(values[i] for i in seated)
        band_of: dict[int, dict[int, tuple[int, int]]] = {room: {} for room in rooms}
        for value, total in totals.items():
            for room, band in zip(rooms, bands(total, pool_sizes), strict=True):
                band_of[room][value] = band
        counts.append(per_room)
        limits.append(band_of)
    for _ in range(PASSES):
        if not any(_reseat(members, room_of, attributes, counts, limits) for members in by_cohort.values()):
            break


def _reseat(
    members: list[int],
    room_of: list[int],
    attributes: list[list[int]],
    counts: list[dict[int, Counter[int]]],
    limits: list[dict[int, dict[int, tuple[int, int]]]],
) -> bool:
    """Seat one cohort's members in its own rooms at the least spread; True when it changed."""
    if len(members) < 2:
        return False
    slots = [room_of[i] for i in members]
    for k, values in enumerate(attributes):
        for i in members:
            counts[k][room_of[i]][values[i]] -= 1

    def added(i: int, room: int) -> int:
        total = 0
        for k, values in enumerate(attributes):
            count = counts[k][room][values[i]]
            low, high = limits[k][room][values[i]]
            total += deviation(count + 1, low, high) - deviation(count, low, high)
        return total

    cost = [[added(i, room) for room in slots] for i in members]
    assignment = hungarian(cost)
    current = sum(cost[m][m] for m in range(len(members)))
    best = sum(cost[m][assignment[m]] for m in range(len(members)))
    changed = best < current
    for m, i in enumerate(members):
        if changed:
            room_of[i] = slots[assignment[m]]
        for k, values in enumerate(attributes):
            counts[k][room_of[i]][values[i]] += 1
    return changed


def hungarian(cost: Sequence[Sequence[int]]) -> list[int]:
    """Column for each row of a square cost matrix at the least total (Kuhn-Munkres, O(n³))."""
    size = len(cost)
    infinity = float("inf")
    # Potentials of rows and columns; match[col] is the row seated there (1-based, 0: none).
    row_potential = [0.0] * (size + 1)
    col_potential = [0.0] * (size + 1)
    match = [0] * (size + 1)
    way = [0] * (size + 1)
    for row in range(1, size + 1):
        match[0] = row
        col0 = 0
        least = [infinity] * (size + 1)
        used = [False] * (size + 1)
        while True:
            used[col0] = True
            row0, delta, col1 = match[col0], infinity, 0
            for col in range(1, size + 1):
                if used[col]:
                    continue
                reduced = cost[row0 - 1][col - 1] - row_potential[row0] - col_potential[col]
                if reduced < least[col]:
                    least[col], way[col] = reduced, col0
                if least[col] < delta:
                    delta, col1 = least[col], col
            for col in range(size + 1):
                if used[col]:
                    row_potential[match[col]] += delta
                    col_potential[col] -= delta
                else:
                    least[col] -= delta
            col0 = col1
            if match[col0] == 0:
                break
        while col0:
            col1 = way[col0]
            match[col0] = match[col1]
            col0 = col1
    result = [0] * size
    for col in range(1, size + 1):
        result[match[col] - 1] = col - 1
    return result
