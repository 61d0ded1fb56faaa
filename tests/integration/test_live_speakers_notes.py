"""Speakers' lists and room notes over Socket.IO, and versions that two writers never share."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from server.sessions import protocol as ev
from tests.support.live import (
    Meeting,
    call,
    drain,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    received,
    staff_client,
    versions,
)


def test_plenary_speakers_list_end_to_end(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo, cy = (participant_client(app, p) for p in meeting.people[:3])
    a, b, c = (p.application_id for p in meeting.people[:3])
    q = {"queue": ["plenary", meeting.event_id]}
    drain(mod, ana, bo, cy)
    assert call(ana, ev.SPEAKER_RAISE, q) == {"ok": True, "version": 1}
    assert call(ana, ev.SPEAKER_RAISE, q)["error"] == {"field": "person_id", "reason": "already on the list"}
    assert call(bo, ev.SPEAKER_RAISE, q)["ok"] and call(cy, ev.SPEAKER_RAISE, q)["ok"]
    state = received(cy, ev.SPEAKER_STATE)[-1]
    assert [w["person_id"] for w in state["waiting"]] == [a, b, c]
    assert state["stream"] == f"speaker:plenary:{meeting.event_id}"
    assert call(cy, ev.SPEAKER_LOWER, q)["ok"]
    assert call(bo, ev.SPEAKER_LOWER, {**q, "person_id": a})["error"]["field"] == "permission"
    assert call(mod, ev.SPEAKER_SET_OPTIONS, {**q, "speaking_limit_seconds": 120})["ok"]
    assert call(mod, ev.SPEAKER_SET_OPTIONS, {**q, "speaking_limit_seconds": 0})["error"]["field"] == \
        "speaking_limit_seconds"
    assert call(mod, ev.SPEAKER_CALL_NEXT, q)["ok"]
    assert call(mod, ev.SPEAKER_TIMER_PAUSE, q)["error"] == {"field": "timer", "reason": "not running"}
    assert call(mod, ev.SPEAKER_TIMER_START, q)["ok"]
    assert call(mod, ev.SPEAKER_TIMER_PAUSE, q)["ok"]
    assert call(mod, ev.SPEAKER_TIMER_RESUME, q)["ok"]
    state = received(ana, ev.SPEAKER_STATE)[-1]
    assert state["current"]["person_id"] == a and state["current"]["timer"]["running"] is True
    assert state["current"]["timer"]["limit_seconds"] == 120 and state["action"] == "timer_resume"
    assert call(mod, ev.SPEAKER_CALL, {**q, "person_id": b})["ok"]  # Ana's turn ends, she has spoken
    assert call(mod, ev.SPEAKER_READD_LAST, q)["ok"]  # Ana back on top
    assert call(mod, ev.SPEAKER_FINISH, q)["ok"]
    assert call(mod, ev.SPEAKER_FINISH, q)["error"]["field"] == "current"
    assert call(cy, ev.SPEAKER_RAISE, q)["ok"]
    assert call(mod, ev.SPEAKER_SET_OPTIONS, {**q, "first_timers_first": True})["ok"]
    state = received(bo, ev.SPEAKER_STATE)[-1]
    assert [(w["person_id"], w["first_time"]) for w in state["waiting"]] == [(c, True), (a, False)]
    assert call(mod, ev.SPEAKER_CLOSE_LIST, q)["ok"]
    assert call(bo, ev.SPEAKER_RAISE, q)["error"]["reason"] == "the speakers' list is closed"
    assert call(mod, ev.SPEAKER_CLOSE_LIST, q)["error"]["field"] == "closed"
    assert call(mod, ev.SPEAKER_OPEN_LIST, q)["ok"]
    assert call(mod, ev.SPEAKER_LOWER, {**q, "person_id": c})["ok"]
    assert call(mod, ev.SPEAKER_LOWER, q)["error"]["field"] == "person_id"
    assert call(mod, ev.SPEAKER_RAISE, q)["error"]["field"] == "permission"
    snap = call(bo, ev.SYNC_SNAPSHOT, {"streams": [f"speaker:plenary:{meeting.event_id}"]})["snapshots"]
    assert [w["person_id"] for w in snap[f"speaker:plenary:{meeting.event_id}"]["waiting"]] == [a]
    assert call(mod, ev.SPEAKER_CALL_NEXT, {"queue": ["plenary", meeting.event_id + 1]})["error"]["field"] == \
        "permission"


def test_room_speakers_list_stays_in_the_room(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo, cy = (participant_client(app, p) for p in meeting.people[:3])
    room = meeting.room_of(meeting.people[0])
    drain(mod, ana, bo, cy)
    assert call(ana, ev.SPEAKER_RAISE, {"queue": ["room", room]})["ok"]
    assert received(cy, ev.SPEAKER_STATE) and received(mod, ev.SPEAKER_STATE) and not received(bo, ev.SPEAKER_STATE)
    assert call(bo, ev.SPEAKER_RAISE, {"queue": ["room", room]})["error"]["field"] == "permission"
    assert call(mod, ev.SPEAKER_CALL_NEXT, {"queue": ["room", room]})["ok"]


def test_room_notes_are_edited_by_members_and_read_by_moderators(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo, cy = (participant_client(app, p) for p in meeting.people[:3])
    room = meeting.room_of(meeting.people[0])
    drain(mod, ana, bo, cy)
    assert call(ana, ev.NOTES_EDIT, {"room_id": room, "text": "First line", "base_version": 0}) == {
        "ok": True, "version": 1}
    state = received(cy, ev.NOTES_STATE)[0]
    assert state == {**state, "stream": f"notes:room:{room}", "version": 1, "text": "First line",
                     "last_editor": "Ana Example"}
    assert received(mod, ev.NOTES_STATE)[0]["text"] == "First line"
    assert received(bo, ev.NOTES_STATE) == []
    stale = call(cy, ev.NOTES_EDIT, {"room_id": room, "text": "Overwrite", "base_version": 0})
    assert stale["error"] == {"field": "base_version", "reason": "notes changed since version 0"}
    assert call(bo, ev.NOTES_EDIT, {"room_id": room, "text": "intruder", "base_version": 1})["error"]["field"] == \
        "permission"
    assert call(cy, ev.NOTES_EDIT, {"room_id": room, "text": "x", })["error"]["field"] == "base_version"
    assert call(cy, ev.NOTES_EDIT, {"room_id": room, "text": "x" * 20_001, "base_version": 1})["error"]["field"] == \
        "text"
    assert call(mod, ev.NOTES_EDIT, {"room_id": room, "text": "First line\nModerator note", "base_version": 1})["ok"]
    snap = call(mod, ev.SYNC_SNAPSHOT, {"streams": [f"notes:room:{room}"]})["snapshots"][f"notes:room:{room}"]
    assert snap["version"] == 2 and snap["last_editor"] == "Moderator"
    assert versions(app, meeting)[f"notes:room:{room}"] == 2


def test_concurrent_votes_get_distinct_consecutive_versions(app: Flask, meeting: Meeting) -> None:
    """Writers racing on one queue: every accepted change has its own version, none is lost."""
    from server.extensions import db
    from server.live import operations
    from server.sessions.protocol import LiveError

    with app.app_context():
        operations.change_queue(meeting.event_id, "item", meeting.qa_item,
                                lambda q: q.ask(meeting.people[0].application_id, "Race?", _now()))
    issued: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def vote(voter: int) -> None:
        with app.app_context():
            try:
                _, change = operations.change_queue(meeting.event_id, "item", meeting.qa_item,
                                                    lambda q: q.vote(1, voter))
                with lock:
                    issued.append(change.version)
            except LiveError as error:
                with lock:
                    refused.append(error.field)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(p.application_id,)) for p in meeting.people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(issued) == list(range(2, 2 + len(issued)))
    assert set(refused) <= {"version"}
    assert versions(app, meeting)[f"qa:item:{meeting.qa_item}"] == 1 + len(issued)
    with app.app_context():
        queue, _ = operations.store.load_queue(meeting.event_id, "item", meeting.qa_item)
        assert queue.questions[1].votes == len(issued)


def test_a_lost_race_is_retried_then_refused_as_busy(app: Flask, meeting: Meeting, monkeypatch: Any) -> None:
    from server.live import operations, store

    calls = {"n": 0}
    real = store.save_queue

    def always_late(*args: Any) -> None:
        calls["n"] += 1
        raise store.Conflict

    # Only moderators' load-mutate-save path has a version guard (asks and votes have none).
    monkeypatch.setattr(store, "save_queue", always_late)
    mod = staff_client(app, meeting.slug)
    body = {"queue": ["item", meeting.qa_item], "moderation": "pre"}
    ack = call(mod, ev.QA_SET_MODERATION, body)
    assert ack == {"ok": False, "error": {"field": "version", "reason": "busy"}} and calls["n"] == operations.ATTEMPTS
    monkeypatch.setattr(store, "save_queue", real)
    assert call(mod, ev.QA_SET_MODERATION, body)["version"] == 1


def _now() -> Any:
    from server.models.types import utcnow

    return utcnow()
