"""Socket.IO handlers of the live meeting (docs/realtime.md): parse, authorise, one core call
through ``operations`` (which commits), acknowledge, and broadcast through ``emit``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from server.extensions import db, socketio
from server.live import access, attendance, background, emit, qa_writes, store
from server.live import operations as ops
from server.live.access import Actor
from server.live.ephemeral import Bucket, Connection
from server.models.types import utcnow
from server.sessions import protocol as ev
from server.sessions.live_state import LiveState
from server.sessions.protocol import LiveError, ack_error, ack_ok
from server.sessions.qa import Moderation, QAQueue, audience_item, moderator_item
from server.sessions.speakers import SpeakerQueue

ACTOR = "convene.live.actor"
MAX_STREAMS = 50
# Per-person token buckets: a burst, then a steady rate (questions are rare, votes are clicks).
QUESTION_BUCKET = Bucket(capacity=3, per_second=1 / 20)
VOTE_BUCKET = Bucket(capacity=20, per_second=2)

Handler = Callable[[Actor, dict[str, Any], datetime], dict[str, Any]]


def actor() -> Actor | None:
    return request.environ.get(ACTOR)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------------------------


def on_connect(auth: Any = None) -> None:
    try:
        who = access.authenticate(auth)
    except access.Refused as refused:
        db.session.rollback()
        raise ConnectionRefusedError(refused.data) from None
    request.environ[ACTOR] = who
    join_room(ev.event_room(who.event_id))
    if who.projector:  # read-only: what the audience receives; not counted as present
        db.session.rollback()
        return
    join_room(ev.person_room(who.person_id))
    room_id = None
    if who.staff:
        join_room(ev.moderators_room(who.event_id))
    else:
        assert who.application_id is not None
        assigned = ops.assignment(who.event_id, who.application_id)
        room_id = None if assigned is None else assigned["room_id"]
        if room_id is not None:
            join_room(ev.breakout_room(room_id))
    db.session.rollback()  # end the read transaction; nothing was written
    registry = emit.ephemeral()
    registry.add(Connection(request.sid, who.event_id, who.person_id, who.name,  # type: ignore[attr-defined]
                            who.staff, room_id))
    background.start(current_app._get_current_object())  # type: ignore[attr-defined]
    if not who.staff and who.application_id is not None:
        attendance.joined(who.event_id, who.application_id, request.sid)  # type: ignore[attr-defined]
    emit.presence_changed(who.event_id)


def on_disconnect(*_: Any) -> None:
    conn = emit.ephemeral().remove(request.sid)  # type: ignore[attr-defined]
    if conn is not None and not conn.staff:
        attendance.left(conn.sid)
    if conn is not None:
        emit.presence_changed(conn.event_id)


# ---------------------------------------------------------------------------------------------
# The one wrapper every client event goes through
# ---------------------------------------------------------------------------------------------


def handles(name: str, *, staff: bool = False) -> Callable[[Handler], Handler]:
    """Register ``fn(actor, payload, now)`` for client event ``name``; its return is the ack."""

    def register(fn: Handler) -> Handler:
        def on_event(payload: Any = None, *_: Any) -> dict[str, Any]:
            who = actor()
            try:
                if who is None:
                    raise LiveError("auth", "not connected")
                if who.projector and name != ev.SYNC_SNAPSHOT:
                    raise LiveError("permission", "the projector view is read-only")
                access.check_current(who)  # erased, withdrawn or declined: refused at once
                if staff:
                    access.require_staff(who)
                if payload is None:
                    payload = {}
                if not isinstance(payload, dict):
                    raise LiveError("payload", "must be an object")
                return fn(who, payload, utcnow())
            except LiveError as error:
                db.session.rollback()
                return ack_error(error)
            except Exception:
                db.session.rollback()
                current_app.logger.exception("live event %s failed", name)
                return ack_error(LiveError("server", "internal error; nothing was changed"))

        HANDLERS[name] = on_event
        return fn

    return register


HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {}


def register_handlers() -> None:
    """Bind every handler to the current Socket.IO server (called once per app)."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    for name, fn in HANDLERS.items():
        socketio.on_event(name, fn)


# ---------------------------------------------------------------------------------------------
# Resynchronisation
# ---------------------------------------------------------------------------------------------


def _resync_room(who: Actor) -> dict[str, Any] | None:
    """Put a participant's sockets in their current room (a safety net for missed moves)."""
    if who.staff or who.application_id is None:
        return None
    assigned = ops.assignment(who.event_id, who.application_id)
    room_id = None if assigned is None else assigned["room_id"]
    conn = emit.ephemeral().get(request.sid)  # type: ignore[attr-defined]
    if conn is not None and conn.room_id != room_id:
        if conn.room_id is not None:
            leave_room(ev.breakout_room(conn.room_id))
        if room_id is not None:
            join_room(ev.breakout_room(room_id))
        emit.ephemeral().set_room(who.person_id, conn.sid, room_id)
    return assigned


def snapshot_of(who: Actor, topic: str, kind: str, ref: int, now: datetime) -> dict[str, Any]:
    if topic == "agenda":
        return store.load_live_state(ref).snapshot(now)
    if topic == "presence":
        audience, moderator = emit.presence_payloads(ref)
        return moderator if who.staff else audience
    if topic == "qa":
        queue, _ = store.load_queue(who.event_id, kind, ref)
        return queue.snapshot(who.person_id, moderator=who.staff)
    if topic == "speaker":
        return store.load_speakers(who.event_id, kind, ref)[0].snapshot(now)
    return store.load_notes(who.event_id, ref).snapshot()


@handles(ev.SYNC_SNAPSHOT)
def sync_snapshot(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    streams = payload.get("streams")
    if not isinstance(streams, list):
        raise LiveError("streams", "must be a list of stream names")
    if len(streams) > MAX_STREAMS:
        raise LiveError("streams", f"at most {MAX_STREAMS} streams at once")
    assigned = _resync_room(who)
    parsed = []
    for index, name in enumerate(streams):
        field = f"streams[{index}]"
        topic, kind, ref = access.parse_stream(name, field)
        access.check_stream(who, topic, kind, ref, field)
        parsed.append((name, topic, kind, ref))
    snapshots = {name: snapshot_of(who, topic, kind, ref, now) for name, topic, kind, ref in parsed}
    db.session.rollback()
    return ack_ok(snapshots=snapshots, assignment=assigned)


# ---------------------------------------------------------------------------------------------
# Agenda driving (moderators)
# ---------------------------------------------------------------------------------------------


# Called after each committed agenda change, e.g. server.live.seeding opens a Q&A item's queue.
AGENDA_HOOKS: list[Callable[[LiveState, ev.Change, datetime], None]] = []


def _agenda(who: Actor, now: datetime, mutate: Callable[[LiveState], ev.Change]) -> tuple[LiveState, dict[str, Any]]:
    state, change = ops.change_live_state(who.event_id, mutate)
    delivery = emit.agenda_state(state, change, now)
    for hook in AGENDA_HOOKS:
        hook(state, change, now)
    return state, ack_ok(version=change.version, **delivery.ack_fields())


@handles(ev.AGENDA_START_ITEM, staff=True)
def agenda_start_item(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    item_id = access.required_int(payload, "item_id")
    return _agenda(who, now, lambda s: s.start_item(item_id, now))[1]


@handles(ev.AGENDA_NEXT_ITEM, staff=True)
def agenda_next_item(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return _agenda(who, now, lambda s: s.next_item(now))[1]


@handles(ev.AGENDA_OPEN_BREAKOUTS, staff=True)
def agenda_open_breakouts(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    round_id = access.required_int(payload, "round_id")
    minutes = access.required_int(payload, "minutes")
    ops.published_round(who.event_id, round_id)
    state, change = ops.change_live_state(who.event_id, lambda s: s.open_breakouts(round_id, minutes, now))
    # Committed: from here on, a failure is something not delivered yet, never "nothing changed".
    delivery = emit.agenda_state(state, change, now)
    try:
        assignments = ops.round_assignments(round_id)
        db.session.rollback()
        delivery.merge(emit.rooms_assigned(who.event_id, assignments))
    except Exception as error:
        db.session.rollback()
        delivery.failed(f"{ev.ROOM_ASSIGNED}: participants not told their room yet", error)
    return ack_ok(version=change.version, **delivery.ack_fields())


@handles(ev.AGENDA_EXTEND_BREAKOUTS, staff=True)
def agenda_extend_breakouts(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    minutes = access.required_int(payload, "minutes")
    return _agenda(who, now, lambda s: s.extend_breakouts(minutes, now))[1]


@handles(ev.AGENDA_CLOSE_BREAKOUTS, staff=True)
def agenda_close_breakouts(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    grace = access.integer(payload, "grace_seconds", optional=True)
    return _agenda(who, now, lambda s: s.close_breakouts(now, 60 if grace is None else grace))[1]


@handles(ev.AGENDA_BRING_BACK, staff=True)
def agenda_bring_back(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return _agenda(who, now, lambda s: s.bring_back(now))[1]


@handles(ev.AGENDA_ANNOUNCE, staff=True)
def agenda_announce(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    body = access.text(payload, "text")
    target = payload.get("target", "everyone")
    return _agenda(who, now, lambda s: s.announce(body, now, target, who.person_id))[1]


# ---------------------------------------------------------------------------------------------
# Q&A
# ---------------------------------------------------------------------------------------------


def _rate(who: Actor, action: str, bucket: Bucket, what: str) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    buckets = current_app.config.get("LIVE_BUCKETS", {})
    wait = emit.ephemeral().take(f"{action}:{who.person_id}", buckets.get(action, bucket))
    if wait is not None:
        raise LiveError("rate", f"too many {what}; try again in {max(1, round(wait))} s")


def _qa(who: Actor, payload: dict[str, Any], mutate: Callable[[QAQueue], ev.Change],
        shown: Callable[[ev.Change], int | None] = lambda c: int(c.ids[0]) if c.ids else None,
        queue: tuple[str, int] | None = None) -> tuple[dict[str, Any], ev.Change]:
    kind, ref = queue or access.queue_ref(payload, ("item", "room"))
    access.check_qa(who, kind, ref)
    q, change = ops.change_queue(who.event_id, kind, ref, mutate)
    delivery = emit.qa_changed(who.event_id, q, change)
    qid = shown(change)
    view: Any = None
    if qid is not None and qid in q.questions:
        view = moderator_item(q.questions[qid]) if who.staff else audience_item(q.questions[qid], who.person_id)
    return ack_ok(version=change.version, question=view, **delivery.ack_fields()), change


@handles(ev.QA_ASK)
def qa_ask(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    access.require_participant(who)
    queue = access.queue_ref(payload, ("item", "room"))
    body = access.text(payload, "text")
    anonymous = access.flag(payload, "anonymous")
    access.check_qa(who, *queue)
    _rate(who, "ask", QUESTION_BUCKET, "questions")
    assert who.application_id is not None
    q, change = qa_writes.ask(who.event_id, *queue, who.application_id, who.name, body, anonymous, now)
    delivery = emit.qa_changed(who.event_id, q, change)
    return ack_ok(version=change.version, question=audience_item(q.questions[int(change.ids[0])], who.person_id),
                  **delivery.ack_fields())


@handles(ev.QA_VOTE)
def qa_vote(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    access.require_participant(who)
    queue = access.queue_ref(payload, ("item", "room"))
    question_id = access.required_int(payload, "question_id")
    access.check_qa(who, *queue)
    _rate(who, "vote", VOTE_BUCKET, "votes")
    assert who.application_id is not None
    q, change = qa_writes.vote(*queue, question_id, who.application_id)
    delivery = emit.qa_changed(who.event_id, q, change)
    return ack_ok(version=change.version, question=audience_item(q.questions[question_id], who.person_id),
                  voted=change.action == "vote", **delivery.ack_fields())


def _question_action(name: str, call: Callable[[QAQueue, int, dict[str, Any], datetime], ev.Change]) -> None:
    @handles(name, staff=True)
    def action(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        queue = access.queue_ref(payload, ("item", "room"))
        question_id = access.required_int(payload, "question_id")
        return _qa(who, payload, lambda q: call(q, question_id, payload, now), queue=queue)[0]


_question_action(ev.QA_APPROVE, lambda q, i, p, n: q.approve(i))
_question_action(ev.QA_DISMISS, lambda q, i, p, n: q.dismiss(i))
_question_action(ev.QA_EDIT, lambda q, i, p, n: q.edit(i, access.text(p, "text")))
_question_action(ev.QA_PIN, lambda q, i, p, n: q.pin(i))
_question_action(ev.QA_UNPIN, lambda q, i, p, n: q.unpin(i))
_question_action(ev.QA_ANSWER, lambda q, i, p, n: q.mark_answered(i, n))
_question_action(ev.QA_REOPEN, lambda q, i, p, n: q.reopen(i))


@handles(ev.QA_MERGE, staff=True)
def qa_merge(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    queue = access.queue_ref(payload, ("item", "room"))
    source = access.required_int(payload, "source_id")
    target = access.required_int(payload, "target_id")
    return _qa(who, payload, lambda q: q.merge(source, target), shown=lambda c: target, queue=queue)[0]


@handles(ev.QA_SET_MODERATION, staff=True)
def qa_set_moderation(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    queue = access.queue_ref(payload, ("item", "room"))
    value = payload.get("moderation")
    if value not in ("open", "pre"):
        raise LiveError("moderation", "must be \"open\" or \"pre\"")
    return _qa(who, payload, lambda q: q.set_moderation(Moderation(value)), queue=queue)[0]


# ---------------------------------------------------------------------------------------------
# Speakers' lists
# ---------------------------------------------------------------------------------------------


def _speakers(who: Actor, payload: dict[str, Any], now: datetime,
              mutate: Callable[[SpeakerQueue], ev.Change]) -> dict[str, Any]:
    kind, ref = access.queue_ref(payload, ("plenary", "room"))
    access.check_speakers(who, kind, ref)
    queue, change = ops.change_speakers(who.event_id, kind, ref, mutate)
    delivery = emit.speaker_state(who.event_id, queue, change, now)
    return ack_ok(version=change.version, **delivery.ack_fields())


@handles(ev.SPEAKER_RAISE)
def speaker_raise(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    person = access.require_participant(who)
    return _speakers(who, payload, now, lambda q: q.raise_hand(person, who.name, now))


@handles(ev.SPEAKER_LOWER)
def speaker_lower(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    if who.staff:
        person = access.required_int(payload, "person_id")
    else:
        person = access.require_participant(who)
        asked = access.integer(payload, "person_id", optional=True)
        if asked is not None and asked != person:
            raise LiveError("permission", "participants lower only their own hand")
    return _speakers(who, payload, now, lambda q: q.lower_hand(person))


def _speaker_action(name: str, call: Callable[[SpeakerQueue, dict[str, Any], datetime], ev.Change]) -> None:
    @handles(name, staff=True)
    def action(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        return _speakers(who, payload, now, lambda q: call(q, payload, now))


_speaker_action(ev.SPEAKER_CALL_NEXT, lambda q, p, n: q.call_next(n))
_speaker_action(ev.SPEAKER_CALL, lambda q, p, n: q.call(access.required_int(p, "person_id"), n))
_speaker_action(ev.SPEAKER_FINISH, lambda q, p, n: q.finish())
_speaker_action(ev.SPEAKER_TIMER_START, lambda q, p, n: q.start_timer(n))
_speaker_action(ev.SPEAKER_TIMER_PAUSE, lambda q, p, n: q.pause_timer(n))
_speaker_action(ev.SPEAKER_TIMER_RESUME, lambda q, p, n: q.resume_timer(n))
_speaker_action(ev.SPEAKER_READD_LAST, lambda q, p, n: q.readd_last(n))
_speaker_action(ev.SPEAKER_CLOSE_LIST, lambda q, p, n: q.close_list())
_speaker_action(ev.SPEAKER_OPEN_LIST, lambda q, p, n: q.open_list())


def _options(queue: SpeakerQueue, payload: dict[str, Any]) -> ev.Change:
    first = payload.get("first_timers_first")
    if first is not None and not isinstance(first, bool):
        raise LiveError("first_timers_first", "must be true or false")
    limit: Any = payload.get("speaking_limit_seconds", "keep")
    return queue.set_options(first_timers_first=first, speaking_limit_seconds=limit)


_speaker_action(ev.SPEAKER_SET_OPTIONS, lambda q, p, n: _options(q, p))


# ---------------------------------------------------------------------------------------------
# Room notes
# ---------------------------------------------------------------------------------------------


@handles(ev.NOTES_EDIT)
def notes_edit(who: Actor, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    room_id = access.required_int(payload, "room_id")
    body = access.text(payload, "text")
    base = access.required_int(payload, "base_version")
    access.check_room(who, room_id)
    notes, change = ops.change_notes(who.event_id, room_id, lambda n: n.edit(body, who.name, now, base_version=base))
    from server.live import shared_notes  # the shared document follows a whole-text save too

    shared_notes.save_whole_text(who, room_id, body, now)
    delivery = emit.notes_state(who.event_id, notes)
    return ack_ok(version=change.version, **delivery.ack_fields())
