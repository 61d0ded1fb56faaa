"""A country's likeliest time zone comes from where its people live, not from a hand-kept table."""

from __future__ import annotations

import pytest

from server.core.zones import country_zone, zone_names


@pytest.mark.parametrize(("country", "zone"), [
    ("KZ", "Asia/Almaty"), ("UZ", "Asia/Tashkent"), ("KG", "Asia/Bishkek"), ("TJ", "Asia/Dushanbe"),
    ("TM", "Asia/Ashgabat"), ("RU", "Europe/Moscow"), ("US", "America/New_York"), ("BE", "Europe/Brussels"),
    ("kz", "Asia/Almaty"),
])
def test_most_populated_zone_of_a_country(country: str, zone: str) -> None:
    assert country_zone(country) == zone


def test_unknown_or_empty_country_has_no_zone() -> None:
    assert country_zone("ZZ") is None and country_zone("") is None and country_zone(None) is None


def test_zone_names_are_iana_names_without_legacy_aliases() -> None:
    names = zone_names()
    assert "Asia/Almaty" in names and "Europe/Brussels" in names and "UTC" in names
    assert not any(n.startswith(("US/", "Etc/")) or ("/" not in n and n != "UTC") for n in names)
    assert list(names) == sorted(names)
