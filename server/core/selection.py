"""Propose a selection: who to invite, who to wait-list, and why.

Pure logic over plain data (no Flask, no database). The organisers give seats and diversity
targets; this module picks the invited group that maximises the total review score subject
to them, ranks the rest as the wait-list and explains itself.

Semantics (documented here because the tests and the UI rely on them):

* Shares are shares of the *seats* (not of whoever ends up invited), so "Central Asia
  minimum 30 %" with 40 seats means 12 seats (rounded up); a maximum rounds down.
* Maximum targets (seats, region maximum, per-organisation and per-country caps) are hard:
  the optimiser never breaks them. Only organiser overrides (``forced_in``) can, and the
  explanation lists every target an override broke.
* Minimum targets (region minimum, at least one of each named role that has applicants)
  are soft: when they cannot all be met, the selection minimises the total shortfall in
  seats first and maximises the score second, and reports each unmet target and by how much.
* Unreviewed candidates (``score is None``) by default count as scoring one point below
  zero and below every reviewed candidate: they never take a spare seat and are picked
  only when a minimum target needs them. Pass ``unreviewed_score`` to score them instead.
* A negative review score means "do not invite": such a candidate is picked only when a
  minimum target needs them, exactly like an unreviewed one.
* Ties are broken by score, then by id (lower id first), so the result is deterministic.
* Organisations are compared case- and whitespace-insensitively; a blank organisation
  shares no cap with anyone.

Algorithm. Seats, region bounds and country caps nest (country inside region inside
seats) and the organisation caps partition the candidates, so without the role targets
the problem is a min-cost flow: source -> organisation -> country -> region -> sink, with
the region minimum as a heavily rewarded first stretch of the region's arc. Organisations
that sit in one country only (nearly all) are folded into one arc per country, which
keeps the network to a few hundred arcs, so successive shortest paths is exact and fast.
The "at least one of each role" targets cut across that structure; they are enforced by
a small branch and bound that forces one member of an uncovered role in (or bans the
whole role) and re-solves the flow. The branch and bound is exact unless its work budget
runs out on a very large instance (``Explanation.proven_optimal`` says which).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from server.core.vocab import REGION_LABELS, ROLE_LABELS, Region, Role

__all__ = [
    "Candidate",
    "Explanation",
    "PassedOver",
    "Selection",
    "Target",
    "TargetIssue",
    "Targets",
    "next_from_waitlist",
    "propose_selection",
    "waitlist_order",
]

TargetKind = Literal["seats", "region_min", "region_max", "role", "organisation", "country"]

# Scores are compared as integers (micro-points) so that the flow is exact and ties are
# broken the same way on every machine.
_SCORE_UNITS = 1_000_000
# Branch-and-bound work budget, counted in candidates handed to the flow solver.
_WORK_BUDGET = 40_000
# On large pools only the best few members of an uncovered role are tried as its
# representative; small pools try them all so that the result stays exact.
_BRANCH_WIDTH = 8
_EXACT_BRANCH_LIMIT = 24


@dataclass(frozen=True)
class Candidate:
    """One application as the selection sees it."""

    id: str
    score: float | None  # mean review score; None when nobody has reviewed it yet
    role: Role
    region: Region
    country: str  # ISO 3166-1 alpha-2
    organisation: str


@dataclass(frozen=True)
class Targets:
    """Seats and diversity targets of an event. Shares are fractions of the seats (0..1)."""

    seats: int
    region_min: Mapping[Region, float] = field(default_factory=dict)
    region_max: Mapping[Region, float] = field(default_factory=dict)
    roles: frozenset[Role] = frozenset()  # at least one of each, when someone applied
    max_per_organisation: int | None = None
    max_per_country: int | None = None

    def __post_init__(self) -> None:
        if self.seats < 0:
            raise ValueError("seats must not be negative")
        for name in ("region_min", "region_max"):
            shares: Mapping[Region, float] = getattr(self, name)
            for region, share in shares.items():
                if not 0.0 <= share <= 1.0:
                    raise ValueError(f"{name}[{region}] must be a share between 0 and 1")
            # A read-only copy: the dataclass is frozen and must stay so.
            object.__setattr__(self, name, MappingProxyType(dict(shares)))
        for region, share in self.region_min.items():
            if share > self.region_max.get(region, 1.0):
                raise ValueError(f"region_min[{region}] exceeds region_max[{region}]")
        for name in ("max_per_organisation", "max_per_country"):
            cap = getattr(self, name)
            if cap is not None and cap < 0:
                raise ValueError(f"{name} must not be negative")
        object.__setattr__(self, "roles", frozenset(Role(r) for r in self.roles))

    def min_seats(self, region: Region) -> int:
        """Seats a region minimum asks for, rounded up (the epsilon absorbs 0.3 * 10)."""
        wanted = math.ceil(self.region_min.get(region, 0.0) * self.seats - 1e-9)
        # Rounding can push a minimum above an equal maximum; the maximum wins.
        return min(wanted, self.max_seats(region))

    def max_seats(self, region: Region) -> int:
        """Seats a region maximum allows (rounded down)."""
        return min(self.seats, math.floor(self.region_max.get(region, 1.0) * self.seats + 1e-9))


@dataclass(frozen=True)
class Target:
    """One target, named so people can read it."""

    kind: TargetKind
    subject: str  # region or role value, organisation, country code; "" for seats
    bound: int  # seats the target implies (a minimum or a maximum)
    label: str


@dataclass(frozen=True)
class TargetIssue:
    """A target the selection does not keep: a minimum short of seats, a maximum exceeded."""

    target: Target
    actual: int
    by: int  # shortfall for a minimum, excess for a maximum
    cause: Literal["applicants", "targets", "overrides"]
    message: str


@dataclass(frozen=True)
class PassedOver:
    """A candidate scoring above the lowest invitee who was nevertheless not invited."""

    id: str
    score: float
    reason: str
    target: Target | None  # None when an override, not a target, kept them out


@dataclass(frozen=True)
class Explanation:
    total_score: float  # sum of review scores of the invited (unreviewed count 0)
    seats: int
    filled: int
    binding: tuple[Target, ...]  # targets that cost score at this selection
    unmet: tuple[TargetIssue, ...]  # minimum targets short of seats, whatever the cause
    broken_by_overrides: tuple[TargetIssue, ...]  # targets forced_in/forced_out broke
    passed_over: tuple[PassedOver, ...]
    unreviewed_invited: tuple[str, ...]
    proven_optimal: bool

    def describe(self) -> str:
        """Plain-text summary for organisers."""
        lines = [f"{self.filled} of {self.seats} seats filled, total score {self.total_score:g}."]
        if self.binding:
            lines.append("Targets that cost score: " + "; ".join(t.label for t in self.binding))
        lines.extend(f"Unmet: {issue.message}" for issue in self.unmet)
        lines.extend(
            f"Broken by an override: {issue.message}" for issue in self.broken_by_overrides if issue not in self.unmet
        )
        lines.extend(f"Passed over {p.id} ({p.score:g}): {p.reason}" for p in self.passed_over)
        if self.unreviewed_invited:
            lines.append("Invited without review: " + ", ".join(self.unreviewed_invited))
        return "\n".join(lines)


@dataclass(frozen=True)
class Selection:
    invited: tuple[str, ...]  # best score first
    waitlist: tuple[str, ...]  # promotion order
    excluded: tuple[str, ...]  # forced out by the organisers
    explanation: Explanation


# ---------------------------------------------------------------------------------------
# Public functions


def propose_selection(
    candidates: Sequence[Candidate],
    targets: Targets,
    *,
    forced_in: Collection[str] = frozenset(),
    forced_out: Collection[str] = frozenset(),
    unreviewed_score: float | None = None,
) -> Selection:
    """Pick the invited group with the highest total score that keeps the targets.

    ``forced_in`` / ``forced_out`` are organiser overrides and win over every target.
    Raises ValueError only for malformed input (duplicate or unknown ids, an id both
    forced in and out); targets that cannot be met are reported, never raised.
    """
    problem = _Problem(candidates, targets, forced_in, forced_out, unreviewed_score)
    chosen, proven = problem.solve()
    invited = sorted(chosen, key=problem.rank)
    invited_set = set(invited)
    waiting = [i for i in range(problem.n) if i not in invited_set and i not in problem.out]
    explanation = problem.explain(invited, waiting, proven)
    cands = problem.cands
    return Selection(
        invited=tuple(cands[i].id for i in invited),
        waitlist=tuple(c.id for c in waitlist_order(cands[i] for i in waiting)),
        excluded=tuple(sorted(cands[i].id for i in problem.out)),
        explanation=explanation,
    )


def waitlist_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Reviewed candidates by score (high first), then unreviewed ones; ties by id."""
    return sorted(candidates, key=_score_order)


def next_from_waitlist(
    selected: Sequence[Candidate],
    waitlist: Sequence[Candidate],
    targets: Targets,
    declined_id: str,
) -> Candidate | None:
    """The wait-listed candidate to invite when ``declined_id`` declines.

    Picks the replacement that keeps the targets best: first no maximum target broken
    further, then the smallest total shortfall of minimum targets, then wait-list order.
    An unreviewed or negatively scored candidate is taken only when that lowers the
    shortfall (as in ``propose_selection``). Returns None when nobody fits.
    """
    remaining = [c for c in selected if c.id != declined_id]
    if len(remaining) == len(selected):
        raise ValueError(f"{declined_id!r} is not among the selected")
    base_excess, base_shortfall = _target_violation(remaining, targets)
    best: tuple[int, bool, int] | None = None
    best_candidate: Candidate | None = None
    taken = {c.id for c in selected}
    for position, candidate in enumerate(waitlist):
        if candidate.id in taken:
            continue
        excess, shortfall = _target_violation([*remaining, candidate], targets)
        if excess > base_excess:
            continue  # never break a maximum to fill a seat
        unwanted = candidate.score is None or candidate.score < 0
        if unwanted and shortfall >= base_shortfall:
            continue
        rank = (shortfall, unwanted, position)
        if best is None or rank < best:
            best, best_candidate = rank, candidate
    return best_candidate


# ---------------------------------------------------------------------------------------
# Helpers shared by the public functions


def _score_order(candidate: Candidate) -> tuple[int, float, str]:
    if candidate.score is None:
        return (1, 0.0, candidate.id)
    return (0, -candidate.score, candidate.id)


def _org_key(organisation: str) -> str | None:
    key = " ".join(organisation.split()).casefold()
    return key or None


def _percent(share: float) -> str:
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def _seats(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"


def _target_violation(group: Sequence[Candidate], targets: Targets) -> tuple[int, int]:
    """(seats over maxima, seats short of minima) of a group; roles count as minima."""
    excess = max(0, len(group) - targets.seats)
    shortfall = 0
    per_region: dict[Region, int] = defaultdict(int)
    per_org: dict[str, int] = defaultdict(int)
    per_country: dict[str, int] = defaultdict(int)
    roles = {c.role for c in group}
    for c in group:
        per_region[c.region] += 1
        per_country[c.country] += 1
        org = _org_key(c.organisation)
        if org is not None:
            per_org[org] += 1
    for region in Region:
        excess += max(0, per_region[region] - targets.max_seats(region))
        shortfall += max(0, targets.min_seats(region) - per_region[region])
    if targets.max_per_organisation is not None:
        excess += sum(max(0, n - targets.max_per_organisation) for n in per_org.values())
    if targets.max_per_country is not None:
        excess += sum(max(0, n - targets.max_per_country) for n in per_country.values())
    shortfall += len(targets.roles - roles)
    return excess, shortfall


# ---------------------------------------------------------------------------------------
# The optimiser


class _Problem:
    """Candidates as parallel arrays of integers, plus the targets as seat counts."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        targets: Targets,
        forced_in: Collection[str],
        forced_out: Collection[str],
        unreviewed_score: float | None,
    ) -> None:
        self.cands = list(candidates)
        self.targets = targets
        self.n = n = len(self.cands)
        index = {c.id: i for i, c in enumerate(self.cands)}
        if len(index) != n:
            raise ValueError("candidate ids must be unique")
        unknown = (set(forced_in) | set(forced_out)) - index.keys()
        if unknown:
            raise ValueError(f"unknown ids in overrides: {sorted(unknown)}")
        both = set(forced_in) & set(forced_out)
        if both:
            raise ValueError(f"ids both forced in and forced out: {sorted(both)}")
        self.forced = frozenset(index[i] for i in forced_in)
        self.out = frozenset(index[i] for i in forced_out)

        reviewed = [c.score for c in self.cands if c.score is not None]
        if unreviewed_score is None:
            # Below zero (never fills a spare seat) and below every reviewed candidate.
            unreviewed_score = min([0.0, *reviewed]) - 1.0
        effective = [unreviewed_score if c.score is None else c.score for c in self.cands]
        # Deterministic tie-break: among equal scores the lower id wins. The id bonus
        # summed over any group stays below one score unit, so it never outweighs score.
        by_id = sorted(range(n), key=lambda i: self.cands[i].id)
        bonus = [0] * n
        for rank, i in enumerate(by_id):
            bonus[i] = n - rank
        scale = n * n + 1
        self.key = [round(s * _SCORE_UNITS) * scale + b for s, b in zip(effective, bonus, strict=True)]
        # One seat of shortfall outweighs any difference in score.
        self.penalty = 2 * sum(abs(k) for k in self.key) + 1

        self.org = [_org_key(c.organisation) for c in self.cands]
        self.lo = {r: targets.min_seats(r) for r in Region}
        self.hi = {r: targets.max_seats(r) for r in Region}
        # Roles the optimiser must try to cover: named, and someone eligible applied.
        eligible_roles = {self.cands[i].role for i in range(n) if i not in self.out}
        self.required_roles = frozenset(targets.roles & eligible_roles)
        self.pool = [i for i in range(n) if i not in self.forced and i not in self.out]

    def rank(self, i: int) -> tuple[int, str]:
        return (-self.key[i], self.cands[i].id)

    # --- evaluation ------------------------------------------------------------------

    def shortfall(self, chosen: Iterable[int]) -> int:
        per_region: dict[Region, int] = defaultdict(int)
        roles: set[Role] = set()
        for i in chosen:
            per_region[self.cands[i].region] += 1
            roles.add(self.cands[i].role)
        missing = sum(max(0, self.lo[r] - per_region[r]) for r in Region)
        return missing + len(self.required_roles - roles)

    def value(self, chosen: Sequence[int]) -> int:
        return sum(self.key[i] for i in chosen) - self.penalty * self.shortfall(chosen)

    # --- branch and bound over the role targets ---------------------------------------

    def solve(self) -> tuple[list[int], bool]:
        """Return the chosen indices and whether they are proven optimal."""
        proven = True
        best: list[int] = []
        best_value = 0
        work = 0

        def evaluate(fixed: frozenset[int], pool: list[int]) -> list[int]:
            nonlocal best, best_value, work
            work += len(pool) + 1
            chosen = sorted(fixed) + self.flow_select(fixed, pool)
            value = self.value(chosen)
            if not best or value > best_value:
                best, best_value = chosen, value
            return chosen

        # Nodes: (-upper bound, sequence, fixed, banned). Fixed are in; banned are out.
        heap: list[tuple[int, int, frozenset[int], frozenset[int]]] = []
        heap.append((0, 0, self.forced, frozenset()))
        sequence = 1
        root = True
        while heap:
            neg_bound, _, fixed, banned = heapq.heappop(heap)
            if not root and -neg_bound <= best_value:
                continue  # cannot beat the incumbent
            if work >= _WORK_BUDGET:
                proven = False
                break
            pool = [i for i in self.pool if i not in fixed and i not in banned]
            chosen = evaluate(fixed, pool)
            branch = self.branching(fixed, pool, chosen)
            if branch is None:
                continue
            role, members, node_bound = branch
            if root:
                # Dive first: cover the open roles one by one with the cheapest-looking
                # member, so that a good incumbent prunes the search from the start.
                dive_fixed, dive_pool = fixed, pool
                dive_branch: tuple[Role, list[int], int] | None = branch
                while dive_branch is not None and work < _WORK_BUDGET:
                    pick = dive_branch[1][0]
                    dive_fixed = dive_fixed | {pick}
                    dive_pool = [i for i in dive_pool if i != pick]
                    dive_chosen = evaluate(dive_fixed, dive_pool)
                    dive_branch = self.branching(dive_fixed, dive_pool, dive_chosen)
                root = False
            if len(members) > _EXACT_BRANCH_LIMIT:
                members = members[:_BRANCH_WIDTH]
                proven = False
            # Child j: member j is in and the members before it are out, so the children
            # do not overlap; the last child bans the whole role.
            skipped: list[int] = []
            for member in members:
                heapq.heappush(
                    heap,
                    (-node_bound, sequence, fixed | {member}, banned | frozenset(skipped)),
                )
                sequence += 1
                skipped.append(member)
            everyone = [i for i in pool if self.cands[i].role == role]
            heapq.heappush(
                heap,
                (-(node_bound - self.penalty), sequence, fixed, banned | frozenset(everyone)),
            )
            sequence += 1
        return best, proven

    def branching(
        self, fixed: frozenset[int], pool: list[int], chosen: list[int]
    ) -> tuple[Role, list[int], int] | None:
        """The role to branch on, its candidate members (most promising first) and the
        bound on every node below; None when no uncovered role can still be covered."""
        covered = {self.cands[i].role for i in chosen}
        # Uncovered roles someone could still cover here; the rest stay uncovered in
        # every node below, so their penalty is certain.
        options = {r: self.forcible(fixed, pool, r) for r in self.required_roles - covered}
        open_roles = sorted(r for r, members in options.items() if members)
        if not open_roles:
            return None
        # Open-role penalties aside, this node's value bounds every node below it.
        node_bound = self.value(chosen) + self.penalty * len(open_roles)
        role = min(open_roles, key=lambda r: (len(options[r]), r.value))
        # Estimate what forcing each member in costs: its score minus the cheapest
        # invitee it would have to push out of every full group it belongs to.
        cheapest: dict[tuple[str, str], int] = {}
        count: dict[tuple[str, str], int] = defaultdict(int)
        for i in chosen:
            for group in self.groups(i):
                count[group] += 1
                if i not in fixed and (group not in cheapest or self.key[i] < cheapest[group]):
                    cheapest[group] = self.key[i]

        def estimate(i: int) -> tuple[int, int, str]:
            pushed = 0
            for group in self.groups(i):
                cap = self.cap(group)
                if cap is not None and count[group] >= cap:
                    pushed = max(pushed, cheapest.get(group, 0))
            return (pushed - self.key[i], -self.key[i], self.cands[i].id)

        members = sorted(options[role], key=estimate)
        return role, members, node_bound

    def groups(self, i: int) -> list[tuple[str, str]]:
        """The groups with a maximum that candidate ``i`` belongs to."""
        c = self.cands[i]
        result = [("seats", ""), ("region", c.region.value), ("country", c.country)]
        org = self.org[i]
        if org is not None:
            result.append(("org", org))
        return result

    def cap(self, group: tuple[str, str]) -> int | None:
        kind, name = group
        if kind == "seats":
            return self.targets.seats
        if kind == "region":
            return self.hi[Region(name)]
        if kind == "country":
            return self.targets.max_per_country
        return self.targets.max_per_organisation

    def forcible(self, fixed: frozenset[int], pool: Sequence[int], role: Role) -> list[int]:
        """Members of a role that can join ``fixed`` without breaking a maximum."""
        t = self.targets
        if len(fixed) >= t.seats:
            return []
        per_region: dict[Region, int] = defaultdict(int)
        per_org: dict[str, int] = defaultdict(int)
        per_country: dict[str, int] = defaultdict(int)
        for i in fixed:
            c = self.cands[i]
            per_region[c.region] += 1
            per_country[c.country] += 1
            org = self.org[i]
            if org is not None:
                per_org[org] += 1
        result = []
        for i in pool:
            c = self.cands[i]
            if c.role != role or per_region[c.region] >= self.hi[c.region]:
                continue
            if t.max_per_country is not None and per_country[c.country] >= t.max_per_country:
                continue
            org = self.org[i]
            if t.max_per_organisation is not None and org is not None and per_org[org] >= t.max_per_organisation:
                continue
            result.append(i)
        result.sort(key=self.rank)
        return result

    # --- the flow -----------------------------------------------------------------------

    def flow_select(self, fixed: frozenset[int], pool: Sequence[int]) -> list[int]:
        """Best group from ``pool`` to join ``fixed``, role targets ignored (exact)."""
        t = self.targets
        seats = max(0, t.seats - len(fixed))
        if seats == 0 or not pool:
            return []
        per_region: dict[Region, int] = defaultdict(int)
        per_org: dict[str, int] = defaultdict(int)
        per_country: dict[str, int] = defaultdict(int)
        for i in fixed:
            c = self.cands[i]
            per_region[c.region] += 1
            per_country[c.country] += 1
            org = self.org[i]
            if org is not None:
                per_org[org] += 1

        def country_room(country: str) -> int:
            if t.max_per_country is None:
                return seats
            return min(seats, max(0, t.max_per_country - per_country[country]))

        def org_room(org: str | None) -> int:
            if t.max_per_organisation is None or org is None:
                return seats
            return min(seats, max(0, t.max_per_organisation - per_org[org]))

        # Group the pool: organisations with members in one country fold into that
        # country's arc (keeping only the members the organisation cap lets through).
        by_org: dict[str | None, list[int]] = defaultdict(list)
        for i in pool:
            capped = t.max_per_organisation is not None and self.org[i] is not None
            by_org[self.org[i] if capped else None].append(i)
        direct: dict[str, list[int]] = defaultdict(list)  # country -> members
        multinational: dict[str, dict[str, list[int]]] = {}
        for org, members in by_org.items():
            if org is None:
                for i in members:
                    direct[self.cands[i].country].append(i)
                continue
            if len({self.cands[i].country for i in members}) == 1:
                members.sort(key=self.rank)
                direct[self.cands[members[0]].country].extend(members[: org_room(org)])
            elif org_room(org) > 0:
                split: dict[str, list[int]] = defaultdict(list)
                for i in members:
                    split[self.cands[i].country].append(i)
                multinational[org] = split

        # Nodes: 0 source, 1 sink, then regions, countries, multinational organisations.
        node_of_region = {r: 2 + k for k, r in enumerate(Region)}
        countries = sorted(set(direct) | {c for s in multinational.values() for c in s})
        node_of_country = {c: 2 + len(node_of_region) + k for k, c in enumerate(countries)}
        orgs = sorted(multinational)
        node_of_org = {o: 2 + len(node_of_region) + len(countries) + k for k, o in enumerate(orgs)}
        graph = _Graph(2 + len(node_of_region) + len(countries) + len(orgs))
        members_of_arc: dict[int, list[int]] = {}

        for region, node in node_of_region.items():
            low = min(seats, max(0, self.lo[region] - per_region[region]))
            high = min(seats, max(0, self.hi[region] - per_region[region]))
            # The first `low` units earn the shortfall penalty back: a soft minimum.
            graph.add(node, 1, [-self.penalty] * low + [0] * (high - low))
        region_of_country = {}
        for i in pool:
            region_of_country[self.cands[i].country] = self.cands[i].region
        for country, node in node_of_country.items():
            graph.add(node, node_of_region[region_of_country[country]], [0] * country_room(country))
        for country, members in direct.items():
            members.sort(key=self.rank)
            arc = graph.add(0, node_of_country[country], [-self.key[i] for i in members])
            members_of_arc[arc] = members
        for org, split in multinational.items():
            graph.add(0, node_of_org[org], [0] * org_room(org))
            for country, members in sorted(split.items()):
                members.sort(key=self.rank)
                arc = graph.add(node_of_org[org], node_of_country[country], [-self.key[i] for i in members])
                members_of_arc[arc] = members

        graph.min_cost_flow(source=0, sink=1, limit=seats)
        chosen: list[int] = []
        for arc, members in members_of_arc.items():
            chosen.extend(members[: graph.flow[arc]])
        return chosen

    # --- explanation ----------------------------------------------------------------------

    def region_min_target(self, region: Region) -> Target:
        share = self.targets.region_min.get(region, 0.0)
        bound = self.lo[region]
        label = f"{REGION_LABELS[region]} minimum {_percent(share)} ({_seats(bound)})"
        return Target("region_min", region.value, bound, label)

    def region_max_target(self, region: Region) -> Target:
        share = self.targets.region_max.get(region, 1.0)
        bound = self.hi[region]
        label = f"{REGION_LABELS[region]} maximum {_percent(share)} ({_seats(bound)})"
        return Target("region_max", region.value, bound, label)

    def role_target(self, role: Role) -> Target:
        return Target("role", role.value, 1, f"at least one {ROLE_LABELS[role]}")

    def explain(self, invited: list[int], waiting: list[int], proven: bool) -> Explanation:
        t = self.targets
        cands = self.cands
        per_region: dict[Region, int] = defaultdict(int)
        per_org: dict[str, int] = defaultdict(int)
        per_country: dict[str, int] = defaultdict(int)
        per_role: dict[Role, int] = defaultdict(int)
        org_name: dict[str, str] = {}
        for i in invited:
            c = cands[i]
            per_region[c.region] += 1
            per_country[c.country] += 1
            per_role[c.role] += 1
            org = self.org[i]
            if org is not None:
                per_org[org] += 1
                org_name.setdefault(org, " ".join(c.organisation.split()))
        forced_per_region: dict[Region, int] = defaultdict(int)
        for i in self.forced:
            forced_per_region[cands[i].region] += 1

        seats_target = Target("seats", "", t.seats, f"{t.seats} seats")
        unmet: list[TargetIssue] = []
        overridden: list[TargetIssue] = []

        # Maxima only overrides can break.
        if len(invited) > t.seats:
            overridden.append(
                TargetIssue(
                    seats_target,
                    len(invited),
                    len(invited) - t.seats,
                    "overrides",
                    f"{len(invited)} invited for {t.seats} seats",
                )
            )
        for region in Region:
            # A region without a maximum is bounded by the seats only: reported above.
            if region in t.region_max and per_region[region] > self.hi[region]:
                target = self.region_max_target(region)
                excess = per_region[region] - self.hi[region]
                overridden.append(
                    TargetIssue(
                        target,
                        per_region[region],
                        excess,
                        "overrides",
                        f"{target.label} exceeded by {excess}",
                    )
                )
        if t.max_per_organisation is not None:
            for org, count in sorted(per_org.items()):
                if count > t.max_per_organisation:
                    target = self.org_target(org, org_name[org])
                    overridden.append(
                        TargetIssue(
                            target,
                            count,
                            count - t.max_per_organisation,
                            "overrides",
                            f"{target.label} exceeded: {count} invited",
                        )
                    )
        if t.max_per_country is not None:
            for country, count in sorted(per_country.items()):
                if count > t.max_per_country:
                    target = self.country_target(country)
                    overridden.append(
                        TargetIssue(
                            target,
                            count,
                            count - t.max_per_country,
                            "overrides",
                            f"{target.label} exceeded: {count} invited",
                        )
                    )

        # Minima: say why each one is short.
        applicants: dict[Region, int] = defaultdict(int)
        eligible: dict[Region, int] = defaultdict(int)
        for i, c in enumerate(cands):
            applicants[c.region] += 1
            if i not in self.out:
                eligible[c.region] += 1
        for region in Region:
            need = self.lo[region]
            have = per_region[region]
            if have >= need:
                continue
            target = self.region_min_target(region)
            head = f"{target.label.split(' (')[0]} needs {need} seats"
            others_forced = len(self.forced) - forced_per_region[region]
            cause: Literal["applicants", "targets", "overrides"]
            if applicants[region] < need:
                cause, message = "applicants", f"{head}, only {applicants[region]} applicants"
            elif eligible[region] < need:
                cause = "overrides"
                message = (
                    f"{head}, only {eligible[region]} applicants not forced out"
                    f" ({applicants[region] - eligible[region]} forced out)"
                )
            elif others_forced > t.seats - need:
                cause = "overrides"
                message = f"{head}, got {have}: {others_forced} seats forced to other regions"
            else:
                cause = "targets"
                message = f"{head}, got {have}: other targets leave no room for more"
            issue = TargetIssue(target, have, need - have, cause, message)
            unmet.append(issue)
            if cause == "overrides":
                overridden.append(issue)
        for role in sorted(t.roles):
            if per_role[role]:
                continue
            target = self.role_target(role)
            applied = [i for i, c in enumerate(cands) if c.role == role]
            if not applied:
                continue  # the target only applies when someone applied
            if all(i in self.out for i in applied):
                issue = TargetIssue(target, 0, 1, "overrides", f"{target.label}: every applicant forced out")
                unmet.append(issue)
                overridden.append(issue)
            else:
                unmet.append(
                    TargetIssue(
                        target,
                        0,
                        1,
                        "targets",
                        f"{target.label}: no applicant fits within the other targets",
                    )
                )

        # Who was passed over, and for which target.
        floor = min((s for i in invited if (s := cands[i].score) is not None), default=None)
        passed: list[PassedOver] = []
        binding: dict[Target, None] = {}
        if floor is not None:
            for i in sorted(set(waiting) | self.out, key=self.rank):
                score = cands[i].score
                if score is None or score <= floor:
                    continue
                reason, cited = self.why_not(i, invited, per_region, per_org, per_country, per_role)
                passed.append(PassedOver(cands[i].id, score, reason, cited))
                if cited is not None:
                    binding.setdefault(cited, None)
        if len(invited) >= t.seats and any(cands[i].score is not None and (cands[i].score or 0.0) > 0 for i in waiting):
            binding.setdefault(seats_target, None)

        total = math.fsum(cands[i].score or 0.0 for i in invited)
        return Explanation(
            total_score=total,
            seats=t.seats,
            filled=len(invited),
            binding=tuple(binding),
            unmet=tuple(unmet),
            broken_by_overrides=tuple(overridden),
            passed_over=tuple(passed),
            unreviewed_invited=tuple(cands[i].id for i in invited if cands[i].score is None),
            proven_optimal=proven,
        )

    def org_target(self, org: str, name: str) -> Target:
        cap = self.targets.max_per_organisation or 0
        return Target("organisation", org, cap, f"organisation cap {cap} ({name})")

    def country_target(self, country: str) -> Target:
        cap = self.targets.max_per_country or 0
        return Target("country", country, cap, f"country cap {cap} ({country})")

    def why_not(
        self,
        i: int,
        invited: list[int],
        per_region: Mapping[Region, int],
        per_org: Mapping[str, int],
        per_country: Mapping[str, int],
        per_role: Mapping[Role, int],
    ) -> tuple[str, Target | None]:
        """The target that kept candidate ``i`` out of the invited group."""
        t = self.targets
        c = self.cands[i]
        if i in self.out:
            return "forced out by the organisers", None
        org = self.org[i]
        if t.max_per_organisation is not None and org is not None and per_org.get(org, 0) >= t.max_per_organisation:
            name = " ".join(c.organisation.split())
            target = self.org_target(org, name)
            return f"organisation cap {t.max_per_organisation} reached ({name})", target
        if t.max_per_country is not None and per_country.get(c.country, 0) >= t.max_per_country:
            target = self.country_target(c.country)
            return f"country cap {t.max_per_country} reached ({c.country})", target
        if c.region in t.region_max and per_region.get(c.region, 0) >= self.hi[c.region]:
            target = self.region_max_target(c.region)
            return f"{target.label} reached", target
        if len(invited) < t.seats and (c.score or 0.0) < 0:
            return "score below zero and not needed for a target", None
        # Seats are full: find the lowest-scored invitee below i who holds their seat
        # for a minimum target (or by an override).
        for j in sorted(invited, key=self.rank, reverse=True):
            if self.key[j] >= self.key[i]:
                break
            d = self.cands[j]
            if j in self.forced:
                return f"seat taken by an organiser's override ({d.id})", None
            if d.region != c.region and per_region.get(d.region, 0) <= self.lo[d.region]:
                target = self.region_min_target(d.region)
                return f"seat taken for {target.label} ({d.id})", target
            if d.role != c.role and d.role in self.required_roles and per_role.get(d.role) == 1:
                target = self.role_target(d.role)
                return f"seat taken for {target.label} ({d.id})", target
        return "kept out by a combination of targets", None


class _Graph:
    """A min-cost flow network whose arcs have convex costs: one cost per unit."""

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.tail: list[int] = []
        self.head: list[int] = []
        self.costs: list[list[int]] = []  # ascending; len() is the capacity
        self.flow: list[int] = []
        self.out: list[list[int]] = [[] for _ in range(nodes)]
        self.into: list[list[int]] = [[] for _ in range(nodes)]

    def add(self, tail: int, head: int, costs: list[int]) -> int:
        arc = len(self.tail)
        self.tail.append(tail)
        self.head.append(head)
        self.costs.append(costs)
        self.flow.append(0)
        self.out[tail].append(arc)
        self.into[head].append(arc)
        return arc

    def min_cost_flow(self, source: int, sink: int, limit: int) -> None:
        """Successive shortest paths, one unit at a time, while the path cost is negative.

        Stopping at the first non-negative path is optimal because the cost of the best
        flow of value k is convex in k. Potentials keep reduced costs non-negative so
        each path is a Dijkstra; costs are integers, so there is no rounding drift.
        """
        n = self.nodes
        tail, head, costs, flow = self.tail, self.head, self.costs, self.flow
        out, into = self.out, self.into
        inf = math.inf
        # Initial potentials: shortest distances on the (acyclic) empty network.
        pot: list[float] = [inf] * n
        pot[source] = 0
        changed = True
        while changed:
            changed = False
            for arc in range(len(tail)):
                u = tail[arc]
                if pot[u] < inf and costs[arc]:
                    d = pot[u] + costs[arc][0]
                    if d < pot[head[arc]]:
                        pot[head[arc]] = d
                        changed = True
        pot = [p if p < inf else 0 for p in pot]

        for _ in range(limit):
            dist: list[float] = [inf] * n
            prev = [0] * n
            dist[source] = 0
            heap: list[tuple[float, int]] = [(0, source)]
            while heap:
                d, u = heapq.heappop(heap)
                if d > dist[u]:
                    continue
                pu = pot[u]
                for arc in out[u]:
                    f = flow[arc]
                    cs = costs[arc]
                    if f < len(cs):
                        v = head[arc]
                        nd = d + cs[f] + pu - pot[v]
                        if nd < dist[v]:
                            dist[v] = nd
                            prev[v] = arc
                            heapq.heappush(heap, (nd, v))
                for arc in into[u]:
                    f = flow[arc]
                    if f > 0:
                        v = tail[arc]
                        nd = d - costs[arc][f - 1] + pu - pot[v]
                        if nd < dist[v]:
                            dist[v] = nd
                            prev[v] = ~arc
                            heapq.heappush(heap, (nd, v))
            if dist[sink] == inf or dist[sink] + pot[sink] - pot[source] >= 0:
                return
            v = sink
            while v != source:
                arc = prev[v]
                if arc >= 0:
                    flow[arc] += 1
                    v = tail[arc]
                else:
                    arc = ~arc
                    flow[arc] -= 1
                    v = head[arc]
            # Unreached nodes move by the largest distance so no reduced cost turns negative.
            reached = max(d for d in dist if d < inf)
            pot = [p + (d if d < inf else reached) for p, d in zip(pot, dist, strict=True)]
