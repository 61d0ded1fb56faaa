"""Rule-based VTIMEZONE components derived from zoneinfo (see the package docstring)."""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vRecur

from server.core.calendar.model import CalendarError, zone_info


@dataclass(frozen=True, slots=True)
class _Transition:
    at_utc: datetime
    before: timedelta
    after: timedelta
    is_dst: bool
    name: str

    @property
    def local_onset(self) -> datetime:
        """Wall-clock time (in the *old* offset) at which the change happens, naive."""
        return (self.at_utc + self.before).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class _Rule:
    month: int
    weekday: int  # Monday = 0
    nth: int  # 1..4, or -1 for "last"
    at: time
    before: timedelta
    after: timedelta
    is_dst: bool
    name: str

    def onset(self, year: int) -> datetime:
        first_wd, days = _stdcal.monthrange(year, self.month)
        if self.nth > 0:
            day = 1 + (self.weekday - first_wd) % 7 + 7 * (self.nth - 1)
        else:
            last_wd = (first_wd + days - 1) % 7
            day = days - (last_wd - self.weekday) % 7
        return datetime.combine(date(year, self.month, day), self.at)

    def byday(self) -> str:
        return f"{self.nth}{('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')[self.weekday]}"


def _offset_at(tz: tzinfo, instant: datetime) -> timedelta:
    off = instant.astimezone(tz).utcoffset()
    assert off is not None
    return off


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """zoneinfo's offset changes whose local onset lies in ``year`` (daily scan, bisection)."""
    lo_bound = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=2)
    hi_bound = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=2)
    out: list[_Transition] = []
    t, off = lo_bound, _offset_at(tz, lo_bound)
    step = timedelta(days=1)
    while t < hi_bound:
        nxt = t + step
        noff = _offset_at(tz, nxt)
        if noff != off:
            lo, hi = t, nxt  # offset(lo) == off, offset(hi) != off
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if _offset_at(tz, mid) == off:
                    lo = mid
                else:
                    hi = mid
            local = hi.astimezone(tz)
            tr = _Transition(
                at_utc=hi,
                before=off,
                after=noff,
                is_dst=bool(local.dst()),
                name=local.tzname() or _fmt_offset(noff),
            )
            if tr.local_onset.year == year:
                out.append(tr)
            off = noff
        t = nxt
    return out


def _rule_candidates(tr: _Transition) -> list[_Rule]:
    onset = tr.local_onset
    days = _stdcal.monthrange(onset.year, onset.month)[1]
    nths = []
    if onset.day > days - 7:
        nths.append(-1)
    if onset.day <= 28:
        nths.append((onset.day - 1) // 7 + 1)
    return [
        _Rule(
            onset.month, onset.weekday(), n, onset.time(), tr.before, tr.after, tr.is_dst, tr.name
        )
        for n in nths
    ]


def _matches(rules: Sequence[_Rule], actual: Sequence[_Transition], year: int) -> bool:
    predicted = sorted((r.onset(year), r.before, r.after) for r in rules)
    observed = sorted((t.local_onset, t.before, t.after) for t in actual)
    return predicted == observed


@dataclass(frozen=True, slots=True)
class _ZonePlan:
    kind: Literal["rules", "fixed", "utc"]
    rules: tuple[_Rule, ...] = ()
    fixed_offset: timedelta = timedelta(0)
    fixed_name: str = ""


@lru_cache(maxsize=256)
def _zone_plan(zone: str, years: tuple[int, ...]) -> _ZonePlan:
    tz = zone_info(zone)
    span = range(min(years), max(years) + 1)
    per_year = {y: _transitions(tz, y) for y in span}
    if all(not trs for trs in per_year.values()):
        offsets = {_offset_at(tz, datetime(y, 7, 1, tzinfo=UTC)) for y in span}
        if len(offsets) == 1:
            probe = datetime(span[0], 7, 1, tzinfo=UTC).astimezone(tz)
            off = offsets.pop()
            return _ZonePlan(
                "fixed", fixed_offset=off, fixed_name=probe.tzname() or _fmt_offset(off)
            )
        return _ZonePlan("utc")  # pragma: no cover - impossible without transitions
    first = per_year[span[0]]
    if len(first) != 2:
        return _ZonePlan("utc")
    a, b = sorted(first, key=lambda t: t.at_utc)
    if a.after != b.before or b.after != a.before:
        return _ZonePlan("utc")
    for ra in _rule_candidates(a):
        for rb in _rule_candidates(b):
            if all(_matches((ra, rb), per_year[y], y) for y in span):
                return _ZonePlan("rules", rules=(ra, rb))
    return _ZonePlan("utc")


def _fmt_offset(off: timedelta) -> str:
    total = int(off.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"{sign}{total // 3600:02d}{total % 3600 // 60:02d}"


def build_vtimezone(zone: str, years: Iterable[int]) -> Timezone | None:
    """Rule-based VTIMEZONE for ``zone`` valid in every year of ``min(years)..max(years)``.

    Returns a VTIMEZONE with a STANDARD and a DAYLIGHT observance (yearly RRULEs, DTSTART in
    1970 as Apple/Google/tzurl do), or a single fixed-offset STANDARD observance when the
    zone does not change in those years, or ``None`` when its changes follow no
    "n-th/last weekday of a month at a fixed time" rule: the caller must then write UTC.
    The rules are verified against zoneinfo for every one of those years.
    """
    ys = tuple(sorted(set(years)))
    if not ys:
        raise CalendarError("years: at least one year is required")
    plan = _zone_plan(zone, ys)
    if plan.kind == "utc":
        return None
    vtz = Timezone()
    vtz.add("TZID", zone)
    if plan.kind == "fixed":
        obs = TimezoneStandard()
        obs.add("DTSTART", datetime(1970, 1, 1))
        obs.add("TZOFFSETFROM", plan.fixed_offset)
        obs.add("TZOFFSETTO", plan.fixed_offset)
        obs.add("TZNAME", plan.fixed_name)
        vtz.add_component(obs)
        return vtz
    if sorted(rule.is_dst for rule in plan.rules) != [False, True]:
        # e.g. Antarctica/Casey 2018: two STANDARD changes a year. Valid iCalendar, but clients
        # (and dateutil) expect one STANDARD/DAYLIGHT pair and misread it, so write UTC instead.
        return None
    for rule in sorted(plan.rules, key=lambda r: not r.is_dst):
        comp: TimezoneStandard | TimezoneDaylight = (
            TimezoneDaylight() if rule.is_dst else TimezoneStandard()
        )
        comp.add("DTSTART", rule.onset(1970))
        comp.add("TZOFFSETFROM", rule.before)
        comp.add("TZOFFSETTO", rule.after)
        comp.add("TZNAME", rule.name)
        comp.add("RRULE", vRecur({"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": rule.byday()}))
        vtz.add_component(comp)
    return vtz
