"""Applying through the API: deadline edges, validation refusals, duplicates, rate limits, who reads what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from tests.support.api import ApiActor
from tests.support.applications import (
    BEFORE_DEADLINE,
    DEADLINE_UTC,
    apply,
    count,
    fresh_link,
    link_in,
    mails,
    set_clock,
    token_of,
    valid_application,
)


def _url(slug: str) -> str:
    return f"/api/events/{slug}/applications"


@pytest.fixture
def open_call(app: Flask, reference_event: str) -> str:
    set_clock(app, BEFORE_DEADLINE)
    return reference_event


def test_apply_answers_201_check_your_email_and_mails_the_link(app: Flask, anonymous: ApiActor,
                                                               open_call: str) -> None:
    response = anonymous.post(_url(open_call), json=valid_application())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "received" and "email" in body["detail"]
    assert "/p/" not in response.get_data(as_text=True) and "id" not in body  # the link goes by mail only
    sent = mails(app, "application_received")
    assert [m["to"] for m in sent] == ["aigerim@example.org"]
    link = link_in(sent[0]["text"])
    assert link.startswith("http://convene.test/p/")
    assert "12 May 2021, 23:59:59 Europe/Brussels" in sent[0]["text"]
    # The personal link shows the application; an unknown token is 404.
    assert anonymous.get(link.removeprefix("http://convene.test")).status_code == 200
    assert anonymous.get("/p/not-a-token").status_code == 404
    from server.extensions import db
    from server.models import Application

    with app.app_context():
        stored = db.session.get(Application, sent[0]["application_id"])
        assert stored is not None
        assert stored.access_token_hash != token_of(link)  # only the hash is stored
        assert stored.region == "central_asia" and stored.languages == ["ru", "kk", "en"]


@pytest.mark.parametrize(("moment", "status"), [
    (DEADLINE_UTC, 201),                           # 23:59:59 CEST: still in time
    (DEADLINE_UTC + timedelta(seconds=1), 403),    # 00:00:00 on 13 May: too late
])
def test_deadline_edges(app: Flask, anonymous: ApiActor, reference_event: str, moment: Any, status: int) -> None:
    set_clock(app, moment)
    response = anonymous.post(_url(reference_event), json=valid_application())
    assert response.status_code == status
    if status == 403:
        problem = response.get_json()
        assert problem["field"] == "application_deadline"
        assert "Wednesday 12 May 2021, 23:59:59 Europe/Brussels (CEST, UTC+02:00)" in problem["detail"]
        assert count(app, _model()) == 0


def _model() -> Any:
    from server.models import Application

    return Application


def test_organisers_close_and_extend_the_call(app: Flask, anonymous: ApiActor, organiser: ApiActor,
                                              open_call: str) -> None:
    assert organiser.patch(f"/api/events/{open_call}", json={"call_closed": True}).status_code == 200
    refused = anonymous.post(_url(open_call), json=valid_application())
    assert refused.status_code == 403 and refused.get_json()["field"] == "call_closed"
    set_clock(app, DEADLINE_UTC + timedelta(days=2))
    assert organiser.patch(f"/api/events/{open_call}",
                           json={"call_closed": False, "application_deadline": "2021-05-20"}).status_code == 200
    assert anonymous.post(_url(open_call), json=valid_application()).status_code == 201


def _without(name: str) -> dict[str, Any]:
    body = valid_application()
    del body[name]
    return body


REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    *[(f"missing {f}", _without(f), f) for f in (
        "name", "email", "organisation", "job_title", "country", "role", "languages", "works_with", "consent",
        "work_relation", "key_questions", "challenges")],
    ("name not a string", valid_application(name=123), "name"),
    ("email not a string", valid_application(email=5), "email"),
    ("languages not a list", valid_application(languages="en"), "languages"),
    ("works_with not a list", valid_application(works_with="children"), "works_with"),
    ("consent as text", valid_application(consent="yes"), "consent"),
    ("key_questions not a list", valid_application(key_questions="Why?"), "key_questions"),
    ("empty name", valid_application(name="  "), "name"),
    ("name too long", valid_application(name="x" * 201), "name"),
    ("email too long", valid_application(email="a" * 250 + "@example.org"), "email"),
    ("organisation too long", valid_application(organisation="x" * 201), "organisation"),
    ("job title too long", valid_application(job_title="x" * 201), "job_title"),
    ("work relation too long", valid_application(work_relation="x" * 5001), "work_relation"),
    ("challenges too long", valid_application(challenges="x" * 5001), "challenges"),
    ("key question too long", valid_application(key_questions=["x" * 1001]), "key_questions.0"),
    ("role_other too long", valid_application(role="other", role_other="x" * 201), "role_other"),
    ("language too long", valid_application(languages=["x" * 41]), "languages.0"),
    ("too many languages", valid_application(languages=["en"] * 11), "languages"),
    ("unknown field", valid_application(nickname="Ai"), "nickname"),
    ("bad country", valid_application(country="XX"), "country"),
    ("country as a name", valid_application(country="Kazakhstan"), "country"),
    ("bad role", valid_application(role="wizard"), "role"),
    ("other role without text", valid_application(role="other"), "role_other"),
    ("bad language", valid_application(languages=["en", "klingonese"]), "languages.1"),
    ("bad works_with", valid_application(works_with=["aliens"]), "works_with.0"),
    ("no works_with", valid_application(works_with=[]), "works_with"),
    ("consent false", valid_application(consent=False), "consent"),
    ("four key questions", valid_application(key_questions=["a", "b", "c", "d"]), "key_questions"),
    ("no key questions", valid_application(key_questions=[]), "key_questions"),
    ("bad email", valid_application(email="not-an-address"), "email"),
    ("bad share_questions", valid_application(share_questions="everyone"), "share_questions"),
    ("honeypot filled", valid_application(website="http://spam.example"), "website"),
]


@pytest.mark.parametrize(("case", "body", "field"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_every_refusal_names_the_field_and_stores_nothing(app: Flask, anonymous: ApiActor, open_call: str,
                                                          case: str, body: dict[str, Any], field: str) -> None:
    from server.models import OutboundMail

    response = anonymous.post(_url(open_call), json=body)
    assert 400 <= response.status_code < 500, case
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == field, problem
    assert problem["errors"][0]["reason"]
    assert count(app, _model()) == 0 and count(app, OutboundMail) == 0


def test_body_must_be_a_json_object(app: Flask, anonymous: ApiActor, open_call: str) -> None:
    assert anonymous.raw("POST", _url(open_call), "[1, 2]").status_code == 400
    assert anonymous.raw("POST", _url(open_call), "{nope").status_code == 400
    assert anonymous.raw("POST", _url(open_call), "name=x", "application/x-www-form-urlencoded").status_code == 415
    assert count(app, _model()) == 0


def test_same_email_again_answers_the_same_and_mails_the_existing_link(app: Flask, anonymous: ApiActor,
                                                                       open_call: str) -> None:
    first = anonymous.post(_url(open_call), json=valid_application())
    link = link_in(mails(app, "application_received")[0]["text"])
    _backdate_link_mails(app)  # the confirmation was sent over an hour ago
    again = anonymous.post(_url(open_call), json=valid_application(email="Aigerim@Example.org", name="Other"))
    # Who applied is not discoverable: the same status and body as for a new address.
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json()) == (
        201, {"status": "received", "detail": first.get_json()["detail"]})
    assert count(app, _model()) == 1
    resent = mails(app, "application_link")
    assert [(m["to"], m["status"]) for m in resent] == [("aigerim@example.org", "sent")]
    assert link_in(resent[0]["text"]) == link  # the existing link, not a new one
    page = anonymous.get(link.removeprefix("http://convene.test"))
    assert page.status_code == 200 and "Aigerim Bekova" in page.get_data(as_text=True)
    # A third try within the hour answers the same and sends nothing more (no flooding).
    third = anonymous.post(_url(open_call), json=valid_application())
    assert (third.status_code, third.get_json()) == (201, first.get_json())
    assert [m["status"] for m in mails(app, "application_link")] == ["sent", "skipped"]


def test_a_repeat_within_the_hour_of_applying_sends_no_second_mail(app: Flask, anonymous: ApiActor,
                                                                   open_call: str) -> None:
    anonymous.post(_url(open_call), json=valid_application())
    again = anonymous.post(_url(open_call), json=valid_application())
    assert again.status_code == 201
    assert [m["status"] for m in mails(app, "application_link")] == ["skipped"]
    assert len(mails(app, "application_received")) == 1


def _backdate_link_mails(app: Flask) -> None:
    from sqlalchemy import update

    from server.extensions import db
    from server.models import OutboundMail
    from server.models.types import utcnow

    with app.app_context():
        db.session.execute(update(OutboundMail).values(created_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()


@pytest.fixture
def rate_limited(app_config: dict[str, Any]) -> None:
    app_config["RATELIMIT_ENABLED"] = True
    app_config["APPLY_RATE_LIMIT"] = "3 per minute"


def test_applying_is_rate_limited_per_address(rate_limited: None, app: Flask, anonymous: ApiActor,
                                              open_call: str) -> None:
    for _ in range(3):
        assert anonymous.post(_url(open_call), json=valid_application(consent=False)).status_code == 422
    limited = anonymous.post(_url(open_call), json=valid_application())
    assert limited.status_code == 429 and limited.get_json()["field"] == "rate"
    assert count(app, _model()) == 0
    other_address = app.test_client().post(_url(open_call), json=valid_application(),
                                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 201


def test_nobody_reads_anyone_elses_application(app: Flask, anonymous: ApiActor, moderator: ApiActor,
                                               organiser: ApiActor, open_call: str) -> None:
    mine_id, mine_link = apply(app, anonymous.client, open_call, valid_application())
    theirs_id, _ = apply(app, anonymous.client, open_call, valid_application(email="b@example.org", name="B"))
    mine, theirs = {"id": mine_id}, {"id": theirs_id}
    token = token_of(mine_link)
    detail = f"{_url(open_call)}/{{}}"
    own = anonymous.get(detail.format(mine["id"]), headers={"X-Personal-Token": token})
    assert own.status_code == 200 and own.get_json()["email"] == "aigerim@example.org"
    assert own.get_json()["reviews"] is None
    other = anonymous.get(detail.format(theirs["id"]), headers={"X-Personal-Token": token})
    assert other.status_code == 404 and "b@example.org" not in other.get_data(as_text=True)
    assert anonymous.get(detail.format(theirs["id"]), headers={"X-Personal-Token": "guess"}).status_code == 404
    assert moderator.get(detail.format(theirs["id"])).status_code == 404
    assert anonymous.get(detail.format(theirs["id"])).status_code == 401
    assert anonymous.get(_url(open_call)).status_code == 401
    assert moderator.get(_url(open_call)).status_code == 403
    assert organiser.get(detail.format(theirs["id"])).get_json()["email"] == "b@example.org"
    # A personal link shows its own application only.
    page = anonymous.get(f"/p/{token}").get_data(as_text=True)
    assert "aigerim@example.org" in page and "b@example.org" not in page
    assert anonymous.get(f"/p/{fresh_link(app, theirs['id'])}x").status_code == 404
