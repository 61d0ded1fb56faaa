"""Calendar inputs: the meeting, its mornings, invitees, agenda entries and rooms, and the errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRODID = "-//Convene//Convene meeting manager//EN"
FEED_REFRESH = timedelta(hours=1)


class CalendarError(ValueError):
    """Input that cannot be turned into a correct calendar (names the field and reason)."""


class MeetingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name}: datetime must be timezone-aware, got naive {value!r}")


def _require_span(prefix: str, start_name: str, start: datetime, end_name: str, end: datetime) -> None:
    """Both ends aware, the end after the start; errors name e.g. "room.end_utc"."""
    require_aware(f"{prefix}.{start_name}", start)
    require_aware(f"{prefix}.{end_name}", end)
    if end <= start:
        raise CalendarError(f"{prefix}.{end_name}: must be after {prefix}.{start_name}")


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"zone: unknown time zone {name!r}") from exc


@dataclass(frozen=True, slots=True)
class Morning:
    """One session of the meeting: aware start and end (any zone; shown in the meeting's)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_span("morning", "start", self.start, "end", self.end)

    @classmethod
    def local(cls, day: date, start: time, end: time, zone: str) -> Morning:
        """Build from a local date and wall-clock times in ``zone``; refuses times that do not
        exist (spring-forward gap) or are ambiguous (autumn fold)."""
        tz = zone_info(zone)
        result = []
        for label, t in (("start", start), ("end", end)):
            naive = datetime.combine(day, t)
            a, b = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
            if a.utcoffset() != b.utcoffset():
                raise CalendarError(f"morning.{label}: {naive} is ambiguous or missing in {zone}")
            result.append(a)
        return cls(result[0], result[1])


@dataclass(frozen=True, slots=True)
class MeetingInfo:
    """The meeting as calendars need it. ``uid`` is stable for the meeting's whole life
    (e.g. ``"meeting-42@convene.example.org"``); ``zone`` is an IANA name."""

    uid: str
    title: str
    description: str
    organiser_name: str
    organiser_email: str
    zone: str
    mornings: tuple[Morning, ...]
    public_url: str
    status: MeetingStatus = MeetingStatus.CONFIRMED

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise CalendarError("uid: must not be empty")
        if not self.mornings:
            raise CalendarError("mornings: at least one morning is required")
        if "@" not in self.organiser_email:
            raise CalendarError("organiser_email: not an email address")
        zone_info(self.zone)


@dataclass(frozen=True, slots=True)
class CalendarLabels:
    """The words the calendars add around the meeting's own texts, in the reader's language.
    The pure core does not translate: the edge builds this (English by default) inside the
    recipient's locale. ``personal_feed`` names the personal feed; ``{title}`` is the meeting's."""

    personal_link: str = "Your personal link:"
    breakout_room: str = "Break-out room:"
    video_link: str = "Video link:"
    personal_feed: str = "{title} (personal)"
    facilitated_by: str = "Facilitated by:"


ENGLISH_LABELS = CalendarLabels()


@dataclass(frozen=True, slots=True)
class Invitee:
    """One invited person. ``id`` is the application/participant id (used in Message-IDs);
    ``sequence`` is the iTIP SEQUENCE of the message to build (0 first, caller increments)."""

    id: str
    name: str
    email: str
    personal_url: str
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.sequence < 0:
            raise CalendarError("sequence: must be >= 0")
        if "@" not in self.email:
            raise CalendarError("email: not an email address")


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One public agenda item (a presentation, Q&A, break-out round, break ...)."""

    uid: str
    title: str
    start_utc: datetime
    end_utc: datetime
    description: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        _require_span("agenda", "start_utc", self.start_utc, "end_utc", self.end_utc)


@dataclass(frozen=True, slots=True)
class RoomEntry:
    """A break-out round as one participant sees it: their room and its video link."""

    uid: str
    round_title: str
    room_name: str
    video_url: str
    start_utc: datetime
    end_utc: datetime
    facilitators: tuple[str, ...] = ()  # who leads the room: a chosen participant, a member of staff

    def __post_init__(self) -> None:
        _require_span("room", "start_utc", self.start_utc, "end_utc", self.end_utc)
