"""Nothing irreversible or mass happens from a page without its confirmation (issue 14).

Each action: refused without the confirmation (nothing stored, nothing queued), done with it,
and a second submission of the same confirmation changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.support.api import ApiActor
from tests.support.applications import BEFORE_DEADLINE, apply, count, csrf_from, set_clock, valid_application

PEOPLE = [("Anna", "BE", "exit_worker", 5), ("Bram", "NL", "prison_officer", 4), ("Dina", "KZ", "probation_officer", 3)]


@pytest.fixture
def people(app: Flask, anonymous: ApiActor, organiser: ApiActor, reference_event: str) -> dict[str, int]:
    set_clock(app, BEFORE_DEADLINE)
    ids = {}
    for name, country, role, score in PEOPLE:
        body = valid_application(name=name, email=f"{name.lower()}@example.org", country=country, role=role,
                                 organisation=f"{name} service")
        ids[name], _ = apply(app, anonymous.client, reference_event, body)
        organiser.put(f"/api/events/{reference_event}/applications/{ids[name]}/review", json={"score": score})
    return ids


def _state(app: Flask) -> tuple[int, list[tuple[int, str]], tuple[bool, str]]:
    """(queued mails, every application's status, the event's call and status)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Application, Event, OutboundMail

    with app.app_context():
        apps = [(a.id, a.status) for a in db.session.scalars(select(Application).order_by(Application.id))]
        event = db.session.scalar(select(Event).where(Event.slug == "study-visit-central-asia-2021"))
        return count(app, OutboundMail), apps, (event.call_closed, event.status)


def _token(html: str) -> str:
    match = re.search(r'name="confirm_token" value="([0-9a-f]+)"', html)
    assert match, "no confirmation token on the page"
    return match.group(1)


def _mail_kinds(app: Flask) -> list[str]:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import OutboundMail

    with app.app_context():
        return sorted(m.kind for m in db.session.scalars(select(OutboundMail)))


def _three_steps(app: Flask, client: Any, url: str, data: dict[str, str]) -> tuple[str, Any, Any]:
    """Post without confirmation (asserting nothing changed), confirm, replay; return the page and states."""
    before = _state(app)
    asked = client.post(url, data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Nothing has changed yet" in html, html[:400]
    assert _state(app) == before
    forged = client.post(url, data={**data, "confirm_token": "0" * 64})
    assert forged.status_code == 409 and _state(app) == before
    token = _token(html)
    done = client.post(url, data={**data, "confirm_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    after = _state(app)
    assert after != before
    again = client.post(url, data={**data, "confirm_token": token})
    assert again.status_code in (302, 409)
    assert _state(app) == after
    return html, before, after


def test_applying_a_selection_states_the_mails_and_waits(app: Flask, organiser: ApiActor, people: dict[str, int],
                                                         reference_event: str) -> None:
    organiser.patch(f"/api/events/{reference_event}", json={"seats": 2})
    client = organiser.client
    page = client.get(f"/organise/{reference_event}/selection").get_data(as_text=True)
    proposal_id = re.search(r'name="proposal_id" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_from(client, f"/organise/{reference_event}/selection"), "proposal_id": proposal_id,
            "include_unreviewed": ""}
    mails_before = _mail_kinds(app)
    html, _, after = _three_steps(app, client, f"/organise/{reference_event}/selection/apply", data)
    assert "2 invitations, 1 wait-list mail, 0 declines will be sent." in html
    assert "The call is still open until Wednesday 12 May 2021, 23:59:59 Europe/Brussels" in html
    statuses = dict(after[1])
    assert [statuses[people[n]] for n in ("Anna", "Bram", "Dina")] == ["invited", "invited", "waitlisted"]
    new = list(_mail_kinds(app))
    for kind in mails_before:
        new.remove(kind)
    assert sorted(new) == ["decision_waitlisted", "invitation", "invitation"]


def test_inviting_and_declining_in_bulk(app: Flask, organiser: ApiActor, people: dict[str, int],
                                        reference_event: str) -> None:
    client = organiser.client
    url = f"/organise/{reference_event}/applications/decisions"
    token = csrf_from(client, f"/organise/{reference_event}/applications")
    data = {"csrf_token": token, "decision": "decline", "ids": f"{people['Bram']},{people['Dina']}"}
    html, _, after = _three_steps(app, client, url, data)
    assert "0 invitations, 0 wait-list mails, 2 declines will be sent." in html
    assert dict(after[1])[people["Dina"]] == "rejected"
    html, _, after = _three_steps(app, client, url, {**data, "decision": "invite", "ids": str(people["Anna"])})
    assert "1 invitation, 0 wait-list mails, 0 declines will be sent." in html


def test_closing_and_reopening_the_call(app: Flask, organiser: ApiActor, people: dict[str, int],
                                        reference_event: str) -> None:
    client = organiser.client
    url = f"/organise/{reference_event}/call"
    token = csrf_from(client, f"/organise/{reference_event}/applications")
    html, _, after = _three_steps(app, client, url, {"csrf_token": token, "action": "close"})
    assert "3 applications are in." in html and after[2][0] is True
    html, _, after = _three_steps(app, client, url, {"csrf_token": token, "action": "reopen"})
    assert after[2][0] is False


def test_cancelling_the_meeting(app: Flask, organiser: ApiActor, people: dict[str, int], reference_event: str) -> None:
    organiser.post(f"/api/events/{reference_event}/applications/{people['Anna']}/decision", json={"decision": "invite"})
    client = organiser.client
    token = csrf_from(client, f"/organise/{reference_event}/edit")
    before = _mail_kinds(app)
    html, _, after = _three_steps(app, client, f"/organise/{reference_event}/status",
                                  {"csrf_token": token, "status": "cancelled"})
    assert "1 calendar cancellation will be sent." in html and after[2][1] == "cancelled"
    assert len(_mail_kinds(app)) == len(before) + 1


def test_erasing_a_person(app: Flask, organiser: ApiActor, people: dict[str, int], reference_event: str) -> None:
    client = organiser.client
    url = f"/organise/{reference_event}/applications/{people['Dina']}/erase"
    token = csrf_from(client, f"/organise/{reference_event}/applications/{people['Dina']}")
    html, _, after = _three_steps(app, client, url, {"csrf_token": token})
    assert "This cannot be undone." in html and "Dina" in html
    assert dict(after[1])[people["Dina"]] == "erased"


def test_the_api_answers_a_dry_run_and_changes_nothing(app: Flask, organiser: ApiActor, people: dict[str, int],
                                                       reference_event: str) -> None:
    before = _state(app)
    base = f"/api/events/{reference_event}"
    answer = organiser.post(f"{base}/selection/apply?dry_run=1", json={"proposal_id": "x"}).get_json()
    assert answer["dry_run"] is True and answer["consequences"][0] == (
        "3 invitations, 0 wait-list mails, 0 declines will be sent.")
    closing = organiser.patch(f"{base}?dry_run=1", json={"call_closed": True}).get_json()
    assert closing["consequences"][0] == "The application form stops taking applications now."
    erase = organiser.delete(f"{base}/applications/{people['Anna']}?dry_run=1").get_json()
    assert erase["warnings"] == ["This cannot be undone."]
    decision = organiser.post(f"{base}/applications/{people['Anna']}/decision?dry_run=1",
                              json={"decision": "invite"}).get_json()
    assert decision["consequences"][0].startswith("1 invitation,")
    assert _state(app) == before


def _round_state(app: Flask, round_id: int) -> tuple[str, list[tuple[int, int]]]:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import BreakoutRound, RoomAssignment

    with app.app_context():
        rnd = db.session.get(BreakoutRound, round_id)
        rows = db.session.scalars(select(RoomAssignment).where(RoomAssignment.round_id == round_id)
                                  .order_by(RoomAssignment.application_id))
        return rnd.status, [(r.application_id, r.room_id) for r in rows]


def test_publishing_rooms_and_moving_a_published_member(app: Flask, organiser: ApiActor,
                                                        reference_event: str) -> None:
    from tests.support.breakouts import breakout_items, event_id_of, seed_participants

    seed_participants(app, event_id_of(app, reference_event), n=9)
    client = organiser.client
    index = f"/organise/{reference_event}/rounds"
    token = csrf_from(client, index)
    made = client.post(index, data={"title": "Day one", "agenda_item_id": str(breakout_items(app, reference_event)[0]),
                                    "room_count": "3", "mode": "mixed", "seed": "0", "csrf_token": token})
    round_id = int(made.location.rsplit("/", 1)[1])
    url = f"{index}/{round_id}/publish"
    before = _round_state(app, round_id)
    asked = client.post(url, data={"csrf_token": token})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "9 participants will see their room now" in html and "3 rooms." in html
    assert "rooms have no facilitator" in html
    assert _round_state(app, round_id) == before
    confirm = _token(html)
    assert client.post(url, data={"csrf_token": token, "confirm_token": confirm}).status_code == 302
    after = _round_state(app, round_id)
    assert after[0] == "published"
    assert client.post(url, data={"csrf_token": token, "confirm_token": confirm}).status_code == 302
    assert _round_state(app, round_id) == after  # the replay changes nothing

    person, room = after[1][0]
    other = next(r for _, r in after[1] if r != room)
    move = {"csrf_token": token, "application_id": str(person), "room_id": str(other)}
    asked = client.post(f"{index}/{round_id}/move", data=move)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "moves from Room" in html and "people are told at once" in html
    assert _round_state(app, round_id) == after
    confirm = _token(html)
    done = client.post(f"{index}/{round_id}/move", data={**move, "confirm_token": confirm})
    assert done.status_code == 302 and done.location.endswith(f"#member-{person}")
    moved = _round_state(app, round_id)
    assert dict(moved[1])[person] == other
    assert client.post(f"{index}/{round_id}/move", data={**move, "confirm_token": confirm}).status_code == 302
    assert _round_state(app, round_id) == moved


def test_the_rounds_api_answers_a_dry_run(app: Flask, organiser: ApiActor, reference_event: str) -> None:
    from tests.support.breakouts import breakout_items, event_id_of, seed_participants

    seed_participants(app, event_id_of(app, reference_event), n=6)
    base = f"/api/events/{reference_event}/rounds"
    made = organiser.post(base, json={"title": "R", "agenda_item_id": breakout_items(app, reference_event)[0],
                                      "room_count": 2}).get_json()
    answer = organiser.post(f"{base}/{made['id']}/publish?dry_run=1").get_json()
    assert answer["dry_run"] is True and answer["consequences"][0].startswith("6 participants will see their room")
    assert organiser.get(f"{base}/{made['id']}").get_json()["status"] == "draft"


def test_extending_a_closed_call_is_a_reopening_and_asks_first(app: Flask, organiser: ApiActor,
                                                               people: dict[str, int], reference_event: str) -> None:
    organiser.patch(f"/api/events/{reference_event}", json={"call_closed": True})
    client = organiser.client
    token = csrf_from(client, f"/organise/{reference_event}/applications")
    html, _, after = _three_steps(app, client, f"/organise/{reference_event}/call",
                                  {"csrf_token": token, "action": "extend", "deadline": "2021-05-20T23:59:00"})
    assert "takes applications again until Thursday 20 May 2021, 23:59:00 Europe/Brussels" in html
    assert after[2][0] is False
