"""Erased, withdrawn or declined people lose live access at once (issue 11, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from server.sessions import protocol as ev
from tests.support.applications import csrf_from
from tests.support.live import (
    Meeting,
    call,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    staff_client,
)


def _question(client: Any, meeting: Meeting) -> dict[str, Any]:
    return call(client, ev.QA_ASK, {"queue": ["item", meeting.qa_item], "text": "Still here?"})


def _erase(app: Flask, meeting: Meeting, application_id: int) -> None:
    from tests.conftest import ORGANISER
    from tests.support.api import ApiActor

    organiser = ApiActor(app.test_client())
    organiser.login(*ORGANISER)
    assert organiser.delete(f"/api/events/{meeting.slug}/applications/{application_id}").status_code == 204


def _personal(app: Flask, token: str, action: str, **form: str) -> None:
    http = app.test_client()
    form["csrf_token"] = csrf_from(http, f"/p/{token}")
    assert http.post(f"/p/{token}/{action}", data=form).status_code == 302


def _questions(app: Flask) -> list[str]:
    from server.extensions import db
    from server.models import QuestionRow

    with app.app_context():
        return [q.text for q in db.session.query(QuestionRow).all()]


@pytest.mark.parametrize("how", ["erased", "withdrawn", "declined"])
def test_open_sockets_are_closed_when_a_person_stops_taking_part(app: Flask, meeting: Meeting, how: str) -> None:
    ana, bo = meeting.people[0], meeting.people[1]
    tab1, tab2, other = participant_client(app, ana), participant_client(app, ana), participant_client(app, bo)
    moderator = staff_client(app, meeting.slug)
    assert tab1.is_connected() and tab2.is_connected()
    assert _question(tab1, meeting)["ok"]
    if how == "erased":
        _erase(app, meeting, ana.application_id)
    elif how == "withdrawn":
        _personal(app, ana.token, "withdraw")
    else:
        _personal(app, ana.token, "respond", response="decline")
    assert not tab1.is_connected() and not tab2.is_connected()
    assert other.is_connected() and moderator.is_connected()  # nobody else
    assert _question(other, meeting)["ok"]
    assert not participant_client(app, ana).is_connected()  # and no way back in


def test_an_event_from_a_socket_left_open_is_refused(app: Flask, meeting: Meeting) -> None:
    """A socket the disconnect missed (a lost message, Redis restarted) still gets nothing."""
    from server.extensions import db
    from server.models import Application

    ana = meeting.people[0]
    tab = participant_client(app, ana)
    with app.app_context():  # the status changes without the signal: no disconnect is sent
        db.session.get(Application, ana.application_id).status = "erased"
        db.session.commit()
    before = _questions(app)
    answer = _question(tab, meeting)
    assert answer["ok"] is False and answer["error"]["field"] == "auth", answer
    assert _questions(app) == before


def test_ending_a_staff_members_logins_closes_their_sockets_and_refuses_their_events(
        app: Flask, meeting: Meeting) -> None:
    from flask_socketio import SocketIOTestClient

    from server.extensions import socketio
    from tests.conftest import MODERATOR

    def moderator_socket() -> tuple[Any, SocketIOTestClient]:
        http = app.test_client()
        token = csrf_from(http, "/login")
        http.post("/login", data={"email": MODERATOR[0], "password": MODERATOR[1], "csrf_token": token})
        return http, socketio.test_client(app, flask_test_client=http, auth={"event": meeting.slug})

    laptop_http, laptop = moderator_socket()
    phone_http, phone = moderator_socket()
    sync = {"streams": [f"agenda:{meeting.event_id}"]}
    assert laptop.is_connected() and phone.is_connected()
    # A single logout elsewhere: that login's socket is refused from its next event on.
    phone_http.post("/logout", data={"csrf_token": csrf_from(phone_http, "/")})
    refused = call(phone, ev.SYNC_SNAPSHOT, sync)
    assert refused["ok"] is False and refused["error"]["field"] == "auth", refused
    assert call(laptop, ev.SYNC_SNAPSHOT, sync)["ok"]
    # "Log out everywhere": every socket of the account is closed.
    laptop_http.post("/account/logins/end", data={"csrf_token": csrf_from(laptop_http, "/account")})
    assert not laptop.is_connected() and not phone.is_connected()
