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

Algorithm. The selection is a mixed-integer program (one binary per candidate, one row per
target, see ``problem.py``) solved exactly by HiGHS in two steps: least total shortfall, then
greatest score (``solver.py``); ties go to the lower id by equal-score swaps that keep every
row. The explanation reads the same rows back (``explain.py``). A time budget (10 s by
default, generous for thousands of applicants) bounds the solve; ``Explanation.proven_optimal``
says whether HiGHS proved the optimum within it.

Modules: ``model`` (the public types), ``problem`` (rows), ``solver`` (HiGHS), ``explain``,
``waitlist`` (order and replacements).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from server.core.selection.explain import explain
from server.core.selection.model import (
    Candidate,
    Explanation,
    PassedOver,
    Selection,
    Target,
    TargetIssue,
    Targets,
)
from server.core.selection.problem import Problem
from server.core.selection.solver import TIME_BUDGET_S, solve
from server.core.selection.waitlist import next_from_waitlist, waitlist_order

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


def propose_selection(
    candidates: Sequence[Candidate],
    targets: Targets,
    *,
    forced_in: Collection[str] = frozenset(),
    forced_out: Collection[str] = frozenset(),
    unreviewed_score: float | None = None,
    time_budget: float = TIME_BUDGET_S,
) -> Selection:
    """Pick the invited group with the highest total score that keeps the targets.

    ``forced_in`` / ``forced_out`` are organiser overrides and win over every target.
    Raises ValueError only for malformed input (duplicate or unknown ids, an id both
    forced in and out); targets that cannot be met are reported, never raised.
    ``time_budget`` (seconds) bounds the solver.
    """
    problem = Problem(candidates, targets, forced_in, forced_out, unreviewed_score)
    chosen, proven = solve(problem, time_budget)
    invited = sorted(chosen, key=problem.rank)
    invited_set = set(invited)
    waiting = [i for i in range(problem.n) if i not in invited_set and i not in problem.out]
    cands = problem.cands
    return Selection(
        invited=tuple(cands[i].id for i in invited),
        waitlist=tuple(c.id for c in waitlist_order(cands[i] for i in waiting)),
        excluded=tuple(sorted(cands[i].id for i in problem.out)),
        explanation=explain(problem, invited, waiting, proven),
    )
