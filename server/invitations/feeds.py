"""Calendar feeds: the public agenda (``/events/<slug>/agenda.ics``) and each participant's
personal feed at a secret URL (``/feeds/<token>.ics``, offered as ``webcal://``).

Both are METHOD-less snapshots (see server.core.calendar) with a strong ETag over the exact
bytes; ``If-None-Match`` with the current ETag answers 304. The personal feed is
``Cache-Control: private`` (its URL is the credential); an unknown token is a plain 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request

from server.core.calendar import Invitee, build_personal_feed, build_public_feed, feed_etag
from server.events import operations as ops
from server.i18n import recipient_locale
from server.invitations import links, service
from server.models import ApplicationStatus
from server.models.applications import PARTICIPATING

bp = Blueprint("invitation_feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _matches(header: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison, a list, or '*'."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _calendar_response(body: bytes, cache_control: str, filename: str) -> Response:
    etag = feed_etag(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if _matches(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=headers)
    response = Response(body, content_type=CALENDAR_TYPE, headers=headers)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/events/<slug>/agenda.ics")
def public_feed(slug: str) -> Any:
    event = ops.get_event(slug)
    url = f"{links.base_url()}/events/{event.slug}/agenda.ics"
    body = build_public_feed(service.meeting_info(event), service.agenda_entries(event),
                             service.last_modified(event), feed_url=url)  # the reader's language
    return _calendar_response(body, "public, max-age=300", f"{event.slug}.ics")


@bp.get("/feeds/<token>.ics")
def personal_feed(token: str) -> Any:
    application = links.application_by_token("feed_token_hash", token)
    if application is None or application.status == ApplicationStatus.ERASED:
        abort(404)
    event = application.event
    row = links.invitation_row(application)
    language = application.language  # the participant's language, whoever fetches the feed
    rooms, stamps = service.room_entries(event, application, language)
    invitee = Invitee(id=service.invitee_id(application.id), name=application.name or "",
                      email=application.email or "participant@invalid.example",
                      personal_url=service.public_url(event))  # the feed never holds the link
    with recipient_locale(application):
        labels = service.calendar_labels()
    body = build_personal_feed(
        service.meeting_info(event, language), invitee, rooms,
        service.last_modified(event, [row.updated_at, application.updated_at, *stamps]),
        feed_url=links.feed_urls(token)[0],
        cancelled=application.status not in PARTICIPATING,
        labels=labels,
    )
    response = _calendar_response(body, "private", "convene.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
