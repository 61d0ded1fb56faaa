"""Staff facilitators (issue 14): organisers mark organisers or moderators, rounds give each of them
a room that has no participant facilitator, and everyone who looks at the room sees their name."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.conftest import MODERATOR, ORGANISER
from tests.support.api import ApiActor
from tests.support.applications import count, csrf_from
from tests.support.breakouts import breakout_items, event_id_of, seed_participants


def _user_id(app: Flask, email: str) -> int:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import User

    with app.app_context():
        return int(db.session.scalar(select(User.id).where(User.email == email)))


def _mark(app: Flask, application_ids: list[int]) -> None:
    from server.extensions import db
    from server.models import Application

    with app.app_context():
        for i in application_ids:
            db.session.get(Application, i).is_facilitator = True
        db.session.commit()


def _staff(listing: dict[str, Any], user_id: int) -> dict[str, Any]:
    return next(s for s in listing["staff"] if s["user_id"] == user_id)


def _refused(response: Any, field: str, status: int = 422) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["field"] == field, body


def test_the_api_stores_refuses_and_removes_staff_facilitators(app: Flask, organiser: ApiActor,
                                                                moderator: ApiActor, reference_event: str) -> None:
    from server.extensions import db
    from server.models import EventFacilitator, User

    url = f"/api/events/{reference_event}/facilitators"
    mod_id = _user_id(app, MODERATOR[0])
    listing = organiser.get(url).get_json()
    assert {s["name"] for s in listing["staff"]} == {"Organiser", "Moderator"}
    assert not any(s["facilitator"] for s in listing["staff"]) and listing["participants"] == []

    with app.app_context():
        former = User(email="former@test.example", name="Former", role="former")
        former.set_password("former-password")
        db.session.add(former)
        db.session.commit()
        former_id = former.id
    _refused(organiser.post(url, json={"user_id": 999_999, "facilitator": True}), "user_id")
    _refused(organiser.post(url, json={"user_id": former_id, "facilitator": True}), "user_id")
    _refused(organiser.post(url, json={"user_id": "Moderator", "facilitator": True}), "user_id")
    _refused(organiser.post(url, json={"facilitator": True}), "user_id")
    _refused(organiser.post(url, json={"user_id": mod_id, "application_id": 1, "facilitator": True}), "user_id")
    _refused(organiser.post(url, json={"user_id": mod_id}), "facilitator")
    _refused(organiser.post(url, json={"user_id": mod_id, "facilitator": True, "room": 1}), "room")
    _refused(organiser.post(url, json={"application_id": 999_999, "facilitator": True}), "application_id")
    _refused(moderator.post(url, json={"user_id": mod_id, "facilitator": True}), "role", status=403)
    assert count(app, EventFacilitator) == 0
    assert "Former" not in {s["name"] for s in organiser.get(url).get_json()["staff"]}

    stored = organiser.post(url, json={"user_id": mod_id, "facilitator": True})
    assert stored.status_code == 200 and _staff(stored.get_json(), mod_id)["facilitator"] is True
    again = organiser.post(url, json={"user_id": mod_id, "facilitator": True})  # idempotent
    assert again.status_code == 200 and count(app, EventFacilitator) == 1
    with app.app_context():
        row = db.session.get(EventFacilitator, (event_id_of(app, reference_event), mod_id))
        assert row is not None

    people = seed_participants(app, event_id_of(app, reference_event), n=2)
    marked = organiser.post(url, json={"application_id": people[0].application_id, "facilitator": True})
    assert [p["name"] for p in marked.get_json()["participants"]] == [people[0].name]

    removed = organiser.post(url, json={"user_id": mod_id, "facilitator": False})
    assert removed.status_code == 200 and _staff(removed.get_json(), mod_id)["facilitator"] is False
    assert count(app, EventFacilitator) == 0


def _rooms(page: str) -> list[str]:
    return re.findall(r'<li class="card room".*?</ul>\s*</li>', page, re.S)


def test_rounds_place_one_staff_facilitator_per_room_without_one(app: Flask, organiser: ApiActor,
                                                                  moderator: ApiActor, reference_event: str) -> None:
    from server.models import EventFacilitator

    people = seed_participants(app, event_id_of(app, reference_event), n=12)
    _mark(app, [people[0].application_id])
    client = organiser.client
    index = f"/organise/{reference_event}/rounds"
    token = csrf_from(client, index)
    org_id, mod_id = _user_id(app, ORGANISER[0]), _user_id(app, MODERATOR[0])

    # The rounds' page marks staff with forms that need no script; bad input changes nothing.
    assert 'id="staff-h"' in client.get(index).get_data(as_text=True)
    for bad in ("abc", "999999", ""):
        client.post(f"{index}/facilitators", data={"csrf_token": token, "user_id": bad, "facilitator": "yes"})
        assert "user_id:" in client.get(index).get_data(as_text=True)
    assert client.post(f"{index}/facilitators", data={"user_id": str(mod_id), "facilitator": "yes"}).status_code == 400
    assert count(app, EventFacilitator) == 0
    for user_id in (org_id, mod_id):
        done = client.post(f"{index}/facilitators", data={"csrf_token": token, "user_id": str(user_id),
                                                          "facilitator": "yes"})
        assert done.status_code == 302
    assert "Moderator facilitates break-out rooms" in client.get(index).get_data(as_text=True)
    assert count(app, EventFacilitator) == 2

    form = {"title": "Day one", "agenda_item_id": str(breakout_items(app, reference_event)[0]), "room_count": "3",
            "mode": "mixed", "seed": "0", "csrf_token": token}
    made = client.post(index, data=form)
    round_id = int(made.location.rsplit("/", 1)[1])
    page = client.get(made.location).get_data(as_text=True)
    assert "facilitators for 3 rooms" not in page
    rooms = _rooms(page)
    assert len(rooms) == 3
    for room in rooms:  # one facilitator per room: a participant or a member of staff
        assert (">facilitator</span>" in room.split("<ul", 1)[1]) + ("(staff)" in room) == 1, room
    assert sum("Facilitated by Organiser (staff)" in r for r in rooms) == 1
    assert sum("Facilitated by Moderator (staff)" in r for r in rooms) == 1
    row = re.search(r"rooms without a facilitator</th><td>(\d+)</td>", page)
    assert row and row.group(1) == "0"

    api = f"/api/events/{reference_event}/rounds/{round_id}"
    rnd = organiser.get(api).get_json()
    assert rnd["facilitators"] == 3 and rnd["metrics"]["rooms_without_facilitator"] == 0
    assert sum(r["count"] for r in rnd["rooms"]) == 12  # staff are not seated as participants
    staffed = {r["staff_facilitator"]["user_id"]: r for r in rnd["rooms"] if r["staff_facilitator"]}
    assert set(staffed) == {org_id, mod_id}
    assert all(not any(m["facilitator"] for m in r["members"]) for r in staffed.values())
    assert "staff facilitator Moderator" in staffed[mod_id]["explanation"]
    assert "no facilitator" not in staffed[mod_id]["explanation"]

    # Published: the assignment names the room's staff facilitator; the moderator sees their room.
    assert organiser.post(f"{api}/publish").status_code == 200
    mate = next(p for p in people if any(m["application_id"] == p.application_id
                                         for m in staffed[mod_id]["members"]))
    room = client.get(f"/p/{mate.token}/live/room.json").get_json()["room"]
    assert room["staff_facilitator"] == {"user_id": mod_id, "name": "Moderator", "role": "moderator"}
    console = moderator.client.get(f"/moderate/{reference_event}").get_data(as_text=True)
    assert f"You facilitate {staffed[mod_id]['name']} in “Day one”." in console
    assert organiser.get(f"/api/events/{reference_event}/facilitators").get_json()["staff"][0]["rooms"]

    # Four rooms, three facilitators: the warning counts staff too.
    client.post(f"{index}", data={**form, "title": "Day two", "room_count": "4",
                                  "agenda_item_id": str(breakout_items(app, reference_event)[1])})
    second = organiser.get(f"/api/events/{reference_event}/rounds").get_json()["rounds"][-1]
    page = client.get(f"{index}/{second['id']}").get_data(as_text=True)
    assert "Only 3 facilitators for 4 rooms" in page
    asked = client.post(f"{index}/{second['id']}/publish", data={"csrf_token": token}).get_data(as_text=True)
    assert "Only 3 facilitators for 4 rooms" in asked and "1 room has no facilitator." in asked

    # Removed: no longer named in any room, and the first round is short of one again; the
    # room-mates watching the meeting page are told at once (the published round is running).
    from server.sessions import protocol as ev
    from tests.support.live import drain, participant_client, received

    watching = participant_client(app, mate)
    drain(watching)
    client.post(f"{index}/facilitators", data={"csrf_token": token, "user_id": str(mod_id), "facilitator": "no"})
    told = received(watching, ev.ROOM_ASSIGNED)
    assert told and told[-1]["room_id"] == staffed[mod_id]["id"] and told[-1]["staff_facilitator"] is None, told
    watching.disconnect()
    page = client.get(f"{index}/{round_id}").get_data(as_text=True)
    assert "Moderator (staff)" not in page and "Only 2 facilitators for 3 rooms" in page
    assert client.get(f"/p/{mate.token}/live/room.json").get_json()["room"]["staff_facilitator"] is None
    assert "You facilitate" not in moderator.client.get(f"/moderate/{reference_event}").get_data(as_text=True)
