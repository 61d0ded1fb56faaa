"""The meeting day (issue 15, first half): the applicants' key questions open a Q&A item's queue
once, as the applicants chose to be named, from the place the item is about; the projector's
secret link and its read-only socket, which receives only what the audience receives."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Flask
from sqlalchemy import func, select

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


def applicant(app: Flask, event_id: int, name: str, country: str, questions: list[str], share: str) -> int:
    from server.auth import new_token
    from server.extensions import db
    from server.models import Application

    with app.app_context():
        application = Application(
            event_id=event_id, status="accepted", access_token_hash=new_token()[1],
            email=f"{name.lower().replace(' ', '.')}@example.org", name=name, role="exit_worker",
            key_questions=questions, share_questions=share,
        )
        application.set_country(country)
        db.session.add(application)
        db.session.commit()
        return int(application.id)


def applicants(app: Flask, meeting: Meeting) -> None:
    applicant(app, meeting.event_id, "Aigerim Named", "KZ", ["How do families take part?", " "], "with_name")
    applicant(app, meeting.event_id, "Shy Kazakh", "KZ", ["Who pays for the centres?"], "anonymous")
    applicant(app, meeting.event_id, "Bram Named", "NL", ["What do schools need?"], "with_name")
    applicant(app, meeting.event_id, "Private Person", "UZ", ["Never shown?"], "no")
    applicant(app, meeting.event_id, "Dilnoza Anon", "UZ", ["How do you train imams?"], "anonymous")


def questions(app: Flask, meeting: Meeting, item_id: int) -> list[dict[str, Any]]:
    mod = staff_client(app, meeting.slug)
    stream = f"qa:item:{item_id}"
    ack = call(mod, ev.SYNC_SNAPSHOT, {"streams": [stream]})
    return list(ack["snapshots"][stream]["questions"])


def qa_items(app: Flask, meeting: Meeting) -> list[int]:
    from server.extensions import db
    from server.models import AgendaItem

    with app.app_context():
        return [i for i in meeting.items if db.session.get(AgendaItem, i).kind == "qa"]  # type: ignore[union-attr]


def set_scope(app: Flask, item_id: int, on_start: bool, scope: str) -> None:
    from server.extensions import db
    from server.live import seeding
    from server.models import AgendaItem

    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item is not None
        seeding.save_setting(item, on_start, scope)


# ---------------------------------------------------------------------------------------------
# Key questions open the queue
# ---------------------------------------------------------------------------------------------


def test_starting_a_qa_item_adds_the_shared_key_questions_once_as_the_applicants_chose(
    app: Flask, meeting: Meeting
) -> None:
    applicants(app, meeting)
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    drain(mod, ana)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]

    seeded = [p for p in received(ana, ev.QA_CHANGED) if p["action"] == "seed"]
    assert len(seeded) == 1 and seeded[0]["view"] == "audience"
    shown = {q["text"]: q["author_name"] for q in seeded[0]["questions"]}
    assert shown == {  # named where the applicant said so; "no" and blank questions never appear
        "How do families take part?": "Aigerim Named", "Who pays for the centres?": None,
        "What do schools need?": "Bram Named", "How do you train imams?": None,
    }
    # Grouped by region then country: Central Asia (KZ, then UZ), then the EU (NL).
    assert [q["text"] for q in seeded[0]["questions"]] == [
        "How do families take part?", "Who pays for the centres?", "How do you train imams?",
        "What do schools need?"]
    for_moderators = [p for p in received(mod, ev.QA_CHANGED) if p["view"] == "moderator"]
    assert len(for_moderators) == 1 and all(q["status"] == "live" for q in for_moderators[0]["questions"])

    # Another item and back, and a second moderator starting it again: nothing is added twice.
    assert call(mod, ev.AGENDA_NEXT_ITEM)["ok"]
    other = staff_client(app, meeting.slug, organiser=True)
    assert call(other, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert len(questions(app, meeting, meeting.qa_item)) == 4
    assert call(mod, "qa:seed", {"item_id": meeting.qa_item})["error"] == {
        "field": "item_id", "reason": "this item's queue already has the key questions"}

    from server.extensions import db
    from server.models import QASeeding

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QASeeding)) == 1


def test_seeding_is_once_even_when_two_processes_race(app: Flask, meeting: Meeting) -> None:
    """Two app instances (two processes' worth of sessions) on one database seed one item."""
    from datetime import UTC, datetime

    from server import create_app
    from server.live import seeding
    from server.sessions.protocol import LiveError

    applicants(app, meeting)
    second = create_app(dict(app.config))
    now = datetime.now(UTC)
    outcomes = []
    for instance in (app, second, app):
        with instance.app_context():
            try:
                outcomes.append(len(seeding.seed_item(meeting.event_id, meeting.qa_item, now, "start")[1].ids))
            except LiveError as error:
                outcomes.append(error.reason)
    assert outcomes == [4, "this item's queue already has the key questions",
                        "this item's queue already has the key questions"]
    assert len(questions(app, meeting, meeting.qa_item)) == 4


def test_scope_takes_the_country_or_region_the_item_is_about(app: Flask, meeting: Meeting) -> None:
    applicants(app, meeting)
    first, second = qa_items(app, meeting)[:2]
    set_scope(app, first, True, "country:kz")
    set_scope(app, second, True, "region:central_asia")
    mod = staff_client(app, meeting.slug)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": first})["ok"]
    assert [q["text"] for q in questions(app, meeting, first)] == [
        "How do families take part?", "Who pays for the centres?"]
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": second})["ok"]
    assert [q["text"] for q in questions(app, meeting, second)] == [
        "How do families take part?", "Who pays for the centres?", "How do you train imams?"]


def test_an_item_set_not_to_seed_starts_empty_and_the_button_adds_them_later(app: Flask, meeting: Meeting) -> None:
    applicants(app, meeting)
    set_scope(app, meeting.qa_item, False, "all")
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert questions(app, meeting, meeting.qa_item) == []

    # A participant may not press the button; the moderator may, once per item.
    before = versions(app, meeting)
    assert call(ana, "qa:seed", {"item_id": meeting.qa_item})["error"]["field"] == "permission"
    assert call(mod, "qa:seed", {"item_id": "x"})["error"]["field"] == "item_id"
    assert call(mod, "qa:seed", {"item_id": 999_999})["error"] == {
        "field": "item_id", "reason": "not on this event's agenda"}
    assert versions(app, meeting) == before
    ack = call(mod, "qa:seed", {"item_id": meeting.qa_item})
    assert ack["ok"] and ack["seeded"] == 4
    # "Adds them again to another item": the presentation before it gets them too.
    assert call(mod, "qa:seed", {"item_id": meeting.items[1]})["seeded"] == 4


def test_nothing_shared_means_the_item_simply_starts(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert questions(app, meeting, meeting.qa_item) == []
    assert call(mod, "qa:seed", {"item_id": meeting.qa_item})["error"] == {
        "field": "questions", "reason": "no participant shared key questions for this item"}


def test_the_agenda_editor_saves_the_setting_and_refuses_a_bad_scope(app: Flask, meeting: Meeting) -> None:
    from server.extensions import db
    from server.models import QASeedSetting
    from tests.conftest import ORGANISER

    http = app.test_client()
    assert http.post("/api/session", json={"email": ORGANISER[0], "password": ORGANISER[1]}).status_code == 200
    page = http.get(f"/organise/{meeting.slug}/agenda").get_data(as_text=True)
    assert "key questions to the Q&A when this item starts" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    url = f"/organise/{meeting.slug}/agenda/items/{meeting.qa_item}/key-questions"
    saved = http.post(url, data={"csrf_token": token.group(1), "on_start": "yes", "scope": "country:KZ"},
                      follow_redirects=True)
    assert saved.status_code == 200 and "Saved the key questions setting" in saved.get_data(as_text=True)
    refused = http.post(url, data={"csrf_token": token.group(1), "scope": "country:ZZ"}, follow_redirects=True)
    assert "Not saved: scope: &#39;ZZ&#39; is not a country code" in refused.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(QASeedSetting, meeting.qa_item)
        assert row is not None and (row.on_start, row.scope) == (True, "country:KZ")


# ---------------------------------------------------------------------------------------------
# The projector
# ---------------------------------------------------------------------------------------------


def projector_key(app: Flask, slug: str) -> str:
    from tests.conftest import MODERATOR
    from tests.support.api import ApiActor

    actor = ApiActor(app.test_client())
    assert actor.login(*MODERATOR).status_code == 200
    answer = actor.post(f"/moderate/{slug}/projector-link")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    url = answer.get_json()["url"]
    assert url.startswith(f"http://convene.test/present/{slug}?key=")
    return parse_qs(urlparse(url).query)["key"][0]


def projector_client(app: Flask, key: str) -> Any:
    from server.extensions import socketio

    return socketio.test_client(app, auth={"projector": key})


def test_the_projector_link_opens_without_login_and_a_reset_closes_the_old_one(
    app: Flask, meeting: Meeting, anonymous: Any, moderator: Any
) -> None:
    from server.extensions import db
    from server.models import ProjectorLink

    key = projector_key(app, meeting.slug)
    page = anonymous.get(f"/present/{meeting.slug}?key={key}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in page.get_data(as_text=True).replace('<script src=', '')  # no inline scripts
    assert anonymous.get(f"/present/{meeting.slug}?key=wrong").status_code == 404
    assert anonymous.get(f"/present/{meeting.slug}").status_code == 404
    with app.app_context():  # only the hash is stored
        row = db.session.get(ProjectorLink, meeting.event_id)
        assert row is not None and key not in (row.token_hash, row.salt)
    # The console shows the same link until someone resets it.
    console = moderator.get(f"/moderate/{meeting.slug}").get_data(as_text=True)
    assert f"key={key}" in console
    new = projector_key(app, meeting.slug)
    assert new != key
    assert anonymous.get(f"/present/{meeting.slug}?key={key}").status_code == 404
    assert anonymous.get(f"/present/{meeting.slug}?key={new}").status_code == 200
    assert not projector_client(app, key).is_connected()
    assert projector_client(app, new).is_connected()
    # Nobody else may reset it.
    assert anonymous.post(f"/moderate/{meeting.slug}/projector-link").status_code in (400, 401)


def test_the_projector_socket_is_read_only_and_receives_only_public_data(app: Flask, meeting: Meeting) -> None:
    from server.live.emit import presence_payloads

    applicants(app, meeting)
    key = projector_key(app, meeting.slug)
    screen = projector_client(app, key)
    assert screen.is_connected()
    mod = staff_client(app, meeting.slug)
    ana, bo = (participant_client(app, p) for p in meeting.people[:2])
    with app.app_context():
        assert presence_payloads(meeting.event_id)[0]["participants"] == 2  # the projector is nobody
    assert call(mod, ev.AGENDA_START_ITEM, {"item_id": meeting.qa_item})["ok"]
    assert call(ana, ev.QA_ASK, {"queue": ["item", meeting.qa_item], "text": "Quiet one?", "anonymous": True})["ok"]
    assert call(bo, ev.SPEAKER_RAISE, {"queue": ["plenary", meeting.event_id]})["ok"]
    assert call(mod, ev.SPEAKER_CALL_NEXT, {"queue": ["plenary", meeting.event_id]})["ok"]

    got = screen.get_received()
    names = {m["name"] for m in got}
    assert {ev.AGENDA_STATE, ev.QA_CHANGED, ev.SPEAKER_STATE} <= names
    assert ev.NOTES_STATE not in names and ev.ROOM_ASSIGNED not in names
    text = repr([m["args"] for m in got])
    assert "@example.org" not in text and "Shy Kazakh" not in text and "Dilnoza Anon" not in text
    assert all(m["args"][0].get("view") != "moderator" for m in got if m["name"] == ev.QA_CHANGED)
    asked = [q for m in got if m["name"] == ev.QA_CHANGED for q in m["args"][0]["questions"]
             if q["text"] == "Quiet one?"]
    assert asked and all(q["author_name"] is None and q["author_id"] is None for q in asked)

    # Snapshots of the plenary's streams only.
    plenary = [f"agenda:{meeting.event_id}", f"qa:item:{meeting.qa_item}", f"speaker:plenary:{meeting.event_id}"]
    ack = call(screen, ev.SYNC_SNAPSHOT, {"streams": plenary})
    assert ack["ok"] and ack["snapshots"][f"speaker:plenary:{meeting.event_id}"]["current"]["name"] == "Bo Example"
    for stream in (f"qa:room:{meeting.rooms[0]}", f"notes:room:{meeting.rooms[0]}", f"speaker:room:{meeting.rooms[0]}"):
        refused = call(screen, ev.SYNC_SNAPSHOT, {"streams": [stream]})
        assert refused["error"] == {"field": "streams[0]", "reason": "the projector shows the plenary only"}

    # Every attempt to act is refused and changes nothing.
    before = versions(app, meeting)
    attempts = [*sorted(ev.CLIENT_EVENTS - {ev.SYNC_SNAPSHOT}), "qa:seed"]
    for name in attempts:
        ack = call(screen, name, {"queue": ["item", meeting.qa_item], "item_id": meeting.qa_item, "text": "x",
                                  "question_id": 1, "room_id": meeting.rooms[0], "base_version": 0})
        assert ack == {"ok": False, "error": {"field": "permission", "reason": "the projector view is read-only"}}, name
    assert versions(app, meeting) == before


def test_a_refused_projector_key_names_the_reason(app: Flask, meeting: Meeting) -> None:
    from server.extensions import socketio

    for auth in ({"projector": "nope"}, {"projector": ""}, {"projector": 7}):
        client = socketio.test_client(app, auth=auth)
        assert not client.is_connected()
