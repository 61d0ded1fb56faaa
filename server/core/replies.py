"""Reading iTIP answers to our invitations (RFC 5546 REPLY, REFRESH, COUNTER; RFC 6047 mail).

Pure: bytes in, plain data out. Two steps, kept apart so that a message that cannot be read
is still recorded (it has an envelope even when its calendar is broken):

* ``envelope(raw)`` — who sent it, its Message-ID and the key it is de-duplicated by; never
  fails, whatever the bytes are.
* ``read_itip(raw)`` — the calendar in it: METHOD, UID, SEQUENCE, the ATTENDEE(s) and their
  PARTSTAT, a COUNTER's proposed times. Raises :class:`Refused` with a reason a person reads.

``judge(reply, sender, invitee)`` then decides what a genuine answer does to one invitee
(nothing at all unless the sender is that invitee and the SEQUENCE is one we sent).

What clients really send (see tests/fixtures/replies/README.md): Outlook puts the calendar in
a ``text/calendar; method=REPLY`` part (often base64 or quoted-printable, sometimes UTF-16
free but windows-1251 names), Google attaches ``invite.ics`` beside an inline copy, Apple and
Thunderbird send one ``text/calendar`` part; ``MAILTO:`` casing and folded lines vary.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from enum import StrEnum
from typing import Any

from icalendar import Calendar

__all__ = [
    "N_",
    "Action",
    "Answer",
    "Envelope",
    "InviteeState",
    "ItipMessage",
    "Refused",
    "Verdict",
    "envelope",
    "judge",
    "normalise_address",
    "read_itip",
    "storable",
]

METHODS = ("REPLY", "REFRESH", "COUNTER")
ANSWERS = ("ACCEPTED", "DECLINED", "TENTATIVE")
MAX_BYTES = 5 * 1024 * 1024  # an answer is a few kilobytes; anything huge is not one
HEAD_BYTES = 64 * 1024       # what is read of a larger message: enough for its headers
FIRST_YEAR, LAST_YEAR = 1900, 2999  # a COUNTER's proposed times, as the API's dates (server/schemas.py)
MAX_SEQUENCE = 2**31 - 1     # RFC 5545 says "integer"; the database column holds 32 bits
_CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


def storable(text: str) -> str:
    """Text a database keeps: no NUL (PostgreSQL refuses it) and no lone surrogates (what
    undecodable header bytes become); whatever a message holds is read through this."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def N_(message: str) -> str:
    """Mark a message for the translation catalog here; it is translated where it is shown
    (the core has no locale). Extract with ``pybabel extract -k N_``."""
    return message


TOO_LARGE = N_("The message is too large to be an answer to an invitation.")
TOO_DEEP = N_("The message is nested too deeply to be an answer to an invitation.")


class Refused(Exception):
    """Not a usable answer. ``template`` (an English msgid with ``%(name)s`` fields) and
    ``params`` let the organisers' page show it in their language; ``reason`` is the English
    sentence (API, logs, the ``.reason.txt`` beside a rejected file)."""

    def __init__(self, template: str, **params: str | int) -> None:
        params = {k: storable(v) if isinstance(v, str) else v for k, v in params.items()}
        self.template, self.params = template, params
        self.reason = template % params if params else template
        super().__init__(self.reason)


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    TENTATIVE = "tentative"
    REFRESH = "refresh"          # send the current REQUEST again
    COUNTER = "counter"          # show the proposal to organisers, change nothing
    ASK_AGAIN = "ask-again"      # yes to an older version: not agreement to the current one


@dataclass(frozen=True)
class Envelope:
    dedupe_key: str
    message_id: str | None
    sender: str          # the From address, lower-cased ("" when there is none)
    subject: str
    unconfirmed: str = ""  # the check our mail server says the sender failed ("dmarc", "spf"), or ""


@dataclass(frozen=True)
class Answer:
    email: str           # lower-cased, without mailto:
    partstat: str        # upper-cased; "" when the ATTENDEE carries none (REFRESH, COUNTER)
    name: str


@dataclass(frozen=True)
class ItipMessage:
    method: str
    uid: str
    sequence: int
    attendees: tuple[Answer, ...]
    comment: str = ""
    proposed_start: datetime | None = None   # COUNTER only, UTC
    proposed_end: datetime | None = None
    overrides: tuple[tuple[str, Answer], ...] = ()  # answers for one morning (RECURRENCE-ID), never applied


@dataclass(frozen=True)
class InviteeState:
    """What we sent one invitee: the address, their last SEQUENCE and METHOD."""

    email: str
    sequence: int | None
    method: str | None
    answered_sequence: int | None = None  # the version their latest recorded answer was to


@dataclass(frozen=True)
class Verdict:
    action: Action
    note: Refused | None = None  # a remark for organisers (same shape as a refusal's reason)


# ----------------------------------------------------------------------------- envelope


def normalise_address(value: str) -> str:
    """``MAILTO:Ana@Example.org`` or ``Ana <ana@example.org>`` → ``ana@example.org``."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    _, addr = parseaddr(text)
    return (addr or text).strip().strip("<>").lower()


def _parse(raw: bytes) -> Message:
    # compat32 never raises on malformed headers; we only need addresses and parts. Python's
    # parser recurses once per nested multipart: a few thousand levels (a 200 kB mail) raise
    # RecursionError, which callers turn into a refusal.
    return message_from_bytes(raw, policy=compat32)


def _headers(raw: bytes) -> Message:
    """The header block alone: no body is parsed, so no shape of the body can make it fail."""
    return BytesParser(policy=compat32).parsebytes(raw, headersonly=True)


def _header_text(msg: Message, name: str) -> str:
    from email.header import decode_header, make_header

    value = msg.get(name)
    if value is None:
        return ""
    try:
        return storable(str(make_header(decode_header(str(value))))).strip()
    except (UnicodeError, LookupError, ValueError):
        return storable(str(value)).strip()


def _sender(msg: Message) -> str:
    """The one address in the one From header, lower-cased; "" when there is not exactly one.

    Addresses are parsed from the header as sent: RFC 2047 encoded words are decoded only
    for display names, never before parsing, or ``=?utf-8?q?ana=40example.org?=
    <mallory@evil.example>`` would read as Ana's address while DMARC checks Mallory's."""
    headers = msg.get_all("From") or []
    if len(headers) != 1:
        return ""
    found = [addr for _, addr in getaddresses([str(headers[0])]) if addr.strip()]
    if len(found) != 1 or "@" not in found[0] or "=?" in found[0] or len(found[0]) > 254:
        return ""
    return storable(found[0]).strip().lower()


_AUTH_RESULT = re.compile(r"(?:^|;)\s*(dmarc|spf|dkim)\s*=\s*([a-z]+)", re.IGNORECASE)


def sender_unconfirmed(msg: Message) -> str:
    """The check that shows the From address is not the sender's, by the receiving servers'
    ``Authentication-Results`` (RFC 8601): ``"dmarc"`` when DMARC failed, ``"spf"`` when SPF
    failed and no DKIM signature passed; ``""`` otherwise (no verdict is not a failure).

    Only failures count: anyone can write such a header into a mail, but a forger who adds a
    failure only has their own mail kept aside, and a forged "pass" is never taken as proof.
    """
    results: dict[str, set[str]] = {"dmarc": set(), "spf": set(), "dkim": set()}
    for header in msg.get_all("Authentication-Results") or []:
        for method, result in _AUTH_RESULT.findall(str(header)):
            results[method.lower()].add(result.lower())
    if "fail" in results["dmarc"]:
        return "dmarc"
    if "fail" in results["spf"] and "pass" not in results["dkim"]:
        return "spf"
    return ""


def envelope(raw: bytes) -> Envelope:
    """The sender, Message-ID and de-duplication key of any bytes (never raises)."""
    msg = _headers(raw)
    message_id = _header_text(msg, "Message-ID").strip() or None
    if message_id and not re.fullmatch(r"<[^<>\s]+>", message_id):
        found = re.search(r"<[^<>\s]+>", message_id)
        message_id = found.group(0) if found else None
    sender = _sender(msg)
    if message_id is None:
        key = "sha256:" + hashlib.sha256(raw).hexdigest()
    elif len(message_id) > 290:  # whole, or two long Message-IDs with one beginning would collide
        key = "mid-sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    else:
        key = f"mid:{message_id}"
    return Envelope(dedupe_key=key, message_id=message_id[:300] if message_id else None,
                    sender=sender[:254], subject=_header_text(msg, "Subject")[:300],
                    unconfirmed=sender_unconfirmed(msg))


# ----------------------------------------------------------------------------- calendar


def _calendar_parts(msg: Message) -> list[Message]:
    """Parts that hold a calendar: declared as one, or an attachment named *.ics."""
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = (part.get_filename() or "").lower()
        if part.get_content_type() in _CALENDAR_TYPES or name.endswith(".ics"):
            found.append(part)
    # A part that declares its method (Outlook, Google's inline copy) first.
    return sorted(found, key=lambda p: p.get_param("method") is None)


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise Refused(N_("The calendar part is empty."))
    if payload.startswith(b"\xef\xbb\xbf"):
        payload = payload[3:]
    declared = str(part.get_content_charset() or "")
    for charset in (declared, "utf-8", "windows-1251"):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("latin-1")


def _to_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the best reading is UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _attendees(component: Any) -> tuple[Answer, ...]:
    values = component.get("ATTENDEE")
    if values is None:
        return ()
    if not isinstance(values, list):
        values = [values]
    out = []
    for value in values:
        params = getattr(value, "params", {})
        email = normalise_address(storable(str(value)))
        if "@" not in email:
            continue
        name = storable(str(params.get("CN", ""))).strip().strip('"')
        partstat = storable(str(params.get("PARTSTAT", ""))).upper()[:20]  # anything longer is no PARTSTAT we know
        out.append(Answer(email=email, partstat=partstat, name=name))
    return tuple(out)


def _event_of(cal: Calendar) -> tuple[Any, list[Any]]:
    """The answer to the whole meeting (the master VEVENT) and its overrides (one morning each)."""
    events = [c for c in cal.walk("VEVENT")]
    if not events:
        raise Refused(N_("The calendar holds no event."))
    uids = {str(e.get("UID", "")).strip() for e in events}
    if len(uids) != 1 or "" in uids:
        raise Refused(N_("The calendar does not name exactly one meeting (UID)."))
    # An answer to the series has a master (no RECURRENCE-ID), possibly with overrides. An
    # answer for one morning only must not accept or decline the whole meeting.
    masters = [e for e in events if e.get("RECURRENCE-ID") is None]
    if not masters:
        when = str(events[0].get("RECURRENCE-ID").to_ical().decode())[:40]
        raise Refused(N_("An answer for one morning only (RECURRENCE-ID %(when)s) is not applied "
                         "to the whole meeting."), when=when)
    if len(masters) > 1:  # two answers in one message: which one would the person mean?
        raise Refused(N_("The calendar holds %(count)s answers to the whole meeting, not one."),
                      count=len(masters))
    return masters[0], [e for e in events if e.get("RECURRENCE-ID") is not None]


def _overrides(events: list[Any]) -> tuple[tuple[str, Answer], ...]:
    """Each attendee's answer for one morning: (the RECURRENCE-ID as written, the answer)."""
    found: list[tuple[str, Answer]] = []
    for event in events:
        try:
            when = storable(event.get("RECURRENCE-ID").to_ical().decode())[:40]
        except Exception:  # an unreadable RECURRENCE-ID: still one morning's answer
            when = "?"
        found.extend((when, answer) for answer in _attendees(event))
    return tuple(found)


def _sequence(event: Any) -> int:
    raw = event.get("SEQUENCE")
    if raw is None:
        return 0  # RFC 5545 3.8.7.4: absent means 0
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise Refused(N_("SEQUENCE is not a number: %(value)s."), value=str(raw)[:40]) from None
    if value < 0:
        raise Refused(N_("SEQUENCE is negative."))
    if value > MAX_SEQUENCE:
        raise Refused(N_("SEQUENCE is too large: %(value)s."), value=str(raw)[:40])
    return value


def _from_calendar(text: str) -> ItipMessage:
    try:
        cal = Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError … on bad input
        raise Refused(N_("The calendar cannot be read (%(error)s)."), error=type(exc).__name__) from None
    method = str(cal.get("METHOD", "")).strip().upper()
    if method not in METHODS:
        raise Refused(N_("Not an answer to an invitation (METHOD %(method)s)."), method=method or "-")
    event, overrides = _event_of(cal)
    attendees = _attendees(event)
    if not attendees:
        raise Refused(N_("The calendar names no ATTENDEE."))
    start = end = None
    if method == "COUNTER":
        try:
            start = _to_utc(event.decoded("DTSTART")) if event.get("DTSTART") else None
            end = _to_utc(event.decoded("DTEND")) if event.get("DTEND") else None
        except Exception:
            raise Refused(N_("The proposed time cannot be read.")) from None
        if start is not None and end is None and event.get("DURATION") is not None:
            duration = event.decoded("DURATION")
            end = start + duration if isinstance(duration, timedelta) else None
        if any(t is not None and not FIRST_YEAR <= t.year <= LAST_YEAR for t in (start, end)):
            # shown in every reader's zone: year 9999 in Brussels is year 10000, which no page can say
            raise Refused(N_("The proposed time is outside the years %(first)s–%(last)s."),
                          first=FIRST_YEAR, last=LAST_YEAR)
    return ItipMessage(method=method, uid=storable(str(event.get("UID"))).strip(), sequence=_sequence(event),
                       attendees=attendees, comment=storable(str(event.get("COMMENT", ""))).strip()[:2000],
                       proposed_start=start, proposed_end=end, overrides=_overrides(overrides))


def read_itip(raw: bytes) -> ItipMessage:
    """The iTIP answer in a mail; :class:`Refused` with the reason when there is none."""
    if len(raw) > MAX_BYTES:
        raise Refused(TOO_LARGE)
    try:
        parts = _calendar_parts(_parse(raw))
    except RecursionError:  # never recorded, such a message would be read again at every poll
        raise Refused(TOO_DEEP) from None
    if not parts:
        raise Refused(N_("The message carries no calendar."))
    first: Refused | None = None
    for part in parts:
        try:
            return _from_calendar(_decode(part))
        except Refused as refused:
            first = first or refused
        except Exception as exc:  # hostile input must be kept aside, never crash the reader
            first = first or Refused(N_("The calendar cannot be read (%(error)s)."), error=type(exc).__name__)
    assert first is not None
    raise first


# ----------------------------------------------------------------------------- judging


def _sender_is(reply: ItipMessage, sender: str, invitee: InviteeState) -> Answer:
    mine = [a for a in reply.attendees if a.email == invitee.email.lower()]
    if not mine:
        raise Refused(N_("No ATTENDEE of the answer is this invitee."))
    if sender != invitee.email.lower():
        raise Refused(N_("Sent from %(sender)s, not from the invitee's address."), sender=sender or "-")
    return mine[0]


def judge(reply: ItipMessage, sender: str, invitee: InviteeState) -> Verdict:
    """What a genuine answer from ``invitee`` does; :class:`Refused` when it is not one.

    An answer to an older SEQUENCE still speaks for the person, but a yes (or maybe) to a
    version whose time may have changed since is not a yes to the current one: they are asked
    again with the current REQUEST. A no is a no whichever version it answers, unless the
    person has already answered a later version (the older answer arrived late)."""
    answer = _sender_is(reply, sender, invitee)
    if invitee.method != "REQUEST" or invitee.sequence is None:
        raise Refused(N_("This person holds no open invitation (it was cancelled)."))
    if reply.sequence > invitee.sequence:
        raise Refused(N_("SEQUENCE %(sequence)s was never sent to this person (theirs is %(current)s)."),
                      sequence=reply.sequence, current=invitee.sequence)
    if (reply.method == "REPLY" and invitee.answered_sequence is not None
            and reply.sequence < invitee.answered_sequence):
        # Mail arrives out of order (a server held it, the mailbox was down): a later version's
        # answer is never overturned by one written before it.
        raise Refused(N_("This answers SEQUENCE %(sequence)s, but the person has since answered "
                         "SEQUENCE %(answered)s: that answer stands."),
                      sequence=reply.sequence, answered=invitee.answered_sequence)
    if reply.method == "REFRESH":
        return Verdict(Action.REFRESH)
    if reply.method == "COUNTER":
        return Verdict(Action.COUNTER)
    if answer.partstat not in ANSWERS:
        raise Refused(N_("Unsupported answer PARTSTAT=%(partstat)s."), partstat=answer.partstat or "-")
    note = _one_morning(reply, answer)
    if answer.partstat == "DECLINED":
        return Verdict(Action.DECLINE, note)
    if reply.sequence < invitee.sequence:
        return Verdict(Action.ASK_AGAIN, Refused(
            N_("%(answer)s answered SEQUENCE %(sequence)s; the current one is %(current)s: asked again."),
            answer=answer.partstat, sequence=reply.sequence, current=invitee.sequence))
    return Verdict(Action.ACCEPT if answer.partstat == "ACCEPTED" else Action.TENTATIVE, note)


def _one_morning(reply: ItipMessage, answer: Answer) -> Refused | None:
    """A remark when the same message answers one morning otherwise (Apple sends the series'
    answer with its exceptions): organisers see it; only the whole meeting's answer applies."""
    for when, other in reply.overrides:
        if other.email == answer.email and other.partstat in ANSWERS and other.partstat != answer.partstat:
            return Refused(N_("Also answered %(answer)s for one morning (RECURRENCE-ID %(when)s); "
                              "only the answer to the whole meeting is applied."),
                           answer=other.partstat, when=when)
    return None
