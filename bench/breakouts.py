"""Benchmark: break-out rooms, two rounds, against a random split and an exact ILP (pulp + CBC).

Run: .venv/bin/python -m bench.breakouts [--ilp-limit S] [--no-ilp] [--repeat N] [--compare OLD.py]
 or: .venv/bin/python bench/breakouts.py

Each scenario is a synthetic meeting: 60 % EU, 30 % Central Asia, 10 % other Europe, roles from
the vocabulary (uneven), about four people per organisation, one facilitator per room, English
for all and Russian for Central Asians. Day one has no earlier round; day two uses day one.
The random baseline deals a seeded shuffle into the same room sizes. The ILP keeps the engine's
hard rules that matter here (sizes, spread zero: every value's per-room count in its band) and
minimises repeat pairs; it ignores organisations and facilitators, so its optimum is a lower
bound for the engine's. "LB" is the pigeonhole bound the engine also uses to stop early.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import random
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core.vocab import Role
from server.sessions.breakouts import (
    Metrics,
    Person,
    Round,
    assign,
    compute_metrics,
)

EU = ["DE", "FR", "NL", "BE", "AT", "SE", "DK", "IT", "ES", "PL"]
ASIA = ["KZ", "UZ", "KG", "TJ"]
OTHER_EUROPE = ["NO", "GB", "CH", "AL"]
SCENARIOS = ((40, 5), (60, 8), (600, 60), (5000, 500))
ILP_MAX_PEOPLE = 60


def make_people(n: int, rooms: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    roles = list(Role)
    weights = [3, 3, 2, 3, 2, 2, 2, 2, 1, 1, 1, 1]  # some roles are rarer
    people = []
    for i in range(n):
        x = rng.random()
        country = rng.choice(EU if x < 0.6 else ASIA if x < 0.9 else OTHER_EUROPE)
        people.append(
            Person.from_country(
                f"p{i:05d}",
                rng.choices(roles, weights)[0],
                country,
                organisation=f"org{rng.randrange(max(1, n // 4))}",
                languages=("en", "ru") if country in ASIA else ("en",),
                facilitator=i < rooms,
            )
        )
    return people


def random_split(people: Sequence[Person], sizes: Sequence[int], seed: int) -> list[list[str]]:
    ids = [p.id for p in people]
    random.Random(seed).shuffle(ids)
    rooms, k = [], 0
    for s in sizes:
        rooms.append(ids[k : k + s])
        k += s
    return rooms


def exact_repeats(
    people: Sequence[Person], sizes: Sequence[int], previous: Round, limit: float
) -> tuple[int | None, str, float]:
    """Fewest repeat pairs with zero spread violations: (value, status, seconds)."""
    n, n_rooms = len(people), len(sizes)
    prob = pulp.LpProblem("breakouts", pulp.LpMinimize)
    rooms = range(n_rooms)
    x = {(i, r): prob.add_variable(f"x_{i}_{r}", cat="Binary") for i in range(n) for r in rooms}
    for i in range(n):
        prob += pulp.lpSum(x[i, r] for r in rooms) == 1
    for r in rooms:
        prob += pulp.lpSum(x[i, r] for i in range(n)) == sizes[r]
    for attr in ("role", "region"):
        for value in sorted({str(getattr(p, attr)) for p in people}):
            who = [i for i, p in enumerate(people) if str(getattr(p, attr)) == value]
            lo, hi = len(who) // n_rooms, -(-len(who) // n_rooms)
            for r in rooms:
                count = pulp.lpSum(x[i, r] for i in who)
                prob += count >= lo
                prob += count <= hi
    index = {p.id: i for i, p in enumerate(people)}
    ys = []
    for room in previous.rooms:
        for a, b in itertools.combinations(sorted(index[m] for m in room), 2):
            for r in rooms:
                y = prob.add_variable(f"y_{a}_{b}_{r}", lowBound=0)
                prob += y >= x[a, r] + x[b, r] - 1
                ys.append(y)
    prob += pulp.lpSum(ys)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pulp 3.x: bundled CBC goes in 4.0
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    seconds = time.perf_counter() - started
    if prob.sol_status == pulp.LpSolutionOptimal:
        return round(pulp.value(prob.objective) or 0), "optimal", seconds
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return round(pulp.value(prob.objective) or 0), "time limit", seconds
    return None, pulp.LpStatus[status].lower(), seconds


def pigeonhole(sizes: Sequence[int], previous: Round) -> int:
    groups = len(previous.rooms)
    total = 0
    for s in sizes:
        q, r = divmod(s, groups)
        total += r * (q + 1) * q // 2 + (groups - r) * q * (q - 1) // 2
    return total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ilp-limit", type=float, default=20.0, help="seconds per ILP")
    parser.add_argument("--no-ilp", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per row (median)")
    parser.add_argument(
        "--compare",
        metavar="PATH",
        help="an older engine module (e.g. from `git show REV:server/sessions/breakouts.py`): timed in "
        "turn with this one on the same inputs, its median and repeat pairs printed beside",
    )
    args = parser.parse_args(argv)

    old = _load(args.compare) if args.compare else None
    head = (
        f"{'scenario':<18}{'day':>4}"
        + (f"{'old ms':>9}{'old rep':>8}" if old else "")
        + f"{'time ms':>9}{'spread':>7}{'repeat':>7}{'sep':>5}{'hard':>5}"
        f"{'rnd spread':>11}{'rnd rep':>8}{'LB':>6}{'exact rep':>10}{'ILP s':>7}  notes"
    )
    print(head)
    print("-" * len(head))
    for n, n_rooms in SCENARIOS:
        people = make_people(n, n_rooms, seed=n)
        previous: list[Round] = []
        for day in (1, 2):
            times, old_times = [], []
            old_repeats = 0
            for _ in range(args.repeat):
                if old is not None:  # in turn, so both see the same load
                    old_people = [old.Person(**vars(p)) for p in people]
                    old_previous = [old.Round(r.rooms) for r in previous]
                    started = time.perf_counter()
                    old_result = old.assign(old_people, n_rooms, previous=old_previous, seed=day)
                    old_times.append((time.perf_counter() - started) * 1000)
                    old_repeats = old_result.metrics.repeat_pairs
                started = time.perf_counter()
                result = assign(people, n_rooms, previous=previous, seed=day)
                times.append((time.perf_counter() - started) * 1000)
            ms = statistics.median(times)
            before = f"{statistics.median(old_times):>9.1f}{old_repeats:>8}" if old is not None else ""
            m: Metrics = result.metrics
            sizes = [len(r) for r in result.rooms]
            rnd = compute_metrics(people, random_split(people, sizes, day), previous=previous)
            lb = pigeonhole(sizes, previous[0]) if previous else 0
            exact, ilp_s, notes = "-", "-", ""
            if previous and not args.no_ilp and n <= ILP_MAX_PEOPLE:
                value, status, seconds = exact_repeats(people, sizes, previous[0], args.ilp_limit)
                exact, ilp_s = ("?" if value is None else str(value)), f"{seconds:.1f}"
                notes = f"ILP {status}"
            elif previous and n > ILP_MAX_PEOPLE:
                notes = "ILP skipped (too large)"
            print(
                f"{f'{n} in {n_rooms}':<18}{day:>4}{before}{ms:>9.1f}{m.total_spread_violations:>7}"
                f"{m.repeat_pairs:>7}{m.separation_pairs:>5}{m.hard_violations:>5}"
                f"{rnd.total_spread_violations:>11}{rnd.repeat_pairs:>8}{lb:>6}{exact:>10}{ilp_s:>7}  {notes}"
            )
            previous = [result.as_round()]


def _load(path: str) -> Any:
    """Import an engine module from a file, under a name of its own."""
    spec = importlib.util.spec_from_file_location("compared_engine", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compared_engine"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
