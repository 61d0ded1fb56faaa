"""The selection as data for a mixed-integer program: candidates in a fixed order, integer
weights, and every target as one row over the candidates.

The rows are the single description of the targets: the solver turns them into constraints,
the tie-break checks swaps against them and the explanation reads them back.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from server.core.selection.model import Candidate, Target, Targets
from server.core.vocab import REGION_LABELS, ROLE_LABELS, Region, Role

# Scores become integers (micro-points) so that the objective is exact and equal scores are
# equal on every machine.
SCORE_UNITS = 1_000_000


@dataclass(frozen=True)
class Row:
    """One target as a constraint: how many of ``members`` are invited, against a bound.

    A maximum row is hard at ``limit`` (the target's bound, raised to what the overrides force
    into it); a minimum row is soft: the model pays a shortfall for every missing seat.
    """

    target: Target
    members: tuple[int, ...]
    minimum: bool
    limit: int


def org_key(organisation: str) -> str | None:
    """Organisations compare case- and whitespace-insensitively; blank means none."""
    key = " ".join(organisation.split()).casefold()
    return key or None


def percent(share: float) -> str:
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def seats_phrase(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"


class Problem:
    """Candidates sorted by id (so the model is the same whatever the input order), with the
    overrides as index sets, integer weights and the target rows."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        targets: Targets,
        forced_in: Collection[str],
        forced_out: Collection[str],
        unreviewed_score: float | None,
    ) -> None:
        self.cands = sorted(candidates, key=lambda c: c.id)
        self.targets = targets
        self.n = len(self.cands)
        index = {c.id: i for i, c in enumerate(self.cands)}
        _check_overrides(index, self.n, forced_in, forced_out)
        self.forced = frozenset(index[i] for i in forced_in)
        self.out = frozenset(index[i] for i in forced_out)
        self.weight = _weights(self.cands, unreviewed_score)
        self.org = [org_key(c.organisation) for c in self.cands]
        self._groups = _Groups(self.cands, self.org)
        self.rows = [*self._maximum_rows(), *self._minimum_rows()]
        self.rows_of: list[list[int]] = [[] for _ in range(self.n)]
        for k, row in enumerate(self.rows):
            for i in row.members:
                self.rows_of[i].append(k)

    def rank(self, i: int) -> tuple[int, int]:
        """Invitation order: effective score (high first), then id (the index: cands are sorted by id)."""
        return (-self.weight[i], i)

    def counts(self, chosen: Collection[int]) -> list[int]:
        """Invited members per row."""
        per_row = [0] * len(self.rows)
        for i in chosen:
            for k in self.rows_of[i]:
                per_row[k] += 1
        return per_row

    def shortfall(self, per_row: Sequence[int]) -> int:
        """Seats short of the minimum rows, given the invited count per row."""
        return sum(max(0, row.limit - c) for row, c in zip(self.rows, per_row, strict=True) if row.minimum)

    # --- rows ---------------------------------------------------------------------------

    def _row(self, target: Target, members: Sequence[int], minimum: bool) -> Row:
        forced = sum(1 for i in members if i in self.forced) if self.forced else 0
        limit = target.bound if minimum else max(target.bound, forced)
        return Row(target, tuple(members), minimum, limit)

    def _maximum_rows(self) -> Iterator[Row]:
        targets, groups = self.targets, self._groups
        yield self._row(Target("seats", "", targets.seats, f"{targets.seats} seats"), range(self.n), False)
        for region in Region:
            # A region without a maximum is bounded by the seats alone.
            if region in targets.region_max:
                yield self._row(self.region_target(region, minimum=False), groups.region.get(region, []), False)
        if targets.max_per_organisation is not None:
            cap = targets.max_per_organisation
            for org, members in sorted(groups.organisation.items()):
                if len(members) > cap:  # a cap nobody can reach is no constraint
                    name = " ".join(self.cands[members[0]].organisation.split())
                    target = Target("organisation", org, cap, f"organisation cap {cap} ({name})")
                    yield self._row(target, members, False)
        if targets.max_per_country is not None:
            cap = targets.max_per_country
            for country, members in sorted(groups.country.items()):
                if len(members) > cap:
                    yield self._row(Target("country", country, cap, f"country cap {cap} ({country})"), members, False)

    def _minimum_rows(self) -> Iterator[Row]:
        targets, groups = self.targets, self._groups
        for region in Region:
            if targets.min_seats(region) > 0:
                yield self._row(self.region_target(region, minimum=True), groups.region.get(region, []), True)
        for role in sorted(targets.roles):
            if role in groups.role:  # the target only applies when someone applied
                target = Target("role", role.value, 1, f"at least one {ROLE_LABELS[role]}")
                yield self._row(target, groups.role[role], True)

    def region_target(self, region: Region, *, minimum: bool) -> Target:
        targets = self.targets
        if minimum:
            share, bound, word = targets.region_min.get(region, 0.0), targets.min_seats(region), "minimum"
        else:
            share, bound, word = targets.region_max.get(region, 1.0), targets.max_seats(region), "maximum"
        label = f"{REGION_LABELS[region]} {word} {percent(share)} ({seats_phrase(bound)})"
        return Target("region_min" if minimum else "region_max", region.value, bound, label)


class _Groups:
    """Candidates by region, role, organisation and country, in one pass (ascending index)."""

    def __init__(self, cands: Sequence[Candidate], orgs: Sequence[str | None]) -> None:
        self.region: dict[Region, list[int]] = defaultdict(list)
        self.role: dict[Role, list[int]] = defaultdict(list)
        self.organisation: dict[str, list[int]] = defaultdict(list)
        self.country: dict[str, list[int]] = defaultdict(list)
        for i, (c, org) in enumerate(zip(cands, orgs, strict=True)):
            self.region[c.region].append(i)
            self.role[c.role].append(i)
            self.country[c.country].append(i)
            if org is not None:
                self.organisation[org].append(i)


def _check_overrides(
    index: dict[str, int], count: int, forced_in: Collection[str], forced_out: Collection[str]
) -> None:
    if len(index) != count:
        raise ValueError("candidate ids must be unique")
    unknown = (set(forced_in) | set(forced_out)) - index.keys()
    if unknown:
        raise ValueError(f"unknown ids in overrides: {sorted(unknown)}")
    both = set(forced_in) & set(forced_out)
    if both:
        raise ValueError(f"ids both forced in and forced out: {sorted(both)}")


def _weights(cands: Sequence[Candidate], unreviewed_score: float | None) -> list[int]:
    """Effective scores in micro-points; unreviewed ones score ``unreviewed_score`` or, by
    default, one point below zero and below every reviewed candidate (so they never take a
    spare seat and come after everyone reviewed when a minimum needs them)."""
    if unreviewed_score is None:
        unreviewed_score = min([0.0, *(c.score for c in cands if c.score is not None)]) - 1.0
    fallback = unreviewed_score
    return [round((fallback if c.score is None else c.score) * SCORE_UNITS) for c in cands]


def total_score(cands: Sequence[Candidate], chosen: Collection[int]) -> float:
    """Sum of the review scores of the chosen (unreviewed count 0)."""
    return math.fsum(cands[i].score or 0.0 for i in chosen)
