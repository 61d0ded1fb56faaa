"""Tests for server.core.selection: optimality against exhaustive search and an ILP oracle,
targets, shortfall reports, overrides, the wait-list and the explanation."""

from __future__ import annotations

import itertools
import random
import warnings
from collections import Counter
from collections.abc import Collection, Sequence

import pulp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.core.selection import (
    Candidate,
    Targets,
    next_from_waitlist,
    propose_selection,
    waitlist_order,
)
from server.core.vocab import Region, Role

COUNTRIES = {
    Region.EU: ("DE", "FR", "AT"),
    Region.CENTRAL_ASIA: ("KZ", "UZ"),
    Region.OTHER_EUROPE: ("NO",),
    Region.OTHER: ("US",),
}
ROLES = (Role.EXIT_WORKER, Role.PRISON_OFFICER, Role.LEGAL_EXPERT, Role.POLICE_OFFICER)


def cand(
    id: str,
    score: float | None,
    *,
    role: Role = Role.EXIT_WORKER,
    country: str = "DE",
    org: str = "",
) -> Candidate:
    region = next(r for r, codes in COUNTRIES.items() if country in codes)
    return Candidate(id, score, role, region, country, org or f"org-{id}")


# --- oracles -------------------------------------------------------------------------------


def effective_scores(cands: Sequence[Candidate], unreviewed: float | None = None) -> list[float]:
    reviewed = [c.score for c in cands if c.score is not None]
    fallback = min([0.0, *reviewed]) - 1.0 if unreviewed is None else unreviewed
    return [fallback if c.score is None else c.score for c in cands]


def org_key(c: Candidate) -> str:
    return " ".join(c.organisation.split()).casefold()


def max_groups(cands: Sequence[Candidate], targets: Targets, forced: Collection[int]) -> list[tuple[list[int], int]]:
    """Every maximum target as (members, bound); overrides raise a bound to what they force."""
    groups: list[tuple[list[int], int]] = [(list(range(len(cands))), targets.seats)]
    for region in Region:
        groups.append(([i for i, c in enumerate(cands) if c.region == region], targets.max_seats(region)))
    if targets.max_per_organisation is not None:
        for org in {org_key(c) for c in cands}:
            members = [i for i, c in enumerate(cands) if org_key(c) == org]
            groups.append((members, targets.max_per_organisation))
    if targets.max_per_country is not None:
        for country in {c.country for c in cands}:
            members = [i for i, c in enumerate(cands) if c.country == country]
            groups.append((members, targets.max_per_country))
    return [(m, max(b, sum(1 for i in m if i in forced))) for m, b in groups]


def required_roles(cands: Sequence[Candidate], targets: Targets, out: Collection[int]) -> set[Role]:
    return {c.role for i, c in enumerate(cands) if i not in out} & set(targets.roles)


def shortfall_of(cands: Sequence[Candidate], targets: Targets, chosen: Collection[int], roles: set[Role]) -> int:
    per_region = Counter(cands[i].region for i in chosen)
    missing = sum(max(0, targets.min_seats(r) - per_region[r]) for r in Region)
    return missing + len(roles - {cands[i].role for i in chosen})


def exhaustive(
    cands: Sequence[Candidate],
    targets: Targets,
    forced_in: Collection[str] = (),
    forced_out: Collection[str] = (),
) -> tuple[int, float]:
    """(least shortfall, best score at that shortfall) over every subset."""
    ids = [c.id for c in cands]
    forced = {ids.index(i) for i in forced_in}
    out = {ids.index(i) for i in forced_out}
    free = [i for i in range(len(cands)) if i not in forced and i not in out]
    groups = max_groups(cands, targets, forced)
    roles = required_roles(cands, targets, out)
    weights = effective_scores(cands)
    best: tuple[int, float] | None = None
    for size in range(len(free) + 1):
        for combo in itertools.combinations(free, size):
            chosen = forced | set(combo)
            if any(sum(1 for i in m if i in chosen) > b for m, b in groups):
                continue
            value = (shortfall_of(cands, targets, chosen, roles), -sum(weights[i] for i in chosen))
            if best is None or value < best:
                best = value
    assert best is not None
    return best[0], -best[1]


def ilp(
    cands: Sequence[Candidate],
    targets: Targets,
    *,
    strict: bool = False,
    forced_in: Collection[str] = (),
) -> tuple[int, float] | None:
    """Exact ILP oracle; with strict=True the minimum targets are hard (None if infeasible)."""
    ids = [c.id for c in cands]
    forced = {ids.index(i) for i in forced_in}
    weights = effective_scores(cands)
    big = 2 * sum(abs(w) for w in weights) + 1
    model = pulp.LpProblem("selection", pulp.LpMaximize)
    x = [model.add_variable(f"x{i}", cat="Binary") for i in range(len(cands))]
    for i in forced:
        model += x[i] == 1
    for members, bound in max_groups(cands, targets, forced):
        model += pulp.lpSum(x[i] for i in members) <= bound
    short = []
    for region in Region:
        need = targets.min_seats(region)
        if need:
            s = model.add_variable(f"s_{region.value}", 0, 0 if strict else None)
            members = [i for i, c in enumerate(cands) if c.region == region]
            model += pulp.lpSum(x[i] for i in members) + s >= need
            short.append(s)
    for role in required_roles(cands, targets, ()):
        y = model.add_variable(f"y_{role.value}", 0, 0 if strict else 1, cat="Integer")
        model += pulp.lpSum(x[i] for i, c in enumerate(cands) if c.role == role) + y >= 1
        short.append(y)
    model += pulp.lpSum(w * v for w, v in zip(weights, x, strict=True)) - big * pulp.lpSum(short)
    with warnings.catch_warnings():
        # pulp 3.3 deprecates its bundled CBC; it is still the one solver installed here.
        warnings.simplefilter("ignore", DeprecationWarning)
        status = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=30))
    if pulp.LpStatus[status] != "Optimal":
        return None
    chosen = {i for i, v in enumerate(x) if (v.value() or 0) > 0.5}
    roles = required_roles(cands, targets, ())
    return shortfall_of(cands, targets, chosen, roles), sum(weights[i] for i in chosen)


def achieved(cands: Sequence[Candidate], targets: Targets, invited: Sequence[str]) -> float:
    by_id = {c.id: i for i, c in enumerate(cands)}
    weights = effective_scores(cands)
    return sum(weights[by_id[i]] for i in invited)


def check_maxima(
    cands: Sequence[Candidate], targets: Targets, invited: Sequence[str], forced_in: Collection[str]
) -> None:
    ids = [c.id for c in cands]
    chosen = {ids.index(i) for i in invited}
    forced = {ids.index(i) for i in forced_in}
    for members, bound in max_groups(cands, targets, forced):
        assert sum(1 for i in members if i in chosen) <= bound


# --- generated cases -------------------------------------------------------------------------

scores = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, -1.0]))


@st.composite
def problems(draw: st.DrawFn, min_size: int, max_size: int) -> tuple[list[Candidate], Targets, set[str], set[str]]:
    n = draw(st.integers(min_size, max_size))
    cands = []
    for i in range(n):
        region = draw(st.sampled_from(list(COUNTRIES)))
        country = draw(st.sampled_from(COUNTRIES[region]))
        # Few organisations so that caps bind, some of them spanning countries.
        org = draw(st.sampled_from(["A", "a ", "B", "C", "D", "E", "F"]))
        role = draw(st.sampled_from(ROLES))
        cands.append(Candidate(f"c{i:02d}", draw(scores), role, region, country, org))
    seats = draw(st.integers(0, max(1, n)))
    shares = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.6, 1.0])
    mins = draw(st.dictionaries(st.sampled_from(list(Region)), shares, max_size=2))
    maxs = draw(st.dictionaries(st.sampled_from(list(Region)), shares, max_size=2))
    maxs = {r: max(s, mins.get(r, 0.0)) for r, s in maxs.items()}
    targets = Targets(
        seats=seats,
        region_min=mins,
        region_max=maxs,
        roles=frozenset(draw(st.sets(st.sampled_from(ROLES), max_size=3))),
        max_per_organisation=draw(st.one_of(st.none(), st.integers(1, 3))),
        max_per_country=draw(st.one_of(st.none(), st.integers(1, 4))),
    )
    ids = [c.id for c in cands]
    forced_in = draw(st.sets(st.sampled_from(ids), max_size=2)) if ids else set()
    rest = [i for i in ids if i not in forced_in]
    forced_out = draw(st.sets(st.sampled_from(rest), max_size=2)) if rest else set()
    return cands, targets, forced_in, forced_out


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_against_exhaustive(case: tuple[list[Candidate], Targets, set[str], set[str]]) -> None:
    cands, targets, forced_in, forced_out = case
    selection = propose_selection(cands, targets, forced_in=forced_in, forced_out=forced_out)
    best_shortfall, best_score = exhaustive(cands, targets, forced_in, forced_out)
    ids = [c.id for c in cands]
    chosen = {ids.index(i) for i in selection.invited}
    out = {ids.index(i) for i in forced_out}
    roles = required_roles(cands, targets, out)
    assert shortfall_of(cands, targets, chosen, roles) == best_shortfall
    assert achieved(cands, targets, selection.invited) == pytest.approx(best_score, abs=1e-9)
    assert set(forced_in) <= set(selection.invited)
    assert not set(forced_out) & set(selection.invited)
    check_maxima(cands, targets, selection.invited, forced_in)
    assert selection.explanation.proven_optimal
    # Every candidate is in exactly one of the three lists.
    everyone = [*selection.invited, *selection.waitlist, *selection.excluded]
    assert sorted(everyone) == sorted(ids)


Case = tuple[list[Candidate], Targets, set[str], set[str]]


@FAST
@given(problems(min_size=0, max_size=8))
@example(case=([], Targets(seats=0), set(), set()))
def test_equals_the_exhaustive_optimum_on_small_cases(case: Case) -> None:
    check_against_exhaustive(case)


@FAST
@given(problems(min_size=9, max_size=12))
def test_equals_the_exhaustive_optimum_with_up_to_12_candidates(case: Case) -> None:
    check_against_exhaustive(case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(min_size=8, max_size=40))
def test_meets_every_target_whenever_an_ilp_says_it_can(case: Case) -> None:
    cands, targets, _, _ = case
    selection = propose_selection(cands, targets)
    check_maxima(cands, targets, selection.invited, ())
    assert len(selection.invited) <= targets.seats
    feasible = ilp(cands, targets, strict=True) is not None
    assert (selection.explanation.unmet == ()) == feasible
    # And the score matches the ILP's lexicographic optimum.
    oracle = ilp(cands, targets)
    assert oracle is not None
    assert achieved(cands, targets, selection.invited) == pytest.approx(oracle[1], abs=1e-6)


def realistic(n: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    countries = [(r, c) for r, codes in COUNTRIES.items() for c in codes]
    out = []
    for i in range(n):
        region, country = rng.choices(countries, weights=[5, 4, 3, 3, 2, 1, 1])[0]
        org = f"org{rng.randrange(max(1, n // 3))}"  # some organisations span countries
        score = None if rng.random() < 0.05 else round(rng.uniform(1, 5), 1)
        out.append(Candidate(f"a{i:04d}", score, rng.choice(ROLES), region, country, org))
    return out


@pytest.mark.parametrize("n,seats,seed", [(120, 30, 1), (300, 60, 2), (300, 60, 3)])
def test_matches_the_ilp_on_medium_cases(n: int, seats: int, seed: int) -> None:
    cands = realistic(n, seed)
    targets = Targets(
        seats=seats,
        region_min={Region.CENTRAL_ASIA: 0.3, Region.OTHER: 0.05},
        region_max={Region.EU: 0.5},
        roles=frozenset(ROLES),
        max_per_organisation=2,
        max_per_country=seats // 4,
    )
    selection = propose_selection(cands, targets)
    oracle = ilp(cands, targets)
    assert oracle is not None
    assert achieved(cands, targets, selection.invited) == pytest.approx(oracle[1], abs=1e-6)
    check_maxima(cands, targets, selection.invited, ())


# --- infeasible targets --------------------------------------------------------------------


def test_an_unreachable_minimum_is_reported_with_its_shortfall() -> None:
    cands = [cand(f"ca{i}", 3.0, country="KZ") for i in range(7)]
    cands += [cand(f"eu{i:02d}", 4.0, country="DE") for i in range(50)]
    targets = Targets(seats=40, region_min={Region.CENTRAL_ASIA: 0.3})
    selection = propose_selection(cands, targets)
    assert len(selection.invited) == 40
    assert {f"ca{i}" for i in range(7)} <= set(selection.invited)
    (issue,) = selection.explanation.unmet
    assert issue.target.kind == "region_min" and issue.target.bound == 12
    assert (issue.actual, issue.by, issue.cause) == (7, 5, "applicants")
    assert issue.message == "Central Asia minimum 30% needs 12 seats, only 7 applicants"


def test_minimums_adding_up_to_more_than_the_seats_are_met_as_far_as_possible() -> None:
    cands = [cand(f"ca{i}", 1.0, country="KZ") for i in range(10)]
    cands += [cand(f"eu{i}", 5.0, country="DE") for i in range(10)]
    targets = Targets(seats=10, region_min={Region.CENTRAL_ASIA: 0.6, Region.EU: 0.6})
    selection = propose_selection(cands, targets)
    assert len(selection.invited) == 10
    regions = Counter(i[:2] for i in selection.invited)
    assert regions == {"ca": 4, "eu": 6} or regions == {"ca": 6, "eu": 4}
    assert sum(issue.by for issue in selection.explanation.unmet) == 2
    assert all(issue.cause == "targets" for issue in selection.explanation.unmet)


def test_a_role_blocked_by_caps_is_reported() -> None:
    cands = [
        cand("boss", 5.0, org="Ministry"),
        cand("lawyer", 1.0, role=Role.LEGAL_EXPERT, org="ministry "),  # same organisation
        cand("other", 4.0, org="NGO"),
    ]
    targets = Targets(seats=2, roles=frozenset({Role.LEGAL_EXPERT}), max_per_organisation=1)
    selection = propose_selection(cands, targets)
    # Dropping "boss" for "lawyer" keeps the role target: one seat short beats a 4-point loss.
    assert set(selection.invited) == {"lawyer", "other"}
    assert selection.explanation.unmet == ()
    targets = Targets(seats=2, roles=frozenset({Role.LEGAL_EXPERT}), max_per_country=1)
    selection = propose_selection(cands, targets, forced_in={"boss"})
    (issue,) = selection.explanation.unmet
    assert issue.target.kind == "role" and issue.by == 1
    assert issue.message == "at least one Legal expert: no applicant fits within the other targets"


def test_roles_nobody_applied_for_are_not_targets() -> None:
    cands = [cand("a", 1.0)]
    selection = propose_selection(cands, Targets(seats=1, roles=frozenset({Role.POLICE_OFFICER})))
    assert selection.invited == ("a",)
    assert selection.explanation.unmet == ()


# --- overrides --------------------------------------------------------------------------------


def test_overrides_win_over_targets_and_are_reported() -> None:
    cands = [
        cand("a", 5.0, org="X"),
        cand("b", 4.0, org="X"),
        cand("c", 1.0, org="X"),
        cand("d", 3.0, org="Y"),
        cand("e", 2.0, org="Z"),
    ]
    targets = Targets(seats=3, max_per_organisation=2)
    plain = propose_selection(cands, targets)
    assert plain.invited == ("a", "b", "d")
    sel = propose_selection(cands, targets, forced_in={"c"}, forced_out={"a"})
    assert set(sel.invited) == {"b", "c", "d"}
    assert sel.excluded == ("a",)
    assert "a" not in sel.waitlist
    sel = propose_selection(cands, targets, forced_in={"a", "b", "c"})
    assert set(sel.invited) == {"a", "b", "c"}
    (issue,) = sel.explanation.broken_by_overrides
    assert issue.target.kind == "organisation" and (issue.actual, issue.by) == (3, 1)
    passed = {p.id: p for p in sel.explanation.passed_over}
    assert passed["d"].reason.startswith("seat taken by an organiser's override")
    # Passed over by the organisers themselves.
    sel = propose_selection(cands, targets, forced_out={"a"})
    passed = {p.id: p for p in sel.explanation.passed_over}
    assert passed["a"].reason == "forced out by the organisers" and passed["a"].target is None


def test_forcing_in_more_than_the_seats_breaks_the_seat_target() -> None:
    cands = [cand(f"x{i}", float(i), country="KZ") for i in range(4)]
    targets = Targets(seats=2, region_max={Region.CENTRAL_ASIA: 0.5})
    sel = propose_selection(cands, targets, forced_in={"x0", "x1", "x2"})
    assert set(sel.invited) == {"x0", "x1", "x2"}
    kinds = {(i.target.kind, i.by) for i in sel.explanation.broken_by_overrides}
    assert kinds == {("seats", 1), ("region_max", 2)}


def test_forcing_out_every_applicant_of_a_region_or_role_is_blamed_on_the_override() -> None:
    cands = [cand("ca", 1.0, country="KZ", role=Role.LEGAL_EXPERT), cand("eu", 2.0)]
    targets = Targets(seats=2, region_min={Region.CENTRAL_ASIA: 0.5}, roles=frozenset({Role.LEGAL_EXPERT}))
    sel = propose_selection(cands, targets, forced_out={"ca"})
    assert sel.invited == ("eu",)
    causes = {(i.target.kind, i.cause) for i in sel.explanation.broken_by_overrides}
    assert causes == {("region_min", "overrides"), ("role", "overrides")}


def test_malformed_overrides_raise() -> None:
    cands = [cand("a", 1.0)]
    with pytest.raises(ValueError, match="both forced in and forced out"):
        propose_selection(cands, Targets(seats=1), forced_in={"a"}, forced_out={"a"})
    with pytest.raises(ValueError, match="unknown ids"):
        propose_selection(cands, Targets(seats=1), forced_in={"zz"})
    with pytest.raises(ValueError, match="unique"):
        propose_selection([cand("a", 1.0), cand("a", 2.0)], Targets(seats=1))


# --- unreviewed candidates, ties, determinism --------------------------------------------------


def test_unreviewed_candidates_only_take_seats_a_target_needs() -> None:
    cands = [cand("r1", 2.0), cand("r2", 0.5), cand("u1", None), cand("u2", None, country="KZ")]
    sel = propose_selection(cands, Targets(seats=4))
    assert sel.invited == ("r1", "r2")
    assert sel.waitlist == ("u1", "u2")
    sel = propose_selection(cands, Targets(seats=4, region_min={Region.CENTRAL_ASIA: 0.25}))
    assert set(sel.invited) == {"r1", "r2", "u2"}
    assert sel.explanation.unreviewed_invited == ("u2",)
    assert sel.explanation.total_score == pytest.approx(2.5)
    # A reviewed candidate, however low, is preferred to an unreviewed one for a target.
    cands.append(cand("r3", -3.0, country="UZ"))
    sel = propose_selection(cands, Targets(seats=4, region_min={Region.CENTRAL_ASIA: 0.25}))
    assert set(sel.invited) == {"r1", "r2", "r3"}
    sel = propose_selection(cands, Targets(seats=4), unreviewed_score=1.0)
    assert sel.invited == ("r1", "u1", "u2", "r2")


def test_ties_go_to_the_lower_id_whatever_the_input_order() -> None:
    cands = [cand(f"p{i}", 3.0, org="Same") for i in range(6)] + [cand("q", 3.5, org="Same")]
    targets = Targets(seats=3, max_per_organisation=2)
    first = propose_selection(cands, targets)
    assert first.invited == ("q", "p0")
    assert first.waitlist == ("p1", "p2", "p3", "p4", "p5")
    for seed in range(5):
        shuffled = cands[:]
        random.Random(seed).shuffle(shuffled)
        assert propose_selection(shuffled, targets) == first


def test_realistic_selection_is_deterministic() -> None:
    cands = realistic(400, 7)
    targets = Targets(
        seats=80,
        region_min={Region.CENTRAL_ASIA: 0.3},
        region_max={Region.EU: 0.6},
        roles=frozenset(ROLES),
        max_per_organisation=2,
        max_per_country=20,
    )
    first = propose_selection(cands, targets)
    assert propose_selection(list(reversed(cands)), targets) == first


# --- wait-list ---------------------------------------------------------------------------------


def test_waitlist_is_ordered_by_score_then_id_with_unreviewed_last() -> None:
    cands = [cand("d", None), cand("c", 2.0), cand("b", 3.0), cand("a", 2.0), cand("e", 9.0)]
    sel = propose_selection(cands, Targets(seats=1))
    assert sel.invited == ("e",)
    assert sel.waitlist == ("b", "a", "c", "d")
    assert [c.id for c in waitlist_order(cands)] == ["e", "b", "a", "c", "d"]


def test_next_from_waitlist_keeps_the_targets() -> None:
    cands = [
        cand("ca1", 4.0, country="KZ"),
        cand("eu1", 5.0, org="X"),
        cand("eu2", 4.9, org="X"),
        cand("eu3", 4.8, org="X"),  # organisation cap keeps it out
        cand("eu4", 4.2),
        cand("ca2", 2.0, country="UZ"),
        cand("u", None, country="KZ"),
    ]
    targets = Targets(seats=3, region_min={Region.CENTRAL_ASIA: 0.3}, max_per_organisation=2)
    sel = propose_selection(cands, targets)
    assert sel.invited == ("eu1", "eu2", "ca1")
    assert sel.waitlist == ("eu3", "eu4", "ca2", "u")
    by_id = {c.id: c for c in cands}
    selected = [by_id[i] for i in sel.invited]
    waitlist = [by_id[i] for i in sel.waitlist]
    # The only Central Asian declines: the best Central Asian on the list replaces them.
    assert next_from_waitlist(selected, waitlist, targets, "ca1") == by_id["ca2"]
    # eu3 would break the organisation cap, eu4 keeps everything.
    capped = Targets(seats=3, max_per_organisation=2)
    assert next_from_waitlist(selected, waitlist, capped, "ca1") == by_id["eu4"]
    # A member of X declines: eu3 fits again and tops the list.
    assert next_from_waitlist(selected, waitlist, targets, "eu2") == by_id["eu3"]
    # No target at stake: the top of the list.
    assert next_from_waitlist(selected, waitlist, Targets(seats=3), "ca1") == by_id["eu3"]
    # Unreviewed people are promoted only for a target.
    assert next_from_waitlist(selected, [by_id["u"]], capped, "eu2") is None
    assert next_from_waitlist(selected, [by_id["u"]], targets, "ca1") == by_id["u"]
    assert next_from_waitlist(selected, [], targets, "ca1") is None
    with pytest.raises(ValueError):
        next_from_waitlist(selected, waitlist, targets, "nobody")


# --- explanation -------------------------------------------------------------------------------


def test_explanation_names_the_targets_that_excluded_people() -> None:
    cands = [
        cand("x1", 9.0, org="X"),
        cand("x2", 8.5, org="X", country="FR"),
        cand("x3", 8.0, org="X", country="AT"),  # organisation cap
        cand("f1", 7.5, country="FR"),
        cand("f2", 7.4, country="FR"),  # country cap
        cand("a1", 7.0, country="AT"),
        cand("d2", 6.0),  # seat taken for Central Asia
        cand("k1", 1.0, country="KZ"),
        cand("low", 0.5),
    ]
    targets = Targets(
        seats=5,
        region_min={Region.CENTRAL_ASIA: 0.2},
        max_per_organisation=2,
        max_per_country=2,
    )
    sel = propose_selection(cands, targets)
    assert sel.invited == ("x1", "x2", "f1", "a1", "k1")
    ex = sel.explanation
    reasons = {p.id: p.reason for p in ex.passed_over}
    assert reasons == {
        "x3": "organisation cap 2 reached (X)",
        "f2": "country cap 2 reached (FR)",
        "d2": "seat taken for Central Asia minimum 20% (1 seat) (k1)",
    }
    assert ex.total_score == pytest.approx(9.0 + 8.5 + 7.5 + 7.0 + 1.0)
    assert [t.kind for t in ex.binding] == ["organisation", "country", "region_min", "seats"]
    assert ex.unmet == () and ex.broken_by_overrides == ()
    assert ex.filled == ex.seats == 5
    text = ex.describe()
    assert "total score 33" in text and "Passed over d2 (6)" in text


def test_a_seat_taken_for_a_minimum_is_explained() -> None:
    cands = [cand("e1", 9.0), cand("e2", 8.0), cand("e3", 7.0), cand("k", 1.0, country="KZ")]
    targets = Targets(seats=3, region_min={Region.CENTRAL_ASIA: 0.3})
    sel = propose_selection(cands, targets)
    assert sel.invited == ("e1", "e2", "k")
    (passed,) = sel.explanation.passed_over
    assert passed.id == "e3"
    assert passed.reason == "seat taken for Central Asia minimum 30% (1 seat) (k)"
    assert passed.target is not None and passed.target.kind == "region_min"
    assert [t.kind for t in sel.explanation.binding] == ["region_min", "seats"]


def test_region_maximum_is_explained_and_shares_round_the_strict_way() -> None:
    cands = [cand(f"e{i}", 9.0 - i) for i in range(5)] + [cand("n", 1.0, country="NO")]
    targets = Targets(seats=5, region_max={Region.EU: 0.7})  # 3.5 seats: at most 3
    sel = propose_selection(cands, targets)
    assert sel.invited == ("e0", "e1", "e2", "n")
    passed = {p.id: p for p in sel.explanation.passed_over}
    assert passed["e3"].reason == "EU member state maximum 70% (3 seats) reached"
    assert Targets(seats=5, region_min={Region.EU: 0.5}).min_seats(Region.EU) == 3
    assert Targets(seats=10, region_min={Region.EU: 0.3}).min_seats(Region.EU) == 3


def test_invalid_targets_raise() -> None:
    with pytest.raises(ValueError):
        Targets(seats=-1)
    with pytest.raises(ValueError):
        Targets(seats=3, region_min={Region.EU: 1.5})
    with pytest.raises(ValueError):
        Targets(seats=3, region_min={Region.EU: 0.6}, region_max={Region.EU: 0.5})
    with pytest.raises(ValueError):
        Targets(seats=3, max_per_country=-1)


def test_several_rare_roles_on_a_large_pool_reach_the_ilp_optimum() -> None:
    rng = random.Random(11)
    cands = []
    rare = (Role.LEGAL_EXPERT, Role.POLICE_OFFICER, Role.FAMILY_WORKER, Role.RESEARCHER)
    for c in realistic(800, 11):
        role = rare[rng.randrange(4)] if rng.random() < 0.05 else rng.choice((Role.EXIT_WORKER, Role.OTHER))
        if role in rare:  # rare roles: low scores, crowded international organisations
            c = Candidate(c.id, round(rng.uniform(1.0, 2.0), 1), role, c.region, c.country, f"UN{rng.randrange(6)}")
        else:
            c = Candidate(c.id, c.score, role, c.region, c.country, c.organisation)
        cands.append(c)
    targets = Targets(
        seats=80,
        region_min={Region.CENTRAL_ASIA: 0.3},
        region_max={Region.EU: 0.5},
        roles=frozenset(rare),
        max_per_organisation=2,
        max_per_country=20,
    )
    selection = propose_selection(cands, targets)
    oracle = ilp(cands, targets)
    assert oracle is not None
    ids = [c.id for c in cands]
    chosen = {ids.index(i) for i in selection.invited}
    assert shortfall_of(cands, targets, chosen, required_roles(cands, targets, ())) == oracle[0]
    assert achieved(cands, targets, selection.invited) == pytest.approx(oracle[1], abs=1e-6)
    check_maxima(cands, targets, selection.invited, ())
    assert selection.explanation.proven_optimal


def test_a_spent_time_budget_still_keeps_every_maximum_and_override() -> None:
    cands = realistic(2000, 5)
    targets = Targets(
        seats=200,
        region_min={Region.CENTRAL_ASIA: 0.3},
        region_max={Region.EU: 0.5},
        roles=frozenset(ROLES),
        max_per_organisation=2,
        max_per_country=50,
    )
    forced_in = {cands[0].id, cands[1].id}
    selection = propose_selection(cands, targets, forced_in=forced_in, forced_out={cands[2].id}, time_budget=0.0)
    check_maxima(cands, targets, selection.invited, forced_in)
    assert forced_in <= set(selection.invited) and cands[2].id in selection.excluded
    everyone = [*selection.invited, *selection.waitlist, *selection.excluded]
    assert sorted(everyone) == sorted(c.id for c in cands)
