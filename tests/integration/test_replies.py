"""Calendar answers through the app with in-process tasks: each client's reply changes the
right participant as the personal page would; refused ones change nothing and are listed
with the reason; a message read twice counts once; older SEQUENCEs ask again; REFRESH and
COUNTER; the inbox folder of the embedded default."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support.api import ApiActor
from tests.support.applications import mails
from tests.support.replies import (
    PEOPLE,
    WAITING,
    counter,
    nested,
    prepare_meeting,
    raw,
    replies,
    states,
    with_sequence,
)

ANNA, PETR, DILNOZA, JAN, MARIE = (p[0] for p in PEOPLE.values())


def process(app: Flask, data: bytes) -> Any:
    from server.replies import service

    with app.test_request_context():
        return service.process(data, "imap")


@pytest.fixture
def meeting(app: Flask, reference_event: str) -> dict[str, int]:
    return prepare_meeting(app, reference_event)


def test_each_clients_answer_changes_its_participant(app: Flask, meeting: dict[str, int]) -> None:
    for name in PEOPLE:
        assert process(app, raw(name)).outcome in ("applied", "tentative"), name
    after = states(app, meeting)
    assert after[ANNA] == ("accepted", "accepted", "calendar")          # Outlook, From in other casing
    assert after[PETR] == ("declined", "declined", "calendar")          # Outlook RU, windows-1251
    assert after[DILNOZA] == ("accepted", "accepted", "calendar")       # Google, invite.ics
    assert after[JAN] == ("invited", "tentative", "calendar")           # Apple: tentative is no status
    assert after[MARIE] == ("declined", "declined", "calendar")         # Thunderbird
    # two seats freed, one wait-listed person: promoted once, and invited by calendar
    assert after[WAITING[0]][0] == "invited"
    invitations = [m for m in mails(app, "invitation") if m["to"] == WAITING[0]]
    assert len(invitations) == 1


def test_refused_messages_change_nothing_and_are_listed(app: Flask, meeting: dict[str, int],
                                                        organiser: ApiActor, anonymous: ApiActor,
                                                        reference_event: str) -> None:
    before = states(app, meeting)
    outcomes = {name: process(app, raw(name)) for name in
                ("wrong_sender", "unknown_uid", "malformed", "no_calendar")}
    assert {o.outcome for o in outcomes.values()} == {"rejected"}
    assert "not from the invitee's address" in outcomes["wrong_sender"].reason
    assert "No meeting has the UID" in outcomes["unknown_uid"].reason
    assert "cannot be read" in outcomes["malformed"].reason
    assert "carries no calendar" in outcomes["no_calendar"].reason
    assert states(app, meeting) == before
    body = organiser.get(f"/api/events/{reference_event}/replies").get_json()
    listed = {r["sender"]: r for r in body["replies"]}
    assert listed["assistant@example.org"]["outcome"] == "rejected"
    assert listed["assistant@example.org"]["partstat"] == "ACCEPTED"  # what the forged message asked
    assert listed["assistant@example.org"]["reason"] == outcomes["wrong_sender"].reason
    assert {r["outcome"] for r in body["replies"]} == {"rejected"} and len(body["replies"]) == 4
    page = organiser.get(f"/organise/{reference_event}/replies")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert outcomes["wrong_sender"].reason.replace("'", "&#39;") in html
    assert anonymous.get(f"/api/events/{reference_event}/replies").status_code in (401, 403)
    assert anonymous.get(f"/organise/{reference_event}/replies").status_code in (302, 401, 403)


def test_the_same_answer_twice_counts_once(app: Flask, meeting: dict[str, int]) -> None:
    assert process(app, raw("thunderbird_declined")).outcome == "applied"
    assert process(app, raw("thunderbird_declined")).outcome == "duplicate"
    assert states(app, meeting)[MARIE][0] == "declined"
    assert states(app, meeting)[WAITING[0]][0] == "invited"
    assert len(replies(app)) == 1
    assert len([m for m in mails(app, "invitation") if m["to"] == WAITING[0]]) == 1


def _sent_calendar(app: Flask, kind: str) -> str:
    """The calendar of the one message of ``kind`` as it reached the outbox folder."""
    from email import message_from_bytes
    from email.policy import default

    from server.extensions import db
    from server.models import OutboundMail

    with app.app_context():
        mail = db.session.scalars(select(OutboundMail).where(OutboundMail.kind == kind)).one()
        assert mail.status == "sent", mail.last_error
        message_id = mail.message_id
    for path in (Path(app.instance_path) / "outbox").glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if message["Message-ID"] == message_id:
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            return str(part.get_content()).replace("\r\n ", "")
    raise AssertionError(f"{message_id} is not in the outbox")


def _move_second_morning(organiser: ApiActor, slug: str) -> None:
    days = organiser.get(f"/api/events/{slug}/agenda").get_json()["days"]
    response = organiser.patch(f"/api/events/{slug}/agenda/days/{days[1]['id']}", json={"end": "13:00"})
    assert response.status_code == 200, response.get_json()


def test_a_yes_to_an_older_sequence_asks_again(app: Flask, meeting: dict[str, int],
                                                organiser: ApiActor, reference_event: str) -> None:
    _move_second_morning(organiser, reference_event)  # everyone's SEQUENCE is 1 now
    outcome = process(app, raw("thunderbird_accepted"))  # answers SEQUENCE 0
    assert outcome.outcome == "asked-again"
    assert states(app, meeting)[MARIE] == ("invited", None, None)
    calendar = _sent_calendar(app, "invitation_refresh")
    assert "METHOD:REQUEST" in calendar and "SEQUENCE:1" in calendar and MARIE in calendar.lower()
    # ... the current version is accepted; a version never sent is not
    assert process(app, with_sequence("thunderbird_accepted", 1)).outcome == "applied"
    assert states(app, meeting)[MARIE][0] == "accepted"
    assert process(app, with_sequence("thunderbird_accepted", 2)).outcome == "rejected"
    # a no to the old version, arriving late, does not overturn the yes to the current one
    late = process(app, raw("thunderbird_declined"))
    assert (late.outcome, "has since answered SEQUENCE 1" in late.reason) == ("rejected", True)
    assert states(app, meeting)[MARIE] == ("accepted", "accepted", "calendar")
    assert states(app, meeting)[WAITING[0]][0] == "waitlisted"


def test_a_no_to_an_older_sequence_counts_until_a_later_one_is_answered(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    from server.applications import lifecycle
    from server.extensions import db
    from server.models import Application

    _move_second_morning(organiser, reference_event)  # SEQUENCE 1 for everyone
    assert process(app, raw("thunderbird_declined")).outcome == "applied"  # nobody answered v1: a no
    assert states(app, meeting)[MARIE][0] == "declined"
    with app.test_request_context():  # Jan accepts version 1 on his personal page ...
        lifecycle.respond(db.session.get(Application, meeting[JAN]), "accept")
    no = raw("apple_tentative").replace(b"PARTSTAT=3DTENTATIVE", b"PARTSTAT=3DDECLINED")  # quoted-printable
    assert process(app, no).outcome == "rejected"  # ... his calendar's no to version 0 comes late
    assert states(app, meeting)[JAN] == ("accepted", "accepted", "personal-page")


def test_refresh_resends_the_request_and_counter_is_only_shown(app: Flask, meeting: dict[str, int],
                                                              organiser: ApiActor,
                                                              reference_event: str) -> None:
    before = states(app, meeting)
    assert process(app, raw("rfc5546_refresh")).outcome == "refreshed"
    [copy] = mails(app, "invitation_refresh")
    assert copy["to"] == ANNA
    calendar = _sent_calendar(app, "invitation_refresh")
    assert "METHOD:REQUEST" in calendar and "SEQUENCE:0" in calendar
    assert process(app, raw("rfc5546_counter")).outcome == "counter"
    assert states(app, meeting) == before
    listed = organiser.get(f"/api/events/{reference_event}/replies").get_json()["replies"]
    [counter] = [r for r in listed if r["outcome"] == "counter"]
    assert counter["proposed_start"].startswith("2021-05-25T08:00:00")
    assert "Tashkent" in counter["comment"]
    html = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    assert "not applied" in html and "Tashkent" in html


def test_a_refresh_from_someone_who_declined_is_not_said_to_be_sent_again(
        app: Flask, meeting: dict[str, int]) -> None:
    """Nothing is sent to a person who declined, yet the row said "invitation sent again"."""
    assert process(app, raw("thunderbird_declined")).outcome == "applied"
    refresh = (raw("rfc5546_refresh").replace(b"anna.petrova@example.org", MARIE.encode())
               .replace(b"Message-ID: <", b"Message-ID: <marie-", 1))
    outcome = process(app, refresh)
    assert (outcome.outcome, outcome.reason) == ("rejected", "Nothing is sent again: the invitation is declined.")
    assert mails(app, "invitation_refresh") == []
    assert states(app, meeting)[MARIE][0] == "declined"


def test_the_mail_page_names_the_invitation_sent_again_in_the_readers_language(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    """It said "invitation refresh" (the stored kind with a space), in English on a Russian page."""
    from server.applications.mails import LINK_AGAIN, RECEIVED
    from server.core.invite_mail import InviteKind
    from server.invitations.mail_view import KIND_LABELS
    from server.invitations.service import REMINDER_MAIL
    from server.replies.refresh import KIND

    queued = {*(k.value for k in InviteKind), REMINDER_MAIL, KIND, RECEIVED, LINK_AGAIN,
              "decision_waitlisted", "decision_rejected", "message_test"}
    assert queued <= set(KIND_LABELS)  # every kind of mail the product sends is named in words
    assert process(app, raw("rfc5546_refresh")).outcome == "refreshed"
    english = organiser.get(f"/organise/{reference_event}/mail").get_data(as_text=True)
    assert "<td>Invitation sent again</td>" in english and "invitation refresh" not in english
    organiser.get("/lang/ru?next=/")
    russian = organiser.get(f"/organise/{reference_event}/mail").get_data(as_text=True)
    assert "<td>Приглашение отправлено повторно</td>" in russian and "invitation refresh" not in russian


@pytest.mark.parametrize(("start", "end"), [
    ("99991231T230000Z", "99991231T235959Z"),   # the organisers' page said 9999 in Brussels: year 10000
    ("00010101T000000Z", "00010101T030000Z"),   # and year 1 in a zone west of UTC: year 0
])
def test_a_counter_at_the_ends_of_time_is_kept_aside_and_the_page_still_opens(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str,
        start: str, end: str) -> None:
    outcome = process(app, counter(start, end))
    assert outcome.outcome == "rejected" and "proposed time" in outcome.reason
    for viewer in ("", "?tz=America/New_York", "?tz=Pacific/Kiritimati"):
        page = organiser.get(f"/organise/{reference_event}/replies{viewer}")
        assert page.status_code == 200, viewer
        assert "proposed time" in page.get_data(as_text=True)
    # a sensible proposal is still shown
    assert process(app, counter("20210525T080000Z", "20210525T110000Z", key="2")).outcome == "counter"


def test_personal_page_answers_show_their_source(app: Flask, meeting: dict[str, int],
                                                 organiser: ApiActor, reference_event: str) -> None:
    from server.applications import lifecycle
    from server.extensions import db
    from server.models import Application

    with app.test_request_context():
        lifecycle.respond(db.session.get(Application, meeting[ANNA]), "accept")
    assert states(app, meeting)[ANNA] == ("accepted", "accepted", "personal-page")
    process(app, raw("google_accepted"))
    answers = {a["application_id"]: a for a in
               organiser.get(f"/api/events/{reference_event}/replies").get_json()["answers"]}
    assert answers[meeting[ANNA]]["source"] == "personal-page" and answers[meeting[ANNA]]["answered_at"]
    assert answers[meeting[DILNOZA]]["source"] == "calendar"
    process(app, raw("apple_tentative"))
    html = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-application="(\d+)">(.*?)</tr>', html, re.S)}
    assert "personal page" in rows[str(meeting[ANNA])] and "Europe/Brussels" in rows[str(meeting[ANNA])]
    assert "calendar" in rows[str(meeting[DILNOZA])]
    assert '<td class="answer">tentative</td>' in rows[str(meeting[JAN])]
    assert '<td class="status">Invited</td>' in rows[str(meeting[JAN])]
    organiser.get("/lang/ru?next=/")  # the header's switch
    russian = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    assert '<td class="status">Приглашён(а)</td>' in russian and '<td class="answer">под вопросом</td>' in russian


def with_sequence_bytes(data: bytes, sequence: int) -> bytes:
    return (data.replace(b"SEQUENCE:0\r\n", f"SEQUENCE:{sequence}\r\n".encode())
            .replace(b"Message-ID: <", f"Message-ID: <seq{sequence}-".encode(), 1))


def _arrive(path: Path, data: bytes, seconds_ago: float = 10) -> None:
    """A file that arrived a while ago (one written within SETTLE_SECONDS waits for the next poll)."""
    path.write_bytes(data)
    os.utime(path, (time.time() - seconds_ago, time.time() - seconds_ago))


def _read_folder(app: Flask) -> dict[str, int]:
    from server.replies import mailbox

    with app.app_context():
        return mailbox.read_folder()


def test_inbox_folder_of_the_embedded_default(app: Flask, meeting: dict[str, int]) -> None:
    inbox = Path(app.instance_path) / "inbox"
    inbox.mkdir()
    for name in ("outlook_accepted", "apple_tentative", "wrong_sender"):
        _arrive(inbox / f"{name}.eml", raw(name))
    from server.dispatch import send_now

    with app.app_context():
        send_now("worker.tasks.read_replies")  # what the embedded beat thread runs
    assert states(app, meeting)[ANNA][0] == "accepted"
    assert states(app, meeting)[JAN][1] == "tentative"
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["apple_tentative.eml", "outlook_accepted.eml"]
    reason = (inbox / "rejected" / "wrong_sender.eml.reason.txt").read_text()
    assert "not from the invitee's address" in reason
    assert (inbox / "rejected" / "wrong_sender.eml").exists() and not list(inbox.glob("*.eml"))


def test_erasure_forgets_the_sender_of_answers(app: Flask, meeting: dict[str, int]) -> None:
    from server.applications import erasure
    from server.extensions import db
    from server.models import Application, InboundReply

    assert process(app, raw("google_accepted")).outcome == "applied"
    with app.test_request_context():
        erasure.erase(db.session.get(Application, meeting[DILNOZA]))
    with app.app_context():
        [row] = db.session.scalars(select(InboundReply)).all()
        assert (row.sender, row.subject, row.application_id) == (None, None, meeting[DILNOZA])
        assert row.outcome == "applied"  # the count stays, the person goes


@pytest.mark.parametrize("who", [MARIE, WAITING[0]])  # a participant, and someone on the wait-list
def test_erasure_forgets_answers_kept_aside_under_the_address(app: Flask, meeting: dict[str, int], who: str) -> None:
    """Refused answers name no application (a SEQUENCE never sent, an unknown UID, a person
    not invited): erasure finds them by the address they came from."""
    from server.applications import erasure
    from server.extensions import db
    from server.models import Application, InboundReply

    mine = raw("thunderbird_accepted").replace(MARIE.encode(), who.encode())
    assert process(app, with_sequence_bytes(mine, 7)).outcome == "rejected"
    assert process(app, mine.replace(b"UID:convene-fixture-2021@", b"UID:other@", 1)
                   .replace(b"Message-ID: <", b"Message-ID: <uid-", 1)).outcome == "rejected"
    assert process(app, raw("google_accepted")).outcome == "applied"  # someone else's
    with app.test_request_context():
        erasure.erase(db.session.get(Application, meeting[who]))
    with app.app_context():
        rows = db.session.scalars(select(InboundReply).order_by(InboundReply.id)).all()
        assert [(r.sender, r.subject) for r in rows[:2]] == [(None, None), (None, None)]
        assert rows[2].sender == DILNOZA


HOSTILE = {  # what each does to Marie's yes, and what becomes of it; on PostgreSQL each one
    # used to fail on every poll, never recorded, never listed
    "a Message-ID of 400 characters": (b"Message-ID: <", b"Message-ID: <" + b"x" * 400, "applied"),
    "a NUL in the Message-ID": (b"Message-ID: <", b"Message-ID: <a\x00b", "applied"),
    "a NUL in the Subject": (b"Subject: Accepted", b"Subject: Acc\x00epted", "applied"),
    "a NUL in an encoded Subject": (b"Subject: Accepted", b"Subject: =?utf-8?q?a=00b?=", "applied"),
    "a SEQUENCE beyond 32 bits": (b"SEQUENCE:0\r\n", b"SEQUENCE:99999999999\r\n", "rejected"),
    "a NUL in the SEQUENCE": (b"SEQUENCE:0\r\n", b"SEQUENCE:\x00\r\n", "rejected"),
    "a NUL in the UID": (b"UID:convene-fixture-2021@convene.example", b"UID:x\x00y", "rejected"),
    "a NUL in the ATTENDEE": (b"mailto:marie.dubois@example.fr", b"mailto:mar\x00ie@example.fr", "rejected"),
}


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_hostile_values_are_recorded_once_on_every_database(app: Flask, meeting: dict[str, int],
                                                           organiser: ApiActor, reference_event: str,
                                                           what: str) -> None:
    old, new, expected = HOSTILE[what]
    data = raw("thunderbird_accepted")
    assert old in data
    assert process(app, data.replace(old, new, 1)).outcome == expected
    assert states(app, meeting)[MARIE][0] == ("accepted" if expected == "applied" else "invited")
    assert process(app, data.replace(old, new, 1)).outcome == "duplicate"
    listed = organiser.get(f"/api/events/{reference_event}/replies").get_json()["replies"]
    assert [r["outcome"] for r in listed] == [expected]


def test_a_refresh_with_an_overlong_partstat_is_still_a_refresh(app: Flask, meeting: dict[str, int]) -> None:
    data = (raw("thunderbird_accepted").replace(b"METHOD:REPLY", b"METHOD:REFRESH")
            .replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=" + b"A" * 50))
    assert process(app, data).outcome == "refreshed"
    assert len(replies(app)) == 1


def test_the_inbox_folder_survives_what_an_operator_leaves_in_it(app: Flask, meeting: dict[str, int],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A file still being written waits; a directory or a dangling link named *.eml, and a
    file of gigabytes, do not stop the answers beside them."""
    from server.core.replies import MAX_BYTES

    inbox = Path(app.instance_path) / "inbox"
    inbox.mkdir()
    (inbox / "a-folder.eml").mkdir()
    (inbox / "b-dangling.eml").symlink_to(inbox / "nowhere.eml")
    with (inbox / "c-huge.eml").open("wb") as huge:  # sparse: takes no disk
        huge.write(b"From: anna.petrova@example.org\r\nMessage-ID: <huge-1@example.org>\r\n\r\n")
        huge.truncate(4 * 1024**3)
    os.utime(inbox / "c-huge.eml", (time.time() - 10, time.time() - 10))
    _arrive(inbox / "d-thunderbird_declined.eml", raw("thunderbird_declined"))
    half = raw("outlook_accepted")
    (inbox / "e-being-copied.eml").write_bytes(half[: len(half) // 2])  # cp is still at it
    whole_reads: list[Path] = []
    original = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        whole_reads.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)  # observe: nothing is loaded whole unchecked
    assert _read_folder(app) == {"rejected": 1, "applied": 1}
    assert not [p for p in whole_reads if p.parent == inbox]
    assert states(app, meeting)[MARIE][0] == "declined"
    reason = (inbox / "rejected" / "c-huge.eml.reason.txt").read_text()
    assert "too large" in reason and (inbox / "rejected" / "c-huge.eml").stat().st_size > MAX_BYTES
    assert {p.name for p in inbox.glob("*.eml")} == {"a-folder.eml", "b-dangling.eml", "e-being-copied.eml"}
    # the copy finishes; at the next poll (settled) it is read whole
    _arrive(inbox / "e-being-copied.eml", half)
    assert _read_folder(app) == {"applied": 1}
    assert states(app, meeting)[ANNA][0] == "accepted"
    assert [r["outcome"] for r in replies(app)] == ["rejected", "applied", "applied"]


def test_a_message_nested_thousands_deep_is_kept_aside_once(app: Flask, meeting: dict[str, int]) -> None:
    """It used to raise out of the reader: left in the folder (or unmarked on IMAP), read again
    and logged with a traceback at every poll."""
    inbox = Path(app.instance_path) / "inbox"
    inbox.mkdir()
    _arrive(inbox / "nested.eml", nested(3000))
    assert _read_folder(app) == {"rejected": 1}
    assert "nested too deeply" in (inbox / "rejected" / "nested.eml.reason.txt").read_text()
    assert not list(inbox.glob("*.eml"))
    assert [r["outcome"] for r in replies(app)] == ["rejected"]


def test_refresh_requests_in_a_row_send_one_copy_an_hour(app: Flask, meeting: dict[str, int]) -> None:
    """Anyone can write the invitee's address in From: a stream of REFRESH messages (or a client
    that answers every REQUEST with an old SEQUENCE) must not become a stream of mail to them."""
    for n in range(5):
        data = raw("rfc5546_refresh").replace(b"Message-ID: <", f"Message-ID: <again{n}-".encode(), 1)
        assert process(app, data).outcome == "refreshed"
    assert len(mails(app, "invitation_refresh")) == 1
    rows = replies(app)
    assert rows[0]["reason"] is None
    assert all("less than an hour ago" in r["reason"] for r in rows[1:])


def test_a_series_answer_with_one_morning_declined_is_applied_with_a_note(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    data = raw("thunderbird_accepted")
    start, end = data.index(b"BEGIN:VEVENT"), data.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")
    day_two = (data[start:end].replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED")
               .replace(b"RRULE:FREQ=DAILY;COUNT=2\r\n", b"RECURRENCE-ID;TZID=Europe/Brussels:20210526T093000\r\n"))
    assert process(app, data[:end] + day_two + data[end:]).outcome == "applied"
    assert states(app, meeting)[MARIE] == ("accepted", "accepted", "calendar")
    [listed] = organiser.get(f"/api/events/{reference_event}/replies").get_json()["replies"]
    assert "Also answered DECLINED for one morning" in listed["reason"]
    html = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    assert "Also answered DECLINED for one morning" in html


def test_a_refusal_quoting_the_personal_page_reads_in_one_language(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    assert process(app, raw("thunderbird_declined")).outcome == "applied"
    yes = with_sequence("thunderbird_accepted", 0)  # a yes after the no: the page would refuse it too
    refused = process(app, yes)
    assert (refused.outcome, refused.reason) == ("rejected", "Not applied: There is no invitation to accept.")
    organiser.get("/lang/ru?next=/")
    html = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    assert "Не применено: Нет приглашения, которое можно принять." in html


def test_the_answers_page_gives_each_time_in_the_events_zone_and_the_viewers(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    """Without ?tz= the viewer's zone is the browser's, added by the page's script (as on the mail
    page); it used to show the event's zone alone. Dates are said in the reader's language."""
    assert process(app, raw("outlook_accepted")).outcome == "applied"
    assert process(app, raw("rfc5546_counter")).outcome == "counter"
    page = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    # the answer, the two messages' arrival, and the proposal's start and end
    assert len(re.findall(r'class="viewer-time" data-for-utc="[^"]+"', page)) == 5
    assert re.search(r'<time datetime="[^"]+">\d+ \w+ 20\d\d, \d\d:\d\d Europe/Brussels</time>', page)
    assert "25 May 2021, 10:00 Europe/Brussels</time> – <time" in page  # Dilnoza's proposal
    asked = organiser.get(f"/organise/{reference_event}/replies?tz=Asia/Almaty").get_data(as_text=True)
    assert "viewer-time" not in asked
    assert "<small>25 May 2021, 14:00 Asia/Almaty – 25 May 2021, 17:00 Asia/Almaty</small>" in asked
    organiser.get("/lang/ru?next=/")
    russian = organiser.get(f"/organise/{reference_event}/replies?tz=Asia/Almaty").get_data(as_text=True)
    assert "25 мая 2021\u202fг., 10:00 Europe/Brussels" in russian and "May" not in russian


def test_the_answers_tables_break_only_what_others_wrote(
        app: Flask, meeting: dict[str, int], organiser: ApiActor, reference_event: str) -> None:
    """Both tables used every cell's overflow-wrap: anywhere ("календар|ь", "Europe/Brus|sels");
    in .table-wrap only addresses, subjects and reasons may break inside a word."""
    assert process(app, raw("wrong_sender")).outcome == "rejected"
    page = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    assert page.count('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="answers-h">\n'
                      '<table class="answers">') == 1
    assert page.count('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="replies-h">\n'
                      '<table class="replies">') == 1
    assert '<td class="data">assistant@example.org</td>' in page and '<td class="reason data">' in page
    css = organiser.get("/assets/app.css").get_data(as_text=True)
    assert ".table-wrap td.data { overflow-wrap: anywhere; }" in css


def test_an_answer_from_an_erased_participant_changes_nothing(app: Flask, meeting: dict[str, int]) -> None:
    from server.applications import erasure
    from server.extensions import db
    from server.models import Application

    with app.test_request_context():
        erasure.erase(db.session.get(Application, meeting[MARIE]))  # frees her seat: Wanda is invited
    before = states(app, meeting)
    assert before[MARIE][0] == "erased" and before[WAITING[0]][0] == "invited"
    for name in ("thunderbird_declined", "thunderbird_accepted"):
        assert process(app, raw(name)).outcome == "rejected"
    assert states(app, meeting) == before
    assert len([m for m in mails(app, "invitation") if m["to"] == WAITING[0]]) == 1
    assert {r["application_id"] for r in replies(app)} == {None}


def _with_header(data: bytes, header: str, message_id: str) -> bytes:
    """The fixture as our mail server would store it: its verdict on top, a Message-ID of its own."""
    body = re.sub(rb"(?im)^Message-ID:.*\r?\n", b"", data, count=1)
    return f"{header}\r\nMessage-ID: <{message_id}@test.example>\r\n".encode() + body


def test_a_decline_the_mail_server_could_not_confirm_is_kept_aside(app: Flask, meeting: dict[str, int],
                                                                   organiser: ApiActor,
                                                                   reference_event: str) -> None:
    """Anyone can write an invitee's address in a From line, and the meeting's UID is no secret:
    when our mail server says the sender failed DMARC (or SPF without a passing DKIM signature),
    the answer is kept aside with the reason and nobody's seat changes hands."""
    before = states(app, meeting)
    forged = process(app, _with_header(
        raw("thunderbird_declined"),
        "Authentication-Results: mx.convene.example; dkim=none; spf=softfail smtp.mailfrom=evil.example;\r\n"
        " DMARC=FAIL (p=NONE sp=NONE dis=NONE) header.from=example.fr", "forged-1"))
    assert forged.outcome == "rejected" and "DMARC failed" in forged.reason, forged
    spf_only = process(app, _with_header(
        raw("thunderbird_declined"),
        "Authentication-Results: mx.convene.example; spf=fail smtp.mailfrom=example.fr; dkim=fail", "forged-2"))
    assert spf_only.outcome == "rejected" and "SPF failed" in spf_only.reason, spf_only
    assert states(app, meeting) == before  # Marie still invited, nobody promoted
    listed = organiser.get(f"/api/events/{reference_event}/replies").get_json()["replies"]
    assert sorted(r["reason"] for r in listed if r["outcome"] == "rejected") == sorted([spf_only.reason, forged.reason])
    # A forwarded answer whose SPF broke on the way but whose DKIM signature holds is hers.
    forwarded = process(app, _with_header(
        raw("thunderbird_declined"),
        "Authentication-Results: mx.convene.example; spf=fail smtp.mailfrom=example.fr; dkim=pass header.d=example.fr;"
        " dmarc=pass", "genuine-1"))
    assert forwarded.outcome == "applied", forwarded
    assert states(app, meeting)[MARIE][0] == "declined"


def test_the_personal_page_says_the_calendar_answered_and_whom_to_tell(app: Flask, meeting: dict[str, int],
                                                                       client: Any) -> None:
    """Whoever answered in the person's name, the person sees it: on their page, that their
    calendar declined, when (in the meeting's zone), and the organisers' address."""
    from tests.support.applications import fresh_link

    assert process(app, raw("thunderbird_declined")).outcome == "applied"
    page = client.get(f"/p/{fresh_link(app, meeting[MARIE])}", headers={"Accept-Language": "en"})
    said = re.search(r'<p class="calendar-answer">(.*?)</p>', page.get_data(as_text=True), re.S)
    assert said, page.get_data(as_text=True)
    text = " ".join(said.group(1).split())
    assert re.fullmatch(r"Your calendar answered “declined” on \w+day \d{1,2} \w+ \d{4}, \d\d:\d\d \(Brussels\)\. "
                        r'Not you\? Tell the organisers: <a href="mailto:organiser@convene\.example">'
                        r"organiser@convene\.example</a>", text), text
    # An answer given on the page itself is not attributed to the calendar.
    from server.applications import lifecycle
    from server.extensions import db
    from server.models import Application

    with app.test_request_context():
        lifecycle.respond(db.session.get(Application, meeting[ANNA]), "accept")
    anna = client.get(f"/p/{fresh_link(app, meeting[ANNA])}").get_data(as_text=True)
    assert 'class="calendar-answer"' not in anna


def test_the_answers_page_says_what_each_message_asked_in_words(app: Flask, meeting: dict[str, int],
                                                                organiser: ApiActor, reference_event: str) -> None:
    """Organisers read "an answer: declined · to version 0 of the invitation", in their language,
    not iTIP's "REPLY DECLINED · SEQUENCE 0" (kept in the cell's data attributes for scripts)."""
    process(app, raw("thunderbird_declined"))
    process(app, raw("rfc5546_counter"))
    html = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    cells = [" ".join(c.split()) for c in re.findall(r'<td class="asked"[^>]*>(.*?)</td>', html, re.S)]
    assert "an answer: declined · to version 0 of the invitation" in cells, cells
    assert any(c.startswith("proposes another time") for c in cells), cells
    assert not any("SEQUENCE" in c or "REPLY" in c for c in cells), cells
    assert 'data-method="REPLY" data-partstat="DECLINED" data-sequence="0"' in html
    organiser.get("/lang/ru")
    russian = organiser.get(f"/organise/{reference_event}/replies").get_data(as_text=True)
    cells = [" ".join(c.split()) for c in re.findall(r'<td class="asked"[^>]*>(.*?)</td>', russian, re.S)]
    assert "ответ: отказался(-ась) · на версию приглашения 0" in cells, cells
