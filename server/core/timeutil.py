"""Time arithmetic: local wall times in an event's zone <-> UTC instants.

Everything is stored in UTC; people think in local wall-clock times. A local time that
does not exist (the spring-forward gap) or is ambiguous (the autumn fold) is refused
rather than guessed, because a meeting an hour off is worse than an error message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class TimeError(ValueError):
    """A local time that cannot be turned into exactly one instant."""


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone called name, or raise TimeError."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise TimeError(f"'{name}' is not an IANA time zone name")
    try:
        return ZoneInfo(name)
    # OSError: a folder of the zone database ("Europe") or a name too long for a file name
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise TimeError(f"'{name[:100]}' is not an IANA time zone name") from exc


def is_zone_name(name: str) -> bool:
    return name in _zone_names()


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Return the UTC instant of wall-clock time `wall` on `day` in zone `tz`."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap (the time never happens) or a fold (it happens twice).
        roundtrip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if roundtrip != naive:
            raise TimeError(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward)")
        raise TimeError(f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (clocks go back)")
    return first.astimezone(UTC)


def utc_to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """Return the aware local datetime in tz of a UTC instant."""
    if instant.tzinfo is None:
        raise TimeError("naive datetime: instants must carry their zone")
    return instant.astimezone(tz)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Return the last second of `day` in zone tz, as a UTC instant (a deadline "on" a day)."""
    return local_to_utc(day, time(23, 59, 59), tz)


def utc_offset_label(instant: datetime, tz: ZoneInfo) -> str:
    """Return e.g. 'CEST, UTC+02:00' for an instant in zone tz."""
    local = instant.astimezone(tz)
    offset = local.utcoffset() or timedelta(0)
    total = int(offset.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    abbrev = local.tzname() or ""
    label = f"UTC{sign}{hours:02d}:{minutes:02d}"
    # Many zones have no abbreviation and report the offset itself ("+06").
    return label if not abbrev or abbrev[0] in "+-" else f"{abbrev}, {label}"


# The one wire format for instants (REST, Socket.IO, exports): UTC, whole seconds, a ``Z``
# suffix, always 20 characters, e.g. ``2026-05-25T07:30:00Z`` (docs/realtime.md says why).
WIRE_INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso_utc(instant: datetime) -> str:
    """Return an instant in the wire format: ISO 8601 UTC, whole seconds, ``Z`` suffix.

    Sub-second parts are dropped (truncated, as ``isoformat(timespec="seconds")`` does).
    A naive datetime is refused: it would silently mean the server's local time.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise TimeError("naive datetime: instants must carry their zone")
    return instant.astimezone(UTC).strftime(WIRE_INSTANT_FORMAT)
