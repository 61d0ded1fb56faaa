"""The meeting form: from posted fields to the JSON API's shapes, and refusals back to fields."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from server.events.pages import COMMON_ZONES
from server.models import Event
from server.problems import Problem, validation_problem

TEXT_FIELDS = ("title", "summary", "description", "organiser_name", "organiser_email", "video_url")
NUMBER_FIELDS = ("seats", "retention_days")
LANGUAGES = ("ru",)  # the other languages whose texts organisers write here
ZONES = COMMON_ZONES


def _number(value: str | None) -> int | str | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value  # the schema names a non-number


def translations(form: MultiDict[str, str]) -> dict[str, dict[str, str]]:
    return {lang: {k: form.get(f"{k}_{lang}", "") for k in ("title", "summary", "description")}
            for lang in LANGUAGES}


def days(form: MultiDict[str, str]) -> list[dict[str, str]]:
    """Rows day_date_N / day_start_N / day_end_N / day_title_N; wholly empty rows are skipped."""
    count = int(_number(form.get("day_count")) or 0) if str(form.get("day_count", "")).isdigit() else 0
    rows = []
    for i in range(min(count, 14)):
        row = {k: form.get(f"day_{k}_{i}", "").strip() for k in ("date", "start", "end", "title")}
        if any(row.values()):
            rows.append(row)
    return rows


def details(form: MultiDict[str, str]) -> dict[str, Any]:
    """The fields of EventIn / EventPatch that the form carries (empty numbers are left out)."""
    body: dict[str, Any] = {k: form.get(k, "") for k in TEXT_FIELDS}
    body["timezone"] = form.get("timezone", "").strip()
    body["application_deadline"] = form.get("application_deadline", "").strip()
    for key in NUMBER_FIELDS:
        number = _number(form.get(key))
        if number is not None:
            body[key] = number
    body["auto_promote_waitlist"] = form.get("auto_promote_waitlist") == "1"
    body["translations"] = translations(form)
    return body


def new_event_body(form: MultiDict[str, str]) -> dict[str, Any]:
    return {**details(form), "slug": form.get("slug", "").strip(), "days": days(form)}


def edit_body(form: MultiDict[str, str]) -> dict[str, Any]:
    body = details(form)
    if not body["application_deadline"]:
        del body["application_deadline"]
    return body


def field_of(path: str) -> str:
    """API field path -> the form control: days.1.end -> day_end_1, translations.ru.title -> title_ru."""
    parts = path.split(".")
    if parts[0] == "days" and len(parts) >= 2 and parts[1].isdigit():
        return f"day_{parts[2] if len(parts) > 2 else 'date'}_{parts[1]}"
    if parts[0] == "days":
        return "day_date_0"
    if parts[0] == "translations" and len(parts) >= 3:
        return f"{parts[2]}_{parts[1]}"
    return parts[0] or "title"


def errors(exc: ValidationError | Problem) -> dict[str, str]:
    """Field -> the same reason the JSON API gives."""
    problem = validation_problem(exc) if isinstance(exc, ValidationError) else exc
    found: dict[str, str] = {}
    for e in problem.errors:
        found.setdefault(field_of(e["field"]), e["reason"])
    if not found:
        found["title"] = problem.title
    return found


def values_of(event: Event) -> dict[str, Any]:
    """The edit form's starting values, times in the event's zone."""
    tz = event.zone
    values: dict[str, Any] = {k: getattr(event, k) or "" for k in TEXT_FIELDS}
    values.update(
        slug=event.slug, timezone=event.timezone, seats=event.seats, retention_days=event.retention_days,
        auto_promote_waitlist="1" if event.auto_promote_waitlist else "",
        # with seconds (the input has step="1"): a 23:59:59 deadline saved unchanged stays 23:59:59
        application_deadline=event.application_deadline.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    for lang, texts in (event.translations or {}).items():
        for key, text in texts.items():
            values[f"{key}_{lang}"] = text
    return values
