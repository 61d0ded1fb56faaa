"""Late joiners without anyone's help: a person who becomes a participant (invited or accepted)
after a round was published gets a room in every published round of the event at once, chosen by
the engine's ``place_late_joiner`` (the smallest room that keeps the spread).

The status signal is sent after the applications feature committed the status, and that feature
commits again after its receivers ran; the placement rides on that second commit, and the
``room:assigned`` messages (built before the commit) go out after it. The placement runs in a
savepoint: if it fails, the status change and the other receivers' work are unaffected, and a
moderator can still place the person from the rooms view.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.dispatch import on_commit
from server.extensions import db
from server.models import Application, BreakoutRound, RoomAssignment
from server.models.applications import PARTICIPATING

log = logging.getLogger(__name__)


def on_status_changed(application: Application, *, old: str | None = None, new: str | None = None,
                      **_: Any) -> None:
    new = new or application.status
    if new not in PARTICIPATING or old in PARTICIPATING:
        return
    try:
        with db.session.begin_nested():
            pending = _place_everywhere(application)
    except Exception:  # never break the status change; the rooms view lists them as unplaced
        log.exception("could not place late joiner %s in the published rounds", application.id)
        return
    if pending:
        on_commit(partial(_tell, pending))


def _place_everywhere(application: Application) -> list[tuple[int, int, dict[str, Any]]]:
    from server.breakouts import operations as ops
    from server.live import operations as live_ops

    rounds = db.session.scalars(
        select(BreakoutRound).where(BreakoutRound.event_id == application.event_id,
                                    BreakoutRound.status == "published").order_by(BreakoutRound.id)
    ).all()
    pending: list[tuple[int, int, dict[str, Any]]] = []
    for rnd in rounds:
        if not rnd.rooms:
            continue
        placed = db.session.scalar(select(RoomAssignment.id).where(RoomAssignment.round_id == rnd.id,
                                                                   RoomAssignment.application_id == application.id))
        if placed is not None:
            continue
        room, live_now = ops.seat_in_published_round(rnd, application)
        if live_now:
            members = live_ops.room_members(room.id)
            payload = live_ops.room_payload(rnd.id, room, members)
            pending += [(rnd.event_id, m["person_id"], payload) for m in members]
    return pending


def _tell(pending: list[tuple[int, int, dict[str, Any]]]) -> None:
    from server.live import emit

    for event_id, application_id, payload in pending:
        try:
            emit.room_assigned(event_id, application_id, payload)
        except Exception:  # live delivery is best effort; the snapshot repeats the assignment
            current_app.logger.exception("room:assigned to %s failed", application_id)
