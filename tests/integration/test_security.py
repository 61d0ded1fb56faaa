"""Issue 11: who applied is not discoverable (1), hostile input gets a 4xx (4), personal links
stay out of the mail table, the feed and the logs (5), security headers and safe text (8)."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.support.api import ApiActor
from tests.support.applications import (
    BEFORE_DEADLINE,
    apply,
    count,
    link_in,
    mails,
    set_clock,
    token_of,
    valid_application,
)
from tests.support.procs import free_port


@pytest.fixture
def open_call(app: Flask, reference_event: str) -> str:
    set_clock(app, BEFORE_DEADLINE)
    return reference_event


def _post_timed(actor: ApiActor, slug: str, body: dict[str, Any]) -> tuple[float, int, Any]:
    started = time.perf_counter()
    response = actor.post(f"/api/events/{slug}/applications", json=body)
    return time.perf_counter() - started, response.status_code, response.get_json()


def _backdate_mails(app: Flask) -> None:
    from sqlalchemy import update

    from server.extensions import db
    from server.models import OutboundMail
    from server.models.types import utcnow

    with app.app_context():
        db.session.execute(update(OutboundMail).values(created_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()


# ------------------------------------------------------------------ 1. who applied


def test_applying_again_cannot_be_told_apart_by_answer_or_time(app: Flask, anonymous: ApiActor,
                                                                open_call: str) -> None:
    app.config["APPLY_ANSWER_SECONDS"] = 0.1  # the product's floor (0.25 s by default), shortened
    rounds = 12
    for i in range(rounds):  # people who applied over an hour ago
        anonymous.post(f"/api/events/{open_call}/applications", json=valid_application(email=f"old{i}@example.org"))
    _backdate_mails(app)
    fresh, again, repeat = [], [], []
    answers = set()
    for i in range(rounds):  # interleaved, so load on the shared machine hits all three alike
        for bucket, email in ((fresh, f"new{i}@example.org"), (again, f"old{i}@example.org"),
                              (repeat, f"old{i}@example.org")):
            seconds, status, body = _post_timed(anonymous, open_call, valid_application(email=email))
            bucket.append(seconds)
            answers.add((status, tuple(sorted(body.items()))))
    assert len(answers) == 1, answers  # one status, one body, whoever the address belongs to
    medians = {name: statistics.median(times) for name, times in
               (("fresh", fresh), ("again", again), ("repeat within the hour", repeat))}
    slowest, fastest = max(medians.values()), min(medians.values())
    # Every answer waits for the floor, so the paths' medians agree closely; without the floor a
    # repeat within the hour (no mail to send) answered in half the time of a new application.
    assert fastest >= 0.1 and slowest < 1.3 * fastest, medians
    assert [m["status"] for m in mails(app, "application_link")].count("sent") == rounds
    assert count_apps(app) == 2 * rounds


def count_apps(app: Flask) -> int:
    from server.models import Application

    return count(app, Application)


def test_the_existing_link_keeps_working_after_someone_reapplies(app: Flask, anonymous: ApiActor,
                                                                 organiser: ApiActor, open_call: str) -> None:
    application_id, link = apply(app, anonymous.client, open_call, valid_application())
    organiser.post(f"/api/events/{open_call}/applications/{application_id}/decision", json={"decision": "invite"})
    invitation = [m for m in mails(app) if m["kind"] == "invitation"]
    assert link_in(invitation[0]["text"]) == link  # the invitation carries the same link
    _backdate_mails(app)
    for _ in range(3):
        anonymous.post(f"/api/events/{open_call}/applications", json=valid_application())
    assert anonymous.get(f"/p/{token_of(link)}").status_code == 200  # not rotated by strangers


# ------------------------------------------------------------------ 5. links are secrets


def test_the_mail_table_never_holds_a_personal_link_but_the_sent_mail_does(app: Flask, anonymous: ApiActor,
                                                                          organiser: ApiActor,
                                                                          open_call: str) -> None:
    application_id, link = apply(app, anonymous.client, open_call, valid_application())
    _backdate_mails(app)
    anonymous.post(f"/api/events/{open_call}/applications", json=valid_application())  # link again
    organiser.post(f"/api/events/{open_call}/applications/{application_id}/decision", json={"decision": "invite"})
    token = token_of(link).encode()
    rows = mails(app)
    assert {m["kind"] for m in rows} >= {"application_received", "application_link", "invitation"}
    for m in rows:
        assert token not in m["stored"], m["kind"]
        assert link in m["text"], m["kind"]  # the delivered .eml has the working link
    assert anonymous.get(link.removeprefix("http://convene.test")).status_code == 200
    from sqlalchemy import text

    from server.extensions import db

    with app.app_context():  # nowhere in the table, whatever the column
        dump = repr(db.session.execute(text("SELECT * FROM outbound_mail")).all()).encode()
    assert token not in dump


def test_the_personal_feed_holds_no_personal_link(app: Flask, anonymous: ApiActor, organiser: ApiActor,
                                                  open_call: str) -> None:
    application_id, link = apply(app, anonymous.client, open_call, valid_application())
    organiser.post(f"/api/events/{open_call}/applications/{application_id}/decision", json={"decision": "invite"})
    feed = anonymous.get(f"/api/p/{token_of(link)}/calendar-feed")
    assert feed.status_code == 200, feed.get_json()
    url = feed.get_json()["https_url"].removeprefix("http://convene.test")
    body = anonymous.get(url).get_data(as_text=True).replace("\r\n ", "")
    assert "BEGIN:VCALENDAR" in body
    assert token_of(link) not in body and "/p/" not in body
    assert f"URL:http://convene.test/events/{open_call}" in body


def test_a_served_request_is_logged_with_the_token_masked(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = "s3cr3t-token-AbC"
    # Alembic's fileConfig (run by the database fixture) disables loggers that existed before
    # it; item 10 of issue 11 fixes that in the app. This test is about what the lines say.
    logging.getLogger("werkzeug").disabled = False
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            requests.get(f"http://127.0.0.1:{server.port}/p/{secret}", timeout=10)
            requests.get(f"http://127.0.0.1:{server.port}/feeds/{secret}.ics", timeout=10)
    finally:
        server.shutdown()
        thread.join(5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /p/*** HTTP" in line for line in lines), lines
    assert any("GET /feeds/*** HTTP" in line for line in lines), lines
    assert not any(secret in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------ 8. headers and text


def test_every_response_carries_the_security_headers(app: Flask, anonymous: ApiActor, organiser: ApiActor,
                                                     open_call: str) -> None:
    _, link = apply(app, anonymous.client, open_call, valid_application())
    personal = link.removeprefix("http://convene.test")
    for actor, path in ((anonymous, "/"), (anonymous, f"/events/{open_call}"), (anonymous, personal),
                        (anonymous, "/api/events"), (anonymous, "/no/such/page"),
                        (organiser, f"/organise/{open_call}"), (organiser, f"/api/events/{open_call}/applications"),
                        (organiser, f"/organise/{open_call}/applications.csv")):
        response = actor.get(path)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy") == "no-referrer", path
        assert response.headers.get("Cache-Control") == "no-store", (path, response.headers.get("Cache-Control"))
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
    assert "no-store" not in anonymous.get("/assets/app.css").headers.get("Cache-Control", "")
    secure = anonymous.client.get("/", base_url="https://convene.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_scripts_or_handlers(app: Flask, client: Any, open_call: str) -> None:
    import re

    for path in ("/", f"/events/{open_call}", f"/events/{open_call}/apply", "/login"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), path


def test_a_view_may_allow_framing() -> None:
    from server.security import allow_framing, content_security_policy

    @allow_framing("'self'")
    def view() -> str:
        return ""

    assert view._convene_frame_ancestors == "'self'"
    assert "frame-ancestors 'self'" in content_security_policy("'self'")


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "//x.example",
                                   "https://"])
def test_video_links_take_only_http_and_https(organiser: ApiActor, reference_event: str, value: str) -> None:
    url = f"/api/events/{reference_event}"
    before = organiser.get(url).get_json().get("video_url")
    refused = organiser.patch(url, json={"video_url": value})
    assert refused.status_code == 422 and refused.get_json()["field"] == "video_url"
    assert organiser.get(url).get_json().get("video_url") == before
    assert organiser.patch(url, json={"video_url": "https://meet.example.org/x"}).status_code == 200


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Aigerim\x00Bekova"), ("name", "Ann \u202eevil"), ("organisation", "Org\u2066x\u2069"),
    ("key_questions", ["fine", "bad\u202d"]), ("challenges", "a\x00b"),
])
def test_control_and_bidi_characters_are_refused_by_field(app: Flask, anonymous: ApiActor, open_call: str,
                                                          field: str, value: Any) -> None:
    from server.models import Application

    refused = anonymous.post(f"/api/events/{open_call}/applications", json=valid_application(**{field: value}))
    assert refused.status_code == 422 and refused.get_json()["field"].startswith(field), refused.get_json()
    assert count(app, Application) == 0


# ------------------------------------------------------------------ 4. hostile input


def test_hostile_input_is_a_4xx_naming_the_field_and_nothing_is_stored(organiser: ApiActor, anonymous: ApiActor,
                                                                       reference_event: str) -> None:
    url = f"/api/events/{reference_event}"
    before = organiser.get(url).get_json()
    for body, field in (({"application_deadline": "9999-12-31"}, "application_deadline"),
                        ({"application_deadline": "0001-01-01T00:00:00+00:00"}, "application_deadline"),
                        ({"seats": 10**400}, "seats"), ({"seats": 2**31}, "seats"), ({"seats": "many"}, "seats"),
                        ({"title": ["not", "text"]}, "title")):
        refused = organiser.patch(url, json=body)
        assert refused.status_code == 422 and refused.get_json()["field"] == field, (body, refused.get_json())
    deep = organiser.raw("PATCH", url, "[" * 100_000 + "]" * 100_000)
    assert deep.status_code == 400 and deep.get_json()["field"] == "body"
    nested = organiser.raw("PATCH", url, '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert nested.status_code == 400
    assert organiser.get(url).get_json() == before  # nothing stored
    assert anonymous.get(f"/events/{reference_event}").status_code == 200
    assert anonymous.get(f"{url}/agenda/items/{2**70}").status_code == 404
    assert organiser.get(f"{url}/applications/{2**64}").status_code == 404
    assert organiser.get(f"{url}/applications/{2**31}").status_code == 404  # PostgreSQL's INTEGER
    move = organiser.post(f"{url}/applications/{2**31}/decision", json={"decision": "invite"})
    assert move.status_code == 404
    not_allowed = anonymous.delete("/api/events")
    assert not_allowed.status_code == 405 and set(not_allowed.headers["Allow"].split(", ")) >= {"GET", "POST"}
