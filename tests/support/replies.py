"""The people and meeting the reply fixtures (tests/fixtures/replies/) were written for, and
helpers that set them up the way organisers do: applications, then invite / wait-list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replies"
UID = "convene-fixture-2021@convene.example"
ORGANISER_EMAIL = "organiser@convene.example"

# fixture name → the invitee it speaks for (address as the invitation was sent)
PEOPLE = {
    "outlook_accepted": ("anna.petrova@example.org", "Anna Petrova"),
    "outlook_declined_windows1251": ("p.ivanov@example.kz", "Пётр Иванов"),
    "google_accepted": ("dilnoza.karimova@gmail.com", "Dilnoza Karimova"),
    "apple_tentative": ("jan.devries@icloud.com", "Jan de Vries"),
    "thunderbird_declined": ("marie.dubois@example.fr", "Marie Dubois-Lefèvre"),
}
WAITING = ("waiting@example.org", "Wanda Waiting")


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def with_sequence(name: str, sequence: int) -> bytes:
    """An 8-bit fixture (Thunderbird's) answering another SEQUENCE, with its own Message-ID."""
    data = raw(name)
    assert b"SEQUENCE:0\r\n" in data
    return (data.replace(b"SEQUENCE:0\r\n", f"SEQUENCE:{sequence}\r\n".encode())
            .replace(b"Message-ID: <", f"Message-ID: <seq{sequence}-".encode(), 1))


def nested(levels: int) -> bytes:
    """A calendar inside ``levels`` multiparts, each in the one before (about 70 bytes a level)."""
    head = b"From: anna.petrova@example.org\r\nMessage-ID: <nested-1@example.org>\r\nMIME-Version: 1.0\r\n"
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
                       for i in range(levels))
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(levels)))
    return head + opening + b"Content-Type: text/calendar; method=REPLY\r\n\r\n" + raw("rfc5546_refresh") + closing


def counter(start: str, end: str, key: str = "1") -> bytes:
    """Dilnoza's COUNTER (as in ``rfc5546_counter``) proposing ``start``–``end`` (iCalendar text)."""
    from email import message_from_bytes

    part = next(p for p in message_from_bytes(raw("rfc5546_counter")).walk()
                if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = (payload.decode().replace("DTSTART:20210525T080000Z", f"DTSTART:{start}")
                .replace("DTEND:20210525T110000Z", f"DTEND:{end}"))
    return (f"From: Dilnoza Karimova <dilnoza.karimova@gmail.com>\r\nTo: {ORGANISER_EMAIL}\r\n"
            f"Subject: New time proposed\r\nMessage-ID: <counter-{key}@mail.gmail.com>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/calendar; charset=UTF-8; method=COUNTER\r\n\r\n{calendar}").encode()


def prepare_meeting(app: Flask, slug: str, *, auto_promote: bool = True) -> dict[str, int]:
    """Point the event at the fixtures' UID, invite the five people, wait-list one more, and
    leave no free seat (so a decline frees exactly one). Returns application ids by email."""
    from server.applications import lifecycle
    from server.extensions import db
    from server.models import Application, Event, Review, User

    ids: dict[str, int] = {}
    with app.test_request_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.calendar_uid, event.organiser_email = UID, ORGANISER_EMAIL
        event.auto_promote_waitlist, event.seats = auto_promote, len(PEOPLE)
        db.session.commit()
        for email, name in [*PEOPLE.values(), WAITING]:
            application = Application(event_id=event.id, email=email, name=name, role="exit_worker")
            application.set_country("KZ")
            db.session.add(application)
            db.session.commit()
            ids[email] = int(application.id)
        # The wait-list only offers a seat to a well-reviewed person (selection rules).
        reviewer = User(email="reviewer@convene.example", name="Reviewer", role="organiser")
        reviewer.set_password("reviewer-password")
        db.session.add(reviewer)
        db.session.flush()
        db.session.add(Review(application_id=ids[WAITING[0]], reviewer_id=reviewer.id, score=4))
        db.session.commit()
        for email, application_id in ids.items():
            application = db.session.get(Application, application_id)
            lifecycle.decide(application, "waitlist" if email == WAITING[0] else "invite")
        db.session.remove()
    return ids


def states(app: Flask, ids: dict[str, int]) -> dict[str, tuple[str, str | None, str | None]]:
    """(status, answer, answer source) per email."""
    from server.extensions import db
    from server.models import Application, CalendarInvitation

    with app.app_context():
        out: dict[str, tuple[str, str | None, str | None]] = {}
        for email, application_id in ids.items():
            application = db.session.get(Application, application_id)
            row = db.session.scalar(select(CalendarInvitation)
                                    .where(CalendarInvitation.application_id == application_id))
            out[email] = (application.status, row.answer if row else None,
                          row.answer_source if row else None)
        db.session.remove()
        return out


def replies(app: Flask) -> list[dict[str, Any]]:
    from server.extensions import db
    from server.models import InboundReply

    with app.app_context():
        rows = [{"outcome": r.outcome, "reason": r.reason, "sender": r.sender, "method": r.method,
                 "application_id": r.application_id, "promotion_due_at": r.promotion_due_at}
                for r in db.session.scalars(select(InboundReply).order_by(InboundReply.id))]
        db.session.remove()
        return rows
