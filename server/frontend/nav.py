"""The staff navigation: every organiser and moderator page of the event on screen."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user


def _url(endpoint: str, **values: Any) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def event_links(slug: str) -> list[tuple[str, str]]:
    """(label, url) of each staff page of one event, in the order work happens."""
    organiser = current_user.is_authenticated and current_user.is_organiser
    links: list[tuple[str, str | None]] = []
    if organiser:
        links += [
            (_("Dashboard"), _url("frontend_organise.dashboard", slug=slug)),
            (_("Edit"), _url("events_organise.edit", slug=slug)),
            (_("Applications"), _url("applications_organise.table", slug=slug)),
            (_("Selection"), _url("applications_organise.selection", slug=slug)),
            (_("Mail"), _url("invitations.mail_page", slug=slug)),
            (_("Mail texts"), _url("messages.index", slug=slug)),
            (_("Answers"), _url("replies.replies_page", slug=slug)),
            (_("Agenda"), _url("frontend_organise.agenda", slug=slug)),
            (_("Break-out rounds"), f"/organise/{slug}/rounds"),
            (_("Report"), _url("report.report_page", slug=slug)),
        ]
    links.append((_("Moderate"), _url("frontend_live.moderate", slug=slug)))
    return [(label, url) for label, url in links if url]


def staff_links() -> dict[str, Any]:
    """Template context: ``staff_event_links`` for the event in the URL, if any."""
    if not (current_user.is_authenticated and current_user.is_moderator):
        return {"staff_event_links": [], "staff_home": None}
    slug = (request.view_args or {}).get("slug") if request else None
    return {
        "staff_event_links": event_links(slug) if isinstance(slug, str) else [],
        "staff_home": _url("frontend_organise.index"),
        "staff_slug": slug,
    }
