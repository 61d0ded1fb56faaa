"""Attendance from real live connections, and the meeting's report (HTML, PDF, CSV) recounted from the DB."""

from __future__ import annotations

import csv
import io
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from server.sessions import protocol as ev
from tests.support.api import ApiActor
from tests.support.live import Meeting, add_participant, call, make_meeting, participant_client, staff_client

MORNING_ONE = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)  # 09:30 Brussels, the reference event's first morning


class Clock:
    """The app's clock, moved by the test as the morning goes by."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def _spans(app: Flask) -> list[tuple[int, str, int | None, bool]]:
    from server.extensions import db
    from server.models import AttendanceSpan

    with app.app_context():
        return [(s.application_id, s.sid, s.room_id, s.left_at is not None)
                for s in db.session.scalars(select(AttendanceSpan).order_by(AttendanceSpan.id))]


def test_live_connections_become_attendance_with_rooms_while_breakouts_are_open(
        app: Flask, organiser: ApiActor) -> None:
    clock = Clock(MORNING_ONE + timedelta(minutes=5))
    app.config["CLOCK"] = clock
    meeting = make_meeting(app, participants=2)
    ana, bo = meeting.people
    ana_tabs = [participant_client(app, ana), participant_client(app, ana)]  # one person, two tabs
    bo_tab = participant_client(app, bo)
    moderator = staff_client(app, meeting.event_id)
    assert [(a, room) for a, _, room, _ in _spans(app)] == [(ana.application_id, None)] * 2 + [
        (bo.application_id, None)]

    assert call(moderator, ev.AGENDA_START_ITEM, {"item_id": meeting.items[0]})["ok"]
    clock.advance(30)
    opened = call(moderator, ev.AGENDA_OPEN_BREAKOUTS, {"round_id": meeting.round_id, "minutes": 20})
    assert opened["ok"], opened
    open_rooms = {(a, room) for a, _, room, left in _spans(app) if not left}
    assert open_rooms == {(ana.application_id, meeting.room_of(ana)), (bo.application_id, meeting.room_of(bo))}

    clock.advance(20)
    assert call(moderator, ev.AGENDA_BRING_BACK)["ok"]
    assert {room for _, _, room, left in _spans(app) if not left} == {None}
    clock.advance(10)
    for client in [*ana_tabs, bo_tab]:
        client.disconnect()
    assert all(left for *_, left in _spans(app)), "every tab's span is closed when it disconnects"

    # The organiser reads it: both attended; Ana's two tabs count once; room time is the 20 minutes.
    page = organiser.get(f"/organise/{meeting.slug}/attendance")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "2 people attended." in page.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(organiser.get(f"/organise/{meeting.slug}/attendance.csv")
                                           .get_data(as_text=True))))
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"Ana Example", "Bo Example"}
    assert by_name["Ana Example"]["minutes"] == "60"
    assert by_name["Ana Example"]["first_joined"] == "2021-05-25 09:35"
    assert by_name["Ana Example"]["last_left"] == "2021-05-25 10:35"
    assert "Room 1 (20 min)" in by_name["Ana Example"]["rooms"]
    assert "Room 2 (20 min)" in by_name["Bo Example"]["rooms"]


def test_attendance_and_report_are_for_organisers_only(app: Flask, moderator: ApiActor, reference_event: str) -> None:
    for path in ("report", "report.pdf", "attendance", "attendance.csv"):
        assert moderator.get(f"/organise/{reference_event}/{path}").status_code == 403
        anonymous = app.test_client().get(f"/organise/{reference_event}/{path}")
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def _populate(app: Flask) -> Meeting:
    """Applicants in several stages, attendance spans in both mornings, questions, notes, a speaker."""
    from server.extensions import db
    from server.models import Application, AttendanceSpan, RoomNotesRow

    meeting = make_meeting(app, participants=4)
    extra = [add_participant(app, meeting.event_id, "Gus Example", status="submitted",
                             key_questions=["How do families stay in touch?"], share="with_name"),
             add_participant(app, meeting.event_id, "Hal Example", status="declined",
                             key_questions=["Who pays for the exit programme?"], share="anonymous"),
             add_participant(app, meeting.event_id, "Ivy Example", status="erased")]
    with app.app_context():
        roles = ("prison_officer", "police_officer", "legal_expert")
        for person, country, role in zip(extra, ("KZ", "UZ", "FR"), roles, strict=True):
            a = db.session.get(Application, person.application_id)
            a.set_country(country)
            a.role = role
        erased = db.session.get(Application, extra[2].application_id)
        erased.name = erased.email = None
        ana, bo, cy, _ = meeting.people
        day_two = MORNING_ONE + timedelta(days=1)
        db.session.add_all([
            AttendanceSpan(event_id=meeting.event_id, application_id=ana.application_id, sid="a1", room_id=None,
                           joined_at=MORNING_ONE, left_at=MORNING_ONE + timedelta(hours=1),
                           seen_at=MORNING_ONE + timedelta(hours=1)),
            AttendanceSpan(event_id=meeting.event_id, application_id=ana.application_id, sid="a2",
                           room_id=meeting.rooms[0], joined_at=MORNING_ONE + timedelta(hours=1),
                           left_at=MORNING_ONE + timedelta(hours=2), seen_at=MORNING_ONE + timedelta(hours=2)),
            AttendanceSpan(event_id=meeting.event_id, application_id=bo.application_id, sid="b1",
                           room_id=meeting.rooms[1], joined_at=MORNING_ONE + timedelta(hours=1),
                           left_at=MORNING_ONE + timedelta(hours=2), seen_at=MORNING_ONE + timedelta(hours=2)),
            AttendanceSpan(event_id=meeting.event_id, application_id=cy.application_id, sid="c1", room_id=None,
                           joined_at=day_two, left_at=day_two + timedelta(hours=3), seen_at=day_two),
            RoomNotesRow(room_id=meeting.rooms[0], event_id=meeting.event_id, text="Families need a contact point.",
                         version=1),
        ])
        db.session.commit()
    ana_client, bo_client = participant_client(app, meeting.people[0]), participant_client(app, meeting.people[1])
    queue = ["item", meeting.qa_item]
    assert call(ana_client, ev.QA_ASK, {"queue": queue, "text": "What works for children?"})["ok"]
    assert call(bo_client, ev.QA_ASK, {"queue": queue, "text": "How long does reintegration take?",
                                       "anonymous": True})["ok"]
    assert call(bo_client, ev.QA_VOTE, {"queue": queue, "question_id": 1})["ok"]
    moderator = staff_client(app, meeting.event_id)
    assert call(moderator, ev.QA_ANSWER, {"queue": queue, "question_id": 1})["ok"]
    assert call(ana_client, ev.SPEAKER_RAISE, {"queue": ["plenary", meeting.event_id]})["ok"]
    assert call(moderator, ev.SPEAKER_CALL_NEXT, {"queue": ["plenary", meeting.event_id]})["ok"]
    assert call(moderator, ev.SPEAKER_FINISH, {"queue": ["plenary", meeting.event_id]})["ok"]
    return meeting


def _recount(app: Flask, meeting: Meeting) -> dict[str, Counter[str]]:
    """The test's own count from the database, independent of the report's code."""
    from server.extensions import db
    from server.models import Application, AttendanceSpan

    with app.app_context():
        apps = db.session.scalars(select(Application).where(Application.event_id == meeting.event_id)).all()
        attending = {s.application_id for s in db.session.scalars(select(AttendanceSpan))}
        return {
            "applicants": Counter(a.country for a in apps),
            "invited": Counter(a.country for a in apps if a.status in ("invited", "accepted", "declined")),
            "attending": Counter(a.country for a in apps if a.id in attending),
        }


def test_report_figures_equal_a_recount_from_the_database(app: Flask, organiser: ApiActor) -> None:
    meeting = _populate(app)
    recount = _recount(app, meeting)
    page = organiser.get(f"/organise/{meeting.slug}/report")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    totals = {stage: sum(c.values()) for stage, c in recount.items()}
    assert totals == {"applicants": 7, "invited": 5, "attending": 3}
    assert (f"{totals['applicants']} applicants, {totals['invited']} invited, "
            f"{totals['attending']} attending.") in html
    # The country table: one row per country with the three counts, as recounted.
    for country, name in (("DE", "Germany"), ("KZ", "Kazakhstan"), ("UZ", "Uzbekistan"), ("FR", "France")):
        cells = "".join(f'<td class="num">{recount[s][country]}</td>'
                        for s in ("applicants", "invited", "attending"))
        assert f"<tr><td>{name}</td>{cells}</tr>" in html, name
    assert "<svg" in html and "By country" in html  # the charts are drawn on the server
    assert "2 people attended this morning." in html and "1 person attended this morning." in html
    # Q&A: votes and answered; the anonymous question names nobody.
    assert "What works for children?" in html and "1 vote" in html and "answered" in html
    assert "How long does reintegration take?" in html
    assert "Bo Example" not in html.split("How long does reintegration take?")[1].split("</li>")[0]
    # Rooms with their mix and notes; the speaker who was called.
    assert "Families need a contact point." in html and "Room 1" in html
    assert "Ana Example" in html.split("Speakers")[-1] and "1 turn" in html
    # Key questions: named only with consent; the erased applicant is never named.
    assert "Gus Example, Kazakhstan" in html and "How do families stay in touch?" in html
    assert "Hal Example" not in html and "Who pays for the exit programme?" in html
    assert "Police officer, Central Asia" in html


def test_report_pdf_renders_with_the_title_and_counts(app: Flask, organiser: ApiActor, tmp_path: Path) -> None:
    meeting = _populate(app)
    response = organiser.get(f"/organise/{meeting.slug}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert "Returning foreign terrorist fighters" in text or "study visit" in text.lower()
    assert "7 applicants, 5 invited, 3 attending." in " ".join(text.split())
