"""Functions that change events and their agenda. Each validates fully before writing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from server.core.timeutil import TimeError, end_of_day, iso_utc, local_to_utc, zone
from server.core.vocab import country_name
from server.events import schemas
from server.extensions import db
from server.models import AgendaDay, AgendaItem, Event
from server.problems import Problem, invalid, not_found
from server.sessions.agenda import AgendaProblem, Slot, check_slot
from server.signals import agenda_changed, meeting_changed


def get_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise not_found("event")
    return event


def list_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.application_deadline.desc())))


def _instant(value: datetime | date, tz_name: str, field: str) -> datetime:
    try:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return local_to_utc(value.date(), value.time(), zone(tz_name))
            return value.astimezone(UTC)
        return end_of_day(value, zone(tz_name))
    except TimeError as exc:
        raise invalid(field, str(exc)) from None


def _day_window(day: date, start: time, end: time, tz_name: str, field: str) -> tuple[datetime, datetime]:
    tz = zone(tz_name)
    try:
        start_at = local_to_utc(day, start, tz)
        end_at = local_to_utc(day, end, tz)
    except TimeError as exc:
        raise invalid(field, str(exc)) from None
    if end_at <= start_at:
        raise invalid(f"{field}.end", _("The end must be after the start."))
    return start_at, end_at


RESERVED_SLUGS = frozenset({"new"})  # /organise/new is the page that makes a meeting


def create_event(data: schemas.EventIn) -> Event:
    if data.slug in RESERVED_SLUGS:
        raise invalid("slug", "is reserved; choose another address")
    if db.session.scalar(select(Event.id).where(Event.slug == data.slug)) is not None:
        raise Problem(409, _("Conflict"), [("slug", _("Another event already uses this address."))])
    seen: set[date] = set()
    days = []
    for i, d in enumerate(data.days):
        if d.date in seen:
            raise invalid(f"days.{i}.date", _("This date appears twice."))
        seen.add(d.date)
        start_at, end_at = _day_window(d.date, d.start, d.end, data.timezone, f"days.{i}")
        days.append(AgendaDay(date=d.date, title=d.title, starts_at=start_at, ends_at=end_at,
                              translations=merge_texts({}, d.translations)))
    event = Event(
        slug=data.slug,
        title=data.title,
        summary=data.summary,
        description=data.description,
        timezone=data.timezone,
        application_deadline=_instant(data.application_deadline, data.timezone, "application_deadline"),
        seats=data.seats,
        organiser_name=data.organiser_name,
        organiser_email=str(data.organiser_email),
        retention_days=data.retention_days,
        auto_promote_waitlist=data.auto_promote_waitlist,
        video_url=data.video_url,
        calendar_uid=f"{uuid.uuid4()}@convene",
        translations=merge_texts({}, data.translations),
        days=sorted(days, key=lambda d: d.date),
    )
    db.session.add(event)
    db.session.commit()
    return event


def update_event(event: Event, data: schemas.EventPatch) -> Event:
    changes = data.model_dump(exclude_unset=True)
    for key in ("title", "seats", "organiser_email"):
        if key in changes and changes[key] is None:
            raise invalid(key, _("This field cannot be empty."))
    if "application_deadline" in changes and changes["application_deadline"] is not None:
        changes["application_deadline"] = _instant(
            changes["application_deadline"], event.timezone, "application_deadline"
        )
    status_changed = "status" in changes and changes["status"] != event.status
    moved = False
    if changes.get("timezone") and changes["timezone"] != event.timezone:
        from server.events.editing import rezone

        moved = rezone(event, changes["timezone"], keep_deadline="application_deadline" not in changes)
    if data.translations is not None:
        event.translations = merge_texts(event.translations, data.translations)
    changes.pop("translations", None)
    for key, value in changes.items():
        if key in ("timezone", "translations"):
            continue
        if value is not None:
            setattr(event, key, str(value) if key == "organiser_email" else value)
    db.session.commit()
    if status_changed:
        meeting_changed.send(event, what="status")
    elif moved:
        meeting_changed.send(event, what="time")
    elif {"title", "description", "video_url"} & changes.keys() or data.translations:
        meeting_changed.send(event, what="details")
    return event


def merge_texts(old: dict[str, dict[str, str]] | None, new: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Translations after a change: given texts replace, "" removes, unmentioned ones stay."""
    merged = {lang: dict(texts) for lang, texts in (old or {}).items()}
    for lang, texts in new.items():
        given = texts.model_dump(exclude_none=True) if hasattr(texts, "model_dump") else dict(texts)
        current = merged.setdefault(str(lang), {})
        for field, text in given.items():
            if text:
                current[field] = text
            else:
                current.pop(field, None)
        if not current:
            del merged[str(lang)]
    return merged


def update_day(event: Event, day_id: int, data: schemas.DayPatch) -> AgendaDay:
    day = next((d for d in event.days if d.id == day_id), None)
    if day is None:
        raise not_found("agenda day")
    tz = event.zone
    local_start = day.starts_at.astimezone(tz)
    local_end = day.ends_at.astimezone(tz)
    new_date = data.date or day.date
    if new_date != day.date and any(d.date == new_date for d in event.days if d.id != day.id):
        raise invalid("date", _("Another agenda day already has this date."))
    start_at, end_at = _day_window(
        new_date, data.start or local_start.time(), data.end or local_end.time(), event.timezone, "day"
    )
    # Items keep their local wall-clock times when the day moves to another date.
    moved = []
    for item in day.items:
        s = item.starts_at.astimezone(tz).time()
        e = item.ends_at.astimezone(tz).time()
        try:
            new_s, new_e = local_to_utc(new_date, s, tz), local_to_utc(new_date, e, tz)
        except TimeError as exc:
            raise invalid("date", str(exc)) from None
        if new_s < start_at or new_e > end_at:
            raise invalid("start" if new_s < start_at else "end",
                          f"the item '{item.title}' would lie outside the day")
        moved.append((item, new_s, new_e))
    what = "dates" if new_date != day.date else "time"
    changed = (new_date, start_at, end_at) != (day.date, day.starts_at, day.ends_at)
    day.date, day.starts_at, day.ends_at = new_date, start_at, end_at
    if data.title is not None:
        day.title = data.title
    if data.translations is not None:
        day.translations = merge_texts(day.translations, data.translations)
    for item, s_at, e_at in moved:
        item.starts_at, item.ends_at = s_at, e_at
    db.session.commit()
    if changed:
        meeting_changed.send(event, what=what)
    return day


def _raise_problems(problems: list[AgendaProblem]) -> None:
    if problems:
        raise Problem(422, _("Invalid agenda item"), [(p.field, p.reason) for p in problems])


def _place(event: Event, day_date: date, start: time, end: time, item_id: int | None,
           title: str) -> tuple[AgendaDay, datetime, datetime]:
    day = next((d for d in event.days if d.date == day_date), None)
    if day is None:
        raise invalid("day", f"{day_date.isoformat()} is not a day of this event")
    tz = event.zone
    try:
        start_at = local_to_utc(day.date, start, tz)
        end_at = local_to_utc(day.date, end, tz)
    except TimeError as exc:
        raise invalid("start", str(exc)) from None
    others = [Slot(i.starts_at, i.ends_at, i.id, i.title) for i in day.items]
    _raise_problems(check_slot(Slot(start_at, end_at, item_id, title), day.starts_at, day.ends_at, others))
    return day, start_at, end_at


def add_item(event: Event, data: schemas.ItemIn) -> AgendaItem:
    day, start_at, end_at = _place(event, data.day, data.start, data.end, None, data.title)
    item = AgendaItem(
        day=day, starts_at=start_at, ends_at=end_at, title=data.title, kind=data.kind.value,
        description=data.description, speakers=[s.model_dump() for s in data.speakers],
        translations=merge_texts({}, data.translations),
    )
    db.session.add(item)
    db.session.commit()
    agenda_changed.send(event, item=item)
    return item


def get_item(event: Event, item_id: int) -> AgendaItem:
    item = next((i for i in event.items if i.id == item_id), None)
    if item is None:
        raise not_found("agenda item")
    return item


def update_item(event: Event, item_id: int, data: schemas.ItemPatch) -> AgendaItem:
    item = get_item(event, item_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("day", "start", "end", "title", "kind"):
        if key in changes and changes[key] is None:
            raise invalid(key, _("This field cannot be empty."))
    tz = event.zone
    day, start_at, end_at = _place(
        event,
        data.day or item.day.date,
        data.start or item.starts_at.astimezone(tz).time(),
        data.end or item.ends_at.astimezone(tz).time(),
        item.id,
        data.title or item.title,
    )
    item.day, item.starts_at, item.ends_at = day, start_at, end_at
    if data.title is not None:
        item.title = data.title
    if data.kind is not None:
        item.kind = data.kind.value
    if data.description is not None:
        item.description = data.description
    if data.speakers is not None:
        item.speakers = [s.model_dump() for s in data.speakers]
    if data.translations is not None:
        item.translations = merge_texts(item.translations, data.translations)
    db.session.commit()
    agenda_changed.send(event, item=item)
    return item


def delete_item(event: Event, item_id: int) -> None:
    item = get_item(event, item_id)
    db.session.delete(item)
    db.session.commit()
    agenda_changed.send(event, item=None)


# Built once: the loader options' cache key costs more to build per call than the lazy loads it saves.
_EVENT_WITH_AGENDA = (
    select(Event)
    .where(Event.id == bindparam("event_id"))
    .options(selectinload(Event.days).selectinload(AgendaDay.items))
)


def event_with_agenda(event_id: int) -> Event:
    """The event with its days and their items in three queries (pages that show the whole
    agenda on every load would otherwise pay a lazy load for the event, its days and each day)."""
    return db.session.execute(_EVENT_WITH_AGENDA, {"event_id": event_id}).scalar_one()


# ---- serialisation ----

def item_dict(item: AgendaItem, tz_name: str) -> dict[str, Any]:
    tz = zone(tz_name)
    start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
    return {
        "id": item.id,
        "day": item.day.date.isoformat(),
        "title": item.title,
        "kind": item.kind,
        "description": item.description,
        "speakers": [
            {**s, "country_name": country_name(s["country"]), "organisation": s.get("organisation", "")}
            for s in item.speakers
        ],
        "start_local": start.strftime("%H:%M"),
        "end_local": end.strftime("%H:%M"),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "start_utc": iso_utc(item.starts_at),
        "end_utc": iso_utc(item.ends_at),
        "translations": item.translations or {},
    }


def day_dict(day: AgendaDay, tz_name: str) -> dict[str, Any]:
    tz = zone(tz_name)
    return {
        "id": day.id,
        "date": day.date.isoformat(),
        "title": day.title,
        "translations": day.translations or {},
        "start": day.starts_at.astimezone(tz).isoformat(),
        "end": day.ends_at.astimezone(tz).isoformat(),
        "start_utc": iso_utc(day.starts_at),
        "end_utc": iso_utc(day.ends_at),
        "items": [item_dict(i, tz_name) for i in day.items],
    }


def agenda_dict(event: Event) -> dict[str, Any]:
    return {
        "event": event.slug,
        "timezone": event.timezone,
        "days": [day_dict(d, event.timezone) for d in event.days],
    }


def event_summary_dict(event: Event, now: datetime, base_url: str) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "timezone": event.timezone,
        "first_day": event.days[0].date.isoformat() if event.days else None,
        "last_day": event.days[-1].date.isoformat() if event.days else None,
        "application_deadline": event.application_deadline.astimezone(event.zone).isoformat(),
        "call_open": event.call_is_open(now),
        "status": event.status,
        "url": f"{base_url}/events/{event.slug}",
    }


def event_dict(event: Event, now: datetime, base_url: str) -> dict[str, Any]:
    return {
        **event_summary_dict(event, now, base_url),
        "description": event.description,
        "translations": event.translations or {},
        "seats": event.seats,
        "organiser_name": event.organiser_name,
        "days": [day_dict(d, event.timezone) for d in event.days],
    }


