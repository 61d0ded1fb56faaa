"""The events and agenda JSON API: reading, editing, and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import ApiActor

REF = "/api/events/study-visit-central-asia-2021"


def agenda(actor: ApiActor) -> dict[str, Any]:
    response = actor.get(f"{REF}/agenda")
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def test_events_are_listed_with_their_slugs(anonymous: ApiActor, reference_event: str) -> None:
    body = anonymous.get("/api/events").get_json()
    slugs = {e["slug"] for e in body["events"]}
    assert slugs == {"study-visit-central-asia-2021", "study-visit-central-asia-rehearsal"}
    ref = next(e for e in body["events"] if e["slug"] == reference_event)
    assert ref["timezone"] == "Europe/Brussels"
    assert ref["application_deadline"] == "2021-05-12T23:59:59+02:00"
    assert ref["call_open"] is False
    rehearsal = next(e for e in body["events"] if e["slug"].endswith("rehearsal"))
    assert rehearsal["call_open"] is True


def test_reference_agenda_times_in_event_zone_and_utc(anonymous: ApiActor, reference_event: str) -> None:
    body = agenda(anonymous)
    assert [d["date"] for d in body["days"]] == ["2021-05-25", "2021-05-26"]
    first = body["days"][0]
    assert first["start"] == "2021-05-25T09:30:00+02:00"
    assert first["start_utc"] == "2021-05-25T07:30:00Z"
    assert first["end_utc"] == "2021-05-25T10:30:00Z"
    kinds = {i["kind"] for d in body["days"] for i in d["items"]}
    assert {"welcome", "presentation", "qa", "breakout", "break", "feedback", "closing"} <= kinds
    countries = {s["country"] for d in body["days"] for i in d["items"] for s in i["speakers"]}
    assert countries == {"KZ", "UZ", "KG"}
    assert sum(1 for d in body["days"] for i in d["items"] if i["kind"] == "breakout") == 2


def test_unknown_event_is_404_problem(anonymous: ApiActor) -> None:
    response = anonymous.get("/api/events/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_organiser_moves_an_item(organiser: ApiActor, reference_event: str) -> None:
    item = agenda(organiser)["days"][0]["items"][0]
    response = organiser.patch(f"{REF}/agenda/items/{item['id']}", json={"end": "09:40"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["end_utc"] == "2021-05-25T07:40:00Z"
    assert agenda(organiser)["days"][0]["items"][0]["end_local"] == "09:40"


def test_organiser_adds_and_removes_an_item(organiser: ApiActor, reference_event: str) -> None:
    item = agenda(organiser)["days"][0]["items"][0]
    assert organiser.patch(f"{REF}/agenda/items/{item['id']}", json={"end": "09:40"}).status_code == 200
    response = organiser.post(f"{REF}/agenda/items", json={
        "day": "2021-05-25", "start": "09:40", "end": "09:45", "title": "Housekeeping", "kind": "welcome",
    })
    assert response.status_code == 201, response.get_json()
    new_id = response.get_json()["id"]
    assert organiser.delete(f"{REF}/agenda/items/{new_id}").status_code == 204
    assert organiser.get(f"{REF}/agenda/items/{new_id}").status_code == 404


BAD_ITEMS = [
    ({"day": "2021-05-25", "start": "09:35", "end": "09:50", "title": "X", "kind": "qa"}, "start", "overlaps"),
    ({"day": "2021-05-25", "start": "08:00", "end": "08:30", "title": "X", "kind": "qa"}, "start", "before the day"),
    ({"day": "2021-05-25", "start": "12:30", "end": "13:00", "title": "X", "kind": "qa"}, "end", "after the day"),
    ({"day": "2021-05-25", "start": "10:00", "end": "09:00", "title": "X", "kind": "qa"}, "end", "after the start"),
    ({"day": "2021-05-27", "start": "09:30", "end": "09:40", "title": "X", "kind": "qa"}, "day", "not a day"),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "X", "kind": "party"}, "kind", "kind of item"),
    ({"day": "2021-05-25", "start": 930, "end": "09:40", "title": "X", "kind": "qa"}, "start", ""),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "X" * 201, "kind": "qa"}, "title", "at most 200"),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "", "kind": "qa"}, "title", "is required"),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "kind": "qa"}, "title", "is required"),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "X", "kind": "qa", "colour": "red"},
     "colour", "not one we know"),
    ({"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "X", "kind": "qa",
      "speakers": [{"name": "A", "country": "ZZ"}]}, "speakers.0.country", "Choose a country from the list"),
]


@pytest.mark.parametrize(("body", "field", "reason"), BAD_ITEMS)
def test_bad_item_is_refused_naming_the_field_and_nothing_changes(
    organiser: ApiActor, reference_event: str, body: dict[str, Any], field: str, reason: str
) -> None:
    before = agenda(organiser)
    response = organiser.post(f"{REF}/agenda/items", json=body)
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == field
    assert reason in problem["errors"][0]["reason"]
    assert agenda(organiser) == before


def test_overlapping_move_is_refused_and_nothing_changes(organiser: ApiActor, reference_event: str) -> None:
    before = agenda(organiser)
    second = before["days"][0]["items"][1]
    response = organiser.patch(f"{REF}/agenda/items/{second['id']}", json={"start": "09:40"})
    assert response.status_code == 422
    assert response.get_json()["field"] == "start"
    assert agenda(organiser) == before


def test_malformed_json_is_400(organiser: ApiActor, reference_event: str) -> None:
    before = agenda(organiser)
    response = organiser.raw("POST", f"{REF}/agenda/items", '{"day": "2021-05-25",')
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"
    response = organiser.raw("POST", f"{REF}/agenda/items", "[1, 2]")
    assert response.status_code == 400
    response = organiser.raw("POST", f"{REF}/agenda/items", "day=1", content_type="text/plain")
    assert response.status_code == 415
    assert agenda(organiser) == before


def test_writes_need_an_organiser(anonymous: ApiActor, moderator: ApiActor, reference_event: str) -> None:
    body = {"day": "2021-05-25", "start": "09:30", "end": "09:40", "title": "X", "kind": "qa"}
    assert anonymous.post(f"{REF}/agenda/items", json=body).status_code in (400, 401)
    response = moderator.post(f"{REF}/agenda/items", json=body)
    assert response.status_code == 403
    assert response.get_json()["field"] == "role"


def test_writes_need_the_csrf_token(app: Any, reference_event: str) -> None:
    from tests.conftest import ORGANISER

    actor = ApiActor(app.test_client())
    assert actor.login(*ORGANISER).status_code == 200
    actor.csrf = None
    response = actor.patch(REF, json={"seats": 10})
    assert response.status_code == 400
    assert response.get_json()["field"] == "csrf_token"
    assert actor.get(REF).get_json()["seats"] == 40


def test_login_with_a_wrong_password_is_401(anonymous: ApiActor) -> None:
    from tests.conftest import ORGANISER

    response = anonymous.login(ORGANISER[0], "wrong")
    assert response.status_code == 401
    assert response.get_json()["field"] == "password"


NEW_EVENT: dict[str, Any] = {
    "slug": "winter-exchange",
    "title": "Winter exchange",
    "timezone": "Europe/Brussels",
    "application_deadline": "2021-11-15",
    "organiser_email": "team@example.org",
    "days": [{"date": "2021-12-01", "start": "09:30", "end": "12:30"}],
}


def test_any_event_can_be_created_the_same_way(organiser: ApiActor) -> None:
    response = organiser.post("/api/events", json=NEW_EVENT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["days"][0]["start_utc"] == "2021-12-01T08:30:00Z"  # winter: UTC+1
    assert body["application_deadline"] == "2021-11-15T23:59:59+01:00"
    assert response.headers["Location"].endswith("/api/events/winter-exchange")
    assert organiser.post("/api/events", json=NEW_EVENT).get_json()["field"] == "slug"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"organiser_email": "not-an-email"}, "organiser_email"),
        ({"days": []}, "days"),
        ({"days": [{"date": "2021-12-01", "start": "12:30", "end": "09:30"}]}, "days.0.end"),
        ({"days": [{"date": "2021-03-28", "start": "02:30", "end": "04:00"}]}, "days.0"),
        ({"seats": 0}, "seats"),
        ({"seats": "many"}, "seats"),
        ({"description": "x" * 20001}, "description"),
    ],
)
def test_bad_event_is_refused(organiser: ApiActor, change: dict[str, Any], field: str) -> None:
    response = organiser.post("/api/events", json={**NEW_EVENT, **change})
    assert 400 <= response.status_code < 500
    assert response.get_json()["field"] == field
    assert organiser.get("/api/events/winter-exchange").status_code == 404


def test_extending_and_closing_the_call(organiser: ApiActor, rehearsal_event: str) -> None:
    url = f"/api/events/{rehearsal_event}"
    assert organiser.get(url).get_json()["call_open"] is True
    response = organiser.patch(url, json={"call_closed": True})
    assert response.status_code == 200
    assert response.get_json()["call_open"] is False
    response = organiser.patch(url, json={"call_closed": False, "application_deadline": "2020-01-01T00:00:00Z"})
    assert response.get_json()["call_open"] is False
    response = organiser.patch(url, json={"seats": None})
    assert response.status_code == 422 and response.get_json()["field"] == "seats"


def test_moving_a_day_keeps_local_item_times(organiser: ApiActor, reference_event: str) -> None:
    day = agenda(organiser)["days"][1]
    response = organiser.patch(f"{REF}/agenda/days/{day['id']}", json={"date": "2021-05-27"})
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["items"][0]["start"] == "2021-05-27T09:30:00+02:00"
    before = agenda(organiser)
    response = organiser.patch(f"{REF}/agenda/days/{day['id']}", json={"end": "11:00"})
    assert response.status_code == 422
    assert agenda(organiser) == before
