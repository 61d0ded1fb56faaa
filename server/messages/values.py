"""The values a message's placeholders take for one meeting and one person."""

from __future__ import annotations

from datetime import UTC, datetime

from server.applications.deadline import deadline_label
from server.core.calendar import Morning
from server.core.invite_mail import describe_morning
from server.models import Event


def _base_url() -> str:
    from server.applications.links import base_url

    return base_url()


def _morning(start: datetime, end: datetime, event: Event, language: str | None) -> tuple[str, str]:
    """(local, UTC) lines of one morning. English keeps the calendar invitation's own wording
    (with the zone's abbreviation, which the locale data lacks in other languages); any other
    language gets its day and month names and the city's name in its own words."""
    if not language or language == "en":
        return describe_morning(Morning(start, end), event.timezone)
    from server import timefmt
    from server.core.timeutil import utc_offset_label

    tz = event.zone
    local = (f"{timefmt.day(start, tz, language)}, {timefmt.span(start, end, tz, language)} "
             f"{timefmt.place(tz, language)} ({utc_offset_label(start, tz)})")
    return local, f"{timefmt.span(start, end, UTC, language)} UTC"


def values_for(event: Event, name: str, personal_link: str, language: str | None = None) -> dict[str, str]:
    """The placeholders' values; the meeting's title and description in ``language`` where the
    organisers translated them (else as written)."""
    from server.localize import localized

    mornings = [_morning(d.starts_at, d.ends_at, event, language) for d in event.days]
    description = localized(event, "description", language) or localized(event, "summary", language)
    return {
        "name": name,
        "event_title": localized(event, "title", language) or event.title,
        "personal_link": personal_link,
        "deadline": deadline_label(event),
        "first_morning": mornings[0][0] if mornings else "",
        "when": "\n".join(f"  • {local}\n    ({utc})" for local, utc in mornings),
        "description": description.strip(),
        "organiser": event.organiser_name or event.title,
        "public_url": f"{_base_url()}/events/{event.slug}",
    }

