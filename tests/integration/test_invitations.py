"""Calendar invitations through the app with in-process tasks: signals → REQUEST / update /
CANCEL in the outbox folder, reminders from ScheduledJob rows, feeds with ETag / 304 /
Cache-Control / 404 / revocation, and the organisers' delivery-state API with retry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import vobject
from flask import Flask
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import func, select

from tests.support.api import ApiActor
from tests.support.mailserver import ScriptedHandler, smtp_server

FIRST_MORNING = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)


# ----------------------------------------------------------------------------- helpers


def make_application(app: Flask, slug: str, n: int, status: str = "submitted",
                     access_token: str | None = None) -> int:
    from server.auth import hash_token
    from server.extensions import db
    from server.models import Application, Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        application = Application(
            event_id=event.id, status=status, email=f"person{n}@example.org", name=f"Person {n}",
            role="exit_worker", access_token_hash=hash_token(access_token) if access_token else None,
        )
        application.set_country("KZ")
        db.session.add(application)
        db.session.commit()
        return int(application.id)


def set_status(app: Flask, application_id: int, new: str) -> None:
    """What the applications feature does: change the status, commit, then signal."""
    from server.extensions import db
    from server.models import Application
    from server.signals import application_status_changed

    with app.app_context():
        application = db.session.get(Application, application_id)
        old = application.status
        application.status = new
        if new == "erased":
            application.email = application.name = None
        db.session.commit()
        application_status_changed.send(application, old=old, new=new)
        db.session.remove()


def outbox(app: Flask) -> list[EmailMessage]:
    folder = Path(app.config["OUTBOX_PATH"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    out = []
    for f in files:
        msg = message_from_bytes(f.read_bytes(), policy=default_policy)
        assert isinstance(msg, EmailMessage)
        out.append(msg)
    return out


def calendar_of(msg: EmailMessage) -> str:
    """The inline text/calendar part, checked to equal the .ics attachment."""
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()  # type: ignore[misc]
    assert alternative.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in alternative.get_payload()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    cal_part = alternative.get_payload()[2]
    assert cal_part["Content-Transfer-Encoding"] == "base64"
    assert cal_part.get_param("charset") == "utf-8"
    assert attachment.get_filename() == "invite.ics"
    body = cal_part.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == body
    assert cal_part.get_param("method") in ("REQUEST", "CANCEL")
    return body.decode()


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def prop(text: str, name: str) -> list[str]:
    return [ln for ln in unfold(text).split("\r\n") if re.match(rf"{name}[;:]", ln)]


def first_start_by_oracles(text: str) -> datetime:
    strict = IcsCalendarStream.calendar_from_ics(text)
    starts_ical = sorted(ev.dtstart.astimezone(UTC) for ev in strict.events)  # type: ignore[union-attr]
    cal = vobject.readOne(text, validate=True)
    starts_vobject = sorted(ev.dtstart.value.astimezone(UTC) for ev in cal.vevent_list)
    assert starts_ical[0] == starts_vobject[0]
    return starts_ical[0]


def day_ids(app: Flask, slug: str) -> list[int]:
    from server.extensions import db
    from server.models import Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        return [d.id for d in event.days]


# ----------------------------------------------------------------------------- invitations


def test_invitation_is_one_request_with_the_personal_link(app: Flask, reference_event: str) -> None:
    from server.auth import hash_token
    from server.extensions import db
    from server.models import Application, Event

    app_id = make_application(app, reference_event, 1, access_token="old-applicant-token")
    set_status(app, app_id, "invited")
    [msg] = outbox(app)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == reference_event))
        application = db.session.get(Application, app_id)
        uid, organiser = event.calendar_uid, event.organiser_email
        token_hash = application.access_token_hash
    assert msg["To"].addresses[0].addr_spec == "person1@example.org"
    assert msg["From"].addresses[0].addr_spec == organiser
    text = calendar_of(msg)
    assert prop(text, "METHOD") == ["METHOD:REQUEST"]
    assert prop(text, "UID") == [f"UID:{uid}"]
    assert prop(text, "SEQUENCE") == ["SEQUENCE:0"]
    assert prop(text, "ORGANIZER")[0].endswith(f"mailto:{organiser}")
    [attendee] = prop(text, "ATTENDEE")
    for param in ('CN="Person 1"', "ROLE=REQ-PARTICIPANT", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE"):
        assert param in attendee
    assert attendee.endswith("mailto:person1@example.org")
    assert prop(text, "RRULE")[-1] == "RRULE:FREQ=DAILY;COUNT=2"  # both mornings, one series
    [dtstamp] = prop(text, "DTSTAMP")
    assert dtstamp.endswith("Z")
    # The personal link is in the calendar; a random link from before links were derived is
    # replaced by a derivable one, which every later message can carry again.
    token_in_mail = re.search(r"/p/([A-Za-z0-9_-]+)", prop(text, "LOCATION")[0]).group(1)
    assert hash_token(token_in_mail) == token_hash != hash_token("old-applicant-token")
    assert f"/p/{token_in_mail}" in prop(text, "URL")[0]
    plain = msg.get_payload()[0].get_payload()[0].get_content()
    assert f"/p/{token_in_mail}" in plain
    assert first_start_by_oracles(text) == FIRST_MORNING
    # invited → accepted is no change for the calendar
    set_status(app, app_id, "accepted")
    assert len(outbox(app)) == 1


def test_day_change_sends_update_and_uninvite_sends_cancel(
    app: Flask, reference_event: str, organiser: ApiActor
) -> None:
    from server.extensions import db
    from server.models import Event

    a = make_application(app, reference_event, 1)
    b = make_application(app, reference_event, 2)
    set_status(app, a, "invited")
    set_status(app, b, "accepted")
    waiting = make_application(app, reference_event, 3, status="waitlisted")
    assert len(outbox(app)) == 2
    first_day = day_ids(app, reference_event)[0]
    response = organiser.patch(f"/api/events/{reference_event}/agenda/days/{first_day}",
                               json={"start": "09:00"})
    assert response.status_code == 200, response.get_json()
    messages = outbox(app)
    assert len(messages) == 4  # one update each for a and b, nothing for the wait-listed
    updates = messages[2:]
    assert {m["To"].addresses[0].addr_spec for m in updates} == {"person1@example.org",
                                                                 "person2@example.org"}
    for m in updates:
        text = calendar_of(m)
        assert m["Subject"].startswith("Updated invitation")
        assert set(prop(text, "SEQUENCE")) == {"SEQUENCE:1"}  # master and the moved morning
        assert prop(text, "METHOD") == ["METHOD:REQUEST"]
        assert first_start_by_oracles(text) == FIRST_MORNING - timedelta(minutes=30)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == reference_event))
        assert event.calendar_sequence == 1
    # A change that is no time/date/status change sends nothing.
    organiser.patch(f"/api/events/{reference_event}", json={"title": "Study visit (renamed)"})
    assert len(outbox(app)) == 4
    set_status(app, a, "rejected")
    cancel = outbox(app)[-1]
    text = calendar_of(cancel)
    assert cancel["Subject"].startswith("Invitation withdrawn")
    assert prop(text, "METHOD") == ["METHOD:CANCEL"]
    assert prop(text, "STATUS") == ["STATUS:CANCELLED"]
    assert prop(text, "SEQUENCE") == ["SEQUENCE:2"]
    # promoted from the wait-list: SEQUENCE 0; re-invited after the CANCEL: above it.
    set_status(app, waiting, "invited")
    assert set(prop(calendar_of(outbox(app)[-1]), "SEQUENCE")) == {"SEQUENCE:0"}
    set_status(app, a, "invited")
    assert set(prop(calendar_of(outbox(app)[-1]), "SEQUENCE")) == {"SEQUENCE:3"}
    # a decline is the invitee's own answer: no CANCEL
    count = len(outbox(app))
    set_status(app, b, "declined")
    assert len(outbox(app)) == count


def test_meeting_cancelled_cancels_everyone_and_reinstated_invites_again(
    app: Flask, reference_event: str, organiser: ApiActor
) -> None:
    from server.extensions import db
    from server.models import ScheduledJob

    ids = [make_application(app, reference_event, n) for n in range(3)]
    for i in ids:
        set_status(app, i, "invited")
    with app.app_context():
        assert db.session.scalar(select(func.count(ScheduledJob.id))) == 1
    assert organiser.patch(f"/api/events/{reference_event}", json={"status": "cancelled"}).status_code == 200
    cancels = outbox(app)[3:]
    assert len(cancels) == 3
    for m in cancels:
        text = calendar_of(m)
        assert m["Subject"].startswith("Cancelled")
        assert prop(text, "METHOD") == ["METHOD:CANCEL"] and prop(text, "SEQUENCE") == ["SEQUENCE:1"]
        assert first_start_by_oracles(text) == FIRST_MORNING
    with app.app_context():  # no reminder for a cancelled meeting
        assert db.session.scalar(select(func.count(ScheduledJob.id))) == 0
    assert organiser.patch(f"/api/events/{reference_event}", json={"status": "scheduled"}).status_code == 200
    again = outbox(app)[6:]
    assert [prop(calendar_of(m), "SEQUENCE") for m in again] == [["SEQUENCE:2"]] * 3


def test_erasure_cancels_and_keeps_no_address(app: Flask, reference_event: str) -> None:
    from server.extensions import db
    from server.models import CalendarInvitation

    a = make_application(app, reference_event, 1)
    set_status(app, a, "invited")
    set_status(app, a, "erased")
    cancel = outbox(app)[-1]
    assert cancel["To"].addresses[0].addr_spec == "person1@example.org"
    assert prop(calendar_of(cancel), "METHOD") == ["METHOD:CANCEL"]
    with app.app_context():
        row = db.session.scalar(select(CalendarInvitation))
        assert row.email is None and row.name is None


def test_reminder_runs_once_from_the_schedule(app: Flask, reference_event: str) -> None:
    from server.dispatch import run_due_jobs
    from server.extensions import db
    from server.models import ScheduledJob

    a = make_application(app, reference_event, 1)
    set_status(app, a, "invited")
    with app.app_context():
        job = db.session.scalar(select(ScheduledJob))
        assert job.kind == "invitation_reminder"
        assert job.due_at == FIRST_MORNING - timedelta(days=1)
        assert run_due_jobs(now=job.due_at - timedelta(minutes=1)) == []
        # the real clock is long past 2021: pretend it is the day before
        from server.invitations import service

        original = service.utcnow
        service.utcnow = lambda: FIRST_MORNING - timedelta(hours=23)  # type: ignore[assignment]
        try:
            assert run_due_jobs(now=FIRST_MORNING - timedelta(hours=23)) == [job.id]
            assert run_due_jobs(now=FIRST_MORNING - timedelta(hours=22)) == []
        finally:
            service.utcnow = original  # type: ignore[assignment]
    reminder = outbox(app)[-1]
    assert reminder["Subject"].startswith("Reminder:")
    assert "/p/" in reminder.get_body(("plain",)).get_content()
    assert len(outbox(app)) == 2


# ----------------------------------------------------------------------------- delivery


def test_three_enqueues_deliver_once_and_a_held_claim_is_respected(app: Flask, reference_event: str) -> None:
    from server import mail
    from server.extensions import db
    from server.models import OutboundMail
    from server.models.types import utcnow

    a = make_application(app, reference_event, 1)
    set_status(app, a, "invited")
    with app.app_context():
        row = db.session.scalar(select(OutboundMail))
        assert row.status == "sent" and row.attempts == 1
        assert row.body == b""  # the personal link is not kept once sent
        for _ in range(3):
            assert mail.deliver(row.id) == "sent"
        db.session.refresh(row)
        assert row.attempts == 1
        # A fresh claim by another worker: this attempt steps back and says when to retry.
        row.status, row.claimed_at = "sending", utcnow()
        db.session.commit()
        with pytest.raises(mail.TemporaryMailError) as busy:
            mail.deliver(row.id)
        assert busy.value.countdown is not None and busy.value.countdown > 200
        # An abandoned claim (older than the lease) is taken over.
        row.claimed_at = utcnow() - timedelta(seconds=301)
        db.session.commit()
        assert mail.deliver(row.id) == "sent"
    assert len(outbox(app)) == 1  # the outbox file is named by row: rewritten, not doubled


def test_sweeper_resends_rows_a_lost_task_left_behind(app: Flask, reference_event: str) -> None:
    from server import mail
    from server.extensions import db
    from server.models import OutboundMail
    from server.models.types import utcnow

    a = make_application(app, reference_event, 1)
    set_status(app, a, "invited")
    with app.app_context():
        row = db.session.scalar(select(OutboundMail))
        row.status, row.created_at = "queued", utcnow() - timedelta(minutes=6)
        db.session.commit()
        assert mail.overdue() == [row.id]
        db.session.refresh(row)
        assert row.status == "sent"
        assert mail.overdue() == []


@pytest.fixture
def smtp(app_config: dict[str, Any]) -> Any:
    handler = ScriptedHandler()
    with smtp_server(handler) as (h, port):
        app_config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        app_config["MAIL_RETRY_BACKOFF"] = 1
        yield h


def test_delivery_state_api_and_retry(smtp: ScriptedHandler, app: Flask, reference_event: str,
                                      organiser: ApiActor, anonymous: ApiActor,
                                      moderator: ApiActor) -> None:
    a = make_application(app, reference_event, 1)
    b = make_application(app, reference_event, 2)
    smtp.script = ["550 5.1.1 no such user"]
    set_status(app, a, "invited")
    smtp.script = ["451 4.3.0 try again later"]
    set_status(app, b, "invited")
    url = f"/api/events/{reference_event}/mail"
    assert anonymous.get(url).status_code == 401
    assert moderator.get(url).status_code == 403
    body = organiser.get(url).get_json()
    by_to = {m["to"].split("<")[-1].rstrip(">"): m for m in body["mail"]}
    failed, deferred = by_to["person1@example.org"], by_to["person2@example.org"]
    assert failed["status"] == "failed" and failed["last_error"].startswith("550")
    assert deferred["status"] == "queued" and deferred["last_error"].startswith("451")
    assert deferred["next_attempt_at"] is not None
    assert body["counts"] == {"failed": 1, "queued": 1}
    assert smtp.received == []
    # retry both: they arrive; a sent one cannot be retried
    for m in (failed, deferred):
        response = organiser.post(f"{url}/{m['id']}/retry")
        assert response.status_code == 202, response.get_json()
    assert len(smtp.received) == 2
    assert {r.message_id for r in smtp.received} == {m.message_id for m in _rows(app)}
    again = organiser.post(f"{url}/{failed['id']}/retry")
    assert again.status_code == 409 and again.get_json()["errors"][0]["field"] == "status"
    assert organiser.post(f"{url}/999999/retry").status_code == 404
    assert organiser.get(url).get_json()["counts"] == {"sent": 2}
    page = organiser.get(f"/organise/{reference_event}/mail")
    assert page.status_code == 200 and b"person1@example.org" in page.data
    assert anonymous.get(f"/organise/{reference_event}/mail").status_code == 302


def _rows(app: Flask) -> list[Any]:
    from server.extensions import db
    from server.models import OutboundMail

    with app.app_context():
        rows = list(db.session.scalars(select(OutboundMail)))
        db.session.expunge_all()
        return rows


# ----------------------------------------------------------------------------- feeds


def test_public_agenda_feed(app: Flask, reference_event: str, client: Any) -> None:
    make_application(app, reference_event, 1, status="accepted")
    response = client.get(f"/events/{reference_event}/agenda.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    assert "METHOD" not in text and "ATTENDEE" not in text and "ORGANIZER" not in text
    assert "@example.org" not in text
    with app.app_context():
        from server.extensions import db
        from server.models import Event

        items = len(db.session.scalar(select(Event).where(Event.slug == reference_event)).items)
    assert text.count("BEGIN:VEVENT") == items > 0
    assert prop(text, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert first_start_by_oracles(text) == FIRST_MORNING
    again = client.get(f"/events/{reference_event}/agenda.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and again.data == b""
    assert client.get("/events/no-such-event/agenda.ics").status_code == 404


def _publish_round(app: Flask, slug: str, application_id: int, status: str, title: str) -> None:
    from server.extensions import db
    from server.models import BreakoutRoom, BreakoutRound, Event, RoomAssignment

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        item = next(i for i in event.items if i.kind == "breakout") if any(
            i.kind == "breakout" for i in event.items) else event.items[1]
        rnd = BreakoutRound(event_id=event.id, agenda_item_id=item.id, title=title, status=status,
                            published_at=datetime(2021, 5, 20, tzinfo=UTC))
        room = BreakoutRoom(round=rnd, number=1, name=f"{title} room A",
                            video_url="https://video.example/room-a")
        db.session.add_all([rnd, room])
        db.session.flush()
        db.session.add(RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=application_id))
        db.session.commit()


def test_personal_feed_etag_private_rooms_and_revocation(
    app: Flask, reference_event: str, client: Any, organiser: ApiActor
) -> None:
    from server.extensions import db
    from server.invitations import personal_feed_url
    from server.models import Application

    a = make_application(app, reference_event, 1)
    set_status(app, a, "accepted")
    _publish_round(app, reference_event, a, "published", "Round one")
    _publish_round(app, reference_event, a, "draft", "Draft round")
    with app.app_context():
        application = db.session.get(Application, a)
        https_url, webcal_url = personal_feed_url(application)
        assert personal_feed_url(application) == (https_url, webcal_url)  # stable across views
    assert webcal_url.startswith("webcal://convene.test/feeds/") and webcal_url.endswith(".ics")
    path = https_url.removeprefix("http://convene.test")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private"
    text = response.get_data(as_text=True)
    assert prop(text, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert prop(text, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]
    assert "Round one room A" in text and "Draft round" not in text
    assert "https://video.example/room-a" in text
    assert first_start_by_oracles(text) == FIRST_MORNING
    etag = response.headers["ETag"]
    assert client.get(path).headers["ETag"] == etag  # same data, same bytes
    not_modified = client.get(path, headers={"If-None-Match": f'"other", {etag}'})
    assert not_modified.status_code == 304 and not_modified.headers["Cache-Control"] == "private"
    assert client.get("/feeds/not-a-token.ics").status_code == 404
    # the organiser resets it: the old URL is gone, the new one works
    reset = organiser.post(f"/api/events/{reference_event}/participants/{a}/feed-token")
    assert reset.status_code == 200
    new_path = reset.get_json()["https_url"].removeprefix("http://convene.test")
    assert client.get(path).status_code == 404
    assert client.get(new_path).status_code == 200
    # the participant resets it with their personal link (no session, no CSRF token)
    assert "/p/" not in text  # the feed never holds the personal link (issue 11, item 5)
    with app.app_context():
        from server.invitations import personal_link

        personal = personal_link(db.session.get(Application, a)).rsplit("/p/", 1)[1]
        db.session.commit()
    own = client.post(f"/api/p/{personal}/calendar-feed")
    assert own.status_code == 200
    assert client.get(new_path).status_code == 404
    assert client.get(own.get_json()["https_url"].removeprefix("http://convene.test")).status_code == 200
    assert client.post("/api/p/wrong/calendar-feed").status_code == 404
    # uninvited: the feed stays reachable but shows everything cancelled
    set_status(app, a, "withdrawn")
    cancelled = client.get(own.get_json()["https_url"].removeprefix("http://convene.test"))
    assert set(prop(cancelled.get_data(as_text=True), "STATUS")) == {"STATUS:CANCELLED"}
