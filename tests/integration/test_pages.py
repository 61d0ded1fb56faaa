"""Public pages and staff login, read as a visitor would."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import ORGANISER


def test_home_lists_the_meetings(client: FlaskClient, reference_event: str) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Study visit to Central Asia" in html
    assert "Applications closed" in html and "Applications open" in html


def test_event_page_shows_agenda_in_event_zone(client: FlaskClient, reference_event: str) -> None:
    html = client.get(f"/events/{reference_event}").get_data(as_text=True)
    assert "09:30–12:30 Europe/Brussels (CEST, UTC+02:00)" in html
    assert "Kazakhstan: bringing families home" in html
    assert "Applications are closed" in html
    assert "Wednesday 12 May 2021, 23:59:59 Europe/Brussels" in html
    assert 'datetime="2021-05-25T07:30:00+00:00"' in html  # the browser script renders the viewer's zone


def test_viewer_in_almaty_sees_1330(client: FlaskClient, reference_event: str) -> None:
    html = client.get(f"/events/{reference_event}?tz=Asia/Almaty").get_data(as_text=True)
    rows = re.findall(r'<td class="viewer-col">([^<]+)</td>', html)
    assert rows[0] == "13:30–13:45"
    assert "that is Thursday 13 May 2021, 03:59:59 in Asia/Almaty" in html


def test_unknown_viewer_zone_is_said_not_guessed(client: FlaskClient, reference_event: str) -> None:
    html = client.get(f"/events/{reference_event}?tz=Mars/Base").get_data(as_text=True)
    assert "Unknown time zone" in html


@pytest.mark.parametrize("name", ["Europe", "Asia/" + "x" * 300])
def test_a_zone_folder_or_an_overlong_name_is_an_unknown_zone_not_a_500(client: FlaskClient,
                                                                        reference_event: str, name: str) -> None:
    response = client.get(f"/events/{reference_event}", query_string={"tz": name})
    assert response.status_code == 200
    assert "Unknown time zone" in response.get_data(as_text=True)


def test_open_call_offers_to_apply(client: FlaskClient, rehearsal_event: str) -> None:
    html = client.get(f"/events/{rehearsal_event}").get_data(as_text=True)
    assert "Applications are open" in html


def test_unknown_event_page_is_404(client: FlaskClient) -> None:
    response = client.get("/events/nothing-here")
    assert response.status_code == 404
    assert "No such event" in response.get_data(as_text=True)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_login_form_needs_csrf_and_the_right_password(client: FlaskClient) -> None:
    assert client.post("/login", data={"email": ORGANISER[0], "password": ORGANISER[1]}).status_code == 400
    token = _csrf(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"email": ORGANISER[0], "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    ok = client.post("/login?next=//evil.example/", data={"email": ORGANISER[0], "password": ORGANISER[1],
                                                           "csrf_token": token})
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/"  # never an open redirect
    assert ORGANISER[0] in client.get("/").get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    response = client.post("/api/session", json={"email": ORGANISER[0], "password": ORGANISER[1]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_browser_assets_are_served_locally(client: FlaskClient) -> None:
    assert client.get("/assets/time.js").status_code == 200
    assert client.get("/assets/app.css").status_code == 200
    assert client.get("/assets/../server/app.py").status_code == 404
