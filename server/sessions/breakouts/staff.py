"""Staff facilitators: organisers or moderators who lead a break-out room (issue 14).

Participants are placed by the engine first; a staff facilitator then takes the facilitator slot
of a room that has no participant facilitator, one per room, in room order. Staff are not
participants: they do not count against room sizes, capacities or the spread of roles and
regions. The facilitator measures are then recounted with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

S = TypeVar("S")


def place_staff(covered: Sequence[bool], staff: Sequence[S]) -> list[S | None]:
    """One staff facilitator for each room not ``covered`` by a participant facilitator, in room
    order and in the given order of staff; rooms covered (or left over) get None."""
    waiting = list(staff)
    placed: list[S | None] = []
    for has_one in covered:
        placed.append(waiting.pop(0) if not has_one and waiting else None)
    return placed


def with_staff(metrics: Mapping[str, object], covered: Sequence[bool], staffed: Sequence[bool],
               participant_facilitators: int) -> dict[str, object]:
    """The engine's metrics with rooms led by staff counted as rooms with a facilitator.

    ``covered``: rooms with a participant facilitator; ``staffed``: rooms with a staff one;
    ``participant_facilitators``: participant facilitators in the rooms. The shortfall (rooms
    without one that could have had one) and the hard violations it is part of follow."""
    if not metrics:
        return dict(metrics)
    rooms = len(covered)
    led = sum(1 for c, s in zip(covered, staffed, strict=True) if c or s)
    available = participant_facilitators + sum(staffed)
    shortfall = max(0, min(available, rooms) - led)
    before = metrics.get("facilitator_shortfall", 0)
    hard = metrics.get("hard_violations", 0)
    out = dict(metrics)
    out["rooms_without_facilitator"] = rooms - led
    out["facilitator_shortfall"] = shortfall
    if isinstance(hard, int) and isinstance(before, int):
        out["hard_violations"] = hard - before + shortfall
    return out
