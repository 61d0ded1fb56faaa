"""Controlled vocabularies: practitioner roles, role groups, regions, whom people work with.

Pure data and lookups; every other module names roles and regions through here.
"""

from __future__ import annotations

from enum import StrEnum

import pycountry


class Role(StrEnum):
    EXIT_WORKER = "exit_worker"
    PRISON_OFFICER = "prison_officer"
    PROBATION_OFFICER = "probation_officer"
    MENTAL_HEALTH = "mental_health_professional"
    LEGAL_EXPERT = "legal_expert"
    POLICE_OFFICER = "police_officer"
    FAMILY_WORKER = "family_worker"
    COMMUNITY_WORKER = "community_worker"
    SOCIAL_WORKER = "social_worker"
    RESEARCHER = "researcher"
    POLICY_MAKER = "policy_maker"
    OTHER = "other"


ROLE_LABELS: dict[Role, str] = {
    Role.EXIT_WORKER: "Exit worker",
    Role.PRISON_OFFICER: "Prison officer",
    Role.PROBATION_OFFICER: "Probation officer",
    Role.MENTAL_HEALTH: "Mental-health professional",
    Role.LEGAL_EXPERT: "Legal expert",
    Role.POLICE_OFFICER: "Police officer",
    Role.FAMILY_WORKER: "Family worker",
    Role.COMMUNITY_WORKER: "Community worker",
    Role.SOCIAL_WORKER: "Social worker",
    Role.RESEARCHER: "Researcher",
    Role.POLICY_MAKER: "Policy maker",
    Role.OTHER: "Other",
}

# Themed break-out rooms ("by role group" mode). Every role belongs to exactly one group;
# the last group collects roles that have no natural theme of their own.
ROLE_GROUPS: dict[str, tuple[Role, ...]] = {
    "prison_probation": (Role.PRISON_OFFICER, Role.PROBATION_OFFICER),
    "police_legal": (Role.POLICE_OFFICER, Role.LEGAL_EXPERT),
    "care_family_community": (
        Role.MENTAL_HEALTH,
        Role.FAMILY_WORKER,
        Role.COMMUNITY_WORKER,
        Role.SOCIAL_WORKER,
    ),
    "exit_work": (Role.EXIT_WORKER,),
    "research_policy_other": (Role.RESEARCHER, Role.POLICY_MAKER, Role.OTHER),
}

ROLE_GROUP_LABELS: dict[str, str] = {
    "prison_probation": "Prison and probation",
    "police_legal": "Police and legal",
    "care_family_community": "Mental health, family and community",
    "exit_work": "Exit work",
    "research_policy_other": "Research, policy and other",
}


def role_group(role: Role | str) -> str:
    """Return the name of the role group a role belongs to."""
    value = Role(role)
    for name, roles in ROLE_GROUPS.items():
        if value in roles:
            return name
    raise AssertionError(f"role {value} has no group")  # unreachable: groups cover every role


class Region(StrEnum):
    EU = "eu"
    OTHER_EUROPE = "other_europe"
    CENTRAL_ASIA = "central_asia"
    OTHER = "other"


REGION_LABELS: dict[Region, str] = {
    Region.EU: "EU member state",
    Region.OTHER_EUROPE: "Other Europe",
    Region.CENTRAL_ASIA: "Central Asia",
    Region.OTHER: "Other",
}

EU_MEMBER_STATES = frozenset(
    [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"
    ]
)
CENTRAL_ASIA = frozenset(["KZ", "KG", "TJ", "TM", "UZ"])
OTHER_EUROPE = frozenset(
    [
        "AL", "AD", "AM", "AZ", "BY", "BA", "FO", "GE", "GI", "IS", "XK", "LI", "MD", "MC", "ME",
        "MK", "NO", "RU", "SM", "RS", "CH", "TR", "UA", "GB", "VA"
    ]
)


class UnknownCountry(ValueError):
    """Raised for a code that is not an ISO 3166-1 alpha-2 country."""


def normalise_country(code: str) -> str:
    """Return the upper-case ISO 3166-1 alpha-2 code, or raise UnknownCountry."""
    value = code.strip().upper()
    # Kosovo has a user-assigned code that ISO lists nowhere but everyone uses.
    if value == "XK" or (len(value) == 2 and pycountry.countries.get(alpha_2=value) is not None):
        return value
    raise UnknownCountry(f"'{code}' is not an ISO 3166-1 alpha-2 country code")


def country_name(code: str) -> str:
    """Return the common English name of a country code."""
    value = normalise_country(code)
    if value == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=value)
    assert country is not None
    return str(getattr(country, "common_name", None) or country.name)


def region_of(code: str) -> Region:
    """Derive the region from an ISO 3166-1 alpha-2 country code."""
    value = normalise_country(code)
    if value in EU_MEMBER_STATES:
        return Region.EU
    if value in CENTRAL_ASIA:
        return Region.CENTRAL_ASIA
    if value in OTHER_EUROPE:
        return Region.OTHER_EUROPE
    return Region.OTHER


class WorksWith(StrEnum):
    RETURNING_FIGHTERS = "returning_fighters"
    FAMILIES = "families"
    CHILDREN = "children"
    EXPECT_IN_FUTURE = "expect_in_future"


WORKS_WITH_LABELS: dict[WorksWith, str] = {
    WorksWith.RETURNING_FIGHTERS: "Returning foreign terrorist fighters",
    WorksWith.FAMILIES: "Their families",
    WorksWith.CHILDREN: "Their children",
    WorksWith.EXPECT_IN_FUTURE: "Not yet, but I expect to in future",
}


def normalise_language(code: str) -> str:
    """Return a lower-case ISO 639-1 code (or 639-3 where no 639-1 exists), or raise ValueError."""
    value = code.strip().lower()
    if len(value) == 2 and pycountry.languages.get(alpha_2=value) is not None:
        return value
    if len(value) == 3 and pycountry.languages.get(alpha_3=value) is not None:
        return value
    by_name = pycountry.languages.get(name=code.strip().title())
    if by_name is not None:
        return str(getattr(by_name, "alpha_2", None) or by_name.alpha_3)
    raise ValueError(f"'{code}' is not an ISO 639 language code")
