"""Logging out ends the login (issue 11, item 3); staff accounts resist guessing (item 7)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ORGANISER
from tests.support.applications import csrf_from

COOKIES = ("session", "remember_token")


def form_login(client: FlaskClient, email: str, password: str, remember: bool = True) -> Any:
    token = csrf_from(client, "/login")
    data = {"email": email, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "1"
    return client.post("/login", data=data)


def stolen(client: FlaskClient) -> dict[str, str]:
    """Copies of the login cookies, as someone who read them off the disk would have."""
    found = {name: client.get_cookie(name) for name in COOKIES}
    return {name: c.value for name, c in found.items() if c is not None}


def whoami_with(app: Flask, cookies: dict[str, str]) -> int:
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/api/session").status_code


def test_logout_refuses_the_old_session_and_remember_cookies(app: Flask, client: FlaskClient) -> None:
    assert form_login(client, *ORGANISER).status_code == 302
    cookies = stolen(client)
    assert set(cookies) == set(COOKIES)
    assert whoami_with(app, cookies) == 200
    assert whoami_with(app, {"remember_token": cookies["remember_token"]}) == 200
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert whoami_with(app, cookies) == 401
    assert whoami_with(app, {"session": cookies["session"]}) == 401
    assert whoami_with(app, {"remember_token": cookies["remember_token"]}) == 401


def test_api_logout_ends_that_login_only(app: Flask) -> None:
    first, second = app.test_client(), app.test_client()
    assert first.post("/api/session", json={"email": ORGANISER[0], "password": ORGANISER[1]}).status_code == 200
    assert form_login(second, *ORGANISER).status_code == 302
    kept = stolen(second)
    csrf = first.get("/api/session").get_json()["csrf_token"]
    old = stolen(first)
    assert first.delete("/api/session", headers={"X-CSRFToken": csrf}).status_code == 204
    assert whoami_with(app, old) == 401
    assert whoami_with(app, kept) == 200  # remember-me tokens are per login


def test_log_out_everywhere_ends_every_login_of_the_account(app: Flask) -> None:
    laptop, phone = app.test_client(), app.test_client()
    form_login(laptop, *ORGANISER)
    form_login(phone, *ORGANISER)
    phone_cookies = stolen(phone)
    page = laptop.get("/account")
    assert "logged in at 2 places" in page.get_data(as_text=True)
    refused = laptop.post("/account/logins/end", data={})  # no CSRF token
    assert refused.status_code == 400 and whoami_with(app, phone_cookies) == 200
    done = laptop.post("/account/logins/end", data={"csrf_token": csrf_from(laptop, "/account")})
    assert done.status_code == 302
    assert laptop.get("/api/session").status_code == 401
    assert whoami_with(app, phone_cookies) == 401
    assert whoami_with(app, {"remember_token": phone_cookies["remember_token"]}) == 401


def test_changing_the_password_ends_the_other_logins(app: Flask) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    form_login(here, *ORGANISER)
    form_login(elsewhere, *ORGANISER)
    other = stolen(elsewhere)
    token = csrf_from(here, "/account")
    wrong = here.post("/account/password", data={"csrf_token": token, "current_password": "nope",
                                                 "new_password": "a-new-password", "repeat_password": "a-new-password"})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    assert whoami_with(app, other) == 200
    done = here.post("/account/password", data={"csrf_token": token, "current_password": ORGANISER[1],
                                                "new_password": "a-new-password", "repeat_password": "a-new-password"})
    assert done.status_code == 302
    assert here.get("/api/session").status_code == 200  # this login stays
    assert whoami_with(app, other) == 401
    fresh = app.test_client()
    assert fresh.post("/api/session", json={"email": ORGANISER[0], "password": ORGANISER[1]}).status_code == 401
    assert fresh.post("/api/session", json={"email": ORGANISER[0], "password": "a-new-password"}).status_code == 200


def test_a_numeric_user_id_cookie_from_before_is_refused(app: Flask) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    assert client.get("/api/session").status_code == 401


# ------------------------------------------------------------------------------ item 7


def _median_login_time(client: FlaskClient, email: str, tries: int = 7) -> float:
    times = []
    for _ in range(tries):
        began = time.perf_counter()
        answer = client.post("/api/session", json={"email": email, "password": "wrong password"})
        times.append(time.perf_counter() - began)
        assert answer.status_code == 401
    return statistics.median(times)


def test_an_unknown_address_costs_the_same_as_a_known_one(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.auth import routes

    checked: list[str] = []
    real = routes.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(routes, "check_password_hash", counting)
    client = app.test_client()
    client.post("/api/session", json={"email": "nobody@test.example", "password": "x"})
    assert len(checked) == 1  # the same hash function, with the same method and parameters ...
    from server.models import User

    with app.app_context():
        from server.extensions import db

        known = db.session.query(User).filter_by(email=ORGANISER[0]).one().password_hash
    assert checked[0] == known.split("$", 1)[0]
    # ... so the same time: medians over several tries differ far less than a hash costs.
    unknown = _median_login_time(client, "nobody@test.example")
    real_account = _median_login_time(client, ORGANISER[0])
    assert 0.33 < unknown / real_account < 3.0, (unknown, real_account)  # without: ~0.02


@pytest.fixture
def limited_app(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_LIMIT="3 per 10 minutes")
    return app_config


def _attempt(client: FlaskClient, password: str, ip: str) -> int:
    return client.post("/api/session", json={"email": ORGANISER[0], "password": password},
                       environ_base={"REMOTE_ADDR": ip}).status_code


def test_failed_logins_are_limited_per_account_across_addresses(limited_app: dict[str, Any], app: Flask) -> None:
    owner = app.test_client()
    assert _attempt(owner, ORGANISER[1], "10.0.0.1") == 200  # the owner's browser, known from now on
    attacker = app.test_client()
    statuses = [_attempt(attacker, "guess", f"10.9.0.{n}") for n in range(1, 6)]
    assert statuses == [401, 401, 401, 429, 429]
    assert _attempt(attacker, ORGANISER[1], "10.9.0.7") == 429  # even the right password: no test
    newcomer = app.test_client()
    assert _attempt(newcomer, ORGANISER[1], "10.0.0.2") == 429  # a new device waits the window out
    assert _attempt(owner, ORGANISER[1], "10.0.0.1") == 200  # the owner's known device is not locked out
    assert _attempt(app.test_client(), "guess", "10.9.0.8") == 429


def test_logins_ended_long_ago_are_forgotten_at_the_next_login(app: Flask) -> None:
    from datetime import timedelta

    from server.extensions import db
    from server.models import LoginSession
    from server.models.types import utcnow

    client = app.test_client()
    form_login(client, *ORGANISER)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    with app.app_context():
        row = db.session.query(LoginSession).one()
        row.revoked_at = utcnow() - timedelta(days=31)
        db.session.commit()
    form_login(client, *ORGANISER)
    with app.app_context():
        rows = db.session.query(LoginSession).all()
        assert len(rows) == 1 and rows[0].revoked_at is None
