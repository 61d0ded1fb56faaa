"""Display names in mail headers (issue 11, item 6): whatever a person types as their name —
any length, quotes, commas, angle brackets, line breaks, non-ASCII — the message has exactly one
recipient, the intended address, and the name reads back as typed (or neutralised)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default, strict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.invite_mail import Mailbox, build_simple_email

NOW = datetime(2021, 5, 14, 8, 15, tzinfo=UTC)
TO = "victim@example.org"
SENDER = Mailbox("Organisers", "team@example.org")

# Characters that mean something in an address header, plus line breaks and non-ASCII.
HOSTILE = st.sampled_from([*',;:<>"\'\\()[]@ \t\r\n=?', "attacker@evil.example", "=?utf-8?q?x?=",
                           "\u00e9", "\u0416", "\u4e2d", "\U0001f600", "\u202e", "\x00", "Bcc: x@evil.example"])
NAMES = st.lists(st.one_of(HOSTILE, st.text(min_size=1, max_size=8)), max_size=60).map("".join)


def _read_back(message: EmailMessage, policy: object) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(policy=SMTP), policy=policy)  # type: ignore[arg-type]
    assert isinstance(parsed, EmailMessage)
    return parsed


def _recipients(name: str, sender_name: str = "Organisers") -> tuple[EmailMessage, EmailMessage]:
    message = build_simple_email(sender=Mailbox(sender_name, "team@example.org"), to=Mailbox(name, TO),
                                 subject=f"Hello {name}", text=f"Dear {name},", key=("k", name),
                                 domain="convene.example.org", now=NOW)
    return _read_back(message, default), _read_back(message, strict)


def _plain(name: str) -> str:
    """What the name may become: controls and line breaks become spaces, bidi overrides go, and
    "=?" (which a reader would decode as an encoded-word) is spaced apart."""
    kept = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in name
                   if not ("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"))
    return " ".join(kept.split()).replace("=?", "= ?")


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _reads_back(shown: str, name: str) -> bool:
    """The name as typed (neutralised), or — when too long for one header line — its start and "…"."""
    got, want = _squeezed(shown), _squeezed(_plain(name))
    return got == want or (got.endswith("…") and want.startswith(got[:-1]) and len(got) > 20)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES)
def test_a_display_name_never_adds_a_recipient_or_breaks_to(name: str) -> None:
    for parsed in _recipients(name):
        to = parsed["To"]
        assert len(to.addresses) == 1, (name, str(to))
        assert to.addresses[0].addr_spec == TO
        # Spacing aside (Python's folder may put a space between two encoded-words of a long
        # name), every character reads back in order.
        assert _reads_back(to.addresses[0].display_name, name)
        assert parsed.get_all("Cc") is None and parsed.get_all("Bcc") is None
        assert len(parsed["From"].addresses) == 1 and parsed["From"].addresses[0].addr_spec == SENDER.email


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES)
def test_a_sender_name_never_adds_a_from_or_a_recipient(name: str) -> None:
    for parsed in _recipients("Plain Name", sender_name=name):
        assert [a.addr_spec for a in parsed["From"].addresses] == ["team@example.org"]
        assert [a.addr_spec for a in parsed["To"].addresses] == [TO]


def test_known_hostile_names_read_back_as_typed() -> None:
    for name in ['Eve, attacker@evil.example', 'Mallory <attacker@evil.example>', '"Quoted" \\ name',
                 "Line\r\nBcc: attacker@evil.example", "Жанна Тулегенова", "x" * 400 + ", y@evil.example",
                 "=?utf-8?q?boss=40bank.example?=", "Ann \u202eevil"]:
        parsed, _ = _recipients(name)
        assert [a.addr_spec for a in parsed["To"].addresses] == [TO]
        assert _reads_back(parsed["To"].addresses[0].display_name, name)
