"""The local search: swap pairs of people between rooms of one pool while the cost does not rise.

Who moves: only people who cause a cost ("conflicted": an earlier room-mate or colleague in
their room, their role or region over its band or above it while another room is under, a
second facilitator where a room has none, a room whose language they do not share).

With whom (``_partners``): trying every pair is quadratic, so each conflicted person tries a
handful of partners chosen to be likely to help —
  * everyone in their pool when the pool is small (up to ``EXHAUSTIVE`` people): cheap, and
    small pools are where dead ends hide;
  * two members each of a few rooms that can absorb them: a room under the band of their role
    or region, a room without a facilitator for a spare facilitator, else a random room;
  * two earlier room-mates: trading places with one keeps every room's mix of earlier rooms
    as it was, so it mends the spread without making new repeat pairs;
  * look-alikes (same role and region, same role, same region): such a trade leaves the
    spread as it is and can only move pairs.

With earlier rounds and few rooms, a first phase accepts no swap that adds a repeat pair (see
``_keep_pairs_phase``); then the full search runs.

Acceptance: the best of these swaps when it lowers the cost, and a sideways one (cost equal)
half of the time, which walks plateaus without cycling. When the descent stalls it tries a
chain of two swaps (the least worsening swap, then its best repair) and, at the level of pairs
only, steps uphill with probability exp(-delta / one repeat pair), keeping the best state seen.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from server.sessions.breakouts.model import Person, RoomSpec
from server.sessions.breakouts.state import ATTRIBUTES, IndexedSet, SearchState

EXHAUSTIVE = 120  # pools up to this many movable people try every partner
ROOMS_TRIED = 4  # rooms a conflicted person looks into for partners, two members each


def _index_below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)`` for n > 0, the very same draws (CPython's own rejection sampling on
    ``getrandbits``) without its argument checks: partners are drawn tens of thousands of times
    per search, and a seed must keep giving the rooms it gave."""
    bits = n.bit_length()
    draw = rng.getrandbits(bits)
    while draw >= n:
        draw = rng.getrandbits(bits)
    return draw


@dataclass(slots=True)
class _Limits:
    max_evaluations: int
    deadline: float | None
    target: int  # a proven lower bound on the cost: reaching it ends the search
    repeat_weight: int  # the cost of one repeat pair: the annealing temperature
    patience: int  # evaluations without a gain before chains and uphill steps start
    stall: int  # evaluations without a new best before the search gives up
    polish_stall: int  # the same, once only separations are left above their bound


@dataclass(slots=True)
class _Progress:
    cost: int
    best_cost: int
    best_is_current: bool = True
    evaluations: int = 0
    last_gain: int = 0
    last_best: int = 0
    steps: int = 0


@dataclass(slots=True)
class _Options:
    """The swaps one conflicted person could make: the best one, and the least uphill one."""

    best_delta: int | None
    best_partner: int
    uphill_delta: int
    uphill_partner: int


class Search(SearchState):
    """A search state plus the strategy that improves it; ``best`` holds the best rooms seen."""

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
        super().__init__(people, room_of, pools, specs, sizes, locked, neighbours, weights)
        self.rng = rng
        self.best: list[int] = list(room_of)
        self.best_cost = 0
        self.keep_pairs = False  # first phase: no swap that adds a repeat pair
        self.repeat_weight = 1

    def run(
        self, max_evaluations: int, deadline: float | None, target: int, repeat_weight: int, keep_pairs_first: bool
    ) -> int:
        """Improve until the target (a proven bound), the evaluation budget, a long stall or the
        deadline; return the evaluations spent. ``keep_pairs_first``: the rooms were dealt by
        cohort (``planning.cohorts_tight``), start with the phase that keeps the repeat pairs."""
        self.best = list(self.room_of)
        cost = self.best_cost = self.cost()
        if all(len(rooms) < 2 for rooms in self.pool_rooms):
            return 0
        movable = len(self.movable)
        limits = _Limits(
            max_evaluations,
            deadline,
            target,
            repeat_weight,
            patience=max(1000, 8 * movable),
            stall=max(12_000, 60 * movable),
            # Separations are the last tier: with every tier above at its proven bound, a shorter
            # stall ends the search (most of the old search's time went on waiting there).
            polish_stall=max(4000, 20 * movable),
        )
        progress = _Progress(cost=cost, best_cost=cost)
        self.repeat_weight = repeat_weight
        if cost > target and keep_pairs_first:
            self._keep_pairs_phase(progress, limits)
        self._descend(progress, limits)
        if progress.best_is_current:
            self.best = list(self.room_of)
        self.best_cost = progress.best_cost
        return progress.evaluations

    def _keep_pairs_phase(self, progress: _Progress, limits: _Limits) -> None:
        """Mend the spread with swaps that add no repeat pair, until it is even or stalls.

        A single search weighs spread far above repeats, so it greedily trades a repeat pair
        for a seat of spread and rarely finds its way back: on 60 people in 8 rooms it ended
        with one repeat pair more often than not, where the cohort deal (``cohorts.py``) starts
        with none. Protecting the repeats first, then searching freely, reaches both bounds.
        """
        repeats_now = (progress.cost % self.spread_weight) // self.repeat_weight
        spread_even = (repeats_now + 1) * self.repeat_weight - 1  # hard 0, spread 0, repeats kept
        self.keep_pairs = True
        self._descend(progress, replace(limits, target=max(limits.target, spread_even), stall=limits.patience))
        self.keep_pairs = False
        progress.last_gain = progress.last_best = progress.evaluations

    def _descend(self, progress: _Progress, limits: _Limits) -> None:
        while progress.cost > limits.target:
            conflicted = self._conflicted_people()
            if not conflicted:
                break
            self.rng.shuffle(conflicted)
            before = progress.evaluations
            if self._sweep(conflicted, progress, limits) or progress.evaluations == before:
                break  # a limit was hit, or nobody could trade places (every partner locked)

    def _sweep(self, conflicted: list[int], progress: _Progress, limits: _Limits) -> bool:
        """Give every conflicted person a chance to move; True when the search must stop."""
        for person in conflicted:
            self._improve(person, progress, limits)
            if progress.cost <= limits.target:
                return True
            spent = progress.evaluations
            polishing = progress.best_cost // limits.repeat_weight <= limits.target // limits.repeat_weight
            stall = limits.polish_stall if polishing else limits.stall
            if spent >= limits.max_evaluations or spent - progress.last_best > stall:
                return True
            progress.steps += 1
            deadline = limits.deadline
            if deadline is not None and not progress.steps % 32 and time.perf_counter() > deadline:
                return True
        return False

    def _improve(self, person: int, progress: _Progress, limits: _Limits) -> None:
        options = self._evaluate(person, self._partners(person), progress)
        best_delta, best_partner = options.best_delta, options.best_partner
        stuck = progress.evaluations - progress.last_gain > limits.patience // 2
        if (
            stuck
            and best_delta is not None
            and best_delta >= 0
            and options.uphill_partner >= 0
            and options.uphill_delta < self.hard_weight
        ):
            # Stuck: try the least worsening swap followed by its best repair (a chain of two
            # swaps), which crosses the walls a single swap cannot.
            chained, spent = self._chain(person, options.uphill_partner, options.uphill_delta)
            progress.evaluations += spent
            if chained is not None:
                best_delta, best_partner = chained, -1
            elif self._anneal(options.uphill_delta, limits.repeat_weight):
                # Annealing at the pairs level only (no hard or spread change fits in so small
                # a delta): step uphill now and then, remembering the best.
                if progress.best_is_current:
                    self.best = list(self.room_of)
                    progress.best_is_current = False
                self.swap(person, options.uphill_partner)
                progress.cost += options.uphill_delta
                best_delta = None
        if best_delta is None or not (best_delta < 0 or (best_delta == 0 and self.rng.random() < 0.5)):
            return
        if best_partner >= 0:
            self.swap(person, best_partner)
        if best_delta < 0:
            progress.cost += best_delta
            progress.last_gain = progress.evaluations
            if progress.cost < progress.best_cost:
                progress.best_cost, progress.best_is_current = progress.cost, True
                progress.last_best = progress.evaluations

    def _anneal(self, uphill: int, repeat_weight: int) -> bool:
        return uphill <= 3 * repeat_weight and self.rng.random() < math.exp(-uphill / repeat_weight)

    def _evaluate(self, person: int, partners: list[int], progress: _Progress) -> _Options:
        options = _Options(None, -1, self.hard_weight, -1)
        room = self.room_of[person]
        for partner in partners:
            if partner < 0 or not self.is_movable[partner] or self.room_of[partner] == room:
                continue
            if self.keep_pairs and self._adds_repeat(person, partner):
                continue
            change = self.delta(person, partner)
            progress.evaluations += 1
            if options.best_delta is None or change < options.best_delta:
                options.best_delta, options.best_partner = change, partner
            if 0 < change < options.uphill_delta:
                options.uphill_delta, options.uphill_partner = change, partner
        return options

    def _partners(self, person: int) -> list[int]:
        """Partners worth trying for ``person`` (see the module docstring for why these)."""
        rng = self.rng
        pool = self.pool_of_room[self.room_of[person]]
        partners: list[int] = []
        if len(self.pool_movable[pool]) <= EXHAUSTIVE:
            partners.extend(self.pool_movable[pool])
        for room in self._candidate_rooms(person, ROOMS_TRIED):
            members = self.members[room]
            partners.append(members[_index_below(rng, len(members))] if members else -1)
            partners.append(members[_index_below(rng, len(members))] if members else -1)
        mates = self.mates[person]
        if mates:
            partners.append(mates[_index_below(rng, len(mates))])
            partners.append(mates[_index_below(rng, len(mates))])
        role, region = self.role[person], self.region[person]
        for key in ((pool, role, region), (pool, role, region), (pool, role, -1), (pool, -1, region)):
            alike = self.alike[key]
            partners.append(alike[_index_below(rng, len(alike))])
        return partners

    def _conflicted_people(self) -> list[int]:
        # A pool of one room has nothing to swap with: its people are as good as locked.
        return [
            i
            for i in self.movable
            if len(self.pool_rooms[self.pool_of_room[self.room_of[i]]]) > 1 and self._conflicted(i)
        ]

    def _adds_repeat(self, person: int, partner: int) -> bool:
        # Pairs change by whole repeat weights plus a few separations, far below half a weight.
        return 2 * self.pairs_delta(person, partner) > self.repeat_weight

    def _has_pool_room(self, rooms: IndexedSet, pool: int) -> bool:
        return any(self.pool_of_room[room] == pool for room in rooms.items)

    def _conflicted(self, i: int) -> bool:
        room = self.room_of[i]
        if self.pull[i].get(room):
            return True
        pool = self.pool_of_room[room]
        for k in ATTRIBUTES:
            value = self.attribute_values[k][i]
            count = self.count[k][room][value]
            if count > self.high[k][room][value]:
                return True
            if count > self.low[k][room][value] and self._has_pool_room(self.under[k][value], pool):
                return True
        if self.facilitator[i] and self.facilitators_in[room] > 1 and self.deficit[pool] > 0:
            return True
        return self.languages_matter and self.outsiders[room] > 0

    def _pick(self, rooms: IndexedSet, pool: int, avoid: int) -> int | None:
        """A random room of ``rooms`` in the pool other than ``avoid`` (three tries, then none)."""
        items = rooms.items
        for _ in range(3):
            if not items:
                return None
            room = items[_index_below(self.rng, len(items))]
            if room != avoid and self.pool_of_room[room] == pool:
                return room
        return None

    def _candidate_rooms(self, person: int, width: int) -> list[int]:
        """Rooms that could absorb ``person``: under the band of their role or region (or below
        its top when they are above it), without a facilitator for a spare one, else random."""
        room = self.room_of[person]
        pool = self.pool_of_room[room]
        rooms = self.pool_rooms[pool]
        found: list[int] = []
        for k in ATTRIBUTES:
            value = self.attribute_values[k][person]
            count = self.count[k][room][value]
            if count > self.low[k][room][value]:
                target = self._pick(self.under[k][value], pool, room)
                if target is None and count > self.high[k][room][value]:
                    target = self._pick(self.below_high[k][value], pool, room)
                if target is not None:
                    found.append(target)
        if self.facilitator[person] and self.facilitators_in[room] > 1:
            target = self._pick(self.without_facilitator, pool, room)
            if target is not None:
                found.append(target)
        while len(found) < width:
            other = rooms[_index_below(self.rng, len(rooms))]
            if other != room:
                found.append(other)
        return found

    def _chain(self, person: int, partner: int, first: int) -> tuple[int | None, int]:
        """Swap person and partner, then the best repair swap from their rooms; keep both if the
        pair of swaps does not worsen the cost, else undo. Return (total delta or None, evaluations)."""
        room_p, room_q = self.room_of[person], self.room_of[partner]
        self.swap(person, partner)
        best_delta: int | None = None
        best = (-1, -1)
        spent = 0
        pool = self.pool_of_room[room_p]
        small = len(self.pool_movable[pool]) <= EXHAUSTIVE // 4
        for mover in (*self.members[room_p], *self.members[room_q]):
            if mover in (person, partner) or not self.is_movable[mover]:
                continue
            for other in self._repair_partners(mover, pool, small):
                if other < 0 or other in (person, partner) or not self.is_movable[other]:
                    continue
                if self.room_of[other] == self.room_of[mover]:
                    continue
                if self.keep_pairs and self._adds_repeat(mover, other):
                    continue
                change = self.delta(mover, other)
                spent += 1
                if best_delta is None or change < best_delta:
                    best_delta, best = change, (mover, other)
        if best_delta is not None and first + best_delta <= 0:
            self.swap(*best)
            return first + best_delta, spent
        self.swap(person, partner)  # undo: they trade back
        return None, spent

    def _repair_partners(self, mover: int, pool: int, small: bool) -> list[int]:
        if small:  # tiny pool: every repair
            return self.pool_movable[pool]
        partners = []
        for room in self._candidate_rooms(mover, 2):
            members = self.members[room]
            partners.append(members[_index_below(self.rng, len(members))] if members else -1)
        return partners
