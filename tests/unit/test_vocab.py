import pytest

from server.core.vocab import (
    ROLE_GROUPS,
    Region,
    Role,
    UnknownCountry,
    country_name,
    normalise_country,
    normalise_language,
    region_of,
    role_group,
)


@pytest.mark.parametrize(
    ("code", "region"),
    [("DE", Region.EU), ("be", Region.EU), ("KZ", Region.CENTRAL_ASIA), ("UZ", Region.CENTRAL_ASIA),
     ("KG", Region.CENTRAL_ASIA), ("NO", Region.OTHER_EUROPE), ("GB", Region.OTHER_EUROPE),
     ("US", Region.OTHER), ("XK", Region.OTHER_EUROPE)],
)
def test_region_is_derived_from_the_country(code: str, region: Region) -> None:
    assert region_of(code) == region


@pytest.mark.parametrize("code", ["", "ZZ", "Germany", "DEU", "E1"])
def test_unknown_countries_are_refused(code: str) -> None:
    with pytest.raises(UnknownCountry):
        normalise_country(code)


def test_country_names_are_readable() -> None:
    assert country_name("kg") == "Kyrgyzstan"


def test_every_role_has_exactly_one_group() -> None:
    grouped = [role for roles in ROLE_GROUPS.values() for role in roles]
    assert sorted(grouped) == sorted(Role)
    assert role_group("probation_officer") == "prison_probation"


def test_languages() -> None:
    assert normalise_language("EN") == "en"
    assert normalise_language("Russian") == "ru"
    with pytest.raises(ValueError, match="ISO 639"):
        normalise_language("xx")
