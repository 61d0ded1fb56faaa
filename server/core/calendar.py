"""Pure iCalendar building: invitations (iTIP REQUEST / CANCEL), the public agenda feed,
the personal feed, and strong ETags for feeds.

No Flask, Redis or Celery here: every function takes plain frozen dataclasses and the
clock ("now") as arguments and returns ``bytes`` (CRLF-terminated iCalendar text).

Time zones
----------
Local times are written as ``DTSTART;TZID=Europe/Brussels:20210525T093000`` together
with a *rule-based* ``VTIMEZONE`` (one STANDARD and one DAYLIGHT observance, each with a
yearly RRULE such as ``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``), the shape Outlook, Apple
Calendar and Google themselves emit. icalendar's ``add_missing_timezones`` writes a long
RDATE list instead, which some clients misread by an hour (pretalx#2081), so
:func:`build_vtimezone` derives the rules from zoneinfo's transitions in the years the
calendar touches and *checks* that the rules reproduce every transition of those years.
A zone without transitions in those years (Asia/Almaty in 2021, UTC+6) gets one STANDARD
observance with a fixed offset. A zone whose transitions do not follow a
"n-th weekday of a month" rule in those years (for example Asia/Almaty in 2024, which
moved from UTC+6 to UTC+5 on 1 March) gets no VTIMEZONE at all: its times are then
written in UTC (``...Z``), which every client understands.

Two mornings, one invitation
----------------------------
.. _series-decision:

The meeting's mornings travel as ONE VEVENT with ONE UID for the meeting's whole life,
never as two invitations (two UIDs in one iTIP message is not allowed by RFC 5546, and two
separate messages would give people two things to accept, update and cancel).

* When the mornings fall on consecutive days with identical local start and end times
  (the reference case: 25-26 May 2021, 09:30-12:30 Europe/Brussels) the VEVENT carries
  ``RRULE:FREQ=DAILY;COUNT=n``: the simplest recurrence every client supports.
* Otherwise the VEVENT still carries a daily RRULE from the first to the last morning,
  with ``EXDATE`` for the days in between that have no morning, and an overriding VEVENT
  (same UID, ``RECURRENCE-ID``) for each morning whose local times differ from the first
  morning's. We deliberately do not use a bare ``RDATE`` list: Outlook refuses RDATE
  without an RRULE and only accepts an RDATE that is paired with an EXDATE as a "moved
  instance" ([MS-OXCICAL] 2.1.3.1.1.20.18, Microsoft KB 2643084), whereas
  RRULE + EXDATE + RECURRENCE-ID is exactly what clients write themselves.

An update is the same message with the same UID and a higher SEQUENCE (the caller keeps
the counter); a cancellation (the person uninvited, or the whole meeting cancelled) is
``METHOD:CANCEL`` with ``STATUS:CANCELLED``, the same UID and a higher SEQUENCE.

Feeds
-----
The public agenda feed and the personal feed carry **no METHOD property**. RFC 5545
section 3.7.2: without METHOD "a scheduling transaction MUST NOT be assumed ... the
iCalendar object is merely being used to transport a snapshot of some calendar
information", which is what a subscribed feed is. ``METHOD:PUBLISH`` would make the feed an
iTIP message: RFC 5546 then requires an ORGANIZER in every VEVENT (personal data we do not
want in a public feed) and an HTTP ``Content-Type`` with ``method=PUBLISH``. Clients subscribe
to METHOD-less feeds without trouble. In a METHOD-less object DTSTAMP means "last
modified" (RFC 5545 section 3.8.7.2), so feeds take DTSTAMP from a ``last_modified`` input:
the same data gives the same bytes, hence the same ETag (:func:`feed_etag`).
"""

from __future__ import annotations

import calendar as _stdcal
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vCalAddress, vDuration, vRecur, vText

__all__ = [
    "PRODID",
    "AgendaEntry",
    "CalendarError",
    "Invitee",
    "MeetingInfo",
    "MeetingStatus",
    "Morning",
    "RoomEntry",
    "SeriesPlan",
    "build_cancel",
    "build_personal_feed",
    "build_public_feed",
    "build_request",
    "build_vtimezone",
    "feed_etag",
    "series_plan",
]

PRODID = "-//Convene//Convene meeting manager//EN"
FEED_REFRESH = timedelta(hours=1)


class CalendarError(ValueError):
    """Input that cannot be turned into a correct calendar (names the field and reason)."""


class MeetingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name}: datetime must be timezone-aware, got naive {value!r}")


def _require_span(prefix: str, start_name: str, start: datetime, end_name: str, end: datetime) -> None:
    """Both ends aware, the end after the start; errors name e.g. "room.end_utc"."""
    _require_aware(f"{prefix}.{start_name}", start)
    _require_aware(f"{prefix}.{end_name}", end)
    if end <= start:
        raise CalendarError(f"{prefix}.{end_name}: must be after {prefix}.{start_name}")


def _zone(name: str) -> ZoneInfo:
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
        tz = _zone(zone)
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
        _zone(self.zone)


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

    def __post_init__(self) -> None:
        _require_span("room", "start_utc", self.start_utc, "end_utc", self.end_utc)


# --------------------------------------------------------------------------- VTIMEZONE


@dataclass(frozen=True, slots=True)
class _Transition:
    at_utc: datetime
    before: timedelta
    after: timedelta
    is_dst: bool
    name: str

    @property
    def local_onset(self) -> datetime:
        """Wall-clock time (in the *old* offset) at which the change happens, naive."""
        return (self.at_utc + self.before).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class _Rule:
    month: int
    weekday: int  # Monday = 0
    nth: int  # 1..4, or -1 for "last"
    at: time
    before: timedelta
    after: timedelta
    is_dst: bool
    name: str

    def onset(self, year: int) -> datetime:
        first_wd, days = _stdcal.monthrange(year, self.month)
        if self.nth > 0:
            day = 1 + (self.weekday - first_wd) % 7 + 7 * (self.nth - 1)
        else:
            last_wd = (first_wd + days - 1) % 7
            day = days - (last_wd - self.weekday) % 7
        return datetime.combine(date(year, self.month, day), self.at)

    def byday(self) -> str:
        return f"{self.nth}{('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')[self.weekday]}"


def _offset_at(tz: tzinfo, instant: datetime) -> timedelta:
    off = instant.astimezone(tz).utcoffset()
    assert off is not None
    return off


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """zoneinfo's offset changes whose local onset lies in ``year`` (daily scan, bisection)."""
    lo_bound = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=2)
    hi_bound = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=2)
    out: list[_Transition] = []
    t, off = lo_bound, _offset_at(tz, lo_bound)
    step = timedelta(days=1)
    while t < hi_bound:
        nxt = t + step
        noff = _offset_at(tz, nxt)
        if noff != off:
            lo, hi = t, nxt  # offset(lo) == off, offset(hi) != off
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if _offset_at(tz, mid) == off:
                    lo = mid
                else:
                    hi = mid
            local = hi.astimezone(tz)
            tr = _Transition(
                at_utc=hi,
                before=off,
                after=noff,
                is_dst=bool(local.dst()),
                name=local.tzname() or _fmt_offset(noff),
            )
            if tr.local_onset.year == year:
                out.append(tr)
            off = noff
        t = nxt
    return out


def _rule_candidates(tr: _Transition) -> list[_Rule]:
    onset = tr.local_onset
    days = _stdcal.monthrange(onset.year, onset.month)[1]
    nths = []
    if onset.day > days - 7:
        nths.append(-1)
    if onset.day <= 28:
        nths.append((onset.day - 1) // 7 + 1)
    return [
        _Rule(
            onset.month, onset.weekday(), n, onset.time(), tr.before, tr.after, tr.is_dst, tr.name
        )
        for n in nths
    ]


def _matches(rules: Sequence[_Rule], actual: Sequence[_Transition], year: int) -> bool:
    predicted = sorted((r.onset(year), r.before, r.after) for r in rules)
    observed = sorted((t.local_onset, t.before, t.after) for t in actual)
    return predicted == observed


@dataclass(frozen=True, slots=True)
class _ZonePlan:
    kind: Literal["rules", "fixed", "utc"]
    rules: tuple[_Rule, ...] = ()
    fixed_offset: timedelta = timedelta(0)
    fixed_name: str = ""


@lru_cache(maxsize=256)
def _zone_plan(zone: str, years: tuple[int, ...]) -> _ZonePlan:
    tz = _zone(zone)
    span = range(min(years), max(years) + 1)
    per_year = {y: _transitions(tz, y) for y in span}
    if all(not trs for trs in per_year.values()):
        offsets = {_offset_at(tz, datetime(y, 7, 1, tzinfo=UTC)) for y in span}
        if len(offsets) == 1:
            probe = datetime(span[0], 7, 1, tzinfo=UTC).astimezone(tz)
            off = offsets.pop()
            return _ZonePlan(
                "fixed", fixed_offset=off, fixed_name=probe.tzname() or _fmt_offset(off)
            )
        return _ZonePlan("utc")  # pragma: no cover - impossible without transitions
    first = per_year[span[0]]
    if len(first) != 2:
        return _ZonePlan("utc")
    a, b = sorted(first, key=lambda t: t.at_utc)
    if a.after != b.before or b.after != a.before:
        return _ZonePlan("utc")
    for ra in _rule_candidates(a):
        for rb in _rule_candidates(b):
            if all(_matches((ra, rb), per_year[y], y) for y in span):
                return _ZonePlan("rules", rules=(ra, rb))
    return _ZonePlan("utc")


def _fmt_offset(off: timedelta) -> str:
    total = int(off.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"{sign}{total // 3600:02d}{total % 3600 // 60:02d}"


def build_vtimezone(zone: str, years: Iterable[int]) -> Timezone | None:
    """Rule-based VTIMEZONE for ``zone`` valid in every year of ``min(years)..max(years)``.

    Returns a VTIMEZONE with a STANDARD and a DAYLIGHT observance (yearly RRULEs, DTSTART in
    1970 as Apple/Google/tzurl do), or a single fixed-offset STANDARD observance when the
    zone does not change in those years, or ``None`` when its changes follow no
    "n-th/last weekday of a month at a fixed time" rule: the caller must then write UTC.
    The rules are verified against zoneinfo for every one of those years.
    """
    ys = tuple(sorted(set(years)))
    if not ys:
        raise CalendarError("years: at least one year is required")
    plan = _zone_plan(zone, ys)
    if plan.kind == "utc":
        return None
    vtz = Timezone()
    vtz.add("TZID", zone)
    if plan.kind == "fixed":
        obs = TimezoneStandard()
        obs.add("DTSTART", datetime(1970, 1, 1))
        obs.add("TZOFFSETFROM", plan.fixed_offset)
        obs.add("TZOFFSETTO", plan.fixed_offset)
        obs.add("TZNAME", plan.fixed_name)
        vtz.add_component(obs)
        return vtz
    if sorted(rule.is_dst for rule in plan.rules) != [False, True]:
        # e.g. Antarctica/Casey 2018: two STANDARD changes a year. Valid iCalendar, but clients
        # (and dateutil) expect one STANDARD/DAYLIGHT pair and misread it, so write UTC instead.
        return None
    for rule in sorted(plan.rules, key=lambda r: not r.is_dst):
        comp: TimezoneStandard | TimezoneDaylight = (
            TimezoneDaylight() if rule.is_dst else TimezoneStandard()
        )
        comp.add("DTSTART", rule.onset(1970))
        comp.add("TZOFFSETFROM", rule.before)
        comp.add("TZOFFSETTO", rule.after)
        comp.add("TZNAME", rule.name)
        comp.add("RRULE", vRecur({"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": rule.byday()}))
        vtz.add_component(comp)
    return vtz


# --------------------------------------------------------------------------- helpers


class _Writer:
    """Expresses instants in the meeting's zone (TZID + VTIMEZONE) or, failing a rule, in UTC."""

    def __init__(self, zone: str, instants: Iterable[datetime]) -> None:
        years = {i.astimezone(_zone(zone)).year for i in instants}
        years |= {i.astimezone(UTC).year for i in instants}
        self.zone = zone
        self.vtimezone = build_vtimezone(zone, years) if years else None
        self.tz: tzinfo = _zone(zone) if self.vtimezone is not None else UTC

    def at(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)


def _utc_stamp(now: datetime) -> datetime:
    _require_aware("now", now)
    return now.astimezone(UTC).replace(microsecond=0)


_CTRL = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(text: str) -> str:
    """Names go into parameters and headers: no control characters, no line breaks."""
    return _CTRL.sub(" ", text).strip()


def _cal_address(email: str, name: str, **params: str) -> vCalAddress:
    addr = vCalAddress(f"mailto:{_one_line(email)}")
    if name.strip():
        addr.params["CN"] = _one_line(name)
    for key, value in params.items():
        addr.params[key.replace("_", "-").upper()] = value
    return addr


def _new_calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    if method:
        cal.add("METHOD", method)
    return cal


def _finish(cal: Calendar, writer: _Writer) -> bytes:
    if writer.vtimezone is not None:
        cal.subcomponents.insert(0, writer.vtimezone)
    body: bytes = cal.to_ical()
    return body


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """How the mornings are expressed as one recurring VEVENT (see the module docstring)."""

    start: datetime
    end: datetime
    count: int  # RRULE COUNT (days from first to last morning); 1 means "no RRULE"
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[tuple[datetime, datetime, datetime], ...] = field(default=())
    # (recurrence_id, start, end) for mornings whose local times differ from the first

    @property
    def simple(self) -> bool:
        return not self.exdates and not self.overrides


def series_plan(mornings: Sequence[Morning], tz: tzinfo) -> SeriesPlan:
    """Plan the recurrence for ``mornings`` with wall-clock times in ``tz``."""
    local = sorted((m.start.astimezone(tz), m.end.astimezone(tz)) for m in mornings)
    days = [s.date() for s, _ in local]
    if len(set(days)) != len(days):
        raise CalendarError("mornings: two mornings on the same day")
    first_start, first_end = local[0]
    span = (days[-1] - days[0]).days + 1
    by_day = {s.date(): (s, e) for s, e in local}
    exdates: list[datetime] = []
    overrides: list[tuple[datetime, datetime, datetime]] = []
    for i in range(span):
        day = days[0] + timedelta(days=i)
        nominal = datetime.combine(day, first_start.timetz()).replace(tzinfo=tz)
        nominal_end = datetime.combine(
            day + (first_end.date() - first_start.date()), first_end.timetz()
        ).replace(tzinfo=tz)
        if day not in by_day:
            exdates.append(nominal)
            continue
        s, e = by_day[day]
        same = s.replace(tzinfo=None) == nominal.replace(tzinfo=None) and e.replace(
            tzinfo=None
        ) == nominal_end.replace(tzinfo=None)
        if not same:
            overrides.append((nominal, s, e))
    return SeriesPlan(first_start, first_end, span, tuple(exdates), tuple(overrides))


def _meeting_writer(meeting: MeetingInfo, extra: Iterable[datetime] = ()) -> _Writer:
    instants = [t for m in meeting.mornings for t in (m.start, m.end)]
    return _Writer(meeting.zone, [*instants, *extra])


def _personal_description(meeting: MeetingInfo, personal_url: str) -> str:
    parts = [meeting.description.strip(), f"Your personal link: {personal_url}"]
    return "\n\n".join(p for p in parts if p)


def _meeting_events(
    meeting: MeetingInfo,
    writer: _Writer,
    *,
    dtstamp: datetime,
    sequence: int,
    status: str,
    invitee: Invitee | None,
    attendee_params: dict[str, str] | None,
    url: str,
    description: str,
    include_overrides: bool,
    uid: str | None = None,
) -> list[Event]:
    plan = series_plan(meeting.mornings, writer.tz)

    def base(start: datetime, end: datetime) -> Event:
        ev = Event()
        ev.add("UID", uid or meeting.uid)
        ev.add("DTSTAMP", dtstamp)
        ev.add("SEQUENCE", sequence)
        ev.add("DTSTART", start)
        ev.add("DTEND", end)
        ev.add("SUMMARY", meeting.title)
        ev.add("DESCRIPTION", description)
        ev.add("LOCATION", url)
        ev.add("URL", url)
        ev.add("STATUS", status)
        ev.add("TRANSP", "OPAQUE")
        if invitee is not None and attendee_params is not None:
            ev.add("ORGANIZER", _cal_address(meeting.organiser_email, meeting.organiser_name))
            ev.add("ATTENDEE", _cal_address(invitee.email, invitee.name, **attendee_params))
        return ev

    master = base(plan.start, plan.end)
    if plan.count > 1:
        master.add("RRULE", vRecur({"FREQ": "DAILY", "COUNT": plan.count}))
    for ex in plan.exdates:
        master.add("EXDATE", ex)
    events = [master]
    if include_overrides:
        for rid, s, e in plan.overrides:
            ov = base(s, e)
            ov.add("RECURRENCE-ID", rid)
            events.append(ov)
    return events


def _itip(meeting: MeetingInfo, invitee: Invitee, now: datetime, method: str) -> bytes:
    writer = _meeting_writer(meeting)
    cal = _new_calendar(method)
    if method == "REQUEST":
        status = "CONFIRMED"
        params = {
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
            "CUTYPE": "INDIVIDUAL",
        }
    else:
        status = "CANCELLED"
        params = {"ROLE": "REQ-PARTICIPANT", "CUTYPE": "INDIVIDUAL"}
    for ev in _meeting_events(
        meeting,
        writer,
        dtstamp=_utc_stamp(now),
        sequence=invitee.sequence,
        status=status,
        invitee=invitee,
        attendee_params=params,
        url=invitee.personal_url,
        description=_personal_description(meeting, invitee.personal_url),
        include_overrides=method == "REQUEST",
    ):
        cal.add_component(ev)
    return _finish(cal, writer)


# --------------------------------------------------------------------------- public API


def build_request(meeting: MeetingInfo, invitee: Invitee, now: datetime) -> bytes:
    """iTIP ``METHOD:REQUEST`` invitation (or update: same UID, higher ``invitee.sequence``)
    for one invitee, with ORGANIZER = the organiser (the mail's From) and the invitee as
    ATTENDEE (RSVP=TRUE). ``now`` becomes DTSTAMP (UTC). A cancelled meeting cannot be
    requested: use :func:`build_cancel`."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise CalendarError("status: the meeting is cancelled; send a CANCEL instead")
    return _itip(meeting, invitee, now, "REQUEST")


def build_cancel(meeting: MeetingInfo, invitee: Invitee, now: datetime) -> bytes:
    """iTIP ``METHOD:CANCEL`` (STATUS:CANCELLED, same UID, ``invitee.sequence`` must be higher
    than the last REQUEST's) for one uninvited person or for everyone when the meeting is
    cancelled. Cancels the whole series (no RECURRENCE-ID)."""
    return _itip(meeting, invitee, now, "CANCEL")


def _feed_calendar(name: str, zone: str, description: str, source_url: str | None) -> Calendar:
    cal = _new_calendar(None)
    # explicit vText: icalendar 7.3 leaves NAME/X-WR-* commas and semicolons unescaped
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    if description:
        cal.add("X-WR-CALDESC", vText(description))
    cal.add("X-WR-TIMEZONE", vText(zone))
    cal.add("REFRESH-INTERVAL", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    if source_url:
        cal.add("SOURCE", source_url, parameters={"VALUE": "URI"})
    return cal


def _status(meeting: MeetingInfo) -> str:
    return "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED"


def build_public_feed(
    meeting: MeetingInfo,
    agenda: Sequence[AgendaEntry],
    last_modified: datetime,
    *,
    feed_url: str | None = None,
) -> bytes:
    """Public agenda feed (``/events/<slug>/agenda.ics``): one VEVENT per agenda item with
    the item's stable UID, no METHOD, no ORGANIZER/ATTENDEE or other personal data.
    DTSTAMP = LAST-MODIFIED = ``last_modified`` so identical data gives identical bytes."""
    stamp = _utc_stamp(last_modified)
    writer = _Writer(meeting.zone, [t for a in agenda for t in (a.start_utc, a.end_utc)])
    cal = _feed_calendar(meeting.title, meeting.zone, meeting.description, feed_url)
    status = _status(meeting)
    for item in sorted(agenda, key=lambda a: (a.start_utc, a.uid)):
        ev = Event()
        ev.add("UID", item.uid)
        ev.add("DTSTAMP", stamp)
        ev.add("LAST-MODIFIED", stamp)
        ev.add("DTSTART", writer.at(item.start_utc))
        ev.add("DTEND", writer.at(item.end_utc))
        ev.add("SUMMARY", item.title)
        if item.description:
            ev.add("DESCRIPTION", item.description)
        if item.kind:
            ev.add("CATEGORIES", [item.kind])
        ev.add("URL", meeting.public_url)
        ev.add("STATUS", status)
        ev.add("TRANSP", "OPAQUE")
        cal.add_component(ev)
    return _finish(cal, writer)


def build_personal_feed(
    meeting: MeetingInfo,
    invitee: Invitee,
    rooms: Sequence[RoomEntry],
    last_modified: datetime,
    *,
    feed_url: str | None = None,
    cancelled: bool = False,
) -> bytes:
    """Personal feed: the mornings (one recurring VEVENT, UID ``feed-<meeting uid>`` so it does
    not collide with the emailed invitation's UID) plus one VEVENT per break-out round with
    the participant's room and its video link in LOCATION/URL. ``cancelled`` (uninvited)
    marks everything STATUS:CANCELLED so subscribed calendars show it as cancelled."""
    stamp = _utc_stamp(last_modified)
    writer = _meeting_writer(meeting, [t for r in rooms for t in (r.start_utc, r.end_utc)])
    cal = _feed_calendar(f"{meeting.title} (personal)", meeting.zone, "", feed_url)
    status = "CANCELLED" if cancelled else _status(meeting)
    for ev in _meeting_events(
        meeting,
        writer,
        dtstamp=stamp,
        sequence=0,
        status=status,
        invitee=None,
        attendee_params=None,
        # A feed URL is shared with calendar services and often with colleagues: it carries
        # the public meeting page, never the personal link (issue 11, item 5).
        url=meeting.public_url,
        description=meeting.description.strip(),
        include_overrides=True,
        uid=f"feed-{meeting.uid}",
    ):
        ev.add("LAST-MODIFIED", stamp)
        cal.add_component(ev)
    for room in sorted(rooms, key=lambda r: (r.start_utc, r.uid)):
        ev = Event()
        ev.add("UID", room.uid)
        ev.add("DTSTAMP", stamp)
        ev.add("LAST-MODIFIED", stamp)
        ev.add("DTSTART", writer.at(room.start_utc))
        ev.add("DTEND", writer.at(room.end_utc))
        ev.add("SUMMARY", f"{room.round_title}: {room.room_name}")
        ev.add("DESCRIPTION", f"Break-out room: {room.room_name}\nVideo link: {room.video_url}")
        ev.add("LOCATION", vText(f"{room.room_name} - {room.video_url}"))
        ev.add("URL", room.video_url)
        ev.add("STATUS", status)
        ev.add("TRANSP", "OPAQUE")
        cal.add_component(ev)
    return _finish(cal, writer)


def feed_etag(body: bytes) -> str:
    """Strong ETag (quoted) for a feed body: SHA-256 of the exact bytes, 32 hex digits."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
