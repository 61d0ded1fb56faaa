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

Modules: ``model`` (the inputs), ``vtimezone`` (zones as rules), ``events`` (the meeting's
VEVENTs and the iTIP messages), ``feed`` (the subscribed feeds and their ETags).
"""

from __future__ import annotations

from server.core.calendar.events import SeriesPlan, build_cancel, build_request, series_plan
from server.core.calendar.feed import build_personal_feed, build_public_feed, feed_etag
from server.core.calendar.model import (
    ENGLISH_LABELS,
    PRODID,
    AgendaEntry,
    CalendarError,
    CalendarLabels,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
    RoomEntry,
)
from server.core.calendar.vtimezone import build_vtimezone

__all__ = [
    "ENGLISH_LABELS",
    "PRODID",
    "AgendaEntry",
    "CalendarError",
    "CalendarLabels",
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
