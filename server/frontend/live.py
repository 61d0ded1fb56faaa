"""The live pages: a participant's ``/p/<token>/live`` and the moderators' ``/moderate/<slug>``.

Both pages are shells: what they show comes over Socket.IO (docs/realtime.md). The server
renders what the socket does not carry: the agenda's titles and times, and a participant's
room-mates (name, role, country) at ``/p/<token>/live/room.json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from server.applications import links
from server.breakouts import facilitators
from server.core.timeutil import iso_utc, zone
from server.core.vocab import ITEM_KIND_LABELS, ROLE_LABELS, country_name
from server.events import operations as event_ops
from server.extensions import db, limiter
from server.frontend.present import present_url
from server.i18n import compiled_catalog, current_language, prefer_language
from server.live import operations as live_ops
from server.live import projector, seeding
from server.localize import localized
from server.models import Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment
from server.models.applications import PARTICIPATING
from server.problems import Problem

bp = Blueprint("frontend_live", __name__)

PERSONAL_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
ROLES = {r.value: label for r, label in ROLE_LABELS.items()}


def agenda_json(event: Event) -> dict[str, Any]:
    """What the live scripts need to name agenda items: ids, titles, kinds (code and words),
    times (UTC and the event's), and the days with their headings. Built straight from the
    rows (not from the API's agenda_dict, whose speakers and descriptions these pages never
    show), with the reader's language and catalog looked up once: the live pages render it on
    every load."""
    tz = zone(event.timezone)
    language = current_language()
    catalog = compiled_catalog(language)
    kind_words = {kind: catalog.gettext(words) for kind, words in ITEM_KIND_LABELS.items()}
    days: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for day in event.days:
        date = day.date.isoformat()
        # The organisers' own texts in the reader's language where they translated them.
        days.append({"date": date, "title": localized(day, "title", language) or day.title or date,
                     "start_utc": iso_utc(day.starts_at)})
        for item in day.items:
            start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
            items.append({"id": item.id, "title": localized(item, "title", language) or item.title,
                          "kind": item.kind, "kind_label": kind_words.get(item.kind, item.kind), "day": date,
                          "start_utc": iso_utc(item.starts_at), "end_utc": iso_utc(item.ends_at),
                          "start_local": f"{start.hour:02d}:{start.minute:02d}",
                          "end_local": f"{end.hour:02d}:{end.minute:02d}"})
    return {"event_id": event.id, "slug": event.slug, "title": localized(event, "title", language),
            "timezone": event.timezone, "days": days, "items": items}


@bp.get("/p/<token>/live")
@limiter.limit("60 per minute")
def participant(token: str) -> Any:
    application = links.by_token(token)
    prefer_language(application.language)  # a personal-link page: the participant's language
    event = event_ops.event_with_agenda(application.event_id)
    allowed = application.status in PARTICIPATING
    return render_template(
        "frontend/live.html", event=event, application=application, allowed=allowed,
        config={**agenda_json(event), "token": token, "me": application.id,
                "name": application.name or "", "viewer_timezone": application.timezone or None,
                "room_url": url_for(".participant_room", token=token),
                "personal_url": url_for("applications.personal", token=token)},
    ), 200, PERSONAL_HEADERS


def room_members(room_id: int) -> list[dict[str, Any]]:
    """Room-mates as other participants may see them: name, role, country (never email)."""
    rows = db.session.scalars(
        select(Application)
        .join(RoomAssignment, RoomAssignment.application_id == Application.id)
        .where(RoomAssignment.room_id == room_id, Application.status.in_(PARTICIPATING))
        .order_by(Application.name)
    )
    return [
        {"id": a.id, "name": a.name or "", "role": ROLES.get(a.role, a.role),
         "country": country_name(a.country) if a.country else ""}
        for a in rows
    ]


@bp.get("/p/<token>/live/room.json")
@limiter.limit("120 per minute")
def participant_room(token: str) -> Any:
    application = links.by_token(token)
    if application.status not in PARTICIPATING:
        raise Problem(403, "Forbidden", [("token", "only invited participants see their room")])
    assigned = live_ops.assignment(application.event_id, application.id)
    room = None
    members: list[dict[str, Any]] = []
    if assigned is not None and assigned["room_id"] is not None:
        room_row = db.session.get(BreakoutRoom, assigned["room_id"])
        room = {**assigned, "topic": room_row.topic if room_row else ""}
        members = room_members(assigned["room_id"])
    response = jsonify(room=room, members=members)
    response.headers.update(PERSONAL_HEADERS)
    return response


@bp.get("/moderate/<slug>")
@login_required
def moderate(slug: str) -> Any:
    if not current_user.is_moderator:
        raise Problem(403, "Forbidden", [("role", "only moderators and organisers may open this page")])
    event = event_ops.get_event(slug)
    rounds = db.session.scalars(
        select(BreakoutRound).where(BreakoutRound.event_id == event.id).order_by(BreakoutRound.id)
    ).all()
    config = {
        **agenda_json(event),
        "rounds": [{"id": r.id, "title": r.title, "status": r.status} for r in rounds],
        "rooms_api": f"/api/events/{event.slug}/rounds/{{round}}/rooms",
        "moves_api": f"/api/events/{event.slug}/rounds/{{round}}/moves",
        "organiser": bool(current_user.is_organiser),
        "seeded": seeding.seeded_items(event.id),
        "projector_reset_url": url_for("frontend_present.reset_link", slug=event.slug),
    }
    projector_url = present_url(event.slug, projector.secret_of(event.id))
    return render_template("frontend/moderate.html", event=event, config=config, rounds=rounds,
                           projector_url=projector_url, my_rooms=facilitators.rooms_of(event, current_user.id))
