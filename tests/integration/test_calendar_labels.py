"""The words the calendars add (issue 13): in the participant's language, in the mailed
invitation and in the personal feed alike; the pure core only receives them as data."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.integration.test_invitations import calendar_of, make_application, outbox, set_status

LABELS = {
    "en": {"link": "Your personal link:", "room": "Break-out room:", "video": "Video link:",
           "feed": "(personal)"},
    "ru": {"link": "Ваша персональная ссылка:", "room": "Комната для работы в группах:",
           "video": "Ссылка на видеосвязь:", "feed": "(личный календарь)"},
}
OTHER = {"en": "ru", "ru": "en"}


def _participant(app: Flask, slug: str, n: int, language: str) -> int:
    from server.extensions import db
    from server.models import Application

    app_id = make_application(app, slug, n)
    with app.app_context():
        db.session.get(Application, app_id).language = language
        db.session.commit()
    set_status(app, app_id, "invited")
    return app_id


def _publish_room(app: Flask, slug: str, app_id: int) -> str:
    """A published round with this participant in room 1; returns their feed's path."""
    from server.extensions import db
    from server.invitations import personal_feed_url
    from server.models import Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        item = next(i for i in event.items if i.kind == "breakout")
        rnd = BreakoutRound(event_id=event.id, agenda_item_id=item.id, title=item.title, status="published",
                            published_at=datetime(2021, 5, 20, tzinfo=UTC))
        room = BreakoutRoom(round=rnd, number=1, name="Room 1 · Police and legal",
                            video_url="https://v.example/1")
        db.session.add_all([rnd, room])
        db.session.flush()
        db.session.add(RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=app_id))
        db.session.commit()
        url = personal_feed_url(db.session.get(Application, app_id))[0]
    return url.removeprefix("http://convene.test")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_mailed_invitation_labels_its_link_in_the_participants_language(
        app: Flask, reference_event: str, language: str) -> None:
    _participant(app, reference_event, 31, language)
    [msg] = [m for m in outbox(app) if "person31@example.org" in str(m["To"])]
    cal = icalendar.Calendar.from_ical(calendar_of(msg))
    [event] = cal.walk("VEVENT")
    description = str(event["DESCRIPTION"])
    words, others = LABELS[language], LABELS[OTHER[language]]
    assert f"{words['link']} http" in description, description
    assert others["link"] not in description


@pytest.mark.parametrize("language", ["ru", "en"])
def test_personal_feed_labels_rooms_and_names_itself_in_the_participants_language(
        app: Flask, reference_event: str, client: FlaskClient, language: str) -> None:
    app_id = _participant(app, reference_event, 32, language)
    path = _publish_room(app, reference_event, app_id)
    response = client.get(path, headers={"Accept-Language": OTHER[language]})  # whoever fetches it
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.get_data(as_text=True))
    words, others = LABELS[language], LABELS[OTHER[language]]
    assert str(cal["X-WR-CALNAME"]).endswith(words["feed"])
    assert str(cal["NAME"]).endswith(words["feed"])
    [room_event] = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("room-")]
    description = str(room_event["DESCRIPTION"])
    lines = description.split("\n")
    assert lines[0].startswith(f"{words['room']} ") and lines[1] == f"{words['video']} https://v.example/1"
    every_text = " ".join(str(e.get(p, "")) for e in cal.walk("VEVENT")
                          for p in ("SUMMARY", "DESCRIPTION", "LOCATION"))
    for label in others.values():
        assert label not in every_text + str(cal["X-WR-CALNAME"])


@pytest.mark.parametrize(("language", "said"), [("en", "Facilitated by:"), ("ru", "Фасилитатор:")])
def test_personal_feed_names_who_leads_the_room(app: Flask, reference_event: str, client: FlaskClient,
                                                language: str, said: str) -> None:
    """The room in a participant's feed says who leads it, as the meeting page does: a participant
    chosen as facilitator and the member of staff placed there — and nobody once they stop."""
    from server.extensions import db
    from server.models import Application, BreakoutRoom, EventFacilitator, RoomAssignment, User
    from tests.conftest import MODERATOR

    app_id = _participant(app, reference_event, 33, language)
    mate_id = _participant(app, reference_event, 34, "en")
    path = _publish_room(app, reference_event, app_id)
    with app.app_context():
        room = db.session.scalar(select(BreakoutRoom).join(RoomAssignment, RoomAssignment.room_id == BreakoutRoom.id)
                                 .where(RoomAssignment.application_id == app_id))
        mate = db.session.get(Application, mate_id)
        mate.is_facilitator = True
        db.session.add(RoomAssignment(round_id=room.round_id, room_id=room.id, application_id=mate_id))
        moderator = db.session.scalar(select(User).where(User.email == MODERATOR[0]))
        db.session.add(EventFacilitator(event_id=room.round.event_id, user_id=moderator.id))
        room.facilitator_user_id = moderator.id
        mate_name, event_id, moderator_id = mate.name, room.round.event_id, moderator.id
        db.session.commit()

    def room_description() -> str:
        cal = icalendar.Calendar.from_ical(client.get(path).get_data(as_text=True))
        [room_event] = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("room-")]
        return str(room_event["DESCRIPTION"])

    lines = room_description().split("\n")
    assert lines[1] == f"{said} {mate_name}, Moderator", lines
    assert lines[2].endswith("https://v.example/1")
    with app.app_context():  # the moderator stops facilitating, the participant is no longer chosen
        db.session.delete(db.session.get(EventFacilitator, (event_id, moderator_id)))
        db.session.get(Application, mate_id).is_facilitator = False
        db.session.commit()
    assert said not in room_description()
