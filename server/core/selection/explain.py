"""The explanation of a selection, read off the model's rows.

Every target is one row (see ``problem.py``), so one pass over the rows says which maxima the
overrides broke and which minima are short (and why), and who was passed over cites the row
that kept them out: a full maximum row they belong to, or a minimum row that holds the seat of
a lower-ranked invitee.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.core.selection.model import Cause, Explanation, PassedOver, Target, TargetIssue
from server.core.selection.problem import Problem, Row, total_score

# A passed-over candidate cites the first full maximum row they belong to, in this order:
# the narrowest group first, since it is the one that left them no room.
_CITED_FIRST = {"organisation": 0, "country": 1, "region_max": 2}


def explain(problem: Problem, invited: Sequence[int], waiting: Sequence[int], proven: bool) -> Explanation:
    """The explanation of ``invited`` (in rank order); ``waiting`` is everyone else not forced out."""
    per_row = problem.counts(invited)
    broken: list[TargetIssue] = []
    unmet: list[TargetIssue] = []
    for row, count in zip(problem.rows, per_row, strict=True):
        if not row.minimum and count > row.target.bound:
            broken.append(_exceeded(problem, row, count))
        elif row.minimum and count < row.limit:
            issue = _short(problem, row, count)
            unmet.append(issue)
            if issue.cause == "overrides":
                broken.append(issue)
    passed, binding = _passed_over(problem, invited, waiting, per_row)
    cands = problem.cands
    return Explanation(
        total_score=total_score(cands, invited),
        seats=problem.targets.seats,
        filled=len(invited),
        binding=tuple(binding),
        unmet=tuple(unmet),
        broken_by_overrides=tuple(broken),
        passed_over=tuple(passed),
        unreviewed_invited=tuple(cands[i].id for i in invited if cands[i].score is None),
        proven_optimal=proven,
    )


def _exceeded(problem: Problem, row: Row, count: int) -> TargetIssue:
    """A maximum the overrides pushed past its bound (the model keeps every other one)."""
    target = row.target
    excess = count - target.bound
    if target.kind == "seats":
        message = f"{count} invited for {target.bound} seats"
    elif target.kind == "region_max":
        message = f"{target.label} exceeded by {excess}"
    else:
        message = f"{target.label} exceeded: {count} invited"
    return TargetIssue(target, count, excess, "overrides", message)


def _short(problem: Problem, row: Row, count: int) -> TargetIssue:
    """A minimum short of seats, with its cause: too few applicants, overrides, or targets."""
    target, need = row.target, row.limit
    applied = len(row.members)
    eligible = sum(1 for i in row.members if i not in problem.out)
    cause: Cause
    if target.kind == "role":
        if eligible == 0:
            cause, message = "overrides", f"{target.label}: every applicant forced out"
        else:
            cause, message = "targets", f"{target.label}: no applicant fits within the other targets"
        return TargetIssue(target, count, need - count, cause, message)
    head = f"{target.label.split(' (')[0]} needs {need} seats"
    forced_elsewhere = sum(1 for i in problem.forced if i not in row.members)
    if applied < need:
        cause, message = "applicants", f"{head}, only {applied} applicants"
    elif eligible < need:
        cause = "overrides"
        message = f"{head}, only {eligible} applicants not forced out ({applied - eligible} forced out)"
    elif forced_elsewhere > problem.targets.seats - need:
        cause, message = "overrides", f"{head}, got {count}: {forced_elsewhere} seats forced to other regions"
    else:
        cause, message = "targets", f"{head}, got {count}: other targets leave no room for more"
    return TargetIssue(target, count, need - count, cause, message)


def _passed_over(
    problem: Problem, invited: Sequence[int], waiting: Sequence[int], per_row: list[int]
) -> tuple[list[PassedOver], dict[Target, None]]:
    """Candidates scoring above the lowest-scored invitee yet not invited, and the targets they
    cite (in first-cited order; the seats last when they are full and a positive score waits)."""
    cands = problem.cands
    floor = min((s for i in invited if (s := cands[i].score) is not None), default=None)
    passed: list[PassedOver] = []
    binding: dict[Target, None] = {}
    if floor is not None:
        holders = _seat_holders(problem, sorted(invited, key=problem.rank, reverse=True), per_row)
        for i in sorted({*waiting, *problem.out}, key=problem.rank):
            score = cands[i].score
            if score is None or score <= floor:
                continue
            reason, cited = _why_not(problem, i, len(invited), holders, per_row)
            passed.append(PassedOver(cands[i].id, score, reason, cited))
            if cited is not None:
                binding.setdefault(cited, None)
    seats = problem.rows[0]
    if len(invited) >= seats.target.bound and any((cands[i].score or 0.0) > 0 for i in waiting):
        binding.setdefault(seats.target, None)
    return passed, binding


def _seat_holders(
    problem: Problem, invited_low_first: Sequence[int], per_row: list[int]
) -> list[tuple[int, list[int]]]:
    """Invitees, lowest-ranked first, who hold their seat by an override (no rows) or for
    minimum rows at their bound (those rows): the only ones a passed-over candidate can cite."""
    holders: list[tuple[int, list[int]]] = []
    for j in invited_low_first:
        held = [k for k in problem.rows_of[j] if problem.rows[k].minimum and per_row[k] <= problem.rows[k].limit]
        if j in problem.forced or held:
            holders.append((j, [] if j in problem.forced else held))
    return holders


def _why_not(
    problem: Problem, i: int, invited: int, holders: Sequence[tuple[int, list[int]]], per_row: list[int]
) -> tuple[str, Target | None]:
    """The reason candidate ``i`` was not invited, and the target it cites (None: no target)."""
    if i in problem.out:
        return "forced out by the organisers", None
    full = [
        problem.rows[k]
        for k in problem.rows_of[i]
        if problem.rows[k].target.kind in _CITED_FIRST and per_row[k] >= problem.rows[k].target.bound
    ]
    if full:
        row = min(full, key=lambda r: _CITED_FIRST[r.target.kind])
        return _reached(row.target), row.target
    if invited < problem.targets.seats and (problem.cands[i].score or 0.0) < 0:
        return "score below zero and not needed for a target", None
    # Seats are full: the lowest-ranked invitee below i who holds their seat for a minimum
    # target (or by an override) took it.
    mine = problem.rows_of[i]
    for j, held in holders:
        if problem.weight[j] >= problem.weight[i]:
            break
        holder = problem.cands[j].id
        if j in problem.forced:
            return f"seat taken by an organiser's override ({holder})", None
        for k in held:
            if k not in mine:
                return f"seat taken for {problem.rows[k].target.label} ({holder})", problem.rows[k].target
    return "kept out by a combination of targets", None


def _reached(target: Target) -> str:
    if target.kind == "region_max":
        return f"{target.label} reached"
    name = target.label[target.label.index("(") :]
    return f"{target.kind} cap {target.bound} reached {name}"
