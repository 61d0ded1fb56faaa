"""Facilitators (issue 14): applicants offer, organisers choose, rounds place one per room."""

from __future__ import annotations

import re

from flask import Flask

from tests.support.api import ApiActor
from tests.support.applications import BEFORE_DEADLINE, apply, csrf_from, mails, set_clock, valid_application
from tests.support.breakouts import breakout_items, event_id_of, seed_participants

FORM = {
    "name": "Bakyt Osmonov", "email": "bakyt@example.org", "organisation": "Prison service", "job_title": "Officer",
    "country": "KG", "role": "prison_officer", "languages": ["ky", "ru"], "works_with": ["children"],
    "consent": "yes", "work_relation": "I work in a prison.", "key_question_1": "How?", "challenges": "Staff.",
    "share_questions": "anonymous", "website": "", "offers_to_facilitate": "yes",
}


def test_applicants_offer_through_the_form_and_the_api(app: Flask, anonymous: ApiActor, organiser: ApiActor,
                                                        reference_event: str) -> None:
    set_clock(app, BEFORE_DEADLINE)
    url = f"/events/{reference_event}/apply"
    assert 'name="offers_to_facilitate"' in anonymous.client.get(url).get_data(as_text=True)
    sent = anonymous.client.post(url, data={**FORM, "csrf_token": csrf_from(anonymous.client, url)})
    assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    # Neither answer names the application: its id comes with the confirmation mail.
    by_form = next(m["application_id"] for m in mails(app, "application_received") if m["to"] == FORM["email"])
    by_api, _ = apply(app, anonymous.client, reference_event, valid_application(offers_to_facilitate=True))
    listing = organiser.get(f"/api/events/{reference_event}/applications/{by_form}").get_json()
    assert listing["offers_to_facilitate"] is True and listing["is_facilitator"] is False
    assert organiser.get(f"/api/events/{reference_event}/applications/{by_api}").get_json()["offers_to_facilitate"]

    page = f"/organise/{reference_event}/applications/{by_form}"
    assert "Offered to facilitate a break-out room." in organiser.client.get(page).get_data(as_text=True)
    marked = organiser.client.post(f"{page}/facilitator", data={"csrf_token": csrf_from(organiser.client, page),
                                                                "facilitator": "yes"})
    assert marked.status_code == 302
    assert organiser.get(f"/api/events/{reference_event}/applications/{by_form}").get_json()["is_facilitator"] is True
    assert ">offered</td>" in organiser.client.get(f"/organise/{reference_event}/applications").get_data(
        as_text=True)


def _mark(app: Flask, ids: list[int]) -> None:
    from server.extensions import db
    from server.models import Application

    with app.app_context():
        for i in ids:
            db.session.get(Application, i).is_facilitator = True
        db.session.commit()


def test_rounds_place_one_facilitator_per_room_and_say_when_too_few(app: Flask, organiser: ApiActor,
                                                                   reference_event: str) -> None:
    people = seed_participants(app, event_id_of(app, reference_event), n=12)
    _mark(app, [people[0].application_id])
    client = organiser.client
    index = f"/organise/{reference_event}/rounds"
    token = csrf_from(client, index)
    form = {"title": "Day one", "agenda_item_id": str(breakout_items(app, reference_event)[0]), "room_count": "3",
            "mode": "mixed", "seed": "0", "csrf_token": token}
    made = client.post(index, data=form)
    page = client.get(made.location).get_data(as_text=True)
    assert "Only 1 facilitators for 3 rooms" in page
    asked = client.post(f"{made.location}/publish", data={"csrf_token": token}).get_data(as_text=True)
    assert "Only 1 facilitator for 3 rooms" in asked and "2 rooms have no facilitator." in asked

    _mark(app, [people[5].application_id, people[9].application_id])
    client.post(f"{made.location}/propose", data={"csrf_token": token})
    page = client.get(made.location).get_data(as_text=True)
    assert "facilitators for 3 rooms" not in page
    rooms = re.findall(r'<h3[^>]*>.*?</ul>', page, re.S) or page.split("Room ")[1:]
    assert sum(1 for r in rooms if ">facilitator</span>" in r) >= 3
    row = re.search(r"rooms without a facilitator</th><td>(\d+)</td>", page)
    assert row and row.group(1) == "0"
