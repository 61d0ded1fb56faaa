"""Times and dates in words, for a language: the event's time and the person's own.

One clock convention everywhere: 24-hour ("HH:mm") in every language we ship, so a page never
shows "01:30 PM" beside "09:30". Dates and city names come from Babel (CLDR) for the language.
Every function takes ``language``; None means the current one (the request's, or the one forced
with ``flask_babel.force_locale`` / ``server.i18n.recipient_locale`` while rendering a mail).

    span(start, end, zone)                      "09:30–12:30"
    place(zone)                                  "Brussels" / "Брюссель"
    event_and_own(start, end, event_zone, own)   "09:30–12:30 Brussels (13:30–16:30 in Almaty)"
    clock(instant, zone)                         "09:30"
    day(instant_or_date, zone)                   "Tuesday 25 May 2021" / "вторник, 25 мая 2021 г."
    short_day(instant_or_date, zone)             "25 May 2021" / "25 мая 2021 г."
    day_and_time(instant, zone, seconds=False)   "Tuesday 25 May 2021, 23:59"
    both_clocks(instant, event_zone, reader)     {"event": "25 May 2021, 09:30 Europe/Brussels",
                                                  "reader": "25 May 2021, 13:30 Asia/Almaty", "iso": …}
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_location
from flask_babel import gettext as _

from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language

CLOCK = "HH:mm"  # 24-hour in English and Russian alike; see the module docstring
# Languages whose "HH:mm" is plain ASCII digits, so strftime gives Babel's result.
ASCII_CLOCK = frozenset({"en", "ru"})
_ALL_ASCII = ASCII_CLOCK.issuperset(LANGUAGES)
# Date patterns where CLDR's default is not ours: British English ("Tuesday 25 May 2021"), as the pages are.
DAY_PATTERNS = (("en", "EEEE d MMMM y"),)
SHORT_DAY_PATTERNS = (("en", "d MMMM y"),)


def _language(language: str | None) -> str:
    if language:
        return language
    try:
        return current_language()
    except RuntimeError:  # no request and no forced locale: the original language
        return DEFAULT_LANGUAGE


def clock(instant: datetime, zone: tzinfo, language: str | None = None) -> str:
    """The wall-clock time of `instant` in `zone`, e.g. "09:30"."""
    # Pages show dozens of times: skip Babel (and the language lookup) where the result is the same.
    if language in ASCII_CLOCK or (language is None and _ALL_ASCII):
        local = instant.astimezone(zone)
        return f"{local.hour:02d}:{local.minute:02d}"  # strftime("%H:%M"), at a third of its cost
    return format_time(instant.astimezone(zone), CLOCK, locale=_language(language))


def span(start: datetime, end: datetime, zone: tzinfo, language: str | None = None) -> str:
    """"09:30–12:30" in `zone`."""
    return f"{clock(start, zone, language)}–{clock(end, zone, language)}"


def place(zone: ZoneInfo, language: str | None = None) -> str:
    """The zone's city in the language ("Brussels", "Брюссель"); UTC stays "UTC"."""
    return _city(zone.key, _language(language))


@lru_cache(maxsize=1024)
def _city(key: str, language: str) -> str:
    if key in ("UTC", "Etc/UTC"):
        return "UTC"
    try:
        return str(get_timezone_location(key, locale=_locale(language), return_city=True))
    except (LookupError, ValueError):
        return key


def event_and_own(start: datetime, end: datetime, event_zone: ZoneInfo, own_zone: ZoneInfo | None,
                  language: str | None = None) -> str:
    """The event's times and, where the person lives elsewhere, theirs in brackets."""
    lang = _language(language)
    event_part = f"{span(start, end, event_zone, lang)} {place(event_zone, lang)}"
    if own_zone is None or own_zone.key == event_zone.key or _same_clock(start, event_zone, own_zone):
        return event_part
    from flask_babel import force_locale

    with force_locale(lang):
        return _("%(event)s (%(own)s in %(place)s)", event=event_part,
                 own=span(start, end, own_zone, lang), place=place(own_zone, lang))


def _same_clock(instant: datetime, a: ZoneInfo, b: ZoneInfo) -> bool:
    return instant.astimezone(a).utcoffset() == instant.astimezone(b).utcoffset()


def day(value: datetime | date, zone: tzinfo | None = None, language: str | None = None) -> str:
    """The date in words for the language ("Tuesday 25 May 2021" / "вторник, 25 мая 2021 г.")."""
    local = value.astimezone(zone).date() if isinstance(value, datetime) and zone else value
    return _date_words(local, _language(language), DAY_PATTERNS, "full")


@lru_cache(maxsize=4096)  # a page names the same few days again and again
def _date_words(value: date, language: str, patterns: Any, default: str) -> str:
    return str(format_date(value, dict(patterns).get(language, default), locale=_locale(language)))


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def short_day(value: datetime | date, zone: tzinfo | None = None, language: str | None = None) -> str:
    """The date without the weekday ("25 May 2021" / "25 мая 2021 г.")."""
    local = value.astimezone(zone).date() if isinstance(value, datetime) and zone else value
    return _date_words(local, _language(language), SHORT_DAY_PATTERNS, "long")


def day_and_time(instant: datetime, zone: tzinfo, language: str | None = None, seconds: bool = False) -> str:
    """"Wednesday 12 May 2021, 23:59" in `zone`, 24-hour."""
    lang = _language(language)
    time_of_day = instant.astimezone(zone).strftime("%H:%M:%S" if seconds else "%H:%M") if lang in ASCII_CLOCK \
        else format_time(instant.astimezone(zone), "HH:mm:ss" if seconds else CLOCK, locale=_locale(lang))
    return f"{day(instant, zone, lang)}, {time_of_day}"


def both_clocks(instant: datetime | None, event_zone: ZoneInfo, reader: ZoneInfo | None,
                language: str | None = None) -> dict[str, str] | None:
    """An instant for an organisers' table: in the event's zone, in the reader's when it is known
    (``?tz=``) and differs, and as ISO for the page's script to add the browser's zone otherwise.

    An instant that no zone can say (a stored year 9999 is year 10000 east of UTC) is said in UTC."""
    if instant is None:
        return None
    lang = _language(language)

    def said(zone: ZoneInfo) -> str:
        return f"{short_day(instant, zone, lang)}, {clock(instant, zone, lang)} {zone.key}"

    out = {"event": "", "reader": "", "iso": instant.isoformat()}
    try:
        out["event"] = said(event_zone)
        if reader is not None and reader.key != event_zone.key:
            out["reader"] = said(reader)
    except (OverflowError, ValueError):
        out["event"], out["reader"] = f"{instant.isoformat()} UTC", ""
    return out
