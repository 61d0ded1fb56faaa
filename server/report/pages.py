"""Organiser pages: /organise/<slug>/report (+ .pdf) and /organise/<slug>/attendance (+ .csv)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from server.auth import organiser_page
from server.clock import now
from server.core.vocab import country_name
from server.events.operations import get_event
from server.localize import region_label, role_label
from server.problems import Problem
from server.report import charts
from server.report.gather import Report, attendance_of, gather

bp = Blueprint("report", __name__, url_prefix="/organise/<slug>", template_folder="templates")


LABELS = {"role": role_label, "region": region_label, "country": country_name}


def _charts(report: Report) -> dict[str, str]:
    series = [_("Applicants"), _("Invited"), _("Attending")]
    titles = {"role": _("By role"), "region": _("By region"), "country": _("By country")}
    return {dim: charts.grouped_bars(titles[dim], series,
                                     [(LABELS[dim](key), values) for key, values in report.composition.counts(dim)])
            for dim in titles}


def _render(slug: str, *, for_print: bool) -> tuple[str, Report]:
    event = get_event(slug)
    at = now()
    report = gather(event, at)
    template = "report/print.html" if for_print else "report/report.html"
    html = render_template(template, event=event, report=report, charts=_charts(report), labels=LABELS, at=at,
                           tz=event.zone)
    return html, report


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/report")
@organiser_page
def report_page(slug: str) -> Any:
    html, _report = _render(slug, for_print=False)
    return _private(Response(html, mimetype="text/html"))


@bp.get("/report.pdf")
@organiser_page
def report_pdf(slug: str) -> Any:
    html, report = _render(slug, for_print=True)
    try:
        from weasyprint import HTML
    except OSError:  # WeasyPrint is installed but the system's Pango is not (Debian: libpango-1.0-0)
        raise Problem(503, _("The PDF cannot be made on this server"), [
            ("pdf", _("The server lacks the text-layout libraries the PDF needs; the HTML report has the same "
                      "content."))]) from None
    pdf = HTML(string=html).write_pdf()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{report.event.slug}-report.pdf"'
    return _private(response)


@bp.get("/attendance")
@organiser_page
def attendance_page(slug: str) -> Any:
    event = get_event(slug)
    at = now()
    report = gather(event, at)
    return _private(Response(render_template("report/attendance.html", event=event, report=report,
                                             labels=LABELS, at=at, tz=event.zone), mimetype="text/html"))


def _local(moment: datetime, event: Any) -> str:
    return moment.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")


@bp.get("/attendance.csv")
@organiser_page
def attendance_csv(slug: str) -> Any:
    from server.applications.exports import csv_cell

    event = get_event(slug)
    report = gather(event, now())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["morning", "person_id", "name", "role", "country", "first_joined", "last_left", "minutes",
                     "rooms", "timezone"])
    for morning in report.mornings:
        day = morning.morning.starts.astimezone(event.zone).date().isoformat()
        for row in morning.people:
            person = report.people.get(row.person_id)
            rooms = "; ".join(f"{report.room_names.get(r, r)} ({m} min)" for r, m in row.room_minutes.items())
            writer.writerow([csv_cell(v) for v in (
                day, row.person_id, person.name if person else "", person.role if person else "",
                person.country if person else "", _local(row.first_joined, event), _local(row.last_left, event),
                row.minutes, rooms, event.timezone)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-attendance.csv"'
    return _private(response)


__all__ = ["attendance_of", "bp"]
