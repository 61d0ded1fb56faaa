"""The search's state: a full assignment with every cost term kept up to date incrementally.

Cost, in strict order through its weights: hard (rooms without a facilitator that could have
one, members who do not speak the room's best language) ≫ spread (seats off the even split of
every role and region, per pool) ≫ pairs (earlier room-mates meeting again, weighted above all
separations together, plus pairs to keep apart). A swap of two people keeps room sizes and
pools, and its cost change is computed in O(languages + earlier room-mates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from server.sessions.breakouts.model import REGION_INDEX, REGIONS, ROLE_INDEX, ROLES, Person, RoomSpec
from server.sessions.breakouts.rules import bands, deviation

ATTRIBUTES = (0, 1)  # role, region: the two attributes whose spread is measured


class IndexedSet:
    """A set of ints with O(1) add, discard and seeded random choice (no hash-order reliance)."""

    __slots__ = ("items", "position")

    def __init__(self) -> None:
        self.items: list[int] = []
        self.position: dict[int, int] = {}

    def add(self, item: int) -> None:
        if item not in self.position:
            self.position[item] = len(self.items)
            self.items.append(item)

    def discard(self, item: int) -> None:
        index = self.position.pop(item, None)
        if index is None:
            return
        last = self.items.pop()
        if index < len(self.items):
            self.items[index] = last
            self.position[last] = index


class SearchState:
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
    ) -> None:
        self.hard_weight, self.spread_weight = weights
        self.room_of = room_of
        self.role = [ROLE_INDEX[person.role] for person in people]
        self.region = [REGION_INDEX[person.region] for person in people]
        self.attribute_values = [self.role, self.region]
        self.facilitator = [person.facilitator for person in people]
        self.langs = [frozenset(person.languages) for person in people]
        self.neighbours = neighbours
        self.movable = [i for i in range(len(people)) if i not in locked]
        self.is_movable = [i not in locked for i in range(len(people))]
        self._init_pools(pools, len(sizes))
        self.members: list[list[int]] = [[] for _ in sizes]
        self.slot = [0] * len(people)  # position of each person in their room's member list
        for i, room in enumerate(room_of):
            self.slot[i] = len(self.members[room])
            self.members[room].append(i)
        self._init_spread(pools, sizes)
        self._init_facilitators()
        self._init_languages(specs)
        self._init_pairs()

    # ---- set-up

    def _init_pools(self, pools: Mapping[str | None, list[int]], n_rooms: int) -> None:
        self.pool_of_room = [0] * n_rooms
        self.pool_rooms: list[list[int]] = []
        for k, rooms in enumerate(pools.values()):
            self.pool_rooms.append(rooms)
            for room in rooms:
                self.pool_of_room[room] = k
        self.pool_movable: list[list[int]] = [[] for _ in self.pool_rooms]
        # People who could trade places without touching the spread: same role and/or region.
        self.alike: dict[tuple[int, int, int], list[int]] = {}
        for i in self.movable:
            pool = self.pool_of_room[self.room_of[i]]
            self.pool_movable[pool].append(i)
            for key in ((pool, self.role[i], self.region[i]), (pool, self.role[i], -1), (pool, -1, self.region[i])):
                self.alike.setdefault(key, []).append(i)
        pool_of_person = [self.pool_of_room[room] for room in self.room_of]
        self.mates: list[list[int]] = [
            [j for j in sorted(near) if self.is_movable[j] and pool_of_person[j] == pool_of_person[i]]
            for i, near in enumerate(self.neighbours)
        ]

    def _init_spread(self, pools: Mapping[str | None, list[int]], sizes: Sequence[int]) -> None:
        """Counts and bands per attribute, room and value; rooms under / below each band."""
        self.count: list[list[list[int]]] = []  # [attribute][room][value]
        self.low: list[list[list[int]]] = []
        self.high: list[list[list[int]]] = []
        self.under: list[list[IndexedSet]] = []  # [attribute][value]: rooms below the band
        self.below_high: list[list[IndexedSet]] = []  # [attribute][value]: rooms that can take one
        self.spread = 0
        n_rooms = len(sizes)
        for values, n_values in ((self.role, len(ROLES)), (self.region, len(REGIONS))):
            count = [[0] * n_values for _ in range(n_rooms)]
            for i, room in enumerate(self.room_of):
                count[room][values[i]] += 1
            low = [[0] * n_values for _ in range(n_rooms)]
            high = [[0] * n_values for _ in range(n_rooms)]
            for rooms in pools.values():
                for value in range(n_values):
                    total = sum(count[room][value] for room in rooms)
                    for room, band in zip(rooms, bands(total, [sizes[room] for room in rooms]), strict=True):
                        low[room][value], high[room][value] = band
            under = [IndexedSet() for _ in range(n_values)]
            below = [IndexedSet() for _ in range(n_values)]
            for room in range(n_rooms):
                for value in range(n_values):
                    here = count[room][value]
                    self.spread += deviation(here, low[room][value], high[room][value])
                    if here < low[room][value]:
                        under[value].add(room)
                    if here < high[room][value]:
                        below[value].add(room)
            self.count.append(count)
            self.low.append(low)
            self.high.append(high)
            self.under.append(under)
            self.below_high.append(below)
        # What ``delta`` reads per attribute, gathered once (the hot path's lookups).
        self.spread_tables = tuple(zip(self.attribute_values, self.count, self.low, self.high, strict=True))

    def _init_facilitators(self) -> None:
        """Rooms covered per pool against min(facilitators, rooms)."""
        self.facilitators_in = [0] * len(self.members)
        for i, room in enumerate(self.room_of):
            self.facilitators_in[room] += self.facilitator[i]
        self.without_facilitator = IndexedSet()
        self.deficit = [0] * len(self.pool_rooms)
        for k, rooms in enumerate(self.pool_rooms):
            available = sum(self.facilitators_in[room] for room in rooms)
            covered = sum(1 for room in rooms if self.facilitators_in[room])
            self.deficit[k] = min(available, len(rooms)) - covered
            for room in rooms:
                if not self.facilitators_in[room]:
                    self.without_facilitator.add(room)

    def _init_languages(self, specs: Sequence[RoomSpec]) -> None:
        """Members who do not speak the room's best language ("outsiders")."""
        n_rooms = len(self.members)
        self.room_language = [spec.language for spec in specs]
        known_sets = [langs for langs in self.langs if langs]
        common = frozenset.intersection(*known_sets) if known_sets else frozenset()
        # Nothing to watch when every room is free of a language and everyone shares one.
        self.languages_matter = any(self.room_language) or (bool(known_sets) and not common)
        self.language_count: list[dict[str, int]] = [{} for _ in range(n_rooms)]
        self.known = [0] * n_rooms  # members with listed languages
        self.outsiders = [0] * n_rooms
        if self.languages_matter:
            for i, room in enumerate(self.room_of):
                if self.langs[i]:
                    self.known[room] += 1
                    for lang in sorted(self.langs[i]):
                        self.language_count[room][lang] = self.language_count[room].get(lang, 0) + 1
            for room in range(n_rooms):
                self.outsiders[room] = self.outsiders_after(room, frozenset(), frozenset())

    def _init_pairs(self) -> None:
        """pull[i][room]: weight of i's earlier room-mates and people to keep apart in that room."""
        self.pull: list[dict[int, int]] = [{} for _ in self.room_of]
        pairs = 0
        for i, near in enumerate(self.neighbours):
            for j, weight in near.items():
                room = self.room_of[j]
                self.pull[i][room] = self.pull[i].get(room, 0) + weight
            pairs += self.pull[i].get(self.room_of[i], 0)
        self.pairs = pairs // 2

    # ---- cost

    def hard(self) -> int:
        return sum(self.deficit) + sum(self.outsiders)

    def cost(self) -> int:
        return self.hard() * self.hard_weight + self.spread * self.spread_weight + self.pairs

    def outsiders_after(self, room: int, leaving: frozenset[str], coming: frozenset[str]) -> int:
        """Outsiders of ``room`` once someone speaking ``leaving`` left and ``coming`` came."""
        known = self.known[room] - bool(leaving) + bool(coming)
        if known <= 0:
            return 0
        counts = self.language_count[room]
        wanted = self.room_language[room]
        if wanted:
            return known - (counts.get(wanted, 0) - (wanted in leaving) + (wanted in coming))
        best = 0
        for lang, count in counts.items():
            count = count - (lang in leaving) + (lang in coming)
            if count > best:
                best = count
        if not best and coming:
            best = 1
        return known - best

    def delta(self, person: int, partner: int) -> int:
        """Cost change if ``person`` and ``partner`` (in another room) traded places.

        The hot path of the search: written out in one body (no helper calls) on purpose.
        """
        room_p, room_q = self.room_of[person], self.room_of[partner]
        spread_change = 0
        for values, count, low, high in self.spread_tables:
            value_p, value_q = values[person], values[partner]
            if value_p == value_q:
                continue
            count_p, count_q = count[room_p], count[room_q]
            low_p, low_q, high_p, high_q = low[room_p], low[room_q], high[room_p], high[room_q]
            # value_p leaves room_p for room_q, value_q the other way. One seat less changes a
            # value's distance from its band [low, high] by (count <= low) - (count > high), one
            # seat more by (count >= high) - (count < low) — ``deviation`` differences, unrolled.
            leaving_p, arriving_p = count_p[value_p], count_q[value_p]
            leaving_q, arriving_q = count_q[value_q], count_p[value_q]
            low_pp, high_pp, low_qp, high_qp = low_p[value_p], high_p[value_p], low_q[value_p], high_q[value_p]
            low_qq, high_qq, low_pq, high_pq = low_q[value_q], high_q[value_q], low_p[value_q], high_p[value_q]
            spread_change += (
                (leaving_p <= low_pp) - (leaving_p > high_pp)
                + (arriving_p >= high_qp) - (arriving_p < low_qp)
                + (leaving_q <= low_qq) - (leaving_q > high_qq)
                + (arriving_q >= high_pq) - (arriving_q < low_pq)
            )
        hard_change = 0
        if self.facilitator[person] != self.facilitator[partner]:
            giver, taker = (room_p, room_q) if self.facilitator[person] else (room_q, room_p)
            hard_change += (self.facilitators_in[giver] == 1) - (self.facilitators_in[taker] == 0)
        if self.languages_matter and self.langs[person] != self.langs[partner]:
            langs_p, langs_q = self.langs[person], self.langs[partner]
            hard_change += self.outsiders_after(room_p, langs_p, langs_q) - self.outsiders[room_p]
            hard_change += self.outsiders_after(room_q, langs_q, langs_p) - self.outsiders[room_q]
        pairs_change = 0
        pull_p, pull_q = self.pull[person], self.pull[partner]
        if pull_p or pull_q:
            between = self.neighbours[person].get(partner, 0)
            pairs_change = pull_p.get(room_q, 0) - pull_p.get(room_p, 0) + pull_q.get(room_p, 0) - pull_q.get(room_q, 0)
            pairs_change -= 2 * between
        return hard_change * self.hard_weight + spread_change * self.spread_weight + pairs_change

    def pairs_delta(self, person: int, partner: int) -> int:
        """Change of the pairs term (repeats weighted, separations) if the two traded places."""
        pull_p, pull_q = self.pull[person], self.pull[partner]
        if not (pull_p or pull_q):
            return 0
        room_p, room_q = self.room_of[person], self.room_of[partner]
        between = self.neighbours[person].get(partner, 0)
        moved_p = pull_p.get(room_q, 0) - pull_p.get(room_p, 0)
        return moved_p + pull_q.get(room_p, 0) - pull_q.get(room_q, 0) - 2 * between

    # ---- moves

    def swap(self, person: int, partner: int) -> None:
        room_p, room_q = self.room_of[person], self.room_of[partner]
        self._move(person, room_p, room_q)
        self._move(partner, room_q, room_p)
        if self.languages_matter:
            self.outsiders[room_p] = self.outsiders_after(room_p, frozenset(), frozenset())
            self.outsiders[room_q] = self.outsiders_after(room_q, frozenset(), frozenset())

    def _recount(self, k: int, room: int, value: int, step: int) -> None:
        count = self.count[k][room][value]
        low, high = self.low[k][room][value], self.high[k][room][value]
        # The change of ``deviation`` for one seat less or more (as in ``delta``).
        self.spread += (count <= low) - (count > high) if step < 0 else (count >= high) - (count < low)
        count += step
        self.count[k][room][value] = count
        if count < low:
            self.under[k][value].add(room)
        else:
            self.under[k][value].discard(room)
        if count < high:
            self.below_high[k][value].add(room)
        else:
            self.below_high[k][value].discard(room)

    def _move(self, i: int, source: int, target: int) -> None:
        # Only ever called in pairs (a swap), so pool sizes and deficits stay consistent.
        for k in ATTRIBUTES:
            value = self.attribute_values[k][i]
            self._recount(k, source, value, -1)
            self._recount(k, target, value, +1)
        if self.facilitator[i]:
            self._move_facilitator(source, target)
        if self.languages_matter and self.langs[i]:
            for room, step in ((source, -1), (target, 1)):
                counts = self.language_count[room]
                self.known[room] += step
                for lang in self.langs[i]:
                    count = counts.get(lang, 0) + step
                    if count:
                        counts[lang] = count
                    else:
                        del counts[lang]
        self._move_pull(i, source, target)
        members = self.members[source]
        index = self.slot[i]
        last = members.pop()
        if last != i:
            members[index] = last
            self.slot[last] = index
        self.slot[i] = len(self.members[target])
        self.members[target].append(i)
        self.room_of[i] = target

    def _move_facilitator(self, source: int, target: int) -> None:
        pool = self.pool_of_room[source]
        self.facilitators_in[source] -= 1
        if not self.facilitators_in[source]:
            self.deficit[pool] += 1
            self.without_facilitator.add(source)
        if not self.facilitators_in[target]:
            self.deficit[pool] -= 1
            self.without_facilitator.discard(target)
        self.facilitators_in[target] += 1

    def _move_pull(self, i: int, source: int, target: int) -> None:
        self.pairs += self.pull[i].get(target, 0) - self.pull[i].get(source, 0)
        for j, weight in self.neighbours[i].items():
            pull = self.pull[j]
            left = pull[source] - weight
            if left:
                pull[source] = left
            else:
                del pull[source]
            pull[target] = pull.get(target, 0) + weight
