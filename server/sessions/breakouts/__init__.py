"""Break-out room assignment: who sits in which room for one round.

Pure Python over plain data (no Flask, Redis or Celery), deterministic for a given seed.

Problem
    People (role, region, organisation, languages, facilitator or not) go into rooms (a number,
    or a target size, or one ``RoomSpec`` per room with optional capacity, topic, role group and
    language). Earlier rounds, locks (person stays in a room) and separations (people who must
    not share a room; everyone from the same organisation by default) shape the answer.

Modes
    ``mixed``: every role and every region spread across all rooms as evenly as possible.
    ``role``:  rooms are themed by role group (``server.core.vocab.ROLE_GROUPS``); spread is then
    measured inside each group's rooms, so every themed room still mixes regions. Rooms are shared
    out between groups by Adams' method: every non-empty group first gets one room, then each
    further room goes to the group whose rooms would otherwise be most crowded (largest
    people / rooms; ties: larger group, then vocabulary order). When there are fewer rooms than
    groups, the largest groups get rooms and the others' people are seated where there is space.
    People whose group's rooms are full ("overflow") are seated in other groups' rooms and
    counted as ``theme_mismatches``. Rooms whose ``RoomSpec.role_group`` is set keep that theme in
    either mode; only ``role`` mode themes the remaining rooms.

Constraints, in strict (lexicographic) order
    1. hard: room sizes differ by at most one (or follow the capacities, filled evenly), locks
       hold, every room has a facilitator while facilitators last, every room has a language that
       all its members speak (members without listed languages are not counted).
    2. spread: see ``Metrics.spread_violations``.
    3. repeat pairs: pairs that already shared a room in an earlier round.
    4. separations.

Algorithm
    Room sizes and (in role mode) each person's group of rooms ("pool") are fixed first. Inside
    each pool a greedy construction places locked people, then one facilitator per room, then
    deals everyone else round-robin in (role, region) order, cohort by cohort when there is an
    earlier round (members of one earlier room land in different rooms). When earlier rooms are
    about as large as the number of rooms ("tight", e.g. 60 people in 8 rooms on day two) the
    deal instead gives each cohort rooms it is not in yet and evens the spread exactly, cohort
    by cohort (``cohorts.py``), and the search's first phase accepts no swap that adds a repeat
    pair (``Search._keep_pairs_phase``). A local search then
    swaps pairs of unlocked people between rooms of the same pool (swaps keep sizes), choosing
    people who cause a cost and partners that can absorb them (rooms short of their role or
    region, look-alikes, earlier room-mates), and accepts non-worsening swaps of the weighted cost
    ``hard ≫ spread ≫ repeat pairs ≫ separations``. When it stalls it also tries two-swap chains
    and takes small pairs-level uphill steps (annealing), keeping the best state; meetings of up
    to SMALL_MEETING people restart from fresh deals. Every term is incremental, so one swap costs
    O(languages + earlier room-mates) to evaluate. It stops at a proven lower bound (pigeonhole
    bounds for repeats and colleagues), after ``max_iterations`` evaluated swaps, after a stall
    (shorter once only separations are above their bound), or at ``time_limit`` seconds (the
    only non-deterministic stop; generous for real sizes).

Modules
    ``model`` (inputs and outputs), ``rules`` (bands, pools, languages, pairs), ``planning``
    (themes, sizes, pools, the first deal), ``cohorts`` (the first deal of a tight later round),
    ``state`` (the incremental cost), ``search`` (the swaps and their heuristics),
    ``assignment`` (one round end to end), ``metrics`` (measures and explanations from the rooms
    alone), ``late`` (late joiners), ``staff`` (staff facilitators in the rooms left without one).
"""

from __future__ import annotations

from server.sessions.breakouts.assignment import RESTARTS, SMALL_MEETING, assign, repeat_lower_bound
from server.sessions.breakouts.late import place_late_joiner
from server.sessions.breakouts.metrics import compute_metrics
from server.sessions.breakouts.model import (
    GROUPS,
    REGIONS,
    ROLES,
    AssignmentError,
    AssignmentResult,
    Metrics,
    Mode,
    Person,
    RoomSpec,
    Round,
)
from server.sessions.breakouts.staff import place_staff, with_staff

__all__ = [
    "GROUPS",
    "REGIONS",
    "RESTARTS",
    "ROLES",
    "SMALL_MEETING",
    "AssignmentError",
    "AssignmentResult",
    "Metrics",
    "Mode",
    "Person",
    "RoomSpec",
    "Round",
    "assign",
    "compute_metrics",
    "place_late_joiner",
    "place_staff",
    "repeat_lower_bound",
    "with_staff",
]
