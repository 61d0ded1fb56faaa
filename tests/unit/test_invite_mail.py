"""The invitation mail's MIME layout, headers and escaping, read back the way a recipient's
mail client reads it (serialised with the SMTP policy, parsed again)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import SMTP
from email.policy import default as default_policy

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from server.core.calendar import (
    CalendarError,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
)
from server.core.invite_mail import (
    InviteKind,
    Mailbox,
    build_invitation_email,
    build_simple_email,
    describe_morning,
    make_message_id,
)

BXL = "Europe/Brussels"
NOW = datetime(2021, 5, 14, 8, 15, 42, tzinfo=UTC)
XSS = "<img src=x onerror=alert(1)>"
DOMAIN = "convene.example.org"


def meeting(
    status: MeetingStatus = MeetingStatus.CONFIRMED, title: str = "Study visit"
) -> MeetingInfo:
    return MeetingInfo(
        uid="meeting-7@convene.example.org",
        title=title,
        description=f"Bring your key questions.\n\nNotes {XSS} & more",
        organiser_name="Convene organising team",
        organiser_email="team@convene.example.org",
        zone=BXL,
        mornings=(
            Morning.local(date(2021, 5, 26), time(9, 30), time(12, 30), BXL),
            Morning.local(date(2021, 5, 25), time(9, 30), time(12, 30), BXL),
        ),
        public_url="https://convene.example.org/events/study-visit",
        status=status,
    )


def invitee(sequence: int = 0, name: str = f"Ana {XSS}") -> Invitee:
    return Invitee(
        id="app-42",
        name=name,
        email="ana@example.org",
        personal_url="https://convene.example.org/p/tok_abc?x=1&y=2",
        sequence=sequence,
    )


def received(msg: EmailMessage) -> EmailMessage:
    """What the recipient's client parses: the wire bytes, read back."""
    raw = msg.as_bytes(policy=SMTP)
    assert b"\r\n" in raw
    parsed = message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


def payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def layout(msg: EmailMessage) -> list[tuple[str, ...]]:
    return [
        (
            p.get_content_type(),
            str(p.get("Content-Transfer-Encoding", "")),
            str(p.get_content_disposition() or ""),
        )
        for p in msg.walk()
    ]


# ----------------------------------------------------------------- layout


@pytest.mark.parametrize(
    ("kind", "sequence", "method"),
    [
        (InviteKind.INVITATION, 0, "REQUEST"),
        (InviteKind.UPDATE, 1, "REQUEST"),
        (InviteKind.CANCELLATION, 2, "CANCEL"),
    ],
)
def test_mime_layout(kind: InviteKind, sequence: int, method: str) -> None:
    msg = received(
        build_invitation_email(meeting(), invitee(sequence), kind, now=NOW, domain=DOMAIN)
    )
    assert layout(msg) == [
        ("multipart/mixed", "", ""),
        ("multipart/alternative", "", ""),
        ("text/plain", "quoted-printable", ""),
        ("text/html", "quoted-printable", ""),
        ("text/calendar", "base64", ""),
        ("application/ics", "base64", "attachment"),
    ]
    parts = list(msg.walk())
    cal_part, attachment = parts[4], parts[5]
    assert cal_part.get_param("method") == method
    assert cal_part.get_param("charset") == "utf-8"
    assert attachment.get_filename() == "invite.ics"
    assert payload(cal_part) == payload(attachment)
    ics = payload(cal_part)
    assert f"METHOD:{method}\r\n".encode() in ics
    assert f"SEQUENCE:{sequence}\r\n".encode() in ics
    # both oracles accept what travels in the mail
    parsed = IcsCalendarStream.calendar_from_ics(ics.decode())
    assert parsed.events[0].uid == "meeting-7@convene.example.org"
    assert parsed.events[0].sequence == sequence
    vobject.readOne(ics.decode(), validate=True)
    # MIME-Version only at the top
    assert [p for p in parts[1:] if p.get("MIME-Version")] == []
    assert msg["MIME-Version"] == "1.0"


def test_headers_and_organizer_match() -> None:
    msg = received(
        build_invitation_email(meeting(), invitee(), InviteKind.INVITATION, now=NOW, domain=DOMAIN)
    )
    assert msg["From"].addresses[0].addr_spec == "team@convene.example.org"
    assert msg["From"].addresses[0].display_name == "Convene organising team"
    assert msg["To"].addresses[0].addr_spec == "ana@example.org"
    assert msg["Subject"] == "Invitation: Study visit"
    assert msg["Date"].datetime == NOW
    assert msg["Auto-Submitted"] == "auto-generated"
    ics = payload(list(msg.walk())[4]).decode()
    organizer = IcsCalendarStream.calendar_from_ics(ics).events[0].organizer
    assert organizer is not None
    assert organizer.uri == f"mailto:{msg['From'].addresses[0].addr_spec}"


def test_subjects_in_plain_language() -> None:
    def subject(kind: InviteKind, seq: int, status: MeetingStatus = MeetingStatus.CONFIRMED) -> str:
        m = build_invitation_email(meeting(status), invitee(seq), kind, now=NOW, domain=DOMAIN)
        return str(m["Subject"])

    assert subject(InviteKind.INVITATION, 0) == "Invitation: Study visit"
    assert subject(InviteKind.UPDATE, 1) == "Updated invitation: Study visit"
    assert subject(InviteKind.CANCELLATION, 2) == "Invitation withdrawn: Study visit"
    assert subject(InviteKind.CANCELLATION, 2, MeetingStatus.CANCELLED) == "Cancelled: Study visit"


def test_update_needs_higher_sequence() -> None:
    with pytest.raises(CalendarError, match="sequence"):
        build_invitation_email(meeting(), invitee(0), InviteKind.UPDATE, now=NOW, domain=DOMAIN)


def test_times_in_event_zone_and_utc() -> None:
    msg = received(
        build_invitation_email(meeting(), invitee(), InviteKind.INVITATION, now=NOW, domain=DOMAIN)
    )
    text = list(msg.walk())[2].get_content()
    html_text = list(msg.walk())[3].get_content()
    for body in (text, html_text):
        assert "Tuesday 25 May 2021, 09:30–12:30 CEST (UTC+02:00), Europe/Brussels time" in body
        assert "07:30–10:30 UTC" in body
        assert body.index("Tuesday 25 May") < body.index("Wednesday 26 May")
    assert "https://convene.example.org/p/tok_abc?x=1&y=2" in text


def test_describe_morning_winter_and_almaty() -> None:
    winter = Morning.local(date(2021, 12, 1), time(9, 30), time(12, 30), BXL)
    assert describe_morning(winter, BXL) == (
        "Wednesday 1 December 2021, 09:30–12:30 CET (UTC+01:00), Europe/Brussels time",
        "08:30–11:30 UTC",
    )
    almaty = Morning.local(date(2021, 5, 25), time(5, 0), time(8, 0), "Asia/Almaty")
    local, utc = describe_morning(almaty, "Asia/Almaty")
    assert local.startswith("Tuesday 25 May 2021, 05:00–08:00 +06 (UTC+06:00)")
    assert utc == "Monday 24 May 2021, 23:00–Tuesday 25 May 2021 02:00 UTC"


# ----------------------------------------------------------------- escaping


def test_html_escapes_every_user_string() -> None:
    m = meeting(title=f"Visit {XSS}")
    msg = received(
        build_invitation_email(
            m, invitee(name=f"Ana {XSS}"), InviteKind.INVITATION, now=NOW, domain=DOMAIN
        )
    )
    html_text = list(msg.walk())[3].get_content()
    assert "<img" not in html_text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert 'href="https://convene.example.org/p/tok_abc?x=1&amp;y=2"' in html_text
    text = list(msg.walk())[2].get_content()
    assert f"Dear Ana {XSS}," in text  # plain text shows it verbatim, harmlessly


def test_javascript_links_are_not_linked() -> None:
    bad = Invitee("app-1", "Bob", "bob@example.org", "javascript:alert(1)", 0)
    msg = received(
        build_invitation_email(meeting(), bad, InviteKind.INVITATION, now=NOW, domain=DOMAIN)
    )
    html_text = list(msg.walk())[3].get_content()
    assert 'href="javascript' not in html_text and "javascript:alert(1)" in html_text


def test_header_injection_is_neutralised() -> None:
    msg = build_invitation_email(
        meeting(title="Visit\r\nBcc: victim@example.org"),
        invitee(name="Eve\r\nBcc: x@example.org"),
        InviteKind.INVITATION,
        now=NOW,
        domain=DOMAIN,
    )
    raw = msg.as_bytes(policy=SMTP)
    assert b"\r\nBcc:" not in raw
    assert received(msg)["Bcc"] is None


# ----------------------------------------------------------------- Message-ID


def test_message_id_is_deterministic_per_idempotency_key() -> None:
    def mid(kind: InviteKind, seq: int, now: datetime = NOW, person: str = "app-42") -> str:
        inv = Invitee(person, "Ana", "ana@example.org", "https://x.example/p/1", seq)
        return str(
            build_invitation_email(meeting(), inv, kind, now=now, domain=DOMAIN)["Message-ID"]
        )

    first = mid(InviteKind.INVITATION, 0)
    assert re.fullmatch(r"<convene\.[0-9a-f]{32}@convene\.example\.org>", first)
    assert mid(InviteKind.INVITATION, 0, NOW + timedelta(hours=3)) == first  # retry: same id
    assert mid(InviteKind.UPDATE, 1) != first
    assert mid(InviteKind.CANCELLATION, 1) != mid(InviteKind.UPDATE, 1)  # method is in the key
    assert mid(InviteKind.INVITATION, 0, person="app-43") != first
    assert first == make_message_id(
        ("app-42", "meeting-7@convene.example.org", "0", "REQUEST"), DOMAIN
    )


def test_message_id_rejects_bad_domain() -> None:
    with pytest.raises(ValueError, match="domain"):
        make_message_id(("a",), "evil>\r\nX: y")


# ----------------------------------------------------------------- generic mail


def test_simple_email() -> None:
    kwargs = dict(
        sender=Mailbox("Convene team", "team@convene.example.org"),
        to=Mailbox(f"Ana {XSS}", "ana@example.org"),
        subject="We received your application",
        text=f"Dear Ana {XSS},\n\nThank you.\nWe reply by 14 May.",
        key=("application-received", "app-42"),
        domain=DOMAIN,
    )
    a = received(build_simple_email(now=NOW, **kwargs))  # type: ignore[arg-type]
    b = build_simple_email(now=NOW + timedelta(minutes=5), **kwargs)  # type: ignore[arg-type]
    assert str(a["Message-ID"]).strip() == str(b["Message-ID"])
    assert b"\r\nMessage-ID: <convene." in b.as_bytes(policy=SMTP)  # not folded
    assert [t for t, _, _ in layout(a)] == ["multipart/alternative", "text/plain", "text/html"]
    html_text = list(a.walk())[2].get_content()
    assert "<img" not in html_text and "&lt;img" in html_text
    assert "<p>Thank you.<br>We reply by 14 May.</p>" in html_text
    assert a["Date"].datetime == NOW
