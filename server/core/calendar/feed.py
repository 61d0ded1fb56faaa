"""The public agenda feed, the personal feed (no METHOD), and their strong ETags."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event
from icalendar.prop import vDuration, vText

from server.core.calendar.events import (
    Writer,
    finish,
    meeting_events,
    meeting_writer,
    new_calendar,
    utc_stamp,
)
from server.core.calendar.model import (
    ENGLISH_LABELS,
    FEED_REFRESH,
    AgendaEntry,
    CalendarLabels,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    RoomEntry,
)


def _feed_calendar(name: str, zone: str, description: str, source_url: str | None) -> Calendar:
    cal = new_calendar(None)
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
    stamp = utc_stamp(last_modified)
    writer = Writer(meeting.zone, [t for a in agenda for t in (a.start_utc, a.end_utc)])
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
    return finish(cal, writer)


def build_personal_feed(
    meeting: MeetingInfo,
    invitee: Invitee,
    rooms: Sequence[RoomEntry],
    last_modified: datetime,
    *,
    feed_url: str | None = None,
    cancelled: bool = False,
    labels: CalendarLabels = ENGLISH_LABELS,
) -> bytes:
    """Personal feed: the mornings (one recurring VEVENT, UID ``feed-<meeting uid>`` so it does
    not collide with the emailed invitation's UID) plus one VEVENT per break-out round with
    the participant's room and its video link in LOCATION/URL. ``cancelled`` (uninvited)
    marks everything STATUS:CANCELLED so subscribed calendars show it as cancelled.
    ``labels``: the added words (feed name, room and video labels) in the participant's language."""
    stamp = utc_stamp(last_modified)
    writer = meeting_writer(meeting, [t for r in rooms for t in (r.start_utc, r.end_utc)])
    cal = _feed_calendar(labels.personal_feed.replace("{title}", meeting.title), meeting.zone, "", feed_url)
    status = "CANCELLED" if cancelled else _status(meeting)
    for ev in meeting_events(
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
        led = f"\n{labels.facilitated_by} {', '.join(room.facilitators)}" if room.facilitators else ""
        ev.add(
            "DESCRIPTION",
            f"{labels.breakout_room} {room.room_name}{led}\n{labels.video_link} {room.video_url}",
        )
        ev.add("LOCATION", vText(f"{room.room_name} - {room.video_url}"))
        ev.add("URL", room.video_url)
        ev.add("STATUS", status)
        ev.add("TRANSP", "OPAQUE")
        cal.add_component(ev)
    return finish(cal, writer)


def feed_etag(body: bytes) -> str:
    """Strong ETag (quoted) for a feed body: SHA-256 of the exact bytes, 32 hex digits."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
