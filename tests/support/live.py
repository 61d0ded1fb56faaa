"""Helpers for the live meeting's tests: an event with participants, rooms and Socket.IO clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from tests.conftest import MODERATOR, ORGANISER


@dataclass
class Person:
    application_id: int
    token: str
    name: str


@dataclass
class Meeting:
    """The reference event with participants and one published round of two rooms."""

    event_id: int
    slug: str
    items: list[int]
    qa_item: int
    round_id: int
    rooms: list[int]
    people: list[Person] = field(default_factory=list)

    def room_of(self, person: Person) -> int:
        index = self.people.index(person)
        return self.rooms[index % len(self.rooms)]


def add_participant(app: Flask, event_id: int, name: str, *, status: str = "accepted",
                    key_questions: list[str] | None = None, share: str = "anonymous") -> Person:
    from server.auth import new_token
    from server.extensions import db
    from server.models import Application

    secret, hashed = new_token()
    with app.app_context():
        application = Application(
            event_id=event_id, status=status, access_token_hash=hashed,
            email=f"{name.lower().replace(' ', '.')}@example.org", name=name, role="exit_worker",
            key_questions=key_questions or [], share_questions=share,
        )
        application.set_country("DE")
        db.session.add(application)
        db.session.commit()
        return Person(application.id, secret, name)


def make_meeting(app: Flask, participants: int = 4, *, published: bool = True) -> Meeting:
    """Seed the reference event, add participants and a round with two rooms (alternating)."""
    from datetime import date

    from sqlalchemy import select

    from server.events.seed import REFERENCE_SLUG, seed_events
    from server.extensions import db
    from server.live import store
    from server.models import AgendaItem, BreakoutRoom, BreakoutRound, Event, RoomAssignment
    from server.models.types import utcnow

    with app.app_context():
        seed_events(date.today())
        event = db.session.scalar(select(Event).where(Event.slug == REFERENCE_SLUG))
        assert event is not None
        event_id = event.id
        items = store.agenda_ids(event_id)
        qa_item = next(i for i in items if db.session.get(AgendaItem, i).kind == "qa")  # type: ignore[union-attr]
    names = ["Ana Example", "Bo Example", "Cy Example", "Di Example", "Ed Example", "Flo Example"]
    people = [add_participant(app, event_id, name) for name in names[:participants]]
    with app.app_context():
        rnd = BreakoutRound(event_id=event_id, title="Round 1", status="published" if published else "draft",
                            published_at=utcnow() if published else None)
        rnd.rooms = [BreakoutRoom(number=n, name=f"Room {n}", video_url=f"https://video.example/{n}")
                     for n in (1, 2)]
        db.session.add(rnd)
        db.session.flush()
        rooms = [r.id for r in rnd.rooms]
        for index, person in enumerate(people):
            db.session.add(RoomAssignment(round_id=rnd.id, room_id=rooms[index % 2],
                                          application_id=person.application_id))
        db.session.commit()
        round_id = rnd.id
    return Meeting(event_id, REFERENCE_SLUG, items, qa_item, round_id, rooms, people)


def participant_client(app: Flask, person: Person) -> SocketIOTestClient:
    from server.extensions import socketio

    return socketio.test_client(app, auth={"token": person.token})


def staff_client(app: Flask, event: int | str, *, organiser: bool = False) -> SocketIOTestClient:
    from server.extensions import socketio

    http = app.test_client()
    email, password = ORGANISER if organiser else MODERATOR
    assert http.post("/api/session", json={"email": email, "password": password}).status_code == 200
    return socketio.test_client(app, flask_test_client=http, auth={"event": event})


def call(client: SocketIOTestClient, event: str, payload: Any = None) -> dict[str, Any]:
    """Send a client event and return its acknowledgement."""
    ack = client.emit(event, payload if payload is not None else {}, callback=True)
    assert isinstance(ack, dict), ack
    return ack


def received(client: SocketIOTestClient, name: str) -> list[dict[str, Any]]:
    """Return (and drop) the broadcasts of one name this client got since the last look."""
    got = client.get_received()
    return [m["args"][0] for m in got if m["name"] == name]


def drain(*clients: SocketIOTestClient) -> None:
    for client in clients:
        client.get_received()


@pytest.fixture(name="meeting")
def meeting_fixture(app: Flask) -> Meeting:
    """The reference event with four participants in two rooms; presence and streams undelayed.

    With the coalescing window at 0 every change is its own frame, sent before the ack, so a
    test can read exactly one broadcast per change (tests/integration/test_live_burst.py runs
    with the window on).
    """
    app.config["LIVE_PRESENCE_DEBOUNCE"] = 0
    app.config["LIVE_COALESCE_SECONDS"] = 0
    return make_meeting(app)


def versions(app: Flask, meeting: Meeting) -> dict[str, int]:
    """Every stream's version as the database has it (to show a refusal changed nothing)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models.live import LiveStateRow, QAQueueRow, RoomNotesRow, SpeakerQueueRow

    with app.app_context():
        found: dict[str, int] = {}
        for row in db.session.scalars(select(LiveStateRow)):
            found[f"agenda:{row.event_id}"] = row.version
        for row in db.session.scalars(select(QAQueueRow)):
            found[f"qa:{row.kind}:{row.ref_id}"] = row.version
        for row in db.session.scalars(select(SpeakerQueueRow)):
            found[f"speaker:{row.kind}:{row.ref_id}"] = row.version
        for row in db.session.scalars(select(RoomNotesRow)):
            found[f"notes:room:{row.room_id}"] = row.version
        return found


class Mirror:
    """What a client shows of the versioned streams, following docs/realtime.md as the browser does.

    ``classify`` with ``from_version``: a frame covering ``from_version..version`` applies when
    it starts at or before the next version needed; a gap asks for a snapshot (``resync``).
    """

    def __init__(self, snapshots: dict[str, dict[str, Any]]) -> None:
        self.state: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, int] = {}
        self.frames = 0
        self.gaps = 0
        self.load(snapshots)

    def load(self, snapshots: dict[str, dict[str, Any]]) -> None:
        for stream, snap in snapshots.items():
            self.state[stream] = {**snap, "questions": {q["id"]: q for q in snap.get("questions", [])}}
            self.seen[stream] = snap["version"]

    def apply(self, payload: dict[str, Any], view: str = "audience") -> str:
        """Apply one broadcast; return the verdict (apply, stale, gap)."""
        stream = payload["stream"]
        if stream not in self.seen or payload.get("view", view) != view:
            return "ignored"
        self.frames += 1
        seen, version = self.seen[stream], payload["version"]
        first = payload.get("from_version", version)
        if version <= seen:
            return "stale"
        if first > seen + 1:
            self.gaps += 1
            return "gap"
        questions = self.state[stream]["questions"]
        for q in payload.get("questions", []):
            if q.get("hidden"):
                questions.pop(q["id"], None)
            else:
                questions[q["id"]] = q
        self.seen[stream] = version
        return "apply"

    def votes(self, stream: str) -> dict[int, int]:
        return {qid: q["votes"] for qid, q in self.state[stream]["questions"].items()}
