"""Agenda driving over Socket.IO: items, break-outs with their countdown, announcements, rooms."""

from __future__ import annotations

from flask import Flask

from server.sessions import protocol as ev
from tests.support.live import (
    Meeting,
    call,
    drain,
    make_meeting,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    received,
    staff_client,
    versions,
)


def test_start_and_next_item_reach_everyone_with_consecutive_versions(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    drain(mod, ana)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.items[0]}) == {"ok": True, "version": 1}
    assert call(mod, ev.AGENDA_NEXT_ITEM) == {"ok": True, "version": 2}
    states = received(ana, ev.AGENDA_STATE)
    assert [(s["version"], s["action"], s["current_item"]) for s in states] == [
        (1, "start_item", meeting.items[0]), (2, "next_item", meeting.items[1])]
    assert states[0]["stream"] == f"agenda:{meeting.event_id}" and states[0]["mode"] == "plenary"
    assert len(received(mod, ev.AGENDA_STATE)) == 2


def test_agenda_refusals_change_nothing(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": 99999})["error"] == {
        "field": "item_id", "reason": "not on this event's agenda"}
    assert call(mod, ev.AGENDA_START_ITEM, {})["error"]["field"] == "item_id"
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": "3"})["error"]["field"] == "item_id"
    opened = call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": meeting.round_id, "minutes": 10})
    assert opened["error"]["field"] == "mode"
    assert call(mod, ev.AGENDA_EXTEND_BREAKOUTS, {"minutes": 5})["error"]["field"] == "mode"
    assert call(mod, ev.AGENDA_CLOSE_BREAKOUTS, {})["error"]["field"] == "mode"
    assert call(mod, ev.AGENDA_BRING_BACK)["error"]["field"] == "mode"
    assert call(mod, ev.AGENDA_ANNOUNCE, {"text": "x", "target": "rooms"})["error"]["field"] == "target"
    assert call(mod, ev.AGENDA_ANNOUNCE, {"text": " "})["error"]["field"] == "text"
    assert call(mod, ev.AGENDA_ANNOUNCE, {"text": "x" * 1001})["error"]["field"] == "text"
    assert versions(app, meeting).get(f"agenda:{meeting.event_id}", 0) == 0


def test_open_breakouts_assigns_rooms_and_moves_sockets(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    clients = [participant_client(app, p) for p in meeting.people]
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.items[4]})["ok"]
    drain(mod, *clients)
    ack = call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": meeting.round_id, "minutes": 30})
    assert ack == {"ok": True, "version": 2}
    for person, client in zip(meeting.people, clients, strict=True):
        got = client.get_received()
        state = next(m["args"][0] for m in got if m["name"] == ev.AGENDA_STATE)
        assert state["mode"] == "breakouts" and state["round_id"] == meeting.round_id
        assert 1799 <= state["remaining_seconds"] <= 1800
        assigned = [m["args"][0] for m in got if m["name"] == ev.ROOM_ASSIGNED]
        number = meeting.rooms.index(meeting.room_of(person)) + 1
        assert len(assigned) == 1 and assigned[0].items() >= {
            "round_id": meeting.round_id, "round_title": "Round 1", "room_id": meeting.room_of(person),
            "room_number": number, "room_name": f"Room {number}", "topic": "",
            "video_url": f"https://video.example/{number}"}.items()
        mates = [p.name for p in meeting.people if meeting.room_of(p) == meeting.room_of(person)]
        assert [m["name"] for m in assigned[0]["members"]] == mates
        assert all(set(m) == {"person_id", "name", "role", "role_label", "country"} for m in assigned[0]["members"])
    # A broadcast to room 1 reaches exactly its members.
    ana, bo = clients[0], clients[1]
    assert call(ana, ev.QA_ASK, {"queue": ["room", meeting.rooms[0]], "text": "Room one only"})["ok"]
    assert received(clients[2], ev.QA_CHANGED) and not received(bo, ev.QA_CHANGED)

    assert call(mod, ev.AGENDA_EXTEND_BREAKOUTS, {"minutes": 10})["version"] == 3
    assert call(mod, ev.AGENDA_ANNOUNCE, {"text": "Five minutes left", "target": "rooms"})["version"] == 4
    announced = received(bo, ev.AGENDA_STATE)[-1]
    assert announced["action"] == "announce" and announced["announcements"][-1]["text"] == "Five minutes left"
    assert call(mod, ev.AGENDA_CLOSE_BREAKOUTS, {"grace_seconds": 30})["version"] == 5
    closing = received(bo, ev.AGENDA_STATE)[-1]
    assert closing["closing"] is True and closing["remaining_seconds"] <= 30
    assert call(mod, ev.AGENDA_CLOSE_BREAKOUTS, {})["error"]["field"] == "mode"
    assert call(mod, ev.AGENDA_BRING_BACK) == {"ok": True, "version": 6}
    back = received(bo, ev.AGENDA_STATE)[-1]
    assert back["mode"] == "plenary" and back["round_id"] is None and back["action"] == "bring_back"
    assert call(mod, ev.AGENDA_ANNOUNCE, {"text": "Welcome back", "target": "everyone"})["ok"]


def test_an_unpublished_round_cannot_be_opened(app: Flask) -> None:
    app.config["LIVE_PRESENCE_DEBOUNCE"] = 0
    draft = make_meeting(app, published=False)
    mod = staff_client(app, draft.slug)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": draft.items[4]})["ok"]
    ack = call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": draft.round_id, "minutes": 10})
    assert ack["error"] == {"field": "round_id", "reason": "the round is not published yet"}
    ack = call(mod, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": 4242, "minutes": 10})
    assert ack["error"]["field"] == "round_id"


def test_room_assigned_from_the_breakout_product_moves_a_participant(app: Flask, meeting: Meeting) -> None:
    """The API the break-out rooms product calls on publish or when a moderator moves someone."""
    from sqlalchemy import update

    from server.extensions import db
    from server.live import emit, operations
    from server.models import BreakoutRoom, RoomAssignment

    ana_person = meeting.people[0]
    ana = participant_client(app, ana_person)
    cy = participant_client(app, meeting.people[2])  # in room 1 with Ana
    di = participant_client(app, meeting.people[3])  # in room 2
    old, new = meeting.rooms
    with app.app_context():
        db.session.execute(update(RoomAssignment).where(RoomAssignment.application_id == ana_person.application_id)
                           .values(room_id=new))
        db.session.commit()
        payload = operations.room_payload(meeting.round_id, db.session.get(BreakoutRoom, new))
        emit.room_assigned(meeting.event_id, ana_person.application_id, payload)
        emit.live_state_changed(meeting.event_id)
    drain(cy, di)
    got = ana.get_received()
    assert [m["args"][0] for m in got if m["name"] == ev.ROOM_ASSIGNED] == [payload]
    refresh = [m["args"][0] for m in got if m["name"] == ev.AGENDA_STATE]
    assert [(s["action"], s["version"]) for s in refresh] == [("refresh", 1)]
    assert call(ana, ev.QA_ASK, {"queue": ["room", new], "text": "Hello room two"})["ok"]
    assert received(di, ev.QA_CHANGED) and not received(cy, ev.QA_CHANGED)
    assert call(ana, ev.QA_ASK, {"queue": ["room", old], "text": "old room"})["error"]["field"] == "permission"
