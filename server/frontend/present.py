"""The projector view at ``/present/<slug>?key=<secret>``: the screen shared into the call.

No login: the secret link is the permission (only its hash is stored, see
``server.live.projector``); a wrong or reset key gets a plain 404 that says nothing about the
event. The page is a shell like the live pages; its script follows the plenary over a read-only
socket. It is opened in its own browser tab and shared from there, so it never needs framing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.events import operations as event_ops
from server.extensions import limiter
from server.live import projector
from server.problems import Problem

bp = Blueprint("frontend_present", __name__)

HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def present_url(slug: str, secret: str) -> str:
    """The projector link of an event, absolute (it is copied into another computer)."""
    path = url_for("frontend_present.present", slug=slug)
    return f"{current_app.config['BASE_URL']}{path}?{urlencode({'key': secret})}"


@bp.get("/present/<slug>")
@limiter.limit("30 per minute")
def present(slug: str) -> Any:
    from server.frontend.live import agenda_json

    key = request.args.get("key", "")
    event = projector.event_for_key(key)
    if event is None or event.slug != slug:
        raise Problem(404, "Not found", [("key", _("this projector link is unknown or was replaced; "
                                                   "ask the moderator for the new one"))])
    config = {**agenda_json(event), "key": key}
    return render_template("frontend/present.html", event=event, config=config), 200, HEADERS


@bp.post("/moderate/<slug>/projector-link")
@login_required
def reset_link(slug: str) -> Any:
    if not current_user.is_moderator:
        raise Problem(403, "Forbidden", [("role", _("only moderators and organisers may change the projector link"))])
    event = event_ops.get_event(slug)
    secret = projector.reset(event.id)
    return jsonify(url=present_url(event.slug, secret))
