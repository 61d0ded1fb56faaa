"""The selection page in words: totals against the targets, and each binding target as a sentence."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from flask_babel import gettext as _

from server.core.vocab import REGION_LABELS, ROLE_LABELS, Region, Role, country_name


def binding_sentence(target: dict[str, Any]) -> str:
    """'At least 3 seats go to Central Asia; without this target the total score would be higher.'"""
    kind, subject, bound = target["kind"], target["subject"], target["bound"]
    if kind == "region_min":
        return _("At least %(n)d seats must go to people from %(region)s, which cost score.", n=bound,
                 region=REGION_LABELS[Region(subject)])
    if kind == "region_max":
        return _("At most %(n)d seats may go to people from %(region)s, which cost score.", n=bound,
                 region=REGION_LABELS[Region(subject)])
    if kind == "role":
        return _("At least one %(role)s must be invited, which cost score.", role=ROLE_LABELS[Role(subject)])
    if kind == "organisation":
        return _("At most %(n)d people from %(organisation)s may be invited, which cost score.", n=bound,
                 organisation=subject)
    if kind == "country":
        return _("At most %(n)d people from %(country)s may be invited, which cost score.", n=bound,
                 country=country_name(subject))
    return _("Only %(n)d seats are available.", n=bound)


def totals(invited: list[dict[str, Any]], targets: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Invited people counted by region, role and country, each beside its target (None: no target)."""
    seats = int(targets["seats"])
    regions, roles, countries = (Counter(p[k] for p in invited) for k in ("region", "role", "country"))
    region_rows = []
    for region in Region:
        low, high = targets["region_min"].get(region.value), targets["region_max"].get(region.value)
        target = []
        if low is not None:
            target.append(_("at least %(n)d", n=math.ceil(low * seats)))
        if high is not None:
            target.append(_("at most %(n)d", n=math.floor(high * seats)))
        if regions[region.value] or target:
            region_rows.append({"label": REGION_LABELS[region], "count": regions[region.value],
                                "target": ", ".join(target)})
    role_rows = [{"label": ROLE_LABELS[Role(r)], "count": n,
                  "target": _("at least 1") if r in targets["roles"] else ""} for r, n in roles.most_common()]
    role_rows += [{"label": ROLE_LABELS[Role(r)], "count": 0, "target": _("at least 1")}
                  for r in targets["roles"] if r not in roles]
    cap = targets.get("max_per_country")
    country_rows = [{"label": country_name(c), "count": n, "target": _("at most %(n)d", n=cap) if cap else ""}
                    for c, n in sorted(countries.items(), key=lambda item: country_name(item[0]))]
    return {"regions": region_rows, "roles": role_rows, "countries": country_rows}


PEOPLE_SORTS = ("name", "organisation", "country", "role", "score")


def sort_people(people: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """The invited list sorted by a column (the wait-list keeps its order: it is the offer order)."""
    key = sort.lstrip("-")
    if key not in PEOPLE_SORTS:
        return people

    def value(p: dict[str, Any]) -> Any:
        if key == "country":
            return country_name(p["country"])
        if key == "role":
            return ROLE_LABELS[Role(p["role"])]
        if key == "score":
            return p["score"] if p["score"] is not None else -1.0
        return (p[key] or "").casefold()

    return sorted(people, key=value, reverse=sort.startswith("-"))
