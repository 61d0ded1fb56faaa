"""JSON shapes of events and agenda items (validation and OpenAPI in one place)."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, EmailStr, Field, field_validator
from pydantic_core import PydanticCustomError

from server.core.timeutil import TimeError, zone
from server.i18n import LANGUAGES
from server.schemas import CountryCode, Strict, WebLink
from server.sessions.agenda import ItemKind

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$",
                            description="lower-case letters, digits and hyphens")]
Title = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=20000)]
# A language an organiser may give texts in (server.i18n.LANGUAGES; "" clears a text).
TextLanguage = Literal[LANGUAGES]  # type: ignore[valid-type]


class EventTexts(Strict):
    """The event's texts in one more language."""

    title: Annotated[str, Field(max_length=300)] | None = None
    summary: Annotated[str, Field(max_length=600)] | None = None
    description: LongText | None = None


class DayTexts(Strict):
    title: Annotated[str, Field(max_length=200)] | None = None


class ItemTexts(Strict):
    title: Annotated[str, Field(max_length=200)] | None = None
    description: LongText | None = None


TRANSLATIONS_HELP = 'texts in other languages, e.g. {"ru": {"title": "..."}}; "" removes one'


def _date_or_instant(value: object) -> object:
    # "2021-05-12" means the whole day; anything longer must be an instant.
    if isinstance(value, str) and len(value.strip()) == 10:
        return date.fromisoformat(value.strip())
    return value


Deadline = Annotated[
    datetime | date,
    BeforeValidator(_date_or_instant),
    Field(description="an instant with offset, or a date meaning 23:59:59 of that day in the event's zone"),
]


class SpeakerIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    country: CountryCode
    organisation: Annotated[str, Field(max_length=200)] = ""


class ItemIn(Strict):
    day: date = Field(description="the agenda day, as a local date in the event's zone")
    start: time = Field(description="local wall-clock time in the event's zone, HH:MM")
    end: time = Field(description="local wall-clock time in the event's zone, HH:MM")
    title: Title
    kind: ItemKind
    description: LongText = ""
    speakers: Annotated[list[SpeakerIn], Field(max_length=20)] = []
    translations: dict[TextLanguage, ItemTexts] = Field({}, description=TRANSLATIONS_HELP)


class ItemPatch(Strict):
    day: date | None = None
    start: time | None = None
    end: time | None = None
    title: Title | None = None
    kind: ItemKind | None = None
    description: LongText | None = None
    speakers: Annotated[list[SpeakerIn], Field(max_length=20)] | None = None
    translations: dict[TextLanguage, ItemTexts] | None = Field(None, description=TRANSLATIONS_HELP)


class DayIn(Strict):
    date: dt.date
    start: time
    end: time
    title: Annotated[str, Field(max_length=200)] = ""
    translations: dict[TextLanguage, DayTexts] = Field({}, description=TRANSLATIONS_HELP)


def _check_zone(value: str) -> str:
    try:
        zone(value)
    except TimeError:
        raise PydanticCustomError("unknown_timezone", "not an IANA time zone") from None
    return value


class EventIn(Strict):
    slug: Slug
    title: Annotated[str, Field(min_length=1, max_length=300)]
    summary: Annotated[str, Field(max_length=600)] = ""
    description: LongText = ""
    timezone: Annotated[str, Field(min_length=1, max_length=64, description="IANA zone name")]
    application_deadline: Deadline
    seats: Annotated[int, Field(ge=1, le=5000)] = 40
    organiser_name: Annotated[str, Field(max_length=200)] = ""
    organiser_email: EmailStr
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    auto_promote_waitlist: bool = False
    video_url: WebLink = ""
    days: Annotated[list[DayIn], Field(min_length=1, max_length=14)]
    translations: dict[TextLanguage, EventTexts] = Field({}, description=TRANSLATIONS_HELP)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)


class EventPatch(Strict):
    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    summary: Annotated[str, Field(max_length=600)] | None = None
    description: LongText | None = None
    application_deadline: Deadline | None = None
    call_closed: bool | None = None
    seats: Annotated[int, Field(ge=1, le=5000)] | None = None
    organiser_name: Annotated[str, Field(max_length=200)] | None = None
    organiser_email: EmailStr | None = None
    retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    auto_promote_waitlist: bool | None = None
    video_url: WebLink | None = None
    status: Literal["scheduled", "cancelled"] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="IANA zone name; days, items and the deadline keep their wall-clock times")
    translations: dict[TextLanguage, EventTexts] | None = Field(None, description=TRANSLATIONS_HELP)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _check_zone(value)


class DayPatch(Strict):
    date: dt.date | None = None
    start: time | None = None
    end: time | None = None
    title: Annotated[str, Field(max_length=200)] | None = None
    translations: dict[TextLanguage, DayTexts] | None = Field(None, description=TRANSLATIONS_HELP)


# ---- responses (documented, not validated on the way out) ----

class SpeakerOut(BaseModel):
    name: str
    country: str
    country_name: str
    organisation: str


class ItemOut(BaseModel):
    id: int
    day: date
    title: str
    kind: str
    description: str
    speakers: list[SpeakerOut]
    start_local: str = Field(description="HH:MM in the event's zone")
    end_local: str
    start: str = Field(description="ISO 8601 with the event zone's offset")
    end: str
    start_utc: str = Field(description="ISO 8601 in UTC (Z)")
    end_utc: str
    translations: dict[str, dict[str, str]] = {}


class DayOut(BaseModel):
    id: int
    date: dt.date
    title: str
    translations: dict[str, dict[str, str]] = {}
    start: str
    end: str
    start_utc: str
    end_utc: str
    items: list[ItemOut]


class AgendaOut(BaseModel):
    event: str
    timezone: str
    days: list[DayOut]


class EventSummaryOut(BaseModel):
    slug: str
    title: str
    summary: str
    timezone: str
    first_day: date | None
    last_day: date | None
    application_deadline: str
    call_open: bool
    status: str
    url: str


class EventOut(EventSummaryOut):
    description: str
    translations: dict[str, dict[str, str]] = {}
    seats: int
    organiser_name: str
    days: list[DayOut]


class EventListOut(BaseModel):
    events: list[EventSummaryOut]
