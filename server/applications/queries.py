"""The review table: filters, sorting and the dictionaries the API and pages show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.applications.reviews import ReviewSummary, reviews_visible_to, summarise
from server.applications.status import S
from server.core.timeutil import iso_utc
from server.core.vocab import (
    REGION_LABELS,
    ROLE_LABELS,
    WORKS_WITH_LABELS,
    Region,
    Role,
    UnknownCountry,
    WorksWith,
    country_name,
    normalise_country,
)
from server.extensions import db
from server.models import Application, Event
from server.problems import invalid

FILTER_QUERY: dict[str, str] = {
    "role": "a role, e.g. prison_officer",
    "region": "eu | other_europe | central_asia | other",
    "country": "ISO 3166-1 alpha-2",
    "works_with": "returning_fighters | families | children | expect_in_future",
    "status": "submitted | invited | accepted | declined | waitlisted | rejected | withdrawn | erased",
    "min_score": "lowest mean score (only applications you have scored have a visible mean)",
    "max_score": "highest mean score",
    "reviewed": "mine | not_mine | none",
    "sort": "created | name | organisation | country | role | region | status | mean | count | spread; "
            "prefix - for descending",
}


SORTS = ("created", "name", "organisation", "country", "role", "region", "status", "mean", "count", "spread")


@dataclass(frozen=True)
class Filters:
    role: str | None = None
    region: str | None = None
    country: str | None = None
    works_with: str | None = None
    status: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    reviewed: str | None = None  # mine | not_mine | none
    sort: str = "created"


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the filters from query parameters; a bad value names the parameter."""
    unknown = set(args) - set(FILTER_QUERY) - {"tz"}
    if unknown:
        raise invalid(sorted(unknown)[0], "is not a known filter", status=400)

    def pick(name: str, allowed: Iterable[str]) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value not in set(allowed):
            raise invalid(name, f"'{value}' is not one of {', '.join(allowed)}", status=400)
        return value

    def score(name: str) -> float | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise invalid(name, "must be a number from 1 to 5", status=400) from None
        if not 1 <= number <= 5:
            raise invalid(name, "must be a number from 1 to 5", status=400)
        return number

    country = (args.get("country") or "").strip() or None
    if country:
        try:
            country = normalise_country(country)
        except UnknownCountry as exc:
            raise invalid("country", str(exc), status=400) from None
    sort = (args.get("sort") or "created").strip()
    if sort.lstrip("-") not in SORTS:
        raise invalid("sort", f"must be one of {', '.join(SORTS)} (prefix - for descending)", status=400)
    return Filters(
        role=pick("role", [r.value for r in Role]),
        region=pick("region", [r.value for r in Region]),
        country=country,
        works_with=pick("works_with", [w.value for w in WorksWith]),
        status=pick("status", [s.value for s in S]),
        min_score=score("min_score"),
        max_score=score("max_score"),
        reviewed=pick("reviewed", ["mine", "not_mine", "none"]),
        sort=sort,
    )


def list_applications(event: Event, filters: Filters, reader_id: int) -> list[tuple[Application, ReviewSummary]]:
    apps = db.session.scalars(
        select(Application).where(Application.event_id == event.id)
        .options(selectinload(Application.reviews)).order_by(Application.id)
    ).all()
    rows = []
    for a in apps:
        if filters.status is None and a.status == S.ERASED:
            continue
        if filters.status and a.status != filters.status:
            continue
        if filters.role and a.role != filters.role:
            continue
        if filters.region and a.region != filters.region:
            continue
        if filters.country and a.country != filters.country:
            continue
        if filters.works_with and filters.works_with not in (a.works_with or []):
            continue
        summary = summarise(a, reader_id)
        if filters.reviewed == "mine" and summary.mine is None:
            continue
        if filters.reviewed == "not_mine" and summary.mine is not None:
            continue
        if filters.reviewed == "none" and summary.count:
            continue
        if filters.min_score is not None and (summary.mean is None or summary.mean < filters.min_score):
            continue
        if filters.max_score is not None and (summary.mean is None or summary.mean > filters.max_score):
            continue
        rows.append((a, summary))
    key = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")

    def sort_key(row: tuple[Application, ReviewSummary]) -> tuple[Any, ...]:
        a, s = row
        if key in ("mean", "count", "spread"):
            value = getattr(s, key)
            # Hidden or missing values sort last in either direction.
            return (value is None, -(value or 0) if descending else (value or 0), a.id)
        value = {"created": a.id, "name": (a.name or "").casefold(), "organisation": (a.organisation or "").casefold(),
                 "country": a.country, "role": a.role, "region": a.region, "status": a.status}[key]
        return (False, value, a.id)

    rows.sort(key=sort_key)
    if descending and key not in ("mean", "count", "spread"):
        rows.reverse()
    return rows


def event_apps(event: Event, statuses: Iterable[str]) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.event_id == event.id, Application.status.in_(tuple(statuses)))
        .options(selectinload(Application.reviews)).order_by(Application.id)
    ))


def row_dict(a: Application, summary: ReviewSummary) -> dict[str, Any]:
    return {
        "id": a.id, "status": a.status, "name": a.name, "organisation": a.organisation, "job_title": a.job_title,
        "country": a.country, "country_name": country_name(a.country), "region": a.region, "role": a.role,
        "role_other": a.role_other, "languages": list(a.languages or []), "works_with": list(a.works_with or []),
        "selection_override": a.selection_override, "created_at": iso_utc(a.created_at),
        "review": summary.as_dict(),
    }


def full_dict(a: Application, reader_id: int | None) -> dict[str, Any]:
    """The whole application: for organisers (reviews after they scored) or for its owner (no reviews)."""
    summary = summarise(a, reader_id)
    body = row_dict(a, summary)
    body.update({
        "email": a.email, "work_relation": a.work_relation, "key_questions": list(a.key_questions or []),
        "challenges": a.challenges, "share_questions": a.share_questions,
        "offers_to_facilitate": bool(a.offers_to_facilitate), "is_facilitator": bool(a.is_facilitator),
        "reviews": reviews_visible_to(a, reader_id) if reader_id is not None else None,
    })
    if reader_id is None:  # the owner sees their answers, never the reviews
        body["review"] = {"count": 0, "mean": None, "spread": None, "mine": None}
        body["selection_override"] = None
    return body


LABELS = {
    "roles": {r.value: label for r, label in ROLE_LABELS.items()},
    "regions": {r.value: label for r, label in REGION_LABELS.items()},
    "works_with": {w.value: label for w, label in WORKS_WITH_LABELS.items()},
}

