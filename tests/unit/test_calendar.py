"""Calendar building, checked by independent parsers (ical: strict; vobject: validating;
dateutil.tz.tzical: reads our VTIMEZONE alone) rather than by icalendar, which wrote it."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
import vobject
from dateutil import tz as dtz
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

from server.core.calendar import (
    AgendaEntry,
    CalendarError,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
    RoomEntry,
    build_cancel,
    build_personal_feed,
    build_public_feed,
    build_request,
    build_vtimezone,
    feed_etag,
)

BXL = "Europe/Brussels"
NOW = datetime(2021, 5, 14, 8, 15, 42, 123456, tzinfo=UTC)
XSS = "<img src=x onerror=alert(1)>"


def meeting(
    zone: str = BXL,
    days: tuple[date, ...] = (date(2021, 5, 25), date(2021, 5, 26)),
    times: tuple[tuple[time, time], ...] | None = None,
    status: MeetingStatus = MeetingStatus.CONFIRMED,
) -> MeetingInfo:
    times = times or tuple((time(9, 30), time(12, 30)) for _ in days)
    return MeetingInfo(
        uid="meeting-7@convene.example.org",
        title="Study visit: returning foreign terrorist fighters, families",
        description="Two online mornings; bring your three key questions; agenda follows.",
        organiser_name="Convene organising team",
        organiser_email="team@convene.example.org",
        zone=zone,
        mornings=tuple(Morning.local(d, s, e, zone) for d, (s, e) in zip(days, times, strict=True)),
        public_url="https://convene.example.org/events/study-visit",
        status=status,
    )


def invitee(sequence: int = 0, name: str = "Aïgerim Nurlanovna") -> Invitee:
    return Invitee(
        id="app-42",
        name=name,
        email="aigerim@example.kz",
        personal_url="https://convene.example.org/p/tok_abc123",
        sequence=sequence,
    )


# ----------------------------------------------------------------- oracle helpers


def ical_instances(body: bytes) -> list[tuple[datetime, datetime, str]]:
    cal = IcsCalendarStream.calendar_from_ics(body.decode())
    return [
        (ev.dtstart.astimezone(UTC), ev.dtend.astimezone(UTC), ev.uid)  # type: ignore[union-attr]
        for ev in cal.timeline_tz(UTC)
    ]


def vobject_starts(body: bytes) -> list[datetime]:
    cal = vobject.readOne(body.decode(), validate=True)
    starts: list[datetime] = []
    masters = [e for e in cal.vevent_list if not hasattr(e, "recurrence_id")]
    for ev in masters:
        rset = ev.getrruleset(addRDate=True)
        if rset is None:  # not recurring
            starts.append(ev.dtstart.value.astimezone(UTC))
        else:
            starts.extend(d.astimezone(UTC) for d in rset)
    return sorted(starts)


def unfold(body: bytes) -> str:
    return body.decode().replace("\r\n ", "")


def props(body: bytes, name: str) -> list[str]:
    return [ln for ln in unfold(body).split("\r\n") if re.match(rf"{name}[;:]", ln)]


def vtimezone_text(body: bytes) -> str:
    m = re.search(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", unfold(body), re.S)
    assert m, "no VTIMEZONE"
    return m.group(0)


# ----------------------------------------------------------------- the reference meeting


def test_reference_meeting_both_oracles_agree_on_utc_times() -> None:
    body = build_request(meeting(), invitee(), NOW)
    expected = [datetime(2021, 5, 25, 7, 30, tzinfo=UTC), datetime(2021, 5, 26, 7, 30, tzinfo=UTC)]
    got = ical_instances(body)
    assert [s for s, _, _ in got] == expected
    assert [e for _, e, _ in got] == [d + timedelta(hours=3) for d in expected]
    assert {u for _, _, u in got} == {"meeting-7@convene.example.org"}
    assert vobject_starts(body) == expected


def test_reference_meeting_is_one_daily_series_in_local_time() -> None:
    body = build_request(meeting(), invitee(), NOW)
    assert sorted(props(body, "RRULE")) == [
        "RRULE:FREQ=DAILY;COUNT=2",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    ]
    assert props(body, "DTSTART").count("DTSTART;TZID=Europe/Brussels:20210525T093000") == 1
    assert "DTEND;TZID=Europe/Brussels:20210525T123000" in props(body, "DTEND")
    assert unfold(body).count("BEGIN:VEVENT") == 1
    assert len(set(props(body, "UID"))) == 1


def test_winter_meeting_is_utc_plus_one() -> None:
    m = meeting(days=(date(2021, 12, 1), date(2021, 12, 2)))
    body = build_request(m, invitee(), NOW)
    expected = [datetime(2021, 12, 1, 8, 30, tzinfo=UTC), datetime(2021, 12, 2, 8, 30, tzinfo=UTC)]
    assert [s for s, _, _ in ical_instances(body)] == expected
    assert vobject_starts(body) == expected


def test_series_across_dst_change_keeps_local_time() -> None:
    # 27-28 March 2021: Brussels switches to summer time in the night to 28 March.
    m = meeting(days=(date(2021, 3, 27), date(2021, 3, 28)))
    body = build_request(m, invitee(), NOW)
    expected = [datetime(2021, 3, 27, 8, 30, tzinfo=UTC), datetime(2021, 3, 28, 7, 30, tzinfo=UTC)]
    assert [s for s, _, _ in ical_instances(body)] == expected
    assert vobject_starts(body) == expected
    assert "RRULE:FREQ=DAILY;COUNT=2" in props(body, "RRULE")


def test_almaty_fixed_offset_zone() -> None:
    m = meeting(zone="Asia/Almaty")
    body = build_request(m, invitee(), NOW)
    expected = [datetime(2021, 5, 25, 3, 30, tzinfo=UTC), datetime(2021, 5, 26, 3, 30, tzinfo=UTC)]
    assert [s for s, _, _ in ical_instances(body)] == expected
    assert vobject_starts(body) == expected
    vtz = vtimezone_text(body)
    assert "TZOFFSETTO:+0600" in vtz and "RDATE" not in vtz
    assert "DTSTART;TZID=Asia/Almaty:20210525T093000" in props(body, "DTSTART")


def test_irregular_zone_falls_back_to_utc() -> None:
    # Asia/Almaty moved from UTC+6 to UTC+5 on 1 March 2024: no yearly rule describes 2024.
    m = meeting(zone="Asia/Almaty", days=(date(2024, 5, 21), date(2024, 5, 22)))
    body = build_request(m, invitee(), NOW)
    assert "BEGIN:VTIMEZONE" not in body.decode()
    assert "DTSTART:20240521T043000Z" in props(body, "DTSTART")
    expected = [datetime(2024, 5, 21, 4, 30, tzinfo=UTC), datetime(2024, 5, 22, 4, 30, tzinfo=UTC)]
    assert [s for s, _, _ in ical_instances(body)] == expected
    assert vobject_starts(body) == expected


def test_non_consecutive_and_different_times_still_one_uid() -> None:
    m = meeting(
        days=(date(2021, 5, 25), date(2021, 5, 27), date(2021, 5, 28)),
        times=(
            (time(9, 30), time(12, 30)),
            (time(9, 30), time(12, 30)),
            (time(10, 0), time(13, 0)),
        ),
    )
    body = build_request(m, invitee(), NOW)
    text = unfold(body)
    assert "RDATE" not in text
    assert "RRULE:FREQ=DAILY;COUNT=4" in props(body, "RRULE")
    assert props(body, "EXDATE") == ["EXDATE;TZID=Europe/Brussels:20210526T093000"]
    assert props(body, "RECURRENCE-ID") == ["RECURRENCE-ID;TZID=Europe/Brussels:20210528T093000"]
    assert len(set(props(body, "UID"))) == 1
    got = ical_instances(body)
    assert [(s, e) for s, e, _ in got] == [
        (datetime(2021, 5, 25, 7, 30, tzinfo=UTC), datetime(2021, 5, 25, 10, 30, tzinfo=UTC)),
        (datetime(2021, 5, 27, 7, 30, tzinfo=UTC), datetime(2021, 5, 27, 10, 30, tzinfo=UTC)),
        (datetime(2021, 5, 28, 8, 0, tzinfo=UTC), datetime(2021, 5, 28, 11, 0, tzinfo=UTC)),
    ]
    # vobject expands the master only (it does not apply overrides): EXDATE honoured.
    assert vobject_starts(body) == [
        datetime(2021, 5, 25, 7, 30, tzinfo=UTC),
        datetime(2021, 5, 27, 7, 30, tzinfo=UTC),
        datetime(2021, 5, 28, 7, 30, tzinfo=UTC),
    ]


def test_single_morning_has_no_rrule() -> None:
    body = build_request(meeting(days=(date(2021, 5, 25),)), invitee(), NOW)
    assert not [p for p in props(body, "RRULE") if "DAILY" in p]
    assert len(ical_instances(body)) == 1


def test_two_mornings_same_day_refused() -> None:
    with pytest.raises(CalendarError, match="same day"):
        build_request(
            meeting(
                days=(date(2021, 5, 25), date(2021, 5, 25)),
                times=((time(9, 0), time(10, 0)), (time(14, 0), time(15, 0))),
            ),
            invitee(),
            NOW,
        )


def test_naive_and_missing_local_times_refused() -> None:
    with pytest.raises(CalendarError, match="aware"):
        Morning(datetime(2021, 5, 25, 9, 30), datetime(2021, 5, 25, 12, 30))
    with pytest.raises(CalendarError, match="missing"):
        Morning.local(date(2021, 3, 28), time(2, 30), time(4, 0), BXL)
    with pytest.raises(CalendarError, match="zone"):
        meeting(zone="Europe/Atlantis")


# ----------------------------------------------------------------- VTIMEZONE


def test_vtimezone_is_rule_based() -> None:
    vtz = vtimezone_text(build_request(meeting(), invitee(), NOW))
    assert "RDATE" not in vtz
    assert vtz.count("BEGIN:STANDARD") == 1 and vtz.count("BEGIN:DAYLIGHT") == 1
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in vtz
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in vtz
    assert "DTSTART:19700329T020000" in vtz and "DTSTART:19701025T030000" in vtz
    assert "TZNAME:CEST" in vtz and "TZNAME:CET" in vtz


ZONES = [
    "Europe/Brussels",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Helsinki",
    "Europe/Kyiv",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Bishkek",
    "Asia/Dushanbe",
    "Asia/Ashgabat",
    "Asia/Tehran",
    "Asia/Jerusalem",
    "Africa/Casablanca",
    "Asia/Kolkata",
    "UTC",
]


def _check_vtimezone_against_zoneinfo(zone: str, year: int) -> None:
    vtz = build_vtimezone(zone, [year])
    if vtz is None:
        return  # caller writes UTC: nothing to be wrong about
    text = vtz.to_ical().decode()
    assert "RDATE" not in text
    body = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{text}END:VCALENDAR\r\n"
    dateutil_tz = dtz.tzical(io.StringIO(text)).get()
    ical_tz = IcsTimezoneInfo.from_timezone(IcsCalendarStream.calendar_from_ics(body).timezones[0])
    # ical 14.3's own VTIMEZONE evaluator ignores an observance that has no RRULE (its
    # rruleset then yields nothing, not even DTSTART), although RFC 5545 makes DTSTART the
    # onset. A fixed-offset zone is one such observance, so ical only checks rule-based ones.
    check_ical = "RRULE" in text
    zi = ZoneInfo(zone)
    day = date(year, 1, 1)
    while day.year == year:
        for hour in (6, 12, 18):
            naive = datetime.combine(day, time(hour))
            want = naive.replace(tzinfo=zi).utcoffset()
            assert naive.replace(tzinfo=dateutil_tz).utcoffset() == want, (zone, naive)
            if check_ical:
                assert ical_tz.utcoffset(naive) == want, (zone, naive)
        day += timedelta(days=1)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("year", [2021, 2025])
def test_vtimezone_matches_zoneinfo_all_year(zone: str, year: int) -> None:
    _check_vtimezone_against_zoneinfo(zone, year)


def test_known_zones_get_rules_not_utc() -> None:
    for zone in ("Europe/Brussels", "America/New_York", "Australia/Sydney", "Europe/London"):
        vtz = build_vtimezone(zone, [2021])
        assert vtz is not None and "RRULE" in vtz.to_ical().decode(), zone
    for zone in ("Asia/Tashkent", "Asia/Bishkek", "Asia/Almaty"):
        vtz = build_vtimezone(zone, [2021])
        assert vtz is not None and "RRULE" not in vtz.to_ical().decode(), zone


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(sorted(available_timezones())),
    year=st.integers(min_value=2000, max_value=2030),
)
def test_vtimezone_any_zone_is_right_or_absent(zone: str, year: int) -> None:
    _check_vtimezone_against_zoneinfo(zone, year)


# ----------------------------------------------------------------- REQUEST / CANCEL


def test_request_properties() -> None:
    body = build_request(meeting(), invitee(sequence=3), NOW)
    text = unfold(body)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert props(body, "METHOD") == ["METHOD:REQUEST"]
    assert props(body, "UID") == ["UID:meeting-7@convene.example.org"]
    assert props(body, "SEQUENCE") == ["SEQUENCE:3"]
    assert props(body, "DTSTAMP") == ["DTSTAMP:20210514T081542Z"]
    assert props(body, "STATUS") == ["STATUS:CONFIRMED"]
    assert props(body, "ORGANIZER") == [
        'ORGANIZER;CN="Convene organising team":mailto:team@convene.example.org'
    ]
    (att,) = props(body, "ATTENDEE")
    for param in (
        'CN="Aïgerim Nurlanovna"',
        "ROLE=REQ-PARTICIPANT",
        "PARTSTAT=NEEDS-ACTION",
        "RSVP=TRUE",
    ):
        assert param in att
    assert att.endswith(":mailto:aigerim@example.kz")
    personal = "https://convene.example.org/p/tok_abc123"
    assert props(body, "URL") == [f"URL:{personal}"]
    assert props(body, "LOCATION") == [f"LOCATION:{personal}"]
    assert personal in props(body, "DESCRIPTION")[0]
    # strict oracle sees organiser, attendee and sequence
    cal = IcsCalendarStream.calendar_from_ics(body.decode())
    ev = cal.events[0]
    assert ev.sequence == 3
    assert ev.organizer is not None and ev.organizer.uri == "mailto:team@convene.example.org"
    assert [a.uri for a in ev.attendees] == ["mailto:aigerim@example.kz"]


def test_dtstamp_is_fresh_per_send_and_uid_stable() -> None:
    a = build_request(meeting(), invitee(0), NOW)
    b = build_request(meeting(), invitee(1), NOW + timedelta(days=2))
    assert props(a, "UID") == props(b, "UID")
    assert props(a, "DTSTAMP") != props(b, "DTSTAMP")
    assert props(b, "SEQUENCE") == ["SEQUENCE:1"]


def test_names_cannot_break_the_calendar() -> None:
    nasty = f'Eve "quoted"\r\nATTENDEE:mailto:x@evil {XSS}; ROLE=CHAIR'
    body = build_request(meeting(), invitee(name=nasty), NOW)
    (att,) = props(body, "ATTENDEE")
    assert att.endswith(":mailto:aigerim@example.kz")
    cal = IcsCalendarStream.calendar_from_ics(body.decode())
    assert [a.uri for a in cal.events[0].attendees] == ["mailto:aigerim@example.kz"]
    vobject.readOne(body.decode(), validate=True)


def test_cancel_properties() -> None:
    body = build_cancel(meeting(), invitee(sequence=4), NOW)
    assert props(body, "METHOD") == ["METHOD:CANCEL"]
    assert props(body, "STATUS") == ["STATUS:CANCELLED"]
    assert props(body, "UID") == ["UID:meeting-7@convene.example.org"]
    assert props(body, "SEQUENCE") == ["SEQUENCE:4"]
    (att,) = props(body, "ATTENDEE")
    assert att.endswith(":mailto:aigerim@example.kz") and "RSVP" not in att
    assert props(body, "ORGANIZER")
    assert "RECURRENCE-ID" not in body.decode()
    cal = IcsCalendarStream.calendar_from_ics(body.decode())
    assert str(cal.events[0].status).upper().endswith("CANCELLED")
    vobject.readOne(body.decode(), validate=True)


def test_cancelled_meeting_cannot_be_requested_but_can_be_cancelled() -> None:
    m = meeting(status=MeetingStatus.CANCELLED)
    with pytest.raises(CalendarError, match="CANCEL"):
        build_request(m, invitee(), NOW)
    assert props(build_cancel(m, invitee(1), NOW), "STATUS") == ["STATUS:CANCELLED"]


# ----------------------------------------------------------------- feeds

LAST_MOD = datetime(2021, 5, 20, 16, 0, 5, tzinfo=UTC)


def agenda() -> list[AgendaEntry]:
    d1 = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)
    return [
        AgendaEntry(
            "item-2@convene.example.org",
            "Q&A",
            d1 + timedelta(hours=1),
            d1 + timedelta(hours=2),
            "Questions, answers",
            "qa",
        ),
        AgendaEntry(
            "item-1@convene.example.org",
            "Welcome; country presentations",
            d1,
            d1 + timedelta(hours=1),
            "",
            "presentation",
        ),
        AgendaEntry(
            "item-3@convene.example.org",
            "Break-out round 1",
            d1 + timedelta(days=1),
            d1 + timedelta(days=1, hours=1),
            "",
            "breakout",
        ),
    ]


def test_public_feed() -> None:
    body = build_public_feed(
        meeting(),
        agenda(),
        LAST_MOD,
        feed_url="https://convene.example.org/events/study-visit/agenda.ics",
    )
    text = unfold(body)
    assert props(body, "METHOD") == []
    assert "ORGANIZER" not in text and "ATTENDEE" not in text and "mailto:" not in text
    assert "tok_abc123" not in text
    assert props(body, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert props(body, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]
    assert props(body, "X-WR-CALNAME") == [
        f"X-WR-CALNAME:{meeting().title.replace(',', chr(92) + ',')}"
    ]
    assert props(body, "X-WR-TIMEZONE") == ["X-WR-TIMEZONE:Europe/Brussels"]
    assert props(body, "DTSTAMP") == ["DTSTAMP:20210520T160005Z"] * 3
    assert "DTSTART;TZID=Europe/Brussels:20210525T093000" in props(body, "DTSTART")
    got = ical_instances(body)
    assert [u for _, _, u in got] == [
        "item-1@convene.example.org",
        "item-2@convene.example.org",
        "item-3@convene.example.org",
    ]
    assert got[0][0] == datetime(2021, 5, 25, 7, 30, tzinfo=UTC)
    assert vobject_starts(body)[0] == datetime(2021, 5, 25, 7, 30, tzinfo=UTC)


def test_public_feed_shows_cancellation() -> None:
    body = build_public_feed(meeting(status=MeetingStatus.CANCELLED), agenda(), LAST_MOD)
    assert set(props(body, "STATUS")) == {"STATUS:CANCELLED"}


def test_feed_bytes_and_etag_are_stable() -> None:
    a = build_public_feed(meeting(), agenda(), LAST_MOD)
    b = build_public_feed(meeting(), list(reversed(agenda())), LAST_MOD)
    assert a == b and feed_etag(a) == feed_etag(b)
    assert re.fullmatch(r'"[0-9a-f]{32}"', feed_etag(a))
    c = build_public_feed(meeting(), agenda(), LAST_MOD + timedelta(seconds=1))
    assert feed_etag(c) != feed_etag(a)


def test_personal_feed() -> None:
    d1 = datetime(2021, 5, 25, 9, 0, tzinfo=UTC)
    rooms = [
        RoomEntry(
            "round-1-app-42@convene.example.org",
            "Break-out round 1",
            "Room 3: prison & probation",
            "https://video.example.org/r3",
            d1,
            d1 + timedelta(minutes=45),
        ),
        RoomEntry(
            "round-2-app-42@convene.example.org",
            "Break-out round 2",
            "Room 5",
            "https://video.example.org/r5",
            d1 + timedelta(days=1),
            d1 + timedelta(days=1, minutes=45),
        ),
    ]
    body = build_personal_feed(meeting(), invitee(), rooms, LAST_MOD)
    assert props(body, "METHOD") == []
    assert props(body, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert props(body, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]
    got = ical_instances(body)
    starts = [s for s, _, _ in got]
    assert starts == [
        datetime(2021, 5, 25, 7, 30, tzinfo=UTC),
        datetime(2021, 5, 25, 9, 0, tzinfo=UTC),
        datetime(2021, 5, 26, 7, 30, tzinfo=UTC),
        datetime(2021, 5, 26, 9, 0, tzinfo=UTC),
    ]
    uids = {u for _, _, u in got}
    assert "meeting-7@convene.example.org" not in uids  # the invitation's UID is not reused
    assert "feed-meeting-7@convene.example.org" in uids
    assert "URL:https://video.example.org/r3" in props(body, "URL")
    assert any(
        "Room 3: prison & probation" in p and "video.example.org/r3" in p
        for p in props(body, "LOCATION")
    )
    assert vobject_starts(body) == starts
    assert feed_etag(body) == feed_etag(build_personal_feed(meeting(), invitee(), rooms, LAST_MOD))
    cancelled = build_personal_feed(meeting(), invitee(), rooms, LAST_MOD, cancelled=True)
    assert set(props(cancelled, "STATUS")) == {"STATUS:CANCELLED"}


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(min_value=date(2021, 3, 20), max_value=date(2021, 11, 5)),
    offsets=st.sets(st.integers(min_value=1, max_value=9), max_size=3),
    slots=st.lists(
        st.tuples(
            st.integers(min_value=6, max_value=14), st.sampled_from([0, 30]), st.integers(1, 4)
        ),
        min_size=4,
        max_size=4,
    ),
    zone=st.sampled_from([BXL, "Asia/Almaty", "America/New_York"]),
)
def test_any_set_of_mornings_round_trips_through_the_oracle(
    first: date, offsets: set[int], slots: list[tuple[int, int, int]], zone: str
) -> None:
    days = [first] + [first + timedelta(days=k) for k in sorted(offsets)]
    mornings = tuple(
        Morning.local(d, time(h, mi), time(h + dur, mi), zone)
        for d, (h, mi, dur) in zip(days, slots, strict=False)
    )
    m = MeetingInfo(
        uid="u@x.example",
        title="t",
        description="",
        organiser_name="o",
        organiser_email="o@x.example",
        zone=zone,
        mornings=mornings,
        public_url="https://x.example/",
    )
    body = build_request(m, invitee(), NOW)
    want = sorted((mo.start.astimezone(UTC), mo.end.astimezone(UTC)) for mo in mornings)
    assert [(s, e) for s, e, _ in ical_instances(body)] == want
    assert "RDATE" not in body.decode()
    assert len(set(props(body, "UID"))) == 1
    vobject.readOne(body.decode(), validate=True)


def test_empty_agenda_feed_is_valid() -> None:
    body = build_public_feed(meeting(), [], LAST_MOD)
    assert IcsCalendarStream.calendar_from_ics(body.decode()).events == []
    assert props(body, "X-WR-TIMEZONE") == ["X-WR-TIMEZONE:Europe/Brussels"]


def test_two_standard_changes_a_year_fall_back_to_utc() -> None:
    # Antarctica/Casey in 2018 moved +11 → +8 → +11 with no daylight saving: not a pair clients read.
    assert build_vtimezone("Antarctica/Casey", [2018]) is None
    _check_vtimezone_against_zoneinfo("Antarctica/Casey", 2018)
