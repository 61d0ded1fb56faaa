"""JSON building blocks every feature's schemas share."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from server.core.vocab import UnknownCountry, normalise_country

# Refused in every text a person sends (names, answers, titles): NUL (PostgreSQL cannot store
# it, and it cuts strings short in C libraries), the other C0 controls except tab and line
# breaks, and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
# make a name or a CSV cell read differently from what it contains ("Trojan Source"). Refusing
# (a 422 naming the field) rather than silently dropping them: nothing is stored that the
# sender did not see, and a person who pasted one by accident is told where.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
UNSAFE_REASON = "contains a control or text-direction character; remove it"


def unsafe_text(value: Any) -> bool:
    """Whether a string, or any string inside lists/dicts, holds an UNSAFE_TEXT character."""
    if isinstance(value, str):
        return UNSAFE_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(unsafe_text(k) or unsafe_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(unsafe_text(v) for v in value)
    return False


# Whole numbers beyond 32 bits overflow the INTEGER columns of PostgreSQL (ids, counts, minutes)
# and, beyond 64, every driver; dates outside these years overflow when shown in a zone east or
# west of UTC (year 9999 + 1 hour). No meeting, deadline, count or id needs more.
MAX_INT = 2**31 - 1
YEARS = (1900, 2999)


def _huge(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > MAX_INT
    if isinstance(value, dict):
        return any(_huge(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_huge(v) for v in value)
    return False


def _out_of_years(value: Any) -> bool:
    if isinstance(value, date):  # datetime is a date too
        return not YEARS[0] <= value.year <= YEARS[1]
    if isinstance(value, list | tuple):
        return any(_out_of_years(v) for v in value)
    return False


class Strict(BaseModel):
    """Unknown fields are refused by name; surrounding white space is dropped. The one place
    where every request body is also refused, by field name, for text holding control or
    bidi-override characters, whole numbers beyond 32 bits and dates outside YEARS."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _safe_input(cls, value: Any) -> Any:
        if unsafe_text(value):
            raise ValueError(UNSAFE_REASON)
        if _huge(value):
            raise ValueError("is too large a number")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _sane_dates(cls, value: Any) -> Any:
        if _out_of_years(value):
            raise ValueError(f"must be a date between the years {YEARS[0]} and {YEARS[1]}")
        return value


def _country(value: str) -> str:
    try:
        return normalise_country(value)
    except UnknownCountry:
        raise PydanticCustomError("unknown_country", "not an ISO 3166-1 alpha-2 country code") from None


CountryCode = Annotated[
    str, Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2"), AfterValidator(_country)
]


def web_link(value: str) -> str:
    """An http:// or https:// URL with a host, or "" (no link); javascript:, data: and the like
    are refused, since these links are shown to participants as clickable."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError("must be an http:// or https:// URL, e.g. https://meet.jit.si/our-meeting")
    return value


WebLink = Annotated[str, Field(max_length=500, description="http:// or https:// URL, or empty"),
                    AfterValidator(web_link)]
