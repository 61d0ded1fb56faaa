"""Public pages: the list of events and each event's page with its agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, url_for

from server import names, timefmt
from server.core.timeutil import TimeError, utc_offset_label, zone
from server.core.vocab import ITEM_KIND_LABELS
from server.events import operations as ops
from server.i18n import compiled_catalog, current_language
from server.localize import localized
from server.models.types import utcnow

bp = Blueprint("pages", __name__)

# Offered in the zone picker; any IANA name also works through ?tz=.
COMMON_ZONES = (
    "Europe/Brussels", "Europe/London", "Europe/Lisbon", "Europe/Helsinki", "Europe/Istanbul",
    "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Ashgabat", "UTC",
)


def viewer_zone() -> ZoneInfo | None:
    """The zone the viewer asked for with ?tz= (the browser's own zone is added by script)."""
    name = request.args.get("tz", "").strip()
    if not name:
        return None
    try:
        return zone(name)
    except TimeError:
        return None


@bp.app_template_filter("country")
def _country(code: str) -> str:
    return names.country(code)


@bp.app_template_global("local")
def local(instant: datetime, tz: ZoneInfo, fmt: str = "%H:%M") -> str:
    return instant.astimezone(tz).strftime(fmt)


@bp.app_template_global("offset_label")
def offset_label(instant: datetime, tz: ZoneInfo) -> str:
    return utc_offset_label(instant, tz)


@bp.get("/")
def home() -> Any:
    return render_template("home.html", events=ops.list_events(), now=utcnow())


def agenda_rows(event: Any, viewer: ZoneInfo | None, language: str) -> list[dict[str, Any]]:
    """Each day's heading and rows in the reader's language, built here in Python (one template
    loop instead of five template calls per item keeps the page as fast as it was)."""
    kinds = {kind: compiled_catalog(language).gettext(label) for kind, label in ITEM_KIND_LABELS.items()}
    tz = event.zone
    days = []
    for day in event.days:
        name = timefmt.day(day.date, language=language)
        rows = []
        for item in day.items:
            starts_at, ends_at = item.starts_at, item.ends_at
            rows.append({
                "kind": item.kind, "kind_label": kinds.get(item.kind, item.kind),
                "start_iso": starts_at.isoformat(), "end_iso": ends_at.isoformat(),
                "start": timefmt.clock(starts_at, tz, language), "end": timefmt.clock(ends_at, tz, language),
                "viewer": timefmt.span(starts_at, ends_at, viewer, language) if viewer else "",
                "title": localized(item, "title", language),
                "description": localized(item, "description", language),
                "speakers": "; ".join(
                    f"{s['name']}{', ' + s['organisation'] if s.get('organisation') else ''} "
                    f"({names.country(s['country'], language)})" for s in item.speakers),
            })
        days.append({"heading": localized(day, "title", language) or name, "caption": name, "rows": rows})
    return days


@bp.get("/events/<slug>")
def event_page(slug: str) -> Any:
    event = ops.get_event(slug)
    vz = viewer_zone()
    return render_template(
        "event.html", event=event, now=utcnow(), tz=event.zone, viewer_tz=vz,
        zones=COMMON_ZONES, bad_tz=bool(request.args.get("tz")) and vz is None,
        apply_url=url_for("applications.apply_form", slug=slug),
        agenda=agenda_rows(event, vz, current_language()),
    )

