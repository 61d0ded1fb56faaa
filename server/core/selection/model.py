"""The selection's vocabulary: candidates, targets, and the selection with its explanation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from server.core.vocab import Region, Role

TargetKind = Literal["seats", "region_min", "region_max", "role", "organisation", "country"]
Cause = Literal["applicants", "targets", "overrides"]


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
    cause: Cause
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
    """Why the selection is what it is, read off the model's rows (see ``explain.py``)."""

    total_score: float  # sum of review scores of the invited (unreviewed count 0)
    seats: int
    filled: int
    binding: tuple[Target, ...]  # targets that cost score at this selection
    unmet: tuple[TargetIssue, ...]  # minimum targets short of seats, whatever the cause
    broken_by_overrides: tuple[TargetIssue, ...]  # targets forced_in/forced_out broke
    passed_over: tuple[PassedOver, ...]
    unreviewed_invited: tuple[str, ...]
    proven_optimal: bool  # HiGHS proved the optimum within the time budget

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
    """The proposal: who to invite, the wait-list in promotion order, who was forced out."""

    invited: tuple[str, ...]  # best score first
    waitlist: tuple[str, ...]  # promotion order
    excluded: tuple[str, ...]  # forced out by the organisers
    explanation: Explanation
