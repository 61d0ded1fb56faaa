"""Free seats and who the wait-list offers them to (promoted automatically when the event says so)."""

from __future__ import annotations

from server.applications.proposals import FREED_SEAT, candidate, targets_of
from server.applications.queries import event_apps
from server.applications.status import Change, S, announce, change_status
from server.core.selection import (
    next_from_waitlist,
    waitlist_order,
)
from server.extensions import db
from server.models import Application, Event
from server.models.applications import PARTICIPATING


def waitlist_offer(event: Event) -> tuple[int, Application | None]:
    """Free seats, and the wait-listed person who would best keep the targets in one of them."""
    participants = event_apps(event, PARTICIPATING)
    free = max(0, event.seats - len(participants))
    if free == 0:
        return 0, None
    waiting = event_apps(event, (S.WAITLISTED,))
    if not waiting:
        return free, None
    by_id = {str(a.id): a for a in waiting}
    pick = next_from_waitlist(
        [*(candidate(a) for a in participants), FREED_SEAT],
        waitlist_order(candidate(a) for a in waiting),
        targets_of(event),
        FREED_SEAT.id,
    )
    return free, (by_id[pick.id] if pick else None)


def seat_freed(event: Event) -> Application | None:
    """A participant left: promote the best wait-listed person when the event says so."""
    db.session.refresh(event)
    if not event.auto_promote_waitlist:
        return None
    _, pick = waitlist_offer(event)
    if pick is None:
        return None
    changes: list[Change] = []
    change_status(pick, S.INVITED, changes, decided=True)
    db.session.commit()
    announce(changes)
    return pick

