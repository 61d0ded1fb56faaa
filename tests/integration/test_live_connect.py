"""Connecting, rooms, snapshots, presence, refusals and rate limits of the live socket layer."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from server.sessions import protocol as ev
from tests.support.live import (
    Meeting,
    add_participant,
    call,
    drain,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    received,
    staff_client,
    versions,
)


def test_participant_connects_with_token_and_joins_event_person_and_room(app: Flask, meeting: Meeting) -> None:
    from server.extensions import socketio

    ana = meeting.people[0]
    client = participant_client(app, ana)
    assert client.is_connected()
    rooms = set(socketio.server.manager.get_rooms(client.eio_sid and _sid(client), "/"))
    assert {ev.event_room(meeting.event_id), ev.person_room(ana.application_id),
            ev.breakout_room(meeting.room_of(ana))} <= rooms
    assert ev.moderators_room(meeting.event_id) not in rooms


def _sid(client: Any) -> str:
    from server.extensions import socketio

    return str(socketio.server.manager.sid_from_eio_sid(client.eio_sid, "/"))


@pytest.mark.parametrize("auth", [None, {}, {"token": "not-a-real-token"}, {"token": 42}])
def test_connections_without_valid_auth_are_refused(app: Flask, meeting: Meeting, auth: Any) -> None:
    from server.extensions import socketio

    client = socketio.test_client(app, auth=auth)
    assert not client.is_connected()


def test_an_applicant_who_is_not_invited_is_refused(app: Flask, meeting: Meeting) -> None:
    pending = add_participant(app, meeting.event_id, "Sub Mitted", status="submitted")
    assert not participant_client(app, pending).is_connected()


def test_staff_connect_with_session_and_name_the_event(app: Flask, meeting: Meeting) -> None:
    from server.extensions import socketio

    assert staff_client(app, meeting.slug).is_connected()
    assert staff_client(app, meeting.event_id, organiser=True).is_connected()
    assert not staff_client(app, "no-such-event").is_connected()
    http = app.test_client()  # not logged in, no token
    assert not socketio.test_client(app, flask_test_client=http, auth={"event": meeting.slug}).is_connected()


STAFF_EVENTS: list[tuple[str, dict[str, Any]]] = [
    (ev.AGENDA_START_ITEM, {"item_id": 1}),
    (ev.AGENDA_NEXT_ITEM, {}),
    (ev.AGENDA_OPEN_BREAKOUTS, {"round_id": 1, "minutes": 10}),
    (ev.AGENDA_EXTEND_BREAKOUTS, {"minutes": 5}),
    (ev.AGENDA_CLOSE_BREAKOUTS, {}),
    (ev.AGENDA_BRING_BACK, {}),
    (ev.AGENDA_ANNOUNCE, {"text": "hello", "target": "everyone"}),
    (ev.QA_APPROVE, {"question_id": 1}),
    (ev.QA_DISMISS, {"question_id": 1}),
    (ev.QA_EDIT, {"question_id": 1, "text": "changed"}),
    (ev.QA_PIN, {"question_id": 1}),
    (ev.QA_UNPIN, {"question_id": 1}),
    (ev.QA_ANSWER, {"question_id": 1}),
    (ev.QA_REOPEN, {"question_id": 1}),
    (ev.QA_MERGE, {"source_id": 1, "target_id": 1}),
    (ev.QA_SET_MODERATION, {"moderation": "pre"}),
    (ev.SPEAKER_CALL_NEXT, {}),
    (ev.SPEAKER_CALL, {"person_id": 1}),
    (ev.SPEAKER_FINISH, {}),
    (ev.SPEAKER_TIMER_START, {}),
    (ev.SPEAKER_TIMER_PAUSE, {}),
    (ev.SPEAKER_TIMER_RESUME, {}),
    (ev.SPEAKER_READD_LAST, {}),
    (ev.SPEAKER_CLOSE_LIST, {}),
    (ev.SPEAKER_OPEN_LIST, {}),
    (ev.SPEAKER_SET_OPTIONS, {"first_timers_first": True}),
]


def test_every_moderator_event_from_a_participant_is_refused_and_changes_nothing(
    app: Flask, meeting: Meeting
) -> None:
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert call(ana, ev.QA_ASK, {"queue": ["item", meeting.qa_item], "text": "A question"})["ok"]
    assert call(ana, ev.SPEAKER_RAISE, {"queue": ["plenary", meeting.event_id]})["ok"]
    before = versions(app, meeting)
    drain(mod, ana)
    queues = {"qa": ["item", meeting.qa_item], "speaker": ["plenary", meeting.event_id]}
    for name, payload in STAFF_EVENTS:
        topic = name.split(":")[0]
        body = {**payload, **({"queue": queues[topic]} if topic in queues else {})}
        ack = call(ana, name, body)
        assert ack == {"ok": False, "error": {"field": "permission", "reason": "moderators and organisers only"}}, name
    assert versions(app, meeting) == before
    assert mod.get_received() == [] and ana.get_received() == []
    assert {name for name, _ in STAFF_EVENTS} | {ev.SYNC_SNAPSHOT, ev.QA_ASK, ev.QA_VOTE, ev.SPEAKER_RAISE,
                                                   ev.SPEAKER_LOWER, ev.NOTES_EDIT, ev.NOTES_SYNC, ev.NOTES_UPDATE,
                                                   ev.NOTES_TYPING} == ev.CLIENT_EVENTS


def test_payload_that_is_not_an_object_is_refused(app: Flask, meeting: Meeting) -> None:
    ana = participant_client(app, meeting.people[0])
    ack = ana.emit(ev.QA_ASK, "just text", callback=True)
    assert ack == {"ok": False, "error": {"field": "payload", "reason": "must be an object"}}
    ack = call(ana, ev.QA_ASK, {"queue": ["item", "x"], "text": "hi"})
    assert ack["error"]["field"] == "queue"


def test_snapshot_gives_each_stream_and_the_assignment(app: Flask, meeting: Meeting) -> None:
    ana = meeting.people[0]
    room = meeting.room_of(ana)
    client = participant_client(app, ana)
    streams = [f"agenda:{meeting.event_id}", f"qa:item:{meeting.qa_item}", f"qa:room:{room}",
               f"speaker:plenary:{meeting.event_id}", f"speaker:room:{room}", f"notes:room:{room}",
               f"presence:{meeting.event_id}"]
    ack = call(client, ev.SYNC_SNAPSHOT, {"streams": streams})
    assert ack["ok"] and set(ack["snapshots"]) == set(streams)
    assert all(ack["snapshots"][s]["stream"] == s for s in streams)
    assert ack["snapshots"][f"agenda:{meeting.event_id}"]["version"] == 0
    assert ack["assignment"].items() >= {"round_id": meeting.round_id, "room_id": room, "room_name": "Room 1",
                                         "video_url": "https://video.example/1", "room_number": 1}.items()
    assert [m["name"] for m in ack["assignment"]["members"]] == ["Ana Example", "Cy Example"]


def test_a_participant_may_not_read_another_room_or_event(app: Flask, meeting: Meeting) -> None:
    ana = meeting.people[0]
    other_room = next(r for r in meeting.rooms if r != meeting.room_of(ana))
    client = participant_client(app, ana)
    for stream in (f"qa:room:{other_room}", f"notes:room:{other_room}", f"speaker:room:{other_room}"):
        ack = call(client, ev.SYNC_SNAPSHOT, {"streams": [f"agenda:{meeting.event_id}", stream]})
        assert ack == {"ok": False, "error": {"field": "streams[1]", "reason": "not your break-out room"}}
    ack = call(client, ev.SYNC_SNAPSHOT, {"streams": [f"agenda:{meeting.event_id + 100}"]})
    assert ack["error"] == {"field": "streams[0]", "reason": "not your event"}
    ack = call(client, ev.SYNC_SNAPSHOT, {"streams": ["bogus:1"]})
    assert ack["error"]["field"] == "streams[0]"
    assert call(client, ev.SYNC_SNAPSHOT, {"streams": "agenda:1"})["error"]["field"] == "streams"
    assert call(client, ev.SYNC_SNAPSHOT, {"streams": ["agenda:1"] * 51})["error"]["field"] == "streams"
    ack = call(client, ev.QA_ASK, {"queue": ["room", other_room], "text": "sneaky"})
    assert ack["error"] == {"field": "permission", "reason": "not your break-out room"}


def test_presence_counts_for_everyone_names_for_moderators(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    participant_client(app, meeting.people[1])
    audience = received(ana, "presence:state")[-1]
    assert audience["participants"] == 2 and audience["staff"] == 1 and "people" not in audience
    assert audience["rooms"] == {str(meeting.rooms[0]): 1, str(meeting.rooms[1]): 1}
    moderator = [p for p in received(mod, "presence:state") if p["view"] == "moderator"][-1]
    assert {p["name"] for p in moderator["people"]} == {"Ana Example", "Bo Example", "Moderator"}
    ack = call(ana, ev.SYNC_SNAPSHOT, {"streams": [f"presence:{meeting.event_id}"]})
    assert "people" not in ack["snapshots"][f"presence:{meeting.event_id}"]
    ana.disconnect()
    assert [p for p in received(mod, "presence:state") if p["view"] == "moderator"][-1]["participants"] == 1


def test_questions_and_votes_are_rate_limited_per_person(app: Flask, meeting: Meeting) -> None:
    from server.live.ephemeral import Bucket

    app.config["RATELIMIT_ENABLED"] = True
    app.config["LIVE_BUCKETS"] = {"ask": Bucket(2, 0.001), "vote": Bucket(3, 0.001)}
    ana = participant_client(app, meeting.people[0])
    bo = participant_client(app, meeting.people[1])
    queue = ["item", meeting.qa_item]
    assert call(ana, ev.QA_ASK, {"queue": queue, "text": "one"})["ok"]
    assert call(ana, ev.QA_ASK, {"queue": queue, "text": "two"})["ok"]
    refused = call(ana, ev.QA_ASK, {"queue": queue, "text": "three"})
    assert refused["ok"] is False and refused["error"]["field"] == "rate"
    assert "questions" in refused["error"]["reason"]
    assert call(bo, ev.QA_ASK, {"queue": queue, "text": "Bo's own bucket"})["ok"]
    for _ in range(3):
        assert call(ana, ev.QA_VOTE, {"queue": queue, "question_id": 1})["ok"]
    assert call(ana, ev.QA_VOTE, {"queue": queue, "question_id": 1})["error"]["field"] == "rate"


def test_a_restarted_server_answers_the_same_snapshot(app: Flask, meeting: Meeting, app_config: dict[str, Any]) -> None:
    from server import create_app

    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert call(ana, ev.QA_ASK, {"queue": ["item", meeting.qa_item], "text": "Survives?"})["ok"]
    assert call(ana, ev.QA_VOTE, {"queue": ["item", meeting.qa_item], "question_id": 1})["ok"]
    streams = [f"qa:item:{meeting.qa_item}", f"speaker:plenary:{meeting.event_id}"]
    before = call(ana, ev.SYNC_SNAPSHOT, {"streams": streams})["snapshots"]
    restarted = create_app(app_config)  # a new process's app on the same database
    again = participant_client(restarted, meeting.people[0])
    after = call(again, ev.SYNC_SNAPSHOT, {"streams": [*streams, f"agenda:{meeting.event_id}"]})["snapshots"]
    assert {k: after[k] for k in streams} == before
    assert after[f"agenda:{meeting.event_id}"]["current_item"] == meeting.qa_item
    assert after[f"agenda:{meeting.event_id}"]["version"] == 1
