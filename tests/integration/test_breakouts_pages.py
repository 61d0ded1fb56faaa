"""The organiser's break-out pages: create, preview, move, lock, re-run and publish with form posts."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.api import ApiActor
from tests.support.applications import csrf_from
from tests.support.breakouts import add_person, breakout_items, event_id_of, seed_participants, stored_rooms


def _round_id(location: str) -> int:
    match = re.search(r"/rounds/(\d+)$", location)
    assert match, location
    return int(match.group(1))


def test_organiser_creates_previews_moves_and_publishes(app: Flask, organiser: ApiActor,
                                                       reference_event: str) -> None:
    slug = reference_event
    event_id = event_id_of(app, slug)
    seed_participants(app, event_id, n=12)
    sneaky = add_person(app, event_id, "Eve <script>alert(1)</script>", country="KG", role="researcher")
    client: FlaskClient = organiser.client
    index = f"/organise/{slug}/rounds"
    page = client.get(index)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'for="new-room_count"' in html and 'for="new-video_url_template"' in html and "No rounds yet." in html
    token = csrf_from(client, index)

    # Without a CSRF token: refused; with a bad template: refused with the field named, nothing stored.
    form = {"title": "Day one", "agenda_item_id": str(breakout_items(app, slug)[0]), "room_count": "3",
            "room_size": "", "mode": "mixed", "seed": "0", "topics": "Families\nPrisons\n",
            "video_url_template": "https://meet.jit.si/{event}-{room}", "separate_organisations": "yes"}
    assert client.post(index, data=form).status_code == 400
    bad = client.post(index, data={**form, "video_url_template": "https://x.example/{nope}", "csrf_token": token},
                      follow_redirects=True)
    assert "video_url_template: unknown placeholder {nope}" in bad.get_data(as_text=True)
    assert "No rounds yet." in bad.get_data(as_text=True)

    created = client.post(index, data={**form, "csrf_token": token})
    assert created.status_code == 302
    round_id = _round_id(created.location)
    preview = client.get(created.location).get_data(as_text=True)
    assert "Room 1" in preview and "Room 3" in preview and "Families" in preview
    assert "role spread violations" in preview and "repeat pairs" in preview and "Room 1: " in preview
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in preview and "<script>alert(1)" not in preview
    assert f'id="move-{sneaky.application_id}"' in preview and f'for="move-{sneaky.application_id}"' in preview
    assert f"https://meet.jit.si/{slug}-2" in preview

    rooms = stored_rooms(app, round_id)
    room_ids = _room_ids(app, round_id)
    src = next(i for i, r in enumerate(rooms) if sneaky.application_id in r)
    dst = (src + 1) % 3
    token = csrf_from(client, created.location)
    moved = client.post(f"{index}/{round_id}/move", follow_redirects=True, data={
        "csrf_token": token, "application_id": str(sneaky.application_id), "room_id": str(room_ids[dst])})
    assert "Moved and locked." in moved.get_data(as_text=True)
    assert sneaky.application_id in stored_rooms(app, round_id)[dst]
    assert "locked</span>" in moved.get_data(as_text=True)

    rerun = client.post(f"{index}/{round_id}/propose", data={"csrf_token": token}, follow_redirects=True)
    assert "Re-run around the locked people." in rerun.get_data(as_text=True)
    assert sneaky.application_id in stored_rooms(app, round_id)[dst]

    unlocked = client.post(f"{index}/{round_id}/lock", data={"csrf_token": token, "locked": "no",
                                                             "application_id": str(sneaky.application_id)},
                           follow_redirects=True)
    assert "Unlocked." in unlocked.get_data(as_text=True)

    refused = client.post(f"{index}/{round_id}/move", data={"csrf_token": token, "application_id": "999999",
                                                           "room_id": str(room_ids[0])}, follow_redirects=True)
    assert "application_id: no accepted or invited participant" in refused.get_data(as_text=True)

    asked = client.post(f"{index}/{round_id}/publish", data={"csrf_token": token}).get_data(as_text=True)
    assert "13 participants will see their room now" in asked  # a confirmation first
    confirm_token = re.search(r'name="confirm_token" value="([0-9a-f]+)"', asked).group(1)
    published = client.post(f"{index}/{round_id}/publish", data={"csrf_token": token, "confirm_token": confirm_token},
                            follow_redirects=True)
    text = published.get_data(as_text=True)
    assert "Published: every participant now sees their room." in text and ">published</span>" in text
    listing = client.get(index).get_data(as_text=True)
    assert "Day one" in listing and ">published</span>" in listing


def _room_ids(app: Flask, round_id: int) -> list[int]:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import BreakoutRoom

    with app.app_context():
        return list(db.session.scalars(select(BreakoutRoom.id).where(BreakoutRoom.round_id == round_id)
                                       .order_by(BreakoutRoom.number)))


def test_pages_need_an_organiser(app: Flask, client: FlaskClient, moderator: ApiActor, reference_event: str) -> None:
    url = f"/organise/{reference_event}/rounds"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert moderator.client.get(url).status_code == 403


def test_a_rounds_room_lines_read_in_the_organisers_language(app: Flask, organiser: ApiActor,
                                                           reference_event: str) -> None:
    """The engine's per-room lines (size, theme, facilitator, roles, regions, pairs) and the lines
    rebuilt after a hand move are said in the reader's language, with people's names, not ids."""
    slug = reference_event
    event_id = event_id_of(app, slug)
    people = seed_participants(app, event_id, n=9)
    client: FlaskClient = organiser.client
    index = f"/organise/{slug}/rounds"
    token = csrf_from(client, index)
    created = client.post(index, data={
        "title": "Day one", "agenda_item_id": str(breakout_items(app, slug)[0]), "room_count": "3",
        "room_size": "", "mode": "mixed", "seed": "0", "topics": "", "video_url_template": "",
        "separate_organisations": "yes", "csrf_token": token})
    assert created.status_code == 302, created.get_data(as_text=True)
    client.get("/lang/ru")  # the organiser's language, as the switch in the header sets it
    page = client.get(created.location).get_data(as_text=True)
    lines = re.findall(r'<p class="why">(.*?)</p>', page)
    assert len(lines) == 3
    for number, line in enumerate(lines, start=1):
        assert line.startswith(f"Группа {number}: 3 человека;"), line
        assert "роли: " in line and "регионы: " in line, line
        assert "нет фасилитатора (0 фасилитаторов на 3 группы)" in line, line
        assert not re.search(r"\b(people|roles|regions|facilitator)\b", line), line
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        from server.core.vocab import ROLE_LABELS, Role
        from tests.support.breakouts import ROLES

        with force_locale("ru"):
            label = gettext(ROLE_LABELS[Role(ROLES[0])])
    assert label != ROLE_LABELS[Role(ROLES[0])] and f"1 {label}" in " ".join(lines)  # roles named in Russian
    assert f"· {label} ·" in page  # and in each member's line
    client.get("/lang/en")
    english = client.get(created.location).get_data(as_text=True)
    assert '<p class="why">Room 1: 3 people; no facilitator (0 facilitators for 3 rooms); roles: ' in english
    client.get("/lang/ru")

    round_id = _round_id(created.location)
    rooms, room_ids = stored_rooms(app, round_id), _room_ids(app, round_id)
    moved = next(p for p in people if p.application_id in rooms[0])
    token = csrf_from(client, created.location)
    assert client.post(f"{index}/{round_id}/move", data={
        "csrf_token": token, "application_id": str(moved.application_id), "room_id": str(room_ids[1])},
    ).status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    lines = re.findall(r'<p class="why">(.*?)</p>', page)
    assert lines[1].startswith("Группа 2: 4 человека;") and "изменено вручную после последнего предложения" in lines[1]
    assert f"закреплены здесь: {moved.name}" in lines[1]  # the name, not the application id
