from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from server.core.timeutil import TimeError, end_of_day, iso_utc, local_to_utc, utc_offset_label, zone

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_summer_morning_in_brussels_is_0730_utc() -> None:
    assert local_to_utc(date(2021, 5, 25), time(9, 30), BRUSSELS) == datetime(2021, 5, 25, 7, 30, tzinfo=UTC)


def test_winter_morning_in_brussels_is_0830_utc() -> None:
    assert local_to_utc(date(2021, 12, 1), time(9, 30), BRUSSELS) == datetime(2021, 12, 1, 8, 30, tzinfo=UTC)


def test_almaty_viewer_sees_1330_for_0930_brussels_in_may_2021() -> None:
    instant = local_to_utc(date(2021, 5, 25), time(9, 30), BRUSSELS)
    assert instant.astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M") == "13:30"
    assert instant.astimezone(ZoneInfo("Asia/Tashkent")).strftime("%H:%M") == "12:30"


def test_deadline_is_the_last_second_of_the_day_in_the_event_zone() -> None:
    assert end_of_day(date(2021, 5, 12), BRUSSELS) == datetime(2021, 5, 12, 21, 59, 59, tzinfo=UTC)


def test_time_in_the_spring_gap_is_refused() -> None:
    with pytest.raises(TimeError, match="does not exist"):
        local_to_utc(date(2021, 3, 28), time(2, 30), BRUSSELS)


def test_ambiguous_time_in_the_autumn_fold_is_refused() -> None:
    with pytest.raises(TimeError, match="twice"):
        local_to_utc(date(2021, 10, 31), time(2, 30), BRUSSELS)


def test_offset_label_names_the_summer_zone() -> None:
    instant = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)
    assert utc_offset_label(instant, BRUSSELS) == "CEST, UTC+02:00"
    assert utc_offset_label(instant, ZoneInfo("Asia/Almaty")) == "UTC+06:00"


def test_iso_utc_uses_z() -> None:
    assert iso_utc(datetime(2021, 5, 25, 9, 30, tzinfo=BRUSSELS)) == "2021-05-25T07:30:00Z"


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../etc/passwd", "/etc/localtime",
                                  "Europe", "America/Argentina", "Europe/" + "x" * 300])
def test_unknown_zone_names_are_refused(name: str) -> None:
    with pytest.raises(TimeError):
        zone(name)


def test_one_wire_format_for_instants() -> None:
    from server.sessions.protocol import iso

    moment = datetime(2026, 5, 25, 7, 30, 0, 123456, tzinfo=UTC)
    assert iso_utc(moment) == iso(moment) == "2026-05-25T07:30:00Z"
    assert iso(None) is None
    with pytest.raises(TimeError):
        iso_utc(datetime(2026, 5, 25, 7, 30))
