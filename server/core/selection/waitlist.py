"""The wait-list: its order, and who replaces someone who declines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from server.core.selection.model import Candidate, Targets
from server.core.selection.problem import org_key
from server.core.vocab import Region


def waitlist_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Reviewed candidates by score (high first), then unreviewed ones; ties by id."""
    return sorted(candidates, key=_score_order)


def next_from_waitlist(
    selected: Sequence[Candidate],
    waitlist: Sequence[Candidate],
    targets: Targets,
    declined_id: str,
) -> Candidate | None:
    """The wait-listed candidate to invite when ``declined_id`` declines.

    Picks the replacement that keeps the targets best: first no maximum target broken
    further, then the smallest total shortfall of minimum targets, then wait-list order.
    An unreviewed or negatively scored candidate is taken only when that lowers the
    shortfall (as in ``propose_selection``). Returns None when nobody fits.
    """
    remaining = [c for c in selected if c.id != declined_id]
    if len(remaining) == len(selected):
        raise ValueError(f"{declined_id!r} is not among the selected")
    base_excess, base_shortfall = _target_violation(remaining, targets)
    best: tuple[int, bool, int] | None = None
    best_candidate: Candidate | None = None
    taken = {c.id for c in selected}
    for position, candidate in enumerate(waitlist):
        if candidate.id in taken:
            continue
        excess, shortfall = _target_violation([*remaining, candidate], targets)
        if excess > base_excess:
            continue  # never break a maximum to fill a seat
        unwanted = candidate.score is None or candidate.score < 0
        if unwanted and shortfall >= base_shortfall:
            continue
        rank = (shortfall, unwanted, position)
        if best is None or rank < best:
            best, best_candidate = rank, candidate
    return best_candidate


def _score_order(candidate: Candidate) -> tuple[int, float, str]:
    if candidate.score is None:
        return (1, 0.0, candidate.id)
    return (0, -candidate.score, candidate.id)


def _target_violation(group: Sequence[Candidate], targets: Targets) -> tuple[int, int]:
    """(seats over maxima, seats short of minima) of a group; roles count as minima."""
    excess = max(0, len(group) - targets.seats)
    shortfall = 0
    per_region: dict[Region, int] = defaultdict(int)
    per_org: dict[str, int] = defaultdict(int)
    per_country: dict[str, int] = defaultdict(int)
    roles = {c.role for c in group}
    for c in group:
        per_region[c.region] += 1
        per_country[c.country] += 1
        org = org_key(c.organisation)
        if org is not None:
            per_org[org] += 1
    for region in Region:
        excess += max(0, per_region[region] - targets.max_seats(region))
        shortfall += max(0, targets.min_seats(region) - per_region[region])
    if targets.max_per_organisation is not None:
        excess += sum(max(0, n - targets.max_per_organisation) for n in per_org.values())
    if targets.max_per_country is not None:
        excess += sum(max(0, n - targets.max_per_country) for n in per_country.values())
    shortfall += len(targets.roles - roles)
    return excess, shortfall
