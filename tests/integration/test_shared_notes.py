"""Room notes edited by several people at once: Yjs updates over the socket, merged, stored, passed on."""

from __future__ import annotations

import base64

from flask import Flask
from flask_socketio import SocketIOTestClient
from pycrdt import Doc, Text

from server.sessions import protocol as ev
from tests.support.live import (  # noqa: F401  (meeting_fixture: the `meeting` fixture)
    Meeting,
    call,
    drain,
    meeting_fixture,
    participant_client,
    received,
    staff_client,
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Browser:
    """What a browser's Yjs does: its own document, synced from the server, sending its edits."""

    def __init__(self, client: SocketIOTestClient, room_id: int) -> None:
        self.client, self.room_id, self.doc = client, room_id, Doc()
        self.text = self.doc.get("notes", type=Text)

    def sync(self) -> None:
        ack = call(self.client, ev.NOTES_SYNC, {"room_id": self.room_id, "state_vector": _b64(self.doc.get_state())})
        assert ack["ok"], ack
        self.doc.apply_update(base64.b64decode(ack["update"]))

    def type(self, index: int, words: str) -> dict[str, object]:
        before = self.doc.get_state()
        self.text.insert(index, words)
        return call(self.client, ev.NOTES_UPDATE, {"room_id": self.room_id,
                                                   "update": _b64(self.doc.get_update(before))})

    def receive(self) -> None:
        for message in received(self.client, ev.NOTES_CHANGED):
            assert message["room_id"] == self.room_id
            self.doc.apply_update(base64.b64decode(message["update"]))


def _stored(app: Flask, room_id: int) -> str:
    from server.extensions import db
    from server.models import RoomNotesRow

    with app.app_context():
        row = db.session.get(RoomNotesRow, room_id)
        return "" if row is None else row.text


def test_two_people_typing_at_once_both_keep_their_text_once(app: Flask, meeting: Meeting) -> None:
    ana, cy = meeting.people[0], meeting.people[2]  # both in the first room
    room = meeting.room_of(ana)
    assert meeting.room_of(cy) == room
    a, c = Browser(participant_client(app, ana), room), Browser(participant_client(app, cy), room)
    moderator = staff_client(app, meeting.event_id)
    a.sync()
    assert a.type(0, "Families need one contact point.")["ok"]
    c.receive()  # passed on to the room-mate ...
    assert str(c.text) == "Families need one contact point."
    assert received(a.client, ev.NOTES_CHANGED) == []  # ... and never echoed to the sender
    base = str(a.text)
    # Both edit the same version at the same moment, at the start and at the end.
    assert a.type(0, "Ana: ")["ok"]
    assert c.type(len(base), " Cy: and schools.")["ok"]
    a.receive()
    c.receive()
    assert str(a.text) == str(c.text) == "Ana: Families need one contact point. Cy: and schools."
    assert _stored(app, room) == str(a.text)
    # The moderators see the merged text on the notes stream; a late browser syncs the same.
    states = received(moderator, ev.NOTES_STATE)
    assert states and states[-1]["text"] == str(a.text)
    late = Browser(participant_client(app, cy), room)
    late.sync()
    assert str(late.text) == str(a.text)


def test_bad_updates_and_strangers_are_refused_and_change_nothing(app: Flask, meeting: Meeting) -> None:
    ana, bo = meeting.people[0], meeting.people[1]
    room = meeting.room_of(ana)
    a = Browser(participant_client(app, ana), room)
    a.sync()
    assert a.type(0, "kept")["ok"]
    for payload, field in (({"room_id": room, "update": "%%%"}, "update"),
                           ({"room_id": room, "update": _b64(b"garbage")}, "update"),
                           ({"room_id": room}, "update")):
        ack = call(a.client, ev.NOTES_UPDATE, payload)
        assert ack["ok"] is False and ack["error"]["field"] == field, ack
    stranger = Browser(participant_client(app, bo), room)  # Bo sits in the other room
    ack = stranger.type(0, "not mine")
    assert ack["ok"] is False and ack["error"]["field"] == "permission"
    assert call(stranger.client, ev.NOTES_SYNC, {"room_id": room})["error"]["field"] == "permission"
    assert _stored(app, room) == "kept"


def test_who_is_typing_reaches_the_room_mates(app: Flask, meeting: Meeting) -> None:
    ana, cy = meeting.people[0], meeting.people[2]
    room = meeting.room_of(ana)
    a, c = participant_client(app, ana), participant_client(app, cy)
    drain(a, c)
    assert call(a, ev.NOTES_TYPING, {"room_id": room})["ok"]
    assert received(c, ev.NOTES_TYPIST) == [{"room_id": room, "name": ana.name}]
    assert received(a, ev.NOTES_TYPIST) == []


def test_a_whole_text_save_is_part_of_the_shared_document(app: Flask, meeting: Meeting) -> None:
    ana = meeting.people[0]
    room = meeting.room_of(ana)
    a = Browser(participant_client(app, ana), room)
    assert call(a.client, ev.NOTES_EDIT, {"room_id": room, "text": "Saved the old way.", "base_version": 0})["ok"]
    a.sync()
    assert str(a.text) == "Saved the old way."
    assert a.type(len(str(a.text)), " Then shared.")["ok"]
    assert _stored(app, room) == "Saved the old way. Then shared."
