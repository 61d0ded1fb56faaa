"""Controlled vocabularies: practitioner roles, role groups, regions, whom people work with,
agenda item kinds, application and mail states.

Pure data and lookups; every other module names roles and regions through here. Labels are
plain English msgids marked with ``N_`` (a no-op, so the core stays free of Flask): Babel's
extractor finds them (``convene translations extract`` passes ``-k N_``) and the edges translate
them with ``gettext(label)`` when they show them.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

import pycountry


def N_(message: str) -> str:
    """Mark `message` for translation without translating it (the edge translates)."""
    return message


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
    Role.EXIT_WORKER: N_("Exit worker"),
    Role.PRISON_OFFICER: N_("Prison officer"),
    Role.PROBATION_OFFICER: N_("Probation officer"),
    Role.MENTAL_HEALTH: N_("Mental-health professional"),
    Role.LEGAL_EXPERT: N_("Legal expert"),
    Role.POLICE_OFFICER: N_("Police officer"),
    Role.FAMILY_WORKER: N_("Family worker"),
    Role.COMMUNITY_WORKER: N_("Community worker"),
    Role.SOCIAL_WORKER: N_("Social worker"),
    Role.RESEARCHER: N_("Researcher"),
    Role.POLICY_MAKER: N_("Policy maker"),
    Role.OTHER: N_("Other"),
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
    "prison_probation": N_("Prison and probation"),
    "police_legal": N_("Police and legal"),
    "care_family_community": N_("Mental health, family and community"),
    "exit_work": N_("Exit work"),
    "research_policy_other": N_("Research, policy and other"),
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
    Region.EU: N_("EU member state"),
    Region.OTHER_EUROPE: N_("Other Europe"),
    Region.CENTRAL_ASIA: N_("Central Asia"),
    Region.OTHER: N_("Other"),
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


@lru_cache(maxsize=1024)  # pages name the speakers' countries on every load; pycountry looks up slowly
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
    WorksWith.RETURNING_FIGHTERS: N_("Returning foreign terrorist fighters"),
    WorksWith.FAMILIES: N_("Their families"),
    WorksWith.CHILDREN: N_("Their children"),
    WorksWith.EXPECT_IN_FUTURE: N_("Not yet, but I expect to in future"),
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


# Agenda item kinds (server.sessions.agenda.ItemKind values) as people read them.
ITEM_KIND_LABELS: dict[str, str] = {
    "welcome": N_("Welcome"),
    "presentation": N_("Presentation"),
    "qa": N_("Questions and answers"),
    "breakout": N_("Break-out rooms"),
    "break": N_("Break"),
    "feedback": N_("Plenary feedback"),
    "closing": N_("Closing"),
}

# Application states (server.models.ApplicationStatus values), as organisers read them ...
APPLICATION_STATUS_LABELS: dict[str, str] = {
    "submitted": N_("Submitted"),
    "invited": N_("Invited"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "waitlisted": N_("Wait-listed"),
    "rejected": N_("Not selected"),
    "withdrawn": N_("Withdrawn"),
    "erased": N_("Erased"),
}

# ... and as the applicant reads them on their personal page.
PERSONAL_STATUS_TEXT: dict[str, str] = {
    "submitted": N_("received, waiting for a decision"),
    "invited": N_("you are invited"),
    "accepted": N_("you have accepted: you are a participant"),
    "declined": N_("you have declined the invitation"),
    "waitlisted": N_("on the wait-list"),
    "rejected": N_("not selected this time"),
    "withdrawn": N_("withdrawn"),
    "erased": N_("erased"),
}

# Outgoing mail states (server.models.MailStatus values).
MAIL_STATUS_LABELS: dict[str, str] = {
    "queued": N_("Queued"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
}
