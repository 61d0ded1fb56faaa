"""The pure reading and judging of calendar answers (server/core/replies.py), against the
client-shaped fixtures in tests/fixtures/replies/ and hostile bytes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.replies import (
    Action,
    InviteeState,
    Refused,
    envelope,
    judge,
    normalise_address,
    read_itip,
)
from tests.support.replies import PEOPLE, UID, nested, raw, with_sequence

EXPECTED = {
    "outlook_accepted": ("ACCEPTED", "Anna Petrova"),
    "outlook_declined_windows1251": ("DECLINED", "Иванов, Пётр"),
    "google_accepted": ("ACCEPTED", "Dilnoza Karimova"),
    "apple_tentative": ("TENTATIVE", "Jan de Vries"),
    "thunderbird_declined": ("DECLINED", "Marie Dubois-Lefèvre"),
}


def invited(email: str, sequence: int = 0, method: str = "REQUEST") -> InviteeState:
    return InviteeState(email=email, sequence=sequence, method=method)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_client_shape_is_read(name: str) -> None:
    email = PEOPLE[name][0]
    data = raw(name)
    env = envelope(data)
    reply = read_itip(data)
    assert env.sender == email and env.message_id and env.dedupe_key == f"mid:{env.message_id}"
    assert reply.method == "REPLY" and reply.uid == UID and reply.sequence == 0
    [answer] = reply.attendees
    assert (answer.email, answer.partstat, answer.name) == (email, *EXPECTED[name])


def test_verdicts_follow_the_answer() -> None:
    actions = {name: judge(read_itip(raw(name)), envelope(raw(name)).sender, invited(PEOPLE[name][0])).action
               for name in EXPECTED}
    assert actions == {"outlook_accepted": Action.ACCEPT, "outlook_declined_windows1251": Action.DECLINE,
                       "google_accepted": Action.ACCEPT, "apple_tentative": Action.TENTATIVE,
                       "thunderbird_declined": Action.DECLINE}


def test_sequences_older_newer_and_cancelled() -> None:
    marie = PEOPLE["thunderbird_declined"][0]
    yes = read_itip(raw("thunderbird_accepted"))
    assert judge(yes, marie, invited(marie, sequence=2)).action is Action.ASK_AGAIN
    assert judge(read_itip(raw("thunderbird_declined")), marie, invited(marie, 2)).action is Action.DECLINE
    with pytest.raises(Refused, match="never sent"):
        judge(read_itip(with_sequence("thunderbird_accepted", 3)), marie, invited(marie, 2))
    with pytest.raises(Refused, match="cancelled"):
        judge(yes, marie, invited(marie, 2, method="CANCEL"))


def test_only_the_invitee_answers_for_themselves() -> None:
    data = raw("wrong_sender")
    anna = "anna.petrova@example.org"
    with pytest.raises(Refused, match="not from the invitee's address"):
        judge(read_itip(data), envelope(data).sender, invited(anna))
    with pytest.raises(Refused, match="No ATTENDEE"):
        judge(read_itip(data), anna, invited("someone.else@example.org"))


def test_refresh_and_counter() -> None:
    refresh = read_itip(raw("rfc5546_refresh"))
    assert judge(refresh, "anna.petrova@example.org", invited("Anna.Petrova@example.org")).action is Action.REFRESH
    counter = read_itip(raw("rfc5546_counter"))
    assert counter.proposed_start == datetime(2021, 5, 25, 8, 0, tzinfo=UTC)
    assert counter.proposed_end == datetime(2021, 5, 25, 11, 0, tzinfo=UTC)
    assert "Tashkent" in counter.comment
    assert judge(counter, "dilnoza.karimova@gmail.com",
                 invited("dilnoza.karimova@gmail.com")).action is Action.COUNTER


@pytest.mark.parametrize(("name", "reason"), [
    ("malformed", "cannot be read"), ("no_calendar", "carries no calendar"),
])
def test_unreadable_messages_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        read_itip(raw(name))
    assert envelope(raw(name)).sender == "anna.petrova@example.org"


def test_a_message_nested_thousands_deep_is_refused_not_a_crash() -> None:
    """A 200 kB mail of nested multiparts made Python's parser raise RecursionError: the message
    was never recorded, so every poll read it again and logged the traceback, for ever."""
    data = nested(3000)
    assert len(data) < 300_000
    assert envelope(data).sender == "anna.petrova@example.org"
    assert envelope(data).message_id == "<nested-1@example.org>"
    with pytest.raises(Refused, match="nested too deeply"):
        read_itip(data)


def test_a_message_without_message_id_is_keyed_by_its_bytes() -> None:
    data = raw("no_calendar").replace(b"Message-ID: <thanks-1@example.org>\r\n", b"")
    assert envelope(data).dedupe_key.startswith("sha256:")
    assert envelope(data).dedupe_key == envelope(data).dedupe_key
    assert envelope(data + b"x").dedupe_key != envelope(data).dedupe_key


def test_addresses_are_normalised() -> None:
    assert normalise_address("MAILTO:Ana@Example.ORG") == "ana@example.org"
    assert normalise_address("mailto:ana@example.org") == "ana@example.org"
    assert normalise_address('"Ana, B" <Ana@Example.org>') == "ana@example.org"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_an_envelope_or_a_refusal(data: bytes) -> None:
    env = envelope(data)
    assert env.dedupe_key
    try:
        reply = read_itip(data)
    except Refused as refused:
        assert refused.reason
    else:
        assert reply.method in ("REPLY", "REFRESH", "COUNTER")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_calendar_text_gives_a_reading_or_a_refusal(text: str) -> None:
    data = ("From: a@b.c\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n"
            "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n" + text + "\r\nEND:VCALENDAR\r\n").encode()
    try:
        read_itip(data)
    except Refused as refused:
        assert refused.reason


def test_an_answer_for_one_morning_only_is_kept_aside() -> None:
    data = raw("thunderbird_declined").replace(
        b"RRULE:FREQ=DAILY;COUNT=2\r\n", b"RECURRENCE-ID;TZID=Europe/Brussels:20210526T093000\r\n")
    with pytest.raises(Refused, match="one morning only"):
        read_itip(data)


def test_the_read_marker_falls_back_to_seen_without_keywords() -> None:
    from server.replies.mailbox import READ_FLAG, read_marker

    assert read_marker((b"\\Answered", b"\\Seen", b"\\*")) == READ_FLAG
    assert read_marker((b"\\Answered", b"\\Flagged", b"\\Deleted", b"\\Seen", b"\\Draft")) == b"\\Seen"
    assert read_marker(None) == b"\\Seen"


@pytest.mark.parametrize("header", [
    # an encoded word that decodes to an address: the address is Mallory's, DMARC checks hers
    b"=?utf-8?q?marie.dubois=40example.fr?= <mallory@evil.example>",
    b"=?utf-8?b?bWFyaWUuZHVib2lzQGV4YW1wbGUuZnIs?= <mallory@evil.example>",  # "marie.dubois@example.fr,"
    # two authors, one of them someone else
    b"marie.dubois@example.fr, mallory@evil.example",
    b"=?utf-8?q?marie.dubois=40example.fr?=",
])
def test_a_from_header_that_only_looks_like_the_invitee_is_not_them(header: bytes) -> None:
    marie = PEOPLE["thunderbird_declined"][0]
    data = raw("thunderbird_accepted").replace(
        "From: Marie Dubois-Lefèvre <marie.dubois@example.fr>".encode(), b"From: " + header)
    sender = envelope(data).sender
    assert sender != marie
    with pytest.raises(Refused, match="not from the invitee's address"):
        judge(read_itip(data), sender, invited(marie))


def test_two_from_headers_name_no_sender() -> None:
    data = raw("thunderbird_accepted").replace(
        b"To: organiser@convene.example", b"From: mallory@evil.example\r\nTo: organiser@convene.example")
    assert envelope(data).sender == ""
    # ... while an 8-bit display name, an encoded one and a quoted comma still give the address
    assert envelope(raw("thunderbird_accepted")).sender == "marie.dubois@example.fr"
    assert envelope(raw("outlook_declined_windows1251")).sender == "p.ivanov@example.kz"
    quoted = raw("thunderbird_accepted").replace("Marie Dubois-Lefèvre <".encode(), b'"Dubois, Marie" <')
    assert envelope(quoted).sender == "marie.dubois@example.fr"


def test_long_message_ids_are_keyed_whole_and_every_text_is_storable() -> None:
    base = raw("thunderbird_accepted")
    one = envelope(base.replace(b"Message-ID: <", b"Message-ID: <" + b"x" * 400 + b"1", 1))
    two = envelope(base.replace(b"Message-ID: <", b"Message-ID: <" + b"x" * 400 + b"2", 1))
    assert one.dedupe_key != two.dedupe_key and len(one.dedupe_key) <= 300
    assert one.message_id is not None and len(one.message_id) <= 300
    with pytest.raises(Refused, match="too large") as refused:
        read_itip(base.replace(b"SEQUENCE:0\r\n", b"SEQUENCE:2147483648\r\n"))
    assert refused.value.params == {"value": "2147483648"}
    assert read_itip(base.replace(b"SEQUENCE:0\r\n", b"SEQUENCE:2147483647\r\n")).sequence == 2**31 - 1
    nul = envelope(base.replace(b"Subject: Accepted", b"Subject: \xff\x00Accepted"))
    assert "\x00" not in nul.subject and nul.subject.encode("utf-8")
    with pytest.raises(Refused) as refused:
        read_itip(base.replace(b"SEQUENCE:0\r\n", b"SEQUENCE:\x00\xff\r\n"))
    assert "\x00" not in refused.value.reason and refused.value.reason.encode("utf-8")


def test_two_answers_to_the_whole_meeting_in_one_message_are_kept_aside() -> None:
    data = raw("thunderbird_accepted")
    start, end = data.index(b"BEGIN:VEVENT"), data.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")
    no = data[start:end].replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED")
    for twice in (data[:end] + no + data[end:], data[:start] + no + data[start:]):
        with pytest.raises(Refused, match="2 answers to the whole meeting"):
            read_itip(twice)


def test_polls_missed_during_a_worker_outage_are_not_run_one_after_another() -> None:
    from worker.celery_app import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["read-replies"]
    assert 0 < entry["options"]["expires"] <= entry["schedule"]


def test_an_answer_older_than_the_one_recorded_is_kept_aside() -> None:
    marie = PEOPLE["thunderbird_declined"][0]
    no_to_v0 = read_itip(raw("thunderbird_declined"))
    state = InviteeState(email=marie, sequence=2, method="REQUEST", answered_sequence=1)
    with pytest.raises(Refused, match="has since answered SEQUENCE 1"):
        judge(no_to_v0, marie, state)
    assert judge(no_to_v0, marie, InviteeState(marie, 2, "REQUEST", answered_sequence=0)).action is Action.DECLINE
    refresh = read_itip(raw("rfc5546_refresh"))  # not an answer: never stale
    anna = "anna.petrova@example.org"
    assert judge(refresh, anna, InviteeState(anna, 2, "REQUEST", answered_sequence=2)).action is Action.REFRESH


def test_an_answer_for_one_morning_beside_the_whole_meetings_is_shown_not_applied() -> None:
    data = raw("thunderbird_accepted")
    start, end = data.index(b"BEGIN:VEVENT"), data.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")
    day_two = (data[start:end].replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED")
               .replace(b"RRULE:FREQ=DAILY;COUNT=2\r\n", b"RECURRENCE-ID;TZID=Europe/Brussels:20210526T093000\r\n"))
    marie = PEOPLE["thunderbird_declined"][0]
    verdict = judge(read_itip(data[:end] + day_two + data[end:]), marie, invited(marie))
    assert verdict.action is Action.ACCEPT
    assert verdict.note is not None and verdict.note.params == {"answer": "DECLINED", "when": "20210526T093000"}
    same = day_two.replace(b"PARTSTAT=DECLINED", b"PARTSTAT=ACCEPTED")
    assert judge(read_itip(data[:end] + same + data[end:]), marie, invited(marie)).note is None


@pytest.mark.parametrize(("name", "tzid"), [
    ("outlook_accepted", '"W. Europe Standard Time"'),  # Windows zone name with its own VTIMEZONE
    ("thunderbird_accepted", "Europe/Brussels"),          # Olson name
    ("thunderbird_accepted", "/mozilla.org/20050126_1/Europe/Brussels"),  # old Lightning's prefixed form
])
def test_a_counter_in_each_tzid_form_is_read_in_utc(name: str, tzid: str) -> None:
    """A proposal of 10:00-13:00 on 25 May in Brussels is 08:00-11:00 UTC in every TZID form."""
    import warnings
    from email import message_from_bytes
    from email.policy import default

    message = message_from_bytes(raw(name), policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = str(part.get_content()).replace("\r\n ", "").replace("METHOD:REPLY", "METHOD:COUNTER")
    calendar = re.sub(r"DTSTART;TZID=[^:]+:20210525T093000", f"DTSTART;TZID={tzid}:20210525T100000", calendar)
    calendar = re.sub(r"DTEND;TZID=[^:]+:20210525T123000", f"DTEND;TZID={tzid}:20210525T130000", calendar)
    if "/mozilla.org/" in tzid:  # the VTIMEZONE is written under the same prefixed name
        calendar = calendar.replace("TZID:Europe/Brussels", f"TZID:{tzid}")
    data = (f"From: someone@example.org\r\nMessage-ID: <counter-{name}@example.org>\r\n"
            "Content-Type: text/calendar; method=COUNTER; charset=utf-8\r\n\r\n" + calendar).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar says when it guesses a prefixed TZID
        counter = read_itip(data)
    assert (counter.proposed_start, counter.proposed_end) == (
        datetime(2021, 5, 25, 8, 0, tzinfo=UTC), datetime(2021, 5, 25, 11, 0, tzinfo=UTC))


@pytest.mark.parametrize(("headers", "said"), [
    ([], ""),
    (["mx.example; dmarc=pass header.from=example.org"], ""),
    (["mx.example; dmarc=fail header.from=example.org"], "dmarc"),
    (["mx.example;\r\n DMARC = Fail (p=none)"], "dmarc"),
    (["mx.example; spf=fail smtp.mailfrom=example.org"], "spf"),
    (["mx.example; spf=fail smtp.mailfrom=example.org; dkim=pass header.d=example.org"], ""),
    (["mx.example; spf=softfail smtp.mailfrom=example.org"], ""),  # softfail is no verdict
    (["mx.example; dkim=pass", "relay.example; dmarc=fail"], "dmarc"),  # any hop's failure
    (["mx.example; none"], ""),
])
def test_only_a_receiving_servers_failure_marks_a_sender_unconfirmed(headers: list[str], said: str) -> None:
    from email.message import Message

    from server.core.replies import sender_unconfirmed

    msg = Message()
    for header in headers:
        msg["Authentication-Results"] = header
    assert sender_unconfirmed(msg) == said
