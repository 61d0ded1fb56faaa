"""Pure construction of outgoing mail: calendar invitations (iMIP, RFC 6047) and plain
notifications. No Flask, no SMTP: functions return :class:`email.message.EmailMessage`
objects that a worker sends with ``smtplib.SMTP.send_message`` or writes to the outbox.

Invitation layout (what Gmail, Outlook and Apple Mail all recognise)::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain; charset=utf-8
    │   ├── text/html; charset=utf-8
    │   └── text/calendar; charset=utf-8; method=REQUEST|CANCEL   (base64)
    └── application/ics; name=invite.ics   (attachment, base64, the same calendar)

The attachment is ``application/ics`` rather than a second ``text/calendar`` so that clients
offer it as a file and do not process the iTIP message twice. ``From`` is the organiser,
equal to the calendar's ORGANIZER (RFC 6047 section 3 asks for the match). The
``Message-ID`` is derived from the idempotency key (invitee id, UID, SEQUENCE, METHOD) so
a retried task produces the same Message-ID and receiving servers can drop duplicates.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from server.core.calendar import (
    ENGLISH_LABELS,
    CalendarError,
    CalendarLabels,
    Invitee,
    MeetingInfo,
    MeetingStatus,
    Morning,
    build_cancel,
    build_request,
)

__all__ = [
    "InviteKind",
    "Mailbox",
    "build_invitation_email",
    "build_simple_email",
    "describe_morning",
    "display_name",
    "make_message_id",
]

ATTACHMENT_NAME = "invite.ics"
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CTRL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]+")  # controls and every line break Python splits on


class InviteKind(StrEnum):
    INVITATION = "invitation"  # METHOD:REQUEST, usually SEQUENCE 0
    UPDATE = "update"  # METHOD:REQUEST, same UID, higher SEQUENCE
    CANCELLATION = "cancellation"  # METHOD:CANCEL (uninvited, or meeting cancelled)


@dataclass(frozen=True, slots=True)
class Mailbox:
    """A display name and an address, e.g. ``Mailbox("Convene team", "team@example.org")``."""

    name: str
    email: str

    def address(self) -> Address:
        local, sep, domain = self.email.strip().rpartition("@")
        if not sep or not local or not domain or _CTRL.search(self.email):
            raise ValueError(f"email: not an email address: {self.email!r}")
        return Address(display_name=display_name(self.name), username=local, domain=domain)


def _one_line(text: str) -> str:
    return _CTRL.sub(" ", text).strip()


DISPLAY_NAME_BUDGET = 60
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def display_name(name: str) -> str:
    """A person's name made safe for an address header (issue 11, item 6). Quotes, commas and
    angle brackets need nothing here: ``Address`` quotes or encodes the whole name, so it can
    never add a recipient. Neutralised: line breaks and other controls (a space), bidi
    overrides (dropped), and ``=?`` (spaced), which a reader would otherwise decode as an
    RFC 2047 encoded-word and show as other text (``=?utf-8?q?boss=40bank.example?=``)."""
    text = " ".join(_BIDI.sub("", _CTRL.sub(" ", name)).split()).replace("=?", "= ?")
    # Python's header folder (3.11) drops the quotes of a quoted display name longer than a
    # line, so "x…x, y@evil.example" became a second recipient. Kept within one line's budget
    # (counting the backslashes quoting adds), the name is never folded inside its quotes.
    if _quoted_length(text) <= DISPLAY_NAME_BUDGET:
        return text
    text = text[:DISPLAY_NAME_BUDGET]
    while _quoted_length(text) >= DISPLAY_NAME_BUDGET:
        text = text[:-1]
    return text.rstrip() + "…"


def _quoted_length(text: str) -> int:
    return len(text) + text.count('"') + text.count("\\")


def make_message_id(key: Sequence[str], domain: str) -> str:
    """Deterministic ``<...@domain>`` Message-ID from an idempotency key (order matters)."""
    if not key:
        raise ValueError("key: at least one part is required")
    if not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        raise ValueError(f"domain: not a host name: {domain!r}")
    # 128 bits keep "Message-ID: <...>" on one line for ordinary domain lengths
    digest = hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:32]
    return f"<convene.{digest}@{domain}>"


def _fmt_offset(off: timedelta | None) -> str:
    total = int((off or timedelta(0)).total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"UTC{sign}{total // 60:02d}:{total % 60:02d}"


def describe_morning(morning: Morning, zone: str) -> tuple[str, str]:
    """Plain-language (local, UTC) lines, e.g. ``("Tuesday 25 May 2021, 09:30–12:30 CEST
    (UTC+02:00), Europe/Brussels time", "07:30–10:30 UTC")``."""
    tz = ZoneInfo(zone)
    s, e = morning.start.astimezone(tz), morning.end.astimezone(tz)
    su, eu = morning.start.astimezone(UTC), morning.end.astimezone(UTC)

    def day(d: datetime) -> str:
        return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"

    local_end = e.strftime("%H:%M") if e.date() == s.date() else f"{day(e)} {e:%H:%M}"
    utc_end = eu.strftime("%H:%M") if eu.date() == su.date() else f"{day(eu)} {eu:%H:%M}"
    local = (
        f"{day(s)}, {s:%H:%M}–{local_end} {s.tzname()} ({_fmt_offset(s.utcoffset())}), {zone} time"
    )
    utc_day = f"{day(su)}, " if su.date() != s.date() else ""
    utc = f"{utc_day}{su:%H:%M}–{utc_end} UTC"
    return local, utc


def _safe_href(url: str) -> str | None:
    return url if re.match(r"https?://", url, re.I) else None


def _link_html(url: str) -> str:
    href = _safe_href(url)
    text = html.escape(url)
    return f'<a href="{html.escape(href, quote=True)}">{text}</a>' if href else text


def _paragraphs_html(text: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paras)


_URL = re.compile(r"https?://[^\s<>\"]+")


def _linked_paragraphs_html(text: str) -> str:
    """Paragraphs of escaped text in which each http(s) address is a link."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for para in paras:
        pieces, last = [], 0
        for match in _URL.finditer(para):
            pieces += [html.escape(para[last:match.start()]), _link_html(match.group(0))]
            last = match.end()
        pieces.append(html.escape(para[last:]))
        out.append(f"<p>{''.join(pieces).replace(chr(10), '<br>')}</p>")
    return "".join(out)


def _wrap_html(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


def _base_message(
    sender: Mailbox, to: Mailbox, subject: str, now: datetime, message_id: str
) -> EmailMessage:
    if now.tzinfo is None:
        raise ValueError("now: must be timezone-aware")
    msg = EmailMessage()
    msg["From"] = sender.address()
    msg["To"] = to.address()
    msg["Subject"] = _one_line(subject)
    msg["Date"] = format_datetime(now.astimezone(UTC).replace(microsecond=0), usegmt=True)
    msg["Message-ID"] = message_id
    # RFC 3834: ask out-of-office responders not to answer (iTIP replies are user actions).
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def build_simple_email(
    *,
    sender: Mailbox,
    to: Mailbox,
    subject: str,
    text: str,
    key: Sequence[str],
    domain: str,
    now: datetime,
    html_body: str | None = None,
    reply_to: Mailbox | None = None,
) -> EmailMessage:
    """A notification without a calendar (application received, decision, ...):
    ``multipart/alternative`` of text/plain and text/html with a Message-ID derived from
    ``key``. Without ``html_body`` the HTML is the escaped text, paragraph by paragraph;
    a caller passing ``html_body`` vouches that it is already escaped."""
    msg = _base_message(sender, to, subject, now, make_message_id(key, domain))
    if reply_to is not None:
        msg["Reply-To"] = reply_to.address()
    msg.set_content(text)
    msg.add_alternative(html_body or _wrap_html(subject, _paragraphs_html(text)), subtype="html")
    _tidy(msg)
    return msg


def _subject_and_lead(meeting: MeetingInfo, kind: InviteKind) -> tuple[str, str]:
    title = _one_line(meeting.title)
    if kind is InviteKind.INVITATION:
        return f"Invitation: {title}", f"You are invited to take part in “{title}”."
    if kind is InviteKind.UPDATE:
        return (f"Updated invitation: {title}",
                f"The details of “{title}” have changed. Your calendar entry updates itself.")
    if meeting.status is MeetingStatus.CANCELLED:  # the whole meeting, not only this invitation
        return f"Cancelled: {title}", f"“{title}” has been cancelled. Your calendar entry is cancelled too."
    return (f"Invitation withdrawn: {title}",
            f"Your invitation to “{title}” has been withdrawn. Your calendar entry is cancelled.")


def _texts(meeting: MeetingInfo, invitee: Invitee, kind: InviteKind) -> tuple[str, str, str]:
    """(subject, plain text, html) in plain language."""
    subject, lead = _subject_and_lead(meeting, kind)
    mornings = sorted(meeting.mornings, key=lambda m: m.start)
    times = [describe_morning(m, meeting.zone) for m in mornings]
    organiser = _one_line(meeting.organiser_name) or meeting.organiser_email
    greeting = f"Dear {_one_line(invitee.name)},"

    text_lines = [greeting, "", lead, ""]
    html_parts = [f"<p>{html.escape(greeting)}</p>", f"<p>{html.escape(lead)}</p>"]
    if kind is not InviteKind.CANCELLATION:
        text_lines.append("When:")
        items = []
        for local, utc in times:
            text_lines += [f"  • {local}", f"    ({utc})"]
            items.append(f"<li>{html.escape(local)}<br><small>{html.escape(utc)}</small></li>")
        text_lines += [
            "",
            "Your personal link (it is yours alone; please do not forward it):",
            f"  {invitee.personal_url}",
            "There you can accept or decline, see the agenda and, during the meeting,",
            "find your break-out room. Your calendar's Accept/Decline buttons work too.",
            "",
        ]
        html_parts += [
            "<p><strong>When:</strong></p>",
            f"<ul>{''.join(items)}</ul>",
            "<p>Your personal link (it is yours alone; please do not forward it):<br>"
            f"{_link_html(invitee.personal_url)}</p>",
            "<p>There you can accept or decline, see the agenda and, during the meeting, "
            "find your break-out room. Your calendar's Accept/Decline buttons work too.</p>",
        ]
        if meeting.description.strip():
            text_lines += [meeting.description.strip(), ""]
            html_parts.append(_paragraphs_html(meeting.description))
        text_lines += ["The calendar invitation is attached (invite.ics).", ""]
        html_parts.append("<p>The calendar invitation is attached (invite.ics).</p>")
    else:
        text_lines += ["Mornings concerned:"]
        items = []
        for local, utc in times:
            text_lines.append(f"  • {local} ({utc})")
            items.append(f"<li>{html.escape(local)} ({html.escape(utc)})</li>")
        text_lines.append("")
        html_parts.append(f"<ul>{''.join(items)}</ul>")
    text_lines += [organiser, meeting.public_url]
    html_parts.append(f"<p>{html.escape(organiser)}<br>{_link_html(meeting.public_url)}</p>")
    return subject, "\n".join(text_lines) + "\n", _wrap_html(subject, "\n".join(html_parts))


def build_invitation_email(
    meeting: MeetingInfo,
    invitee: Invitee,
    kind: InviteKind,
    *,
    now: datetime,
    domain: str,
    texts: tuple[str, str] | None = None,
    labels: CalendarLabels = ENGLISH_LABELS,
) -> EmailMessage:
    """Invitation, update or cancellation mail for one invitee with the iTIP calendar
    inline (``text/calendar; method=...``) and attached as ``invite.ics``.

    ``invitee.sequence`` is the SEQUENCE to send (the caller increments it for updates and
    cancellations); ``now`` is the DTSTAMP and the Date header; ``domain`` is the right-hand
    side of the Message-ID; ``texts`` (subject, plain text) replaces the built-in wording, the
    HTML part following the text paragraph by paragraph with its links clickable; ``labels``
    are the calendar's added words in the invitee's language (English by default)."""
    if kind is InviteKind.CANCELLATION:
        method, ics = "CANCEL", build_cancel(meeting, invitee, now, labels)
    else:
        if kind is InviteKind.UPDATE and invitee.sequence == 0:
            raise CalendarError("sequence: an update needs a SEQUENCE above the first send's")
        method, ics = "REQUEST", build_request(meeting, invitee, now, labels)
    if texts is None:
        subject, text, html_body = _texts(meeting, invitee, kind)
    else:
        subject, text = _one_line(texts[0]), texts[1]
        html_body = _wrap_html(subject, _linked_paragraphs_html(text))
    message_id = make_message_id((invitee.id, meeting.uid, str(invitee.sequence), method), domain)
    msg = _base_message(
        Mailbox(meeting.organiser_name, meeting.organiser_email),
        Mailbox(invitee.name, invitee.email),
        subject,
        now,
        message_id,
    )
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    calendar_part = EmailMessage()
    calendar_part.set_content(
        ics,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"charset": "utf-8", "method": method},
    )
    msg.attach(calendar_part)
    msg.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        filename=ATTACHMENT_NAME,
        cte="base64",
        params={"name": ATTACHMENT_NAME},
    )
    _tidy(msg)
    return msg


def _tidy(msg: EmailMessage) -> None:
    """MIME-Version belongs on the top-level message only (RFC 2045 section 4)."""
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
