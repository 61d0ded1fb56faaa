"""Break-out rounds reach participants live: publish tells everyone, a moderator's move after publishing
tells the moved person (and their room-mates), a placed late joiner is told; drafts tell no one."""

from __future__ import annotations

from typing import Any

from flask import Flask

from server.sessions import protocol as ev
from tests.support.api import ApiActor
from tests.support.breakouts import add_person, event_id_of, seed_participants
from tests.support.live import call, drain, participant_client, received


def _round(organiser: ApiActor, slug: str, **body: Any) -> dict[str, Any]:
    response = organiser.post(f"/api/events/{slug}/rounds", json={"title": "Day one", "room_count": 4,
                                                                  "video_url_template": "https://bbb.example/{event}/{room}",
                                                                  "topics": ["Families"], **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_publish_then_live_moves_and_late_joiners(app: Flask, organiser: ApiActor, moderator: ApiActor,
                                                 reference_event: str) -> None:
    app.config["LIVE_PRESENCE_DEBOUNCE"] = 0
    slug = reference_event
    people = seed_participants(app, event_id_of(app, slug), n=16)
    clients = {p.application_id: participant_client(app, p) for p in people[:6]}
    rnd = _round(organiser, slug)
    base = f"/api/events/{slug}/rounds/{rnd['id']}"
    room_of = {m["application_id"]: room for room in rnd["rooms"] for m in room["members"]}

    # A draft tells no one, even after a move.
    first = people[0].application_id
    other_room = next(r for r in rnd["rooms"] if r["id"] != room_of[first]["id"])
    moved_draft = moderator.post(f"{base}/moves", json={"application_id": first, "room_id": other_room["id"]})
    assert moved_draft.status_code == 200
    assert all(not received(c, ev.ROOM_ASSIGNED) for c in clients.values())

    published = organiser.post(f"{base}/publish").get_json()
    room_of = {m["application_id"]: room for room in published["rooms"] for m in room["members"]}
    for application_id, client in clients.items():
        got = received(client, ev.ROOM_ASSIGNED)
        assert len(got) == 1, got
        payload = got[0]
        room = room_of[application_id]
        assert payload["round_id"] == rnd["id"] and payload["round_title"] == "Day one"
        assert payload["room_id"] == room["id"] and payload["room_number"] == room["number"]
        assert payload["video_url"] == f"https://bbb.example/{slug}/{room['number']}"
        assert payload["topic"] == ("Families" if room["number"] == 1 else "")
        expected = sorted(m["application_id"] for m in room["members"])
        assert sorted(m["person_id"] for m in payload["members"]) == expected
        assert all(set(m) == {"person_id", "name", "role", "role_label", "country"} for m in payload["members"])
        assert not any("@" in str(v) for m in payload["members"] for v in m.values())
        # The socket is in the room now: the room's Q&A is open to them.
        assert call(client, ev.QA_ASK, {"queue": ["room", room["id"]], "text": f"hi from {application_id}"})["ok"]
    for client in clients.values():
        drain(client)

    # A moderator moves someone after publishing: they are told and their sockets follow.
    mover = people[1].application_id
    target = next(r for r in published["rooms"] if r["id"] != room_of[mover]["id"])
    moved = moderator.post(f"{base}/moves", json={"application_id": mover, "room_id": target["id"]})
    assert moved.status_code == 200
    after = moved.get_json()
    assert next(r for r in after["rooms"] if r["id"] == target["id"])["count"] == target["count"] + 1
    assert after["metrics"]["size_range"][1] == max(r["count"] for r in after["rooms"])  # recomputed
    got = received(clients[mover], ev.ROOM_ASSIGNED)
    assert [g["room_id"] for g in got] == [target["id"]]
    assert mover in {m["person_id"] for m in got[0]["members"]}
    assert call(clients[mover], ev.QA_ASK, {"queue": ["room", target["id"]], "text": "moved here"})["ok"]
    old = call(clients[mover], ev.QA_ASK, {"queue": ["room", room_of[mover]["id"]], "text": "old room"})
    assert old["error"]["field"] == "permission"
    # Someone neither in the old nor in the new room hears nothing.
    bystanders = [a for a in clients if a != mover and room_of[a]["id"] not in (target["id"], room_of[mover]["id"])]
    for a in bystanders:
        assert not received(clients[a], ev.ROOM_ASSIGNED)

    # A late joiner (accepted after publishing) is placed by a moderator and told.
    late = add_person(app, event_id_of(app, slug), "Late Comer", country="UZ", role="family_worker")
    late_client = participant_client(app, late)
    drain(late_client)
    placed = moderator.post(f"{base}/late-joiners", json={"application_id": late.application_id})
    assert placed.status_code == 201, placed.get_json()
    got = received(late_client, ev.ROOM_ASSIGNED)
    assert [g["room_id"] for g in got] == [placed.get_json()["room_id"]]

    # The snapshot repeats the assignment with the same body.
    ack = call(late_client, ev.SYNC_SNAPSHOT, {"streams": []})
    assert ack["assignment"] == got[0] | {"members": ack["assignment"]["members"]}


def test_someone_invited_after_publishing_gets_a_room_at_once(app: Flask, organiser: ApiActor,
                                                              reference_event: str) -> None:
    app.config["LIVE_PRESENCE_DEBOUNCE"] = 0
    slug = reference_event
    event_id = event_id_of(app, slug)
    people = seed_participants(app, event_id, n=12)
    rnd = _round(organiser, slug, room_count=3)
    draft = _round(organiser, slug, title="Still a draft", room_count=3)
    assert organiser.post(f"/api/events/{slug}/rounds/{rnd['id']}/publish").status_code == 200
    newcomer = add_person(app, event_id, "New Comer", country="KZ", role="police_officer", status="submitted")
    client = participant_client(app, people[0])
    drain(client)
    decided = organiser.post(f"/api/events/{slug}/applications/{newcomer.application_id}/decision",
                             json={"decision": "invite"})
    assert decided.status_code == 200, decided.get_json()
    after = organiser.get(f"/api/events/{slug}/rounds/{rnd['id']}").get_json()
    room = next(r for r in after["rooms"] if newcomer.application_id in {m["application_id"] for m in r["members"]})
    assert room["count"] == 5 and sorted(r["count"] for r in after["rooms"]) == [4, 4, 5]
    assert after["metrics"]["spread_violations"]["region"] == 0 and not after["unplaced"]
    # Room-mates of the newcomer learn the new member list; the draft is left for its next proposal.
    mates = received(client, ev.ROOM_ASSIGNED)
    if people[0].application_id in {m["application_id"] for m in room["members"]}:
        assert newcomer.application_id in {m["person_id"] for m in mates[-1]["members"]}
    else:
        assert mates == []
    still = organiser.get(f"/api/events/{slug}/rounds/{draft['id']}").get_json()
    assert [u["application_id"] for u in still["unplaced"]] == [newcomer.application_id]
