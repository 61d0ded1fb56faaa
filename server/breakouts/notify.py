"""Telling participants about a break-out round, after the commit, and only for a published round
that is the event's current one (see ``server.breakouts.operations``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from server.models import BreakoutRound
from server.sessions.protocol import LiveError


def is_current(rnd: BreakoutRound) -> bool:
    from server.live import operations as live_ops

    return live_ops.current_round_id(rnd.event_id) == rnd.id


def tell(rnd: BreakoutRound, application_ids: Sequence[int] | None) -> int:
    """After the commit: send ``room:assigned`` to these members (None: everyone) of a published,
    current round and move their sockets. Returns how many were told."""
    if rnd.status != "published" or not is_current(rnd):
        return 0
    from server.live import emit
    from server.live import operations as live_ops

    wanted = None if application_ids is None else set(application_ids)
    told = 0
    for application_id, payload in live_ops.round_assignments(rnd.id):
        if wanted is None or application_id in wanted:
            emit.room_assigned(rnd.event_id, application_id, payload)
            told += 1
    return told


def refresh_live(event_id: int) -> None:
    from server.live import emit

    try:
        emit.live_state_changed(event_id)
    except LiveError:  # pragma: no cover - busy twice; clients resync on the next change
        current_app.logger.warning("live state refresh after publishing was refused")
