"""Changing an event's shape after it exists: adding and removing days, moving it to another zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.core.timeutil import TimeError, local_to_utc, zone
from server.events import schemas
from server.events.operations import _day_window
from server.extensions import db
from server.models import AgendaDay, Event
from server.problems import invalid
from server.signals import meeting_changed

MAX_DAYS = 14


def add_day(event: Event, data: schemas.DayIn) -> AgendaDay:
    """A new morning for the meeting; invitees' calendars get the update."""
    if len(event.days) >= MAX_DAYS:
        raise invalid("date", f"a meeting has at most {MAX_DAYS} days")
    if any(d.date == data.date for d in event.days):
        raise invalid("date", "another agenda day already has this date")
    start_at, end_at = _day_window(data.date, data.start, data.end, event.timezone, "day")
    day = AgendaDay(date=data.date, title=data.title, starts_at=start_at, ends_at=end_at)
    event.days.append(day)
    db.session.commit()
    meeting_changed.send(event, what="dates")
    return day


def remove_day(event: Event, day_id: int) -> None:
    """Remove an empty day; a meeting keeps at least one, and a day with items keeps them."""
    day = next((d for d in event.days if d.id == day_id), None)
    if day is None:
        raise invalid("day", "is not a day of this meeting", 404)
    if len(event.days) == 1:
        raise invalid("day", "a meeting needs at least one day")
    if day.items:
        raise invalid("day", f"this day still has {len(day.items)} agenda items; move or remove them first")
    event.days.remove(day)
    db.session.commit()
    meeting_changed.send(event, what="dates")


def _relocalise(instant: datetime, old: ZoneInfo, new: ZoneInfo, field: str) -> datetime:
    local = instant.astimezone(old)
    try:
        return local_to_utc(local.date(), local.time(), new)
    except TimeError as exc:
        raise invalid(field, str(exc)) from None


def rezone(event: Event, tz_name: str, *, keep_deadline: bool = True) -> bool:
    """Move the event to another zone keeping every wall-clock time (09:30 stays 09:30).

    Validates everything before changing anything; returns whether any morning moved.
    """
    old, new = event.zone, zone(tz_name)
    days = [(d, _relocalise(d.starts_at, old, new, "timezone"), _relocalise(d.ends_at, old, new, "timezone"))
            for d in event.days]
    items = [(i, _relocalise(i.starts_at, old, new, "timezone"), _relocalise(i.ends_at, old, new, "timezone"))
             for i in event.items]
    deadline = _relocalise(event.application_deadline, old, new, "application_deadline") if keep_deadline else None
    for row, start, end in [*days, *items]:
        row.starts_at, row.ends_at = start, end
    if deadline is not None:
        event.application_deadline = deadline
    event.timezone = tz_name
    return bool(days)
