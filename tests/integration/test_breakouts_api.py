"""Break-out rounds over the JSON API: day one, day two without repeat pairs, locks, late joiners,
refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.support.api import ApiActor
from tests.support.breakouts import (
    add_person,
    attributes,
    breakout_items,
    event_id_of,
    repeat_pairs,
    same_organisation_pairs,
    seed_participants,
    spread_violations,
    stored_rooms,
)

TEMPLATE = "https://meet.jit.si/convene-{event}-room-{room}"


@pytest.fixture
def forty(app: Flask, reference_event: str) -> list[Any]:
    return seed_participants(app, event_id_of(app, reference_event))


def _create(organiser: ApiActor, slug: str, **body: Any) -> dict[str, Any]:
    response = organiser.post(f"/api/events/{slug}/rounds", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_day_one_then_day_two_without_repeat_pairs(app: Flask, organiser: ApiActor, reference_event: str,
                                                   forty: list[Any]) -> None:
    slug = reference_event
    day_one_item, day_two_item = breakout_items(app, slug)
    one = _create(organiser, slug, title="Day one", agenda_item_id=day_one_item, room_count=8,
                  topics=["Families", "Prisons"], video_url_template=TEMPLATE, seed=1)
    assert one["status"] == "draft" and len(one["rooms"]) == 8 and one["previous_round_ids"] == []
    assert [r["count"] for r in one["rooms"]] == [5] * 8 and not one["unplaced"]
    assert one["rooms"][0]["topic"] == "Families" and one["rooms"][2]["topic"] == ""
    assert one["rooms"][2]["video_url"] == "https://meet.jit.si/convene-study-visit-2021-room-3".replace(
        "study-visit-2021", slug)
    m = one["metrics"]
    assert m["spread_violations"] == {"role": 0, "region": 0} and m["separation_pairs"] == 0
    assert m["size_range"] == [5, 5] and m["rooms_lacking_region"] == 0
    assert len(one["explanations"]) == 8 and one["explanations"][0].startswith("Room 1: 5 people")
    member = one["rooms"][0]["members"][0]
    assert set(member) >= {"name", "role", "country", "locked"} and "email" not in member

    published = organiser.post(f"/api/events/{slug}/rounds/{one['id']}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"

    two = _create(organiser, slug, title="Day two", agenda_item_id=day_two_item, room_count=8,
                  video_url_template=TEMPLATE, seed=2)
    assert two["previous_round_ids"] == [one["id"]]
    assert two["metrics"]["repeat_pairs"] == 0
    assert two["metrics"]["spread_violations"] == {"role": 0, "region": 0}
    assert organiser.post(f"/api/events/{slug}/rounds/{two['id']}/publish").status_code == 200

    # The test's own oracle, from the stored assignments only.
    attrs = attributes(app)
    rooms_one, rooms_two = stored_rooms(app, one["id"]), stored_rooms(app, two["id"])
    everyone = {p.application_id for p in forty}
    for rooms in (rooms_one, rooms_two):
        assert set().union(*rooms) == everyone and sum(len(r) for r in rooms) == 40
        assert spread_violations(rooms, attrs, 0) == 0 and spread_violations(rooms, attrs, 1) == 0
        assert same_organisation_pairs(rooms, attrs) == 0
    assert repeat_pairs(rooms_two, [rooms_one]) == 0

    # Each participant's personal calendar feed now lists both rooms.
    feed = organiser.get(f"/feeds/{forty[0].feed_token}.ics").get_data(as_text=True)
    assert feed.count("Room ") >= 2 and "Day one" in feed and "Day two" in feed

    listed = organiser.get(f"/api/events/{slug}/rounds").get_json()["rounds"]
    assert [r["id"] for r in listed] == [one["id"], two["id"]]


def test_locks_hold_after_a_rerun(app: Flask, organiser: ApiActor, moderator: ApiActor, reference_event: str,
                                  forty: list[Any]) -> None:
    slug = reference_event
    rnd = _create(organiser, slug, title="Round", room_count=8)
    base = f"/api/events/{slug}/rounds/{rnd['id']}"
    rooms = rnd["rooms"]
    # Move three people into room 1 (a move on a draft locks by default) and lock one where they are.
    chosen = [rooms[k]["members"][0]["application_id"] for k in (1, 2, 3)]
    for application_id in chosen:
        response = organiser.post(f"{base}/moves", json={"application_id": application_id, "room_id": rooms[0]["id"]})
        assert response.status_code == 200, response.get_json()
    staying = rooms[5]["members"][1]["application_id"]
    assert organiser.post(f"{base}/locks", json={"application_id": staying, "locked": True}).status_code == 200
    after_moves = organiser.get(base).get_json()
    assert after_moves["rooms"][0]["count"] == 8 and after_moves["metrics"]["size_range"] == [4, 8]
    assert after_moves["metrics"]["uneven_sizes"] is True
    assert "by hand" in after_moves["rooms"][0]["explanation"]

    for seed in (7, 8):
        rerun = organiser.patch(base, json={"seed": seed})
        assert rerun.status_code == 200, rerun.get_json()
        data = rerun.get_json()
        where = {m["application_id"]: room["id"] for room in data["rooms"] for m in room["members"]}
        assert all(where[a] == rooms[0]["id"] for a in chosen)
        assert where[staying] == rooms[5]["id"]
        assert [r["id"] for r in data["rooms"]] == [r["id"] for r in rooms]  # rooms keep their ids
        assert data["metrics"]["broken_locks"] == [] and data["metrics"]["size_range"] == [5, 5]
    # Unlock and re-run: the person may go anywhere, and the lock flag is gone.
    assert organiser.post(f"{base}/locks", json={"application_id": staying, "locked": False}).status_code == 200
    again = organiser.post(f"{base}/propose").get_json()
    flags = {m["application_id"]: m["locked"] for room in again["rooms"] for m in room["members"]}
    assert flags[staying] is False and all(flags[a] for a in chosen)
    # Moderators may move but not re-run or lock.
    assert moderator.post(f"{base}/propose").status_code == 403
    assert moderator.post(f"{base}/locks", json={"application_id": staying, "locked": True}).status_code == 403
    assert moderator.get(f"{base}/rooms").status_code == 200


def test_late_joiner_goes_to_the_smallest_room_keeping_the_spread(app: Flask, organiser: ApiActor,
                                                                  moderator: ApiActor, reference_event: str,
                                                                  forty: list[Any]) -> None:
    slug = reference_event
    event_id = event_id_of(app, slug)
    rnd = _create(organiser, slug, title="Round", room_count=8)
    base = f"/api/events/{slug}/rounds/{rnd['id']}"
    assert organiser.post(f"{base}/publish").status_code == 200
    # Someone accepted after publishing: without a room until a moderator places them.
    late = add_person(app, event_id, "Late Comer", country="KZ", role="prison_officer")
    rooms = moderator.get(f"{base}/rooms").get_json()
    assert [u["application_id"] for u in rooms["unplaced"]] == [late.application_id]
    placed = moderator.post(f"{base}/late-joiners", json={"application_id": late.application_id})
    assert placed.status_code == 201, placed.get_json()
    body = placed.get_json()
    assert "keeps the role and region spread" in body["reason"]
    counts = {r["id"]: r["count"] for r in body["round"]["rooms"]}
    assert counts[body["room_id"]] == 6 and sorted(counts.values()) == [5] * 7 + [6]
    assert body["round"]["metrics"]["spread_violations"] == {"role": 0, "region": 0}
    attrs = attributes(app)
    stored = stored_rooms(app, rnd["id"])
    assert spread_violations(stored, attrs, 0) == 0 and spread_violations(stored, attrs, 1) == 0
    # Twice: refused, nothing changes.
    again = moderator.post(f"{base}/late-joiners", json={"application_id": late.application_id})
    assert again.status_code == 409 and again.get_json()["field"] == "application_id"
    assert stored_rooms(app, rnd["id"]) == stored

    # Publishing places whoever is still without a room.
    second = _create(organiser, slug, title="Round two", room_count=8)
    later = add_person(app, event_id, "Even Later", country="DE", role="legal_expert")
    published = organiser.post(f"/api/events/{slug}/rounds/{second['id']}/publish").get_json()
    assert not published["unplaced"]
    assert later.application_id in {m["application_id"] for r in published["rooms"] for m in r["members"]}


def _problem(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == field, response.get_json()


def test_refusals_name_the_field_and_change_nothing(app: Flask, organiser: ApiActor, moderator: ApiActor,
                                                   anonymous: ApiActor, reference_event: str,
                                                   forty: list[Any]) -> None:
    slug = reference_event
    url = f"/api/events/{slug}/rounds"
    _problem(organiser.post(url, json={"title": "x", "room_count": 4, "video_url_template": "https://v.example/{ev}"}),
             422, "video_url_template")
    _problem(organiser.post(url, json={"title": "x", "room_count": 4, "video_url_template": "ftp://v.example/{room}"}),
             422, "video_url_template")
    _problem(organiser.post(url, json={"title": "x", "room_count": 4, "video_url_template": "https://v/{room"}),
             422, "video_url_template")
    _problem(organiser.post(url, json={"title": "x", "room_count": 0}), 422, "room_count")
    _problem(organiser.post(url, json={"title": "x"}), 422, "room_count")
    _problem(organiser.post(url, json={"title": "x", "room_count": 2, "room_size": 3}), 422, "room_size")
    _problem(organiser.post(url, json={"title": "x", "room_count": 2, "topics": ["a", "b", "c"]}), 422, "topics")
    _problem(organiser.post(url, json={"title": "x", "room_count": 2, "mode": "random"}), 422, "mode")
    _problem(organiser.post(url, json={"title": "x", "room_count": 2, "agenda_item_id": 999999}),
             422, "agenda_item_id")
    _problem(organiser.post(url, json={"title": "x", "room_count": 2, "separations": [[1, 999999]]}),
             422, "separations.0.1")
    _problem(moderator.post(url, json={"title": "x", "room_count": 2}), 403, "role")
    assert anonymous.post(url, json={"title": "x", "room_count": 2}).status_code in (400, 401)  # CSRF first
    _problem(anonymous.get(url), 401, "session")
    assert organiser.get(url).get_json()["rounds"] == []

    first = _create(organiser, slug, title="First", room_count=4)
    second = _create(organiser, slug, title="Second", room_count=4)
    base = f"{url}/{first['id']}"
    before = organiser.get(base).get_json()
    someone = first["rooms"][0]["members"][0]["application_id"]
    _problem(organiser.post(f"{base}/moves", json={"application_id": 999999, "room_id": first["rooms"][1]["id"]}),
             422, "application_id")
    _problem(organiser.post(f"{base}/moves", json={"application_id": someone, "room_id": second["rooms"][1]["id"]}),
             422, "room_id")
    _problem(organiser.post(f"{base}/moves", json={"room_id": first["rooms"][1]["id"]}), 422, "application_id")
    _problem(organiser.post(f"{base}/locks", json={"application_id": 999999, "locked": True}), 422, "application_id")
    _problem(organiser.post(f"{base}/late-joiners", json={"application_id": someone}), 409, "application_id")
    _problem(organiser.patch(base, json={"video_url_template": "https://v.example/{who}"}), 422, "video_url_template")
    _problem(organiser.patch(base, json={"room_count": None, "room_size": None}), 422, "room_count")
    _problem(organiser.patch(base, json={"title": None}), 422, "title")
    # A participant's personal token is no staff login.
    token = forty[0].token
    response = anonymous.client.post(f"{base}/moves", json={"application_id": someone, "room_id": 1},
                                     headers={"X-Personal-Token": token})
    assert response.status_code in (400, 401, 403)
    _problem(anonymous.client.get(f"{base}/rooms", headers={"X-Personal-Token": token}), 401, "session")
    assert organiser.get(f"{url}/999999").status_code == 404
    assert organiser.get(base).get_json() == before

    assert organiser.post(f"{base}/publish").status_code == 200
    _problem(organiser.post(f"{base}/publish"), 409, "status")
    _problem(organiser.post(f"{base}/propose"), 409, "status")
    _problem(organiser.patch(base, json={"room_count": 5}), 409, "room_count")
    renamed = organiser.patch(base, json={"title": "First (renamed)", "topics": ["Only room 1"]})
    assert renamed.status_code == 200 and renamed.get_json()["rooms"][0]["topic"] == "Only room 1"


def test_delete_a_round(app: Flask, organiser: ApiActor, reference_event: str, forty: list[Any]) -> None:
    rnd = _create(organiser, reference_event, title="Gone", room_count=4)
    url = f"/api/events/{reference_event}/rounds/{rnd['id']}"
    assert organiser.delete(url).status_code == 204
    assert organiser.get(url).status_code == 404
    assert stored_rooms(app, rnd["id"]) == []


def test_openapi_describes_the_round_routes(app: Flask, anonymous: ApiActor) -> None:
    paths = anonymous.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/events/{slug}/rounds", "/api/events/{slug}/rounds/{round_id}",
                 "/api/events/{slug}/rounds/{round_id}/moves", "/api/events/{slug}/rounds/{round_id}/late-joiners",
                 "/api/events/{slug}/rounds/{round_id}/rooms", "/api/events/{slug}/rounds/{round_id}/publish"):
        assert path in paths
