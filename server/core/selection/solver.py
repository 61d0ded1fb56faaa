"""Solve the selection's mixed-integer program with HiGHS, then break ties by id.

Columns: one binary ``x`` per candidate (fixed to 1 when forced in, to 0 when forced out) and
one shortfall column per minimum row. Rows: every maximum row as ``sum(x) <= limit``, every
minimum row as ``sum(x) + shortfall >= bound``. The objective is lexicographic, solved as two
programs over the same rows: first the least total shortfall, then, with the shortfall held at
that least value, the greatest total weight (integer micro-points, so "optimal" means exact).
Two solves rather than one weighted sum keep the objective's coefficients small, which is
what a floating-point solver needs to prove an optimum to the last micro-point.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
from highspy._core import _Highs as Solver  # typed binding (see _new_highs)

from server.core.selection.problem import Problem

# A selection for a few thousand applicants solves in well under a second; the budget is the
# safety net for pathological inputs, after which the best selection found so far is used
# (``Explanation.proven_optimal`` is then False).
TIME_BUDGET_S = 10.0
_INFINITY = highspy.kHighsInf


@dataclass
class _Outcome:
    values: list[float]
    proven: bool
    infeasible: bool = False


def solve(problem: Problem, time_budget: float = TIME_BUDGET_S) -> tuple[list[int], bool]:
    """The chosen candidates (indices into ``problem.cands``) and whether HiGHS proved them optimal."""
    if problem.n == 0:
        return [], True
    deadline = time.perf_counter() + time_budget
    slacks = sum(1 for row in problem.rows if row.minimum)
    highs = _new_highs()
    _pass_model(highs, problem)
    # The least shortfall is at least the relaxation's, rounded up. The rows are nearly a
    # network, so that bound is almost always reached: try it first, and solve the first
    # program exactly only when the second one finds it out of reach.
    bound = _relaxed_shortfall(highs, deadline)
    shortfall_row = len(problem.rows)
    slack_columns = np.arange(problem.n, problem.n + slacks, dtype=np.int32)
    highs.addRow(-_INFINITY, bound, slacks, slack_columns, np.ones(slacks))
    _objective(highs, problem, slacks, shortfall=False)
    best = _run(highs, deadline)
    if best is not None and not best.infeasible:
        return break_ties(problem, _chosen(problem, best)), best.proven
    highs.changeRowBounds(shortfall_row, -_INFINITY, _INFINITY)
    _objective(highs, problem, slacks, shortfall=True)
    first = _run(highs, deadline)
    if first is None or first.infeasible:
        return sorted(problem.forced), False  # the overrides alone keep every maximum
    highs.changeRowBounds(shortfall_row, -_INFINITY, round(sum(first.values[problem.n :])))
    _objective(highs, problem, slacks, shortfall=False)
    second = _run(highs, deadline, start=first.values)
    if second is None or second.infeasible:
        return break_ties(problem, _chosen(problem, first)), False
    return break_ties(problem, _chosen(problem, second)), first.proven and second.proven


def _chosen(problem: Problem, outcome: _Outcome) -> list[int]:
    return [i for i in range(problem.n) if outcome.values[i] > 0.5]


def _new_highs() -> Solver:
    # The binding itself: highspy.Highs wraps it with interrupt callbacks we do not use, is
    # untyped, and prints a banner on stdout the first time a process builds one.
    highs = Solver()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)  # the machine is shared; the MIP search is serial anyway
    highs.setOptionValue("mip_rel_gap", 0.0)
    # Objectives are integers: a gap below one half proves the incumbent is the optimum.
    highs.setOptionValue("mip_abs_gap", 0.5)
    # Measured on bench/selection.py: the relaxation is nearly integral here, so presolve,
    # symmetry detection and primal heuristics cost more time than they save (2-4x).
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("mip_detect_symmetry", False)
    highs.setOptionValue("mip_heuristic_effort", 0.0)
    return highs


def _relaxed_shortfall(highs: Solver, deadline: float) -> int:
    """The least shortfall of the linear relaxation, rounded up: a lower bound."""
    relaxed = _solve(highs, deadline, relaxation=True)
    if relaxed is None or relaxed.infeasible or not relaxed.proven:
        return 0
    return math.ceil(highs.getInfo().objective_function_value - 1e-6)


def _objective(highs: Solver, problem: Problem, slacks: int, *, shortfall: bool) -> None:
    """Least total shortfall, or greatest total weight."""
    if shortfall:
        costs = [0.0] * problem.n + [1.0] * slacks
        highs.changeObjectiveSense(highspy.ObjSense.kMinimize)
    else:
        costs = [float(w) for w in problem.weight] + [0.0] * slacks
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    columns = np.arange(problem.n + slacks, dtype=np.int32)
    highs.changeColsCost(len(costs), columns, np.array(costs))


def _pass_model(highs: Solver, problem: Problem) -> None:
    """Columns are candidates then shortfalls; the first objective is the total shortfall."""
    minimum_rows = [k for k, row in enumerate(problem.rows) if row.minimum]
    n, slacks = problem.n, len(minimum_rows)
    starts: list[int] = []
    index: list[int] = []
    for i in range(n):
        starts.append(len(index))
        index.extend(problem.rows_of[i])
    for k in minimum_rows:
        starts.append(len(index))
        index.append(k)
    lower = [1.0 if i in problem.forced else 0.0 for i in range(n)]
    upper = [0.0 if i in problem.out else 1.0 for i in range(n)]
    shortfall_upper = [float(problem.rows[k].limit) for k in minimum_rows]
    row_lower = [float(row.limit) if row.minimum else -_INFINITY for row in problem.rows]
    row_upper = [_INFINITY if row.minimum else float(row.limit) for row in problem.rows]
    highs.passModel(
        n + slacks,
        len(problem.rows),
        len(index),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.array([0.0] * n + [1.0] * slacks),
        np.array(lower + [0.0] * slacks),
        np.array(upper + shortfall_upper),
        np.array(row_lower),
        np.array(row_upper),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.ones(len(index)),
        np.array([1] * n + [0] * slacks, dtype=np.int32),
    )


def _run(highs: Solver, deadline: float, start: list[float] | None = None) -> _Outcome | None:
    """Solve within the deadline; None when no feasible point was found in time.

    The relaxation comes first: these rows are a network but for the role rows, so its
    optimum is nearly always integral, and an integral optimum of the relaxation is the
    program's optimum (at a tenth of the branch and bound's time). Only a fractional one
    goes on to HiGHS's branch and bound.
    """
    relaxed = _solve(highs, deadline, relaxation=True)
    if relaxed is not None and (relaxed.infeasible or _integral(relaxed.values, highs.getNumCol())):
        return relaxed
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        highs.setSolution(solution)
    return _solve(highs, deadline, relaxation=False)


def _solve(highs: Solver, deadline: float, *, relaxation: bool) -> _Outcome | None:
    highs.setOptionValue("solve_relaxation", relaxation)
    highs.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return _Outcome([], proven=True, infeasible=True)
    if highs.getInfo().primal_solution_status != 2:  # 2: a feasible point is known
        return None
    return _Outcome(list(highs.getSolution().col_value), status == highspy.HighsModelStatus.kOptimal)


def _integral(values: list[float], columns: int) -> bool:
    return all(abs(v - round(v)) < 1e-6 for v in values[:columns])


def break_ties(problem: Problem, chosen: list[int]) -> list[int]:
    """Swap invitees for wait-listed candidates of equal weight and lower id while that keeps
    every row as it is bound, so that ties go to the lower id whatever optimum HiGHS found.

    A swap of equal weights leaves the objective unchanged; it is taken only when no maximum
    row is exceeded and no minimum row loses a seat it needs, so the shortfall stays least.
    """
    invited = set(chosen)
    per_row = problem.counts(invited)
    by_weight: dict[int, list[int]] = {}
    for i in range(problem.n):
        if i not in problem.out:
            by_weight.setdefault(problem.weight[i], []).append(i)  # ascending id: cands are sorted
    for group in by_weight.values():
        if len(group) < 2:
            continue
        changed = True
        while changed:
            changed = _swap_once(problem, group, invited, per_row)
    return sorted(invited)


def _swap_once(problem: Problem, group: list[int], invited: set[int], per_row: list[int]) -> bool:
    """One swap in a group of equal weight (lowest waiting id for highest invited id)."""
    waiting = [i for i in group if i not in invited]
    leaving = [j for j in reversed(group) if j in invited and j not in problem.forced]
    for i in waiting:
        for j in leaving:
            if problem.cands[j].id < problem.cands[i].id:
                break
            if _swap_keeps_rows(problem, i, j, per_row):
                invited.remove(j)
                invited.add(i)
                for k in problem.rows_of[j]:
                    per_row[k] -= 1
                for k in problem.rows_of[i]:
                    per_row[k] += 1
                return True
    return False


def _swap_keeps_rows(problem: Problem, joining: int, leaving: int, per_row: list[int]) -> bool:
    joins, leaves = set(problem.rows_of[joining]), set(problem.rows_of[leaving])
    for k in joins - leaves:
        row = problem.rows[k]
        if not row.minimum and per_row[k] + 1 > row.limit:
            return False
    for k in leaves - joins:
        row = problem.rows[k]
        if row.minimum and per_row[k] <= row.limit:
            return False
    return True
