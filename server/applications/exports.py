"""CSV exports, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable
from typing import Any

from server.applications.queries import event_apps
from server.applications.status import S
from server.core.timeutil import iso_utc
from server.core.vocab import (
    country_name,
)
from server.models import Application, Event
from server.models.applications import PARTICIPATING


def csv_cell(value: Any) -> str:
    """Spreadsheet-safe text: a cell a spreadsheet would read as a formula starts with a quote."""
    if value is None:
        return ""
    text = "; ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def applications_csv(event: Event) -> str:
    apps = event_apps(event, list(S))
    header = ["id", "status", "name", "email", "organisation", "job_title", "country", "region", "role",
              "role_other", "languages", "works_with", "work_relation", "key_question_1", "key_question_2",
              "key_question_3", "challenges", "share_questions", "reviews", "mean_score", "created_at"]

    def row(a: Application) -> list[Any]:
        questions = [*list(a.key_questions or []), "", "", ""][:3]
        scores = [r.score for r in a.reviews]
        return [a.id, a.status, a.name, a.email, a.organisation, a.job_title, a.country, a.region, a.role,
                a.role_other, a.languages, a.works_with, a.work_relation, *questions, a.challenges,
                a.share_questions, len(scores), f"{statistics.fmean(scores):.2f}" if scores else "",
                iso_utc(a.created_at)]

    return _csv(header, (row(a) for a in apps))


def participants_csv(event: Event) -> str:
    apps = event_apps(event, PARTICIPATING)
    header = ["id", "status", "name", "email", "organisation", "job_title", "country", "country_name", "region",
              "role", "role_other", "languages"]
    return _csv(header, ([a.id, a.status, a.name, a.email, a.organisation, a.job_title, a.country,
                          country_name(a.country), a.region, a.role, a.role_other, a.languages]
                         for a in sorted(apps, key=lambda a: ((a.name or "").casefold(), a.id))))

