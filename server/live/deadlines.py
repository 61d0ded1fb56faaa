"""Break-outs end when their time is up, whoever is (or is not) at the moderator's desk.

The stored end time (``live_states.breakouts_end_at``) is the truth: every few seconds the
scheduler (Celery beat, or the in-process beat of the embedded default) runs
``end_overdue_breakouts``, which finds the events whose rooms are overdue and moves each one
step on: open rooms get the usual grace countdown (``LIVE_TIME_UP_GRACE_SECONDS``, ``closing``),
rooms whose grace has run out too are brought back to the plenary. Nothing is kept in memory,
so a restart during the rooms changes nothing: the next tick after the start catches up.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from server.extensions import db
from server.live import emit
from server.live import operations as ops
from server.models.live import LiveStateRow
from server.models.types import utcnow
from server.sessions.live_state import Mode
from server.sessions.protocol import LiveError

log = logging.getLogger(__name__)


def overdue_events(now: datetime) -> list[int]:
    """Events whose break-out countdown (or grace period) has run out."""
    events = list(db.session.scalars(
        select(LiveStateRow.event_id)
        .where(LiveStateRow.mode == Mode.BREAKOUTS.value, LiveStateRow.breakouts_end_at <= now)
        .order_by(LiveStateRow.event_id)
    ))
    db.session.rollback()
    return events


def end_overdue_breakouts(now: datetime | None = None) -> int:
    """Move every overdue event's rooms one step on (grace countdown, then back); return how many."""
    moment = now or utcnow()
    grace = int(current_app.config.get("LIVE_TIME_UP_GRACE_SECONDS", 60))
    moved = 0
    for event_id in overdue_events(moment):
        try:
            state, change = ops.change_live_state(event_id, lambda s: s.time_up(moment, grace))
        except LiveError:
            continue  # a moderator acted meanwhile (extended, brought back): nothing is due
        delivery = emit.agenda_state(state, change, moment)
        log.info("event %s: break-out time is up (%s)%s", event_id, change.action,
                 f"; not delivered yet: {delivery.undelivered}" if delivery.undelivered else "")
        moved += 1
    return moved
