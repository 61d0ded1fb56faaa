"""JSON API for who facilitates an event's break-out rooms: participants and staff (issue 14)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_babel import gettext as _

from server.api.openapi import documented
from server.auth import organiser_required
from server.breakouts import facilitators, schemas
from server.events.operations import get_event
from server.extensions import db
from server.models import BreakoutRoom
from server.problems import invalid, parse_json

bp = Blueprint("facilitators_api", __name__, url_prefix="/api/events/<slug>/facilitators")

TAGS = ("break-out rooms",)


@bp.get("")
@organiser_required
@documented("Who facilitates break-out rooms: the participants chosen, and every staff member with "
            "whether they facilitate and the rooms they hold", responses={200: schemas.FacilitatorsOut},
            auth="organiser", tags=TAGS)
def list_facilitators(slug: str) -> Any:
    return jsonify(facilitators.listing(get_event(slug)))


@bp.post("")
@organiser_required
@documented("Mark or unmark one facilitator: a staff member (user_id; placed in rooms without a "
            "participant facilitator when a round is proposed) or an applicant (application_id)",
            body=schemas.FacilitatorIn, responses={200: schemas.FacilitatorsOut}, auth="organiser", tags=TAGS)
def set_facilitator(slug: str) -> Any:
    event = get_event(slug)
    data = parse_json(schemas.FacilitatorIn)
    if (data.user_id is None) == (data.application_id is None):
        raise invalid("user_id", _("name one person: user_id (a staff member) or application_id (an applicant)"))
    freed: list[BreakoutRoom] = []
    if data.user_id is not None:
        freed = facilitators.set_staff(event, data.user_id, data.facilitator)[1]
    elif data.application_id is not None:
        facilitators.set_participant(event, data.application_id, data.facilitator)
    db.session.commit()
    facilitators.tell_freed(freed)
    return jsonify(facilitators.listing(event))
