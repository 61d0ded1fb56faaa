"""Break-out assignment engine: hard constraints, metrics recomputed here, exact optima, scenarios."""

from __future__ import annotations

import itertools
import random
import warnings
from collections import Counter
from collections.abc import Sequence

import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.vocab import ROLE_GROUPS, Region, Role, role_group
from server.sessions.breakouts import (
    AssignmentError,
    AssignmentResult,
    Person,
    RoomSpec,
    Round,
    assign,
    compute_metrics,
    place_late_joiner,
)
from server.sessions.breakouts.cohorts import hungarian

EU = ("DE", "FR", "NL", "BE", "AT", "IT", "ES", "SE")
CA = ("KZ", "UZ", "KG", "TJ")

# --------------------------------------------------------------------------- independent oracle


def recompute(
    people: Sequence[Person],
    result: AssignmentResult,
    previous: Sequence[Round] = (),
    separations: Sequence[Sequence[str]] = (),
    specs: Sequence[RoomSpec] | None = None,
) -> dict[str, object]:
    """The documented metric definitions, written again from scratch."""
    by_id = {p.id: p for p in people}
    rooms = [[by_id[i] for i in room] for room in result.rooms]
    specs = list(specs) if specs is not None else [RoomSpec()] * len(rooms)
    out: dict[str, object] = {}
    spread = {"role": 0, "region": 0}
    lacking = 0
    for theme in dict.fromkeys(result.themes):
        pool = [rooms[r] for r, t in enumerate(result.themes) if t == theme]
        sizes = [len(room) for room in pool]
        total = sum(sizes)
        for attr in ("role", "region"):
            for value in {getattr(p, attr) for room in pool for p in room}:
                n = sum(getattr(p, attr) == value for room in pool for p in room)
                for room in pool:
                    if max(sizes) - min(sizes) <= 1:
                        lo, hi = n // len(pool), -(-n // len(pool))
                    else:
                        lo, hi = n * len(room) // total, -(-n * len(room) // total)
                    c = sum(getattr(p, attr) == value for p in room)
                    spread[attr] += max(0, c - hi, lo - c)
        regions = Counter(p.region for room in pool for p in room)
        for room in pool:
            if any(n >= len(pool) and all(p.region != g for p in room) for g, n in regions.items()):
                lacking += 1
    out["spread_violations"] = spread
    out["rooms_lacking_region"] = lacking
    met = set()
    for rnd in previous:
        for room in rnd.rooms:
            met |= {frozenset(pair) for pair in itertools.combinations(room, 2)}
    apart = set()
    for group in separations:
        apart |= {frozenset(pair) for pair in itertools.combinations(group, 2) if len(set(pair)) == 2}
    orgs: dict[str, list[str]] = {}
    for p in people:
        if p.organisation:
            orgs.setdefault(p.organisation.casefold(), []).append(p.id)
    for ids in orgs.values():
        apart |= {frozenset(pair) for pair in itertools.combinations(ids, 2)}
    pairs = [frozenset(pair) for room in result.rooms for pair in itertools.combinations(room, 2)]
    out["repeat_pairs"] = sum(pair in met for pair in pairs)
    out["separation_pairs"] = sum(pair in apart for pair in pairs)
    sizes = [len(room) for room in rooms]
    out["size_range"] = (min(sizes), max(sizes))
    facs = sum(p.facilitator for room in rooms for p in room)
    covered = sum(any(p.facilitator for p in room) for room in rooms)
    out["rooms_without_facilitator"] = len(rooms) - covered
    out["facilitator_shortfall"] = min(facs, len(rooms)) - covered
    bad = []
    for r, room in enumerate(rooms):
        known = [set(p.languages) for p in room if p.languages]
        if specs[r].language:
            ok = all(specs[r].language in ls for ls in known)
        else:
            ok = not known or bool(set.intersection(*known))
        if not ok:
            bad.append(r)
    out["rooms_without_common_language"] = tuple(bad)
    out["theme_mismatches"] = sum(
        role_group(p.role) != t for room, t in zip(rooms, result.themes, strict=True) if t for p in room
    )
    return out


def reported(result: AssignmentResult) -> dict[str, object]:
    m = result.metrics
    return {
        "spread_violations": dict(m.spread_violations),
        "rooms_lacking_region": m.rooms_lacking_region,
        "repeat_pairs": m.repeat_pairs,
        "separation_pairs": m.separation_pairs,
        "size_range": m.size_range,
        "rooms_without_facilitator": m.rooms_without_facilitator,
        "facilitator_shortfall": m.facilitator_shortfall,
        "rooms_without_common_language": m.rooms_without_common_language,
        "theme_mismatches": m.theme_mismatches,
    }


def check_hard(people: Sequence[Person], result: AssignmentResult, locks: dict[str, int]) -> None:
    placed = [pid for room in result.rooms for pid in room]
    assert sorted(placed) == sorted(p.id for p in people)
    sizes = [len(room) for room in result.rooms]
    assert max(sizes) - min(sizes) <= 1
    for pid, r in locks.items():
        assert pid in result.rooms[r]


def make_people(n: int, seed: int, *, facilitators: int = 0, orgs: int = 0) -> list[Person]:
    rng = random.Random(seed)
    roles = list(Role)
    return [
        Person.from_country(
            f"p{i:02d}",
            rng.choice(roles),
            rng.choice(EU + CA),
            organisation=f"org{rng.randrange(orgs)}" if orgs else "",
            languages=("en",),
            facilitator=i < facilitators,
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------------- generated cases

person_st = st.tuples(
    st.sampled_from(list(Role)),
    st.sampled_from(EU[:3] + CA[:2] + ("NO", "US")),
    st.sampled_from(["", "", "a", "b", "c"]),
    st.sampled_from([("en",), ("en",), ("en", "ru"), ("ru",), ("fr", "en"), ()]),
    st.booleans(),
)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    rows = draw(st.lists(person_st, min_size=1, max_size=28))
    # Facilitators speak every language drawn, so that no language forbids one in a room and
    # the facilitator rule can always be met (language rooms may still be impossible).
    people = [
        Person.from_country(f"x{i}", r, c, organisation=o, languages=("en", "fr", "ru") if f else ls, facilitator=f)
        for i, (r, c, o, ls, f) in enumerate(rows)
    ]
    n_rooms = draw(st.integers(1, max(1, min(6, len(people)))))
    mode = draw(st.sampled_from(["mixed", "role"]))
    # An earlier round: any partition of (some of) the people.
    labels = draw(st.lists(st.integers(0, 4), min_size=len(people), max_size=len(people)))
    previous = Round.from_mapping({p.id: k for p, k in zip(people, labels, strict=True)})
    # Locks only on non-facilitators, at most one per room, so the hard constraints stay feasible.
    locks: dict[str, int] = {}
    if mode == "mixed":
        for p in people:
            if not p.facilitator and len(locks) < n_rooms and draw(st.booleans()):
                locks[p.id] = len(locks)
    seps = [[p.id for p in people[:2]]] if len(people) >= 2 and draw(st.booleans()) else []
    return {
        "people": people,
        "rooms": n_rooms,
        "mode": mode,
        "previous": [previous],
        "locks": locks,
        "separations": seps,
        "seed": draw(st.integers(0, 1000)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_generated_cases_keep_hard_constraints_and_report_true_metrics(case: dict) -> None:
    people = case["people"]
    result = assign(
        people,
        case["rooms"],
        mode=case["mode"],
        previous=case["previous"],
        locks=case["locks"],
        separations=case["separations"],
        seed=case["seed"],
    )
    check_hard(people, result, case["locks"])
    assert result.metrics.facilitator_shortfall == 0
    assert result.metrics.broken_locks == ()
    assert reported(result) == recompute(people, result, case["previous"], case["separations"])
    # The public recomputation (used after manual moves) agrees too.
    again = compute_metrics(
        people,
        result.rooms,
        themes=result.themes,
        previous=case["previous"],
        locks=case["locks"],
        separations=case["separations"],
    )
    assert again == result.metrics
    assert len(result.explanations) == len(result.rooms)


# --------------------------------------------------------------------------- exact optimum


def ilp_optimum(people: Sequence[Person], n_rooms: int, previous: Round) -> tuple[int, int]:
    """Lexicographic minimum of (spread violations, repeat pairs) by ILP with CBC."""
    n = len(people)
    lo_size, hi_size = n // n_rooms, -(-n // n_rooms)
    rooms = range(n_rooms)
    prob = pulp.LpProblem("breakouts", pulp.LpMinimize)
    x = {(i, r): prob.add_variable(f"x_{i}_{r}", cat="Binary") for i in range(n) for r in rooms}
    for i in range(n):
        prob += pulp.lpSum(x[i, r] for r in rooms) == 1
    for r in rooms:
        prob += pulp.lpSum(x[i, r] for i in range(n)) >= lo_size
        prob += pulp.lpSum(x[i, r] for i in range(n)) <= hi_size
    devs = []
    for attr in ("role", "region"):
        for value in sorted({str(getattr(p, attr)) for p in people}):
            who = [i for i, p in enumerate(people) if str(getattr(p, attr)) == value]
            lo, hi = len(who) // n_rooms, -(-len(who) // n_rooms)
            for r in rooms:
                d = prob.add_variable(f"d_{attr}_{value}_{r}", lowBound=0)
                count = pulp.lpSum(x[i, r] for i in who)
                prob += d >= count - hi
                prob += d >= lo - count
                devs.append(d)
    index = {p.id: i for i, p in enumerate(people)}
    met = sorted(
        {tuple(sorted((index[a], index[b]))) for room in previous.rooms for a, b in itertools.combinations(room, 2)}
    )
    ys = []
    for a, b in met:
        for r in rooms:
            y = prob.add_variable(f"y_{a}_{b}_{r}", lowBound=0)
            prob += y >= x[a, r] + x[b, r] - 1
            ys.append(y)
    big = len(met) + 1
    prob += big * pulp.lpSum(devs) + pulp.lpSum(ys)
    with warnings.catch_warnings():
        # pulp 3.x warns that the bundled CBC goes away in 4.0; it is what the oracle uses here.
        warnings.simplefilter("ignore", DeprecationWarning)
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[status] == "Optimal"
    spread = round(sum(d.value() for d in devs))
    repeats = round(sum(y.value() for y in ys))
    return spread, repeats


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Role)[:4]), st.sampled_from(("DE", "FR", "KZ", "UZ"))),
        min_size=4,
        max_size=12,
    ),
    st.integers(2, 3),
    st.lists(st.integers(0, 3), min_size=12, max_size=12),
    st.integers(0, 100),
)
def test_small_cases_reach_the_exact_optimum(rows, n_rooms, labels, seed) -> None:
    people = [Person.from_country(f"s{i}", r, c, languages=("en",)) for i, (r, c) in enumerate(rows)]
    previous = Round.from_mapping({p.id: labels[i] for i, p in enumerate(people)})
    result = assign(people, n_rooms, previous=[previous], seed=seed)
    got = (result.metrics.total_spread_violations, result.metrics.repeat_pairs)
    assert got == ilp_optimum(people, n_rooms, previous)


def test_tiny_case_matches_exhaustive_search() -> None:
    people = make_people(8, seed=3)
    previous = Round((tuple(p.id for p in people[:4]), tuple(p.id for p in people[4:])))
    best = None
    ids = [p.id for p in people]
    for combo in itertools.combinations(ids, 4):
        rooms = (combo, tuple(i for i in ids if i not in combo))
        m = compute_metrics(people, rooms, previous=[previous])
        key = (m.total_spread_violations, m.repeat_pairs)
        best = key if best is None or key < best else best
    result = assign(people, 2, previous=[previous], seed=5)
    assert (result.metrics.total_spread_violations, result.metrics.repeat_pairs) == best


# --------------------------------------------------------------------------- reference scenario


def reference_people() -> list[Person]:
    """40 practitioners, EU and Central Asia, eight roles, five facilitators."""
    roles = [
        Role.EXIT_WORKER,
        Role.PRISON_OFFICER,
        Role.PROBATION_OFFICER,
        Role.MENTAL_HEALTH,
        Role.LEGAL_EXPERT,
        Role.POLICE_OFFICER,
        Role.FAMILY_WORKER,
        Role.SOCIAL_WORKER,
    ]
    people = []
    for i in range(40):
        country = (EU + CA)[i % 12]
        people.append(
            Person.from_country(
                f"r{i:02d}",
                roles[i % 8],
                country,
                organisation=f"{country}-{i % 3}",
                languages=("en", "ru") if country in CA else ("en",),
                facilitator=i % 8 == 0,
            )
        )
    return people


def pigeonhole(size: int, groups: int) -> int:
    q, r = divmod(size, groups)
    return r * (q + 1) * q // 2 + (groups - r) * q * (q - 1) // 2


def test_reference_scenario_two_days() -> None:
    people = reference_people()
    day1 = assign(people, 5, seed=2026)
    day2 = assign(people, 5, previous=[day1.as_round()], seed=2027)
    for day in (day1, day2):
        check_hard(people, day, {})
        assert day.metrics.total_spread_violations == 0
        assert day.metrics.hard_violations == 0
        assert day.metrics.rooms_lacking_region == 0
        assert day.metrics.separation_pairs == 0
        assert all(sum(p.facilitator for p in people if p.id in room) == 1 for room in day.rooms)
    # Eight people in a room drawn from five day-one rooms: at least three pairs meet again in
    # every room (pigeonhole), so 15 is the optimum, not zero.
    assert day2.metrics.repeat_pairs == 5 * pigeonhole(8, 5) == 15


def test_zero_repeats_when_they_exist() -> None:
    people = reference_people()
    day1 = assign(people, 8, seed=1)
    day2 = assign(people, 8, previous=[day1.as_round()], seed=2)
    assert day2.metrics.repeat_pairs == 0
    assert day2.metrics.total_spread_violations == 0
    day3 = assign(people, 8, previous=[day1.as_round(), day2.as_round()], seed=3)
    assert day3.metrics.repeat_pairs == 0


def meeting(n: int, rooms: int, seed: int) -> list[Person]:
    """The benchmark's meeting: 60 % EU, 30 % Central Asia, uneven roles, ~4 per organisation."""
    rng = random.Random(seed)
    weights = [3, 3, 2, 3, 2, 2, 2, 2, 1, 1, 1, 1]
    eu = ("DE", "FR", "NL", "BE", "AT", "SE", "DK", "IT", "ES", "PL")
    people = []
    for i in range(n):
        draw = rng.random()
        country = rng.choice(eu if draw < 0.6 else CA if draw < 0.9 else ("NO", "GB", "CH", "AL"))
        people.append(
            Person.from_country(
                f"p{i:05d}",
                rng.choices(list(Role), weights)[0],
                country,
                organisation=f"org{rng.randrange(max(1, n // 4))}",
                languages=("en", "ru") if country in CA else ("en",),
                facilitator=i < rooms,
            )
        )
    return people


def test_a_tight_later_round_mostly_reaches_zero_repeats() -> None:
    # 60 people, 8 rooms: every day-two room must take one person from (nearly) every day-one
    # room. Seeds 2-6 left 1, 1, 0, 1, 2 repeat pairs before the cohort deal and the
    # repeat-keeping first phase; now 0, 1, 0, 0, 1, and the benchmark's seed (2) reaches 0.
    people = meeting(60, 8, seed=60)
    day1 = assign(people, 8, seed=1, time_limit=None)
    repeats = []
    for seed in range(2, 7):
        day2 = assign(people, 8, previous=[day1.as_round()], seed=seed, time_limit=None)
        assert day2.metrics.total_spread_violations == 0 and day2.metrics.hard_violations == 0
        repeats.append(day2.metrics.repeat_pairs)
    assert repeats[0] == 0
    assert sum(repeats) <= 2


def test_the_cohort_rebalance_solves_assignments_exactly() -> None:
    rng = random.Random(3)
    for size in range(1, 7):
        cost = [[rng.randrange(-5, 6) for _ in range(size)] for _ in range(size)]
        columns = hungarian(cost)
        assert sorted(columns) == list(range(size))
        best = min(sum(cost[r][c] for r, c in enumerate(p)) for p in itertools.permutations(range(size)))
        assert sum(cost[r][c] for r, c in enumerate(columns)) == best


def test_a_swaps_predicted_cost_change_is_the_change_a_fresh_count_finds() -> None:
    """The search trusts ``delta`` (the unrolled hot path) for every move and keeps its counts
    up to date swap by swap: both must agree with the cost counted from scratch."""
    from server.sessions.breakouts.assignment import _neighbours, _Weights
    from server.sessions.breakouts.rules import earlier_pairs, separated_pairs
    from server.sessions.breakouts.state import SearchState

    rng = random.Random(11)
    people = make_people(30, seed=11, facilitators=4, orgs=6)
    people = [
        Person.from_country(p.id, p.role, p.country, organisation=p.organisation,
                            languages=("en", "ru") if i % 3 else ("ru",), facilitator=p.facilitator)
        for i, p in enumerate(people)
    ]
    ids = {p.id: i for i, p in enumerate(people)}
    sizes = [8, 8, 7, 7]
    specs = [RoomSpec() for _ in sizes]
    previous = [Round(tuple(tuple(p.id for p in people[k::4]) for k in range(4)))]
    weights = _Weights.for_sizes(sizes, len(people))
    neighbours = _neighbours(
        ids, earlier_pairs(previous, set(ids)), separated_pairs(people, (), True), weights.repeat
    )

    def state(room_of: list[int]) -> SearchState:
        return SearchState(people, list(room_of), {None: [0, 1, 2, 3]}, specs, sizes, set(), neighbours,
                           (weights.hard, weights.spread))

    room_of = [room for room, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(room_of)
    checked = 0
    for _ in range(400):
        person, partner = rng.sample(range(len(people)), 2)
        if room_of[person] == room_of[partner]:
            continue
        before = state(room_of)
        predicted = before.delta(person, partner)
        cost_before = before.cost()
        before.swap(person, partner)  # the incremental bookkeeping the search relies on
        room_of[person], room_of[partner] = room_of[partner], room_of[person]
        fresh = state(room_of)
        assert fresh.cost() - cost_before == predicted
        assert before.cost() == fresh.cost()
        checked += 1
    assert checked > 250


def test_the_searchs_fast_draw_gives_randranges_very_draws() -> None:
    """A seed must keep giving the rooms it gave (saved rounds are re-run around locks with it):
    the search's own index draw must be ``randrange``'s, draw for draw, on this Python."""
    from server.sessions.breakouts.search import _index_below

    ours, theirs = random.Random(5), random.Random(5)
    sizes = [1, 2, 3, 5, 7, 8, 60, 64, 65, 500, 4999]
    assert [_index_below(ours, n) for n in sizes * 50] == [theirs.randrange(n) for n in sizes * 50]


# --------------------------------------------------------------------------- constraints


def test_locks_hold() -> None:
    people = make_people(30, seed=1)
    locks = {"p00": 0, "p01": 0, "p02": 3, "p29": 4}
    result = assign(people, 5, locks=locks, seed=9)
    check_hard(people, result, locks)
    assert result.metrics.broken_locks == ()
    assert "locked here: p00, p01" in result.explanations[0]
    with pytest.raises(AssignmentError):
        assign(people, 5, locks={"nobody": 0})
    with pytest.raises(AssignmentError):
        assign(people, 5, locks={"p00": 5})
    with pytest.raises(AssignmentError):
        assign(people, 5, locks={f"p{i:02d}": 0 for i in range(7)})


def test_same_organisation_is_separated_and_explicit_separations_hold() -> None:
    people = [
        Person.from_country(p.id, p.role, p.country, organisation=f"org{i % 5}", languages=("en",))
        for i, p in enumerate(make_people(30, seed=2))
    ]  # six per organisation, six rooms
    result = assign(people, 6, seed=4)
    assert result.metrics.separation_pairs == 0
    by_room = [Counter(p.organisation for p in people if p.id in room) for room in result.rooms]
    assert all(max(c.values()) == 1 for c in by_room)
    crowded = make_people(30, seed=2, orgs=5)  # organisations of 9, 8, 6, 5 and 2
    # Nine colleagues in six rooms: three pairs must meet, eight: two; nothing more.
    assert assign(crowded, 6, seed=4).metrics.separation_pairs == 3 + 2
    together = assign(people, 6, seed=4, separate_organisations=False)
    assert together.metrics.separation_pairs == 0  # nothing asked
    seps = [["p00", "p01", "p02"]]
    apart = assign(people, 3, separations=seps, separate_organisations=False, seed=1)
    rooms = {pid: r for r, room in enumerate(apart.rooms) for pid in room}
    assert len({rooms["p00"], rooms["p01"], rooms["p02"]}) == 3


def test_one_facilitator_per_room() -> None:
    people = make_people(30, seed=3, facilitators=5)
    result = assign(people, 5, seed=1)
    assert [sum(p.facilitator for p in people if p.id in room) for room in result.rooms] == [1] * 5
    few = assign(make_people(30, seed=3, facilitators=2), 5, seed=1)
    assert few.metrics.rooms_without_facilitator == 3
    assert few.metrics.facilitator_shortfall == 0
    assert sum("no facilitator (2 facilitator(s)" in line for line in few.explanations) == 3


def test_language_constraint_is_met_when_possible_and_reported_when_not() -> None:
    rng = random.Random(5)
    people = [
        Person.from_country(
            f"l{i}",
            rng.choice(list(Role)),
            rng.choice(EU + CA),
            languages=(("ru",) if i < 12 else ("en",) if i < 24 else ("en", "ru")),
        )
        for i in range(30)
    ]
    result = assign(people, 5, seed=2)
    assert result.metrics.rooms_without_common_language == ()
    assert all("common language" in line for line in result.explanations)
    # One room must speak French, but nobody does: the engine names that room.
    specs = [RoomSpec(language="fr")] + [RoomSpec()] * 4
    broken = assign(people, specs, seed=2)
    assert broken.metrics.rooms_without_common_language == (0,)
    assert broken.metrics.hard_violations >= 1
    assert "NOT spoken by every member" in broken.explanations[0]
    # Someone speaking only Kazakh can share no language with anyone.
    lone = [*people[:9], Person.from_country("kk", Role.OTHER, "KZ", languages=("kk",))]
    alone = assign(lone, 2, seed=1)
    assert len(alone.metrics.rooms_without_common_language) == 1
    assert any("NO common language" in line for line in alone.explanations)


def test_capacities_are_respected() -> None:
    people = make_people(25, seed=4)
    specs = [RoomSpec(capacity=4), RoomSpec(capacity=12), RoomSpec(), RoomSpec(capacity=6)]
    result = assign(people, specs, seed=3)
    sizes = [len(room) for room in result.rooms]
    assert sizes[0] <= 4 and sizes[1] <= 12 and sizes[3] <= 6 and sum(sizes) == 25
    assert sizes == [4, 8, 7, 6]  # as even as the capacities allow
    assert result.metrics.rooms_over_capacity == ()
    assert reported(result) == recompute(people, result, specs=specs)
    with pytest.raises(AssignmentError):
        assign(people, [RoomSpec(capacity=10), RoomSpec(capacity=10)])
    capped = assign(people, 5, size=5, seed=1)
    assert [len(room) for room in capped.rooms] == [5] * 5


def test_size_alone_chooses_the_number_of_rooms() -> None:
    result = assign(make_people(41, seed=6), size=8, seed=1)
    assert sorted(len(room) for room in result.rooms) == [6, 7, 7, 7, 7, 7]


def test_late_joiner_goes_to_the_smallest_room_that_keeps_the_spread() -> None:
    people = make_people(27, seed=7)
    result = assign(people, 4, seed=1)
    newcomer = Person.from_country("late", Role.POLICE_OFFICER, "KZ", languages=("en",))
    index, reason = place_late_joiner(people, result.rooms, newcomer)
    sizes = [len(room) for room in result.rooms]
    assert sizes[index] == min(sizes)
    assert "keeps the role and region spread" in reason
    after = [list(room) for room in result.rooms]
    after[index].append("late")
    m = compute_metrics([*people, newcomer], after)
    assert m.total_spread_violations == 0
    # Every smallest room that would keep the spread is a fair choice; the engine picks the first.
    with pytest.raises(AssignmentError):
        place_late_joiner(people, result.rooms, people[0])


def test_late_joiner_avoids_breaking_the_language() -> None:
    people = [Person.from_country(f"a{i}", Role.OTHER, "DE", languages=("en",)) for i in range(4)] + [
        Person.from_country(f"b{i}", Role.OTHER, "KZ", languages=("ru",)) for i in range(4)
    ]
    rooms = [[f"a{i}" for i in range(4)], [f"b{i}" for i in range(4)]]
    newcomer = Person.from_country("late", Role.OTHER, "UZ", languages=("ru",))
    index, _ = place_late_joiner(people, rooms, newcomer)
    assert index == 1


def test_determinism_for_a_seed() -> None:
    people = make_people(60, seed=8, facilitators=8, orgs=20)
    first = assign(people, 8, seed=42)
    again = assign(list(people), 8, seed=42)
    assert first == again
    prev = [first.as_round()]
    assert assign(people, 8, previous=prev, seed=1) == assign(people, 8, previous=prev, seed=1)


def test_role_mode_themes_rooms_by_role_group() -> None:
    rng = random.Random(11)
    sizes = {
        "prison_probation": 12,
        "police_legal": 8,
        "care_family_community": 12,
        "exit_work": 4,
        "research_policy_other": 4,
    }
    people = []
    for group, count in sizes.items():
        for k in range(count):
            role = ROLE_GROUPS[group][k % len(ROLE_GROUPS[group])]
            people.append(Person.from_country(f"{group}{k}", role, rng.choice(EU[:2] + CA[:2]), languages=("en",)))
    result = assign(people, 5, mode="role", seed=3)
    # Adams: each group a room, no room left over; 40 in 5 rooms of 8: overflow is seated elsewhere.
    assert sorted(t for t in result.themes if t) == sorted(sizes)
    assert result.metrics.theme_mismatches == 4 + 0 + 4 + 0 + 0  # 12 > 8 twice
    for room, theme in zip(result.rooms, result.themes, strict=True):
        groups = Counter(role_group(p.role) for p in people if p.id in room)
        assert groups.most_common(1)[0][0] == theme or groups[theme] >= 4
    ten = assign(people, 10, mode="role", seed=3)
    assert Counter(ten.themes) == {
        "prison_probation": 3,
        "police_legal": 2,
        "care_family_community": 3,
        "exit_work": 1,
        "research_policy_other": 1,
    }
    assert ten.metrics.theme_mismatches == 0
    assert ten.metrics.total_spread_violations == 0
    for room, theme in zip(ten.rooms, ten.themes, strict=True):
        members = [p for p in people if p.id in room]
        assert all(role_group(p.role) == theme for p in members)
        if len(members) >= 4:
            assert {p.region for p in members} == {Region.EU, Region.CENTRAL_ASIA}


def test_bad_input_is_refused() -> None:
    people = make_people(5, seed=1)
    with pytest.raises(AssignmentError):
        assign([*people, people[0]], 2)
    with pytest.raises(AssignmentError):
        assign(people, 0)
    with pytest.raises(AssignmentError):
        assign(people)
    with pytest.raises(AssignmentError):
        assign(people, [RoomSpec(role_group="nope")])
    with pytest.raises(AssignmentError):
        assign(people, 2, separations=[["p00", "ghost"]])


def test_room_notes_are_data_said_in_english_here_and_in_every_language_at_the_edge() -> None:
    """A proposal's notes survive storage as JSON; anything else stored is refused (the page then
    rebuilds the lines from the rooms); every note the engine can say has a translatable wording."""
    from server.breakouts.room_notes import _SAY
    from server.sessions.breakouts import notes

    people = make_people(12, seed=3)
    result = assign(people, [RoomSpec() for _ in range(3)], seed=1)
    stored = notes.as_json(result.notes)
    assert notes.from_json(stored) == [list(room) for room in result.notes]
    assert tuple(notes.english(room) for room in notes.from_json(stored) or []) == result.explanations
    assert result.explanations[0].startswith("Room 1: 4 people; ")
    for garbage in (None, "Room 1", [["room"]], [[["nope", {}]]], [[["room", "x"]]]):
        assert notes.from_json(garbage) is None
    assert set(_SAY) == set(notes._ENGLISH)
