"""Benchmark: propose a selection, timed, against an exact ILP optimum (pulp + CBC).

Run: .venv/bin/python bench/selection.py [--no-ilp] [--repeat N]

Each scenario is a synthetic call for participants: applicants from EU, other European
and Central Asian countries (and a few from elsewhere), roles from the vocabulary,
organisations of which a few (international ones) have offices in several countries,
scores that are the mean of two to four 1-5 reviews, 5 % unreviewed. The ILP uses the
same lexicographic objective as the product (least target shortfall, then most score).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core.selection import Candidate, Selection, Targets, propose_selection
from server.core.vocab import CENTRAL_ASIA, Region, Role, region_of

EU = ["DE", "FR", "NL", "BE", "AT", "SE", "DK", "IT", "ES", "PL", "FI", "CZ"]
OTHER_EUROPE = ["NO", "GB", "CH", "AL", "BA", "MK", "XK"]
ASIA = sorted(CENTRAL_ASIA)
ELSEWHERE = ["US", "TN", "MA", "IQ"]
INTERNATIONAL = ["UNODC", "IOM", "OSCE", "UNICEF", "ICRC", "RAN"]


@dataclass(frozen=True)
class Scenario:
    name: str
    applicants: int
    seats: int
    seed: int
    asia_share: float = 0.25  # of applicants
    rare_roles: tuple[Role, ...] = ()  # roles only a few low-scored applicants have
    rare_count: int = 3


def applicants(s: Scenario) -> list[Candidate]:
    rng = random.Random(s.seed)
    out = []
    n_orgs = max(5, s.applicants // 3)
    for i in range(s.applicants):
        draw = rng.random()
        if draw < s.asia_share:
            country = rng.choice(ASIA)
        elif draw < s.asia_share + 0.15:
            country = rng.choice(OTHER_EUROPE)
        elif draw < s.asia_share + 0.2:
            country = rng.choice(ELSEWHERE)
        else:
            country = rng.choice(EU)
        if rng.random() < 0.08:
            org = rng.choice(INTERNATIONAL)  # one organisation, offices everywhere
        else:
            org = f"{country} organisation {rng.randrange(n_orgs // 10 + 1)}"
        roles = [r for r in Role if r not in s.rare_roles]
        role = rng.choice(roles)
        reviews = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
        score = None if rng.random() < 0.05 else round(sum(reviews) / len(reviews), 2)
        out.append(Candidate(f"app{i:05d}", score, role, region_of(country), country, org))
    for k, role in enumerate(s.rare_roles):
        # A few low-scored members, at international organisations (the caps bite there).
        for j in rng.sample(range(s.applicants), s.rare_count):
            c = out[j]
            score = round(rng.uniform(1.0, 2.0), 2)
            org = INTERNATIONAL[(j + k) % len(INTERNATIONAL)]
            out[j] = Candidate(c.id, score, role, c.region, c.country, org)
    return out


def targets(s: Scenario) -> Targets:
    return Targets(
        seats=s.seats,
        region_min={Region.CENTRAL_ASIA: 0.30, Region.OTHER_EUROPE: 0.10},
        region_max={Region.EU: 0.60},
        roles=frozenset(Role),
        max_per_organisation=2,
        max_per_country=max(2, s.seats // 8),
    )


def effective(cands: Sequence[Candidate]) -> list[float]:
    reviewed = [c.score for c in cands if c.score is not None]
    fallback = min([0.0, *reviewed]) - 1.0
    return [fallback if c.score is None else c.score for c in cands]


def shortfall(cands: Sequence[Candidate], t: Targets, chosen: set[int]) -> int:
    per_region = Counter(cands[i].region for i in chosen)
    missing = sum(max(0, t.min_seats(r) - per_region[r]) for r in Region)
    roles = t.roles & {c.role for c in cands}
    return missing + len(roles - {cands[i].role for i in chosen})


def ilp_optimum(cands: Sequence[Candidate], t: Targets, limit: float) -> tuple[int, float, str]:
    """(shortfall, score, status) of the exact optimum; the oracle, never the product."""
    w = effective(cands)
    big = 2 * sum(abs(v) for v in w) + 1
    model = pulp.LpProblem("selection", pulp.LpMaximize)
    x = [model.add_variable(f"x{i}", cat="Binary") for i in range(len(cands))]
    model += pulp.lpSum(x) <= t.seats
    penalties = []
    for region in Region:
        members = [x[i] for i, c in enumerate(cands) if c.region == region]
        model += pulp.lpSum(members) <= t.max_seats(region)
        if t.min_seats(region):
            s = model.add_variable(f"s_{region.value}", 0)
            model += pulp.lpSum(members) + s >= t.min_seats(region)
            penalties.append(s)
    for key, cap in (("organisation", t.max_per_organisation), ("country", t.max_per_country)):
        assert cap is not None
        groups: dict[str, list[int]] = {}
        for i, c in enumerate(cands):
            group = c.organisation.casefold() if key == "organisation" else c.country
            groups.setdefault(group, []).append(i)
        for members_i in groups.values():
            if len(members_i) > cap:
                model += pulp.lpSum(x[i] for i in members_i) <= cap
    for role in t.roles & {c.role for c in cands}:
        y = model.add_variable(f"y_{role.value}", 0, 1, cat="Integer")
        model += pulp.lpSum(x[i] for i, c in enumerate(cands) if c.role == role) + y >= 1
        penalties.append(y)
    model += pulp.lpSum(v * xi for v, xi in zip(w, x, strict=True)) - big * pulp.lpSum(penalties)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pulp 3.3 deprecates bundled CBC
        status = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    chosen = {i for i, v in enumerate(x) if (v.value() or 0) > 0.5}
    return shortfall(cands, t, chosen), sum(w[i] for i in chosen), pulp.LpStatus[status]


def ours(cands: Sequence[Candidate], t: Targets, sel: Selection) -> tuple[int, float]:
    index = {c.id: i for i, c in enumerate(cands)}
    chosen = {index[i] for i in sel.invited}
    w = effective(cands)
    return shortfall(cands, t, chosen), sum(w[i] for i in chosen)


SCENARIOS = [
    Scenario("100 apps / 40 seats", 100, 40, 1),
    Scenario("500 apps / 60 seats", 500, 60, 2),
    Scenario("2000 apps / 200 seats", 2000, 200, 3),
    Scenario("2000 / 200, too few Central Asians", 2000, 200, 4, asia_share=0.02),
    Scenario("2000 / 200, 1 rare low-scored role", 2000, 200, 5, rare_roles=(Role.LEGAL_EXPERT,)),
    Scenario(
        "2000 / 200, 4 rare low-scored roles",
        2000,
        200,
        7,
        rare_roles=(Role.LEGAL_EXPERT, Role.POLICE_OFFICER, Role.FAMILY_WORKER, Role.RESEARCHER),
        rare_count=20,
    ),
    Scenario("5000 apps / 300 seats", 5000, 300, 6),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-ilp", action="store_true", help="skip the exact ILP oracle")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs per scenario")
    parser.add_argument("--ilp-limit", type=float, default=120.0, help="CBC time limit, s")
    args = parser.parse_args()

    header = (
        f"{'scenario':34} {'time ms':>8} {'score':>9} {'short':>5} {'ILP score':>9} {'ILP s':>6} {'gap %':>6}  notes"
    )
    print(header)
    print("-" * len(header))
    for s in SCENARIOS:
        cands = applicants(s)
        t = targets(s)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            sel = propose_selection(cands, t)
            times.append(time.perf_counter() - start)
        short, score = ours(cands, t, sel)
        notes = [] if sel.explanation.proven_optimal else ["not proven optimal"]
        notes += [issue.message for issue in sel.explanation.unmet]
        ilp_score = ilp_time = gap = "-"
        if not args.no_ilp:
            start = time.perf_counter()
            best_short, best_score, status = ilp_optimum(cands, t, args.ilp_limit)
            ilp_time = f"{time.perf_counter() - start:.1f}"
            ilp_score = f"{best_score:.2f}"
            if status != "Optimal":
                notes.append(f"ILP {status}")
            if best_short != short:
                notes.append(f"ILP shortfall {best_short}")
            diff = best_score - score
            gap = f"{100 * diff / abs(best_score) if abs(diff) > 1e-9 else 0.0:.3f}"
        print(
            f"{s.name:34} {1000 * statistics.median(times):8.1f} {score:9.2f} {short:5d} "
            f"{ilp_score:>9} {ilp_time:>6} {gap:>6}  {'; '.join(notes)}"
        )
    print("\ntime: median of runs of propose_selection (solve and explanation);")
    print("short: seats short of minimum targets; gap: (ILP - ours) / ILP score.")


if __name__ == "__main__":
    main()
