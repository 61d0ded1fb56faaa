"""Break-out rooms: the inputs (people, room specs, earlier rounds) and the outputs (result, metrics)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from server.core.vocab import ROLE_GROUPS, Region, Role, region_of
from server.sessions.breakouts.notes import Note

ROLES: tuple[Role, ...] = tuple(Role)
REGIONS: tuple[Region, ...] = tuple(Region)
GROUPS: tuple[str, ...] = tuple(ROLE_GROUPS)
ROLE_INDEX = {role: i for i, role in enumerate(ROLES)}
REGION_INDEX = {region: i for i, region in enumerate(REGIONS)}
GROUP_INDEX = {group: i for i, group in enumerate(GROUPS)}


class Mode(StrEnum):
    MIXED = "mixed"
    ROLE = "role"


class AssignmentError(ValueError):
    """The input cannot be assigned at all (e.g. more locked people than a room holds)."""


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
    explanations: tuple[str, ...]  # per room, in English (``notes`` said in English)
    mode: Mode
    seed: int
    iterations: int
    notes: tuple[tuple[Note, ...], ...] = ()  # per room, what to say about it (any language)

    def room_of(self) -> dict[str, int]:
        """``{person id: room index}`` (0-based)."""
        return {pid: r for r, members in enumerate(self.rooms) for pid in members}

    def as_round(self) -> Round:
        """This result as an earlier round for the next call of ``assign``."""
        return Round(self.rooms)
