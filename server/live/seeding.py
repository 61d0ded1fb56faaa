"""The applicants' key questions open a Q&A item's queue: automatically when the item starts
(once, whatever the number of processes or restarts), or on a moderator's button.

"Once" is a row in ``qa_seedings`` with the item id as unique key, written in the same
transaction as the questions: a second process racing for the same item fails on the key,
retries, finds the row and adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from server.extensions import db
from server.live import emit
from server.live import operations as ops
from server.live.access import Actor, required_int
from server.live.sockets import AGENDA_HOOKS, handles
from server.models import AgendaItem, Application
from server.models.applications import PARTICIPATING
from server.models.meeting_day import QASeeding, QASeedSetting
from server.sessions import keyquestions
from server.sessions.live_state import LiveState
from server.sessions.protocol import Change, LiveError, ack_ok
from server.sessions.qa import QAQueue

QA_SEED = "qa:seed"  # client -> server, moderators: {item_id}; add the key questions to that item
STARTS = ("start_item", "next_item")


def setting(item: AgendaItem) -> tuple[bool, keyquestions.Scope]:
    """(seed when it starts, whose questions) of one item; no row: Q&A items seed everyone's."""
    row = db.session.get(QASeedSetting, item.id)
    if row is None:
        return item.kind == "qa", keyquestions.ALL
    try:
        scope = keyquestions.parse_scope(row.scope)
    except LiveError:
        scope = keyquestions.ALL
    return row.on_start, scope


def save_setting(item: AgendaItem, on_start: bool, scope: str) -> None:
    """Store an item's setting (the scope is checked first; a bad one changes nothing)."""
    parsed = keyquestions.parse_scope(scope)
    row = db.session.get(QASeedSetting, item.id) or QASeedSetting(item_id=item.id)
    row.on_start = on_start
    row.scope = str(parsed)
    db.session.add(row)
    db.session.commit()


def applicants(event_id: int) -> list[keyquestions.Applicant]:
    rows = db.session.scalars(
        select(Application).where(Application.event_id == event_id, Application.status.in_(PARTICIPATING))
        .order_by(Application.id)
    )
    return [keyquestions.Applicant(a.id, a.name, a.country or "", a.region or "", a.share_questions or "no",
                                   tuple(q for q in a.key_questions or [] if isinstance(q, str)))
            for a in rows]


def seeded_items(event_id: int) -> dict[int, int]:
    """item id -> number of key questions it received."""
    return {item: count for item, count in db.session.execute(
        select(QASeeding.item_id, QASeeding.count).where(QASeeding.event_id == event_id))}


def seed_item(event_id: int, item_id: int, now: datetime, trigger: str) -> tuple[QAQueue, Change]:
    """Add the key questions to one item's queue, once; refuse if done or nothing to add."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or ops.item_event_id(item_id) != event_id:
        raise LiveError("item_id", "not on this event's agenda")
    _, scope = setting(item)
    found = keyquestions.entries(applicants(event_id), scope)

    def seed(queue: QAQueue) -> Change:
        done = db.session.scalar(select(QASeeding.id).where(QASeeding.item_id == item_id))
        if done is not None or any(q.author_id is None for q in queue.questions.values()):
            raise LiveError("item_id", "this item's queue already has the key questions")
        if not found:
            raise LiveError("questions", "no participant shared key questions for this item")
        db.session.execute(insert(QASeeding).values(event_id=event_id, item_id=item_id, scope=str(scope),
                                                    count=len(found), trigger=trigger, seeded_at=now))
        return queue.seed(found, now)

    return ops.change_queue(event_id, "item", item_id, seed)


def after_agenda_change(state: LiveState, change: Change, now: datetime) -> None:
    """When an item starts whose setting says so, its queue opens with the key questions."""
    if change.action not in STARTS or state.current_item is None:
        return
    try:
        item = db.session.get(AgendaItem, state.current_item)
        if item is None or not setting(item)[0]:
            return
        queue, seeded = seed_item(state.event_id, item.id, now, "start")
    except LiveError:
        db.session.rollback()  # already seeded, or nothing shared: the item starts as it is
        return
    except Exception:  # the item did start; a failed seeding must not turn that into an error
        db.session.rollback()
        current_app.logger.exception("seeding item %s failed", state.current_item)
        return
    emit.qa_changed(state.event_id, queue, seeded)


@handles(QA_SEED, staff=True)
def qa_seed(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    item_id = required_int(payload, "item_id")
    queue, change = seed_item(who.event_id, item_id, now, "button")
    emit.qa_changed(who.event_id, queue, change)
    return ack_ok(version=change.version, seeded=len(change.ids))


AGENDA_HOOKS.append(after_agenda_change)
