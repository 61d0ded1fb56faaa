"""The meeting as VEVENTs (one UID, a series) and the iTIP invitations built from it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from icalendar import Calendar, Event
from icalendar.prop import vCalAddress, vRecur

from server.core.calendar.model import (
    ENGLISH_LABELS,
    PRODID,
    CalendarError,
    CalendarLabels,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
    require_aware,
    zone_info,
)
from server.core.calendar.vtimezone import build_vtimezone


class Writer:
    """Expresses instants in the meeting's zone (TZID + VTIMEZONE) or, failing a rule, in UTC."""

    def __init__(self, zone: str, instants: Iterable[datetime]) -> None:
        years = {i.astimezone(zone_info(zone)).year for i in instants}
        years |= {i.astimezone(UTC).year for i in instants}
        self.zone = zone
        self.vtimezone = build_vtimezone(zone, years) if years else None
        self.tz: tzinfo = zone_info(zone) if self.vtimezone is not None else UTC

    def at(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)


def utc_stamp(now: datetime) -> datetime:
    require_aware("now", now)
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


def new_calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    if method:
        cal.add("METHOD", method)
    return cal


def finish(cal: Calendar, writer: Writer) -> bytes:
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


def meeting_writer(meeting: MeetingInfo, extra: Iterable[datetime] = ()) -> Writer:
    instants = [t for m in meeting.mornings for t in (m.start, m.end)]
    return Writer(meeting.zone, [*instants, *extra])


def personal_description(
    meeting: MeetingInfo, personal_url: str, labels: CalendarLabels = ENGLISH_LABELS
) -> str:
    parts = [meeting.description.strip(), f"{labels.personal_link} {personal_url}"]
    return "\n\n".join(p for p in parts if p)


def meeting_events(
    meeting: MeetingInfo,
    writer: Writer,
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


def _itip(
    meeting: MeetingInfo, invitee: Invitee, now: datetime, method: str, labels: CalendarLabels
) -> bytes:
    writer = meeting_writer(meeting)
    cal = new_calendar(method)
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
    for ev in meeting_events(
        meeting,
        writer,
        dtstamp=utc_stamp(now),
        sequence=invitee.sequence,
        status=status,
        invitee=invitee,
        attendee_params=params,
        url=invitee.personal_url,
        description=personal_description(meeting, invitee.personal_url, labels),
        include_overrides=method == "REQUEST",
    ):
        cal.add_component(ev)
    return finish(cal, writer)


def build_request(
    meeting: MeetingInfo,
    invitee: Invitee,
    now: datetime,
    labels: CalendarLabels = ENGLISH_LABELS,
) -> bytes:
    """iTIP ``METHOD:REQUEST`` invitation (or update: same UID, higher ``invitee.sequence``)
    for one invitee, with ORGANIZER = the organiser (the mail's From) and the invitee as
    ATTENDEE (RSVP=TRUE). ``now`` becomes DTSTAMP (UTC). A cancelled meeting cannot be
    requested: use :func:`build_cancel`. ``labels``: the added words, in the invitee's language."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise CalendarError("status: the meeting is cancelled; send a CANCEL instead")
    return _itip(meeting, invitee, now, "REQUEST", labels)


def build_cancel(
    meeting: MeetingInfo,
    invitee: Invitee,
    now: datetime,
    labels: CalendarLabels = ENGLISH_LABELS,
) -> bytes:
    """iTIP ``METHOD:CANCEL`` (STATUS:CANCELLED, same UID, ``invitee.sequence`` must be higher
    than the last REQUEST's) for one uninvited person or for everyone when the meeting is
    cancelled. Cancels the whole series (no RECURRENCE-ID)."""
    return _itip(meeting, invitee, now, "CANCEL", labels)
