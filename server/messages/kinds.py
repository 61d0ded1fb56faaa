"""Every kind of message a meeting sends, its placeholders and its default text (English msgids).

The defaults go through gettext when a mail is rendered (under the recipient's language), so
the translators' catalog gives each language its default; organisers may replace subject and
body per language on /organise/<slug>/messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

PLACEHOLDERS: dict[str, object] = {
    "name": _l("the person’s name"),
    "event_title": _l("the meeting’s title"),
    "personal_link": _l("the person’s personal link (theirs alone)"),
    "deadline": _l("the application deadline, in the meeting’s zone"),
    "first_morning": _l("the first morning, in the meeting’s zone"),
    "when": _l("every morning, one a line, in the meeting’s zone and in UTC"),
    "description": _l("the meeting’s description"),
    "organiser": _l("the sender name"),
    "public_url": _l("the meeting’s public page"),
}


@dataclass(frozen=True)
class Kind:
    key: str
    label: object            # a lazy string
    when_sent: object
    mail_kinds: tuple[str, ...]  # OutboundMail.kind values of this message
    subject: object
    body: object


# Added to every default body after translation (texts.defaults): inside _l() it made each msgid
# differ from the extracted one, which lacks it, so no language but English had its text.
SIGNATURE = "\n\n{organiser}\n{public_url}\n"

KINDS: tuple[Kind, ...] = (
    Kind("confirmation", _l("Application received"), _l("when someone applies"), ("application_received",),
         _l("Application received: {event_title}"),
         _l("Dear {name},\n\nThank you for applying to take part in “{event_title}”. We have received your "
            "application.\n\nYour personal link (it is yours alone; please do not forward it):\n{personal_link}\n\n"
            "There you can read your answers, change them until the deadline ({deadline}), or withdraw your "
            "application and have your data erased.\n\nAfter the deadline the organisers read every application "
            "and tell you by email whether they can offer you a seat.")),
    Kind("invitation", _l("Invitation"), _l("when someone is invited (with the calendar invitation)"),
         ("invitation",),
         _l("Invitation: {event_title}"),
         _l("Dear {name},\n\nYou are invited to take part in “{event_title}”.\n\nWhen:\n{when}\n\n"
            "Your personal link (it is yours alone; please do not forward it):\n  {personal_link}\n"
            "There you can accept or decline, see the agenda and, during the meeting,\nfind your break-out room. "
            "Your calendar's Accept/Decline buttons work too.\n\n{description}\n\n"
            "The calendar invitation is attached (invite.ics).")),
    Kind("update", _l("Update"), _l("when the meeting’s days or times change"), ("update",),
         _l("Updated invitation: {event_title}"),
         _l("Dear {name},\n\nThe details of “{event_title}” have changed. Your calendar entry updates itself."
            "\n\nWhen:\n{when}\n\nYour personal link (it is yours alone; please do not forward it):\n"
            "  {personal_link}\n\nThe calendar invitation is attached (invite.ics).")),
    Kind("cancellation", _l("Cancellation"), _l("to every invitee when the meeting is cancelled"),
         ("cancellation",),
         _l("Cancelled: {event_title}"),
         _l("Dear {name},\n\n“{event_title}” has been cancelled. Your calendar entry is cancelled too."
            "\n\nMornings concerned:\n{when}")),
    Kind("withdrawal", _l("Invitation withdrawn"), _l("when someone invited loses their seat (wait-list, decline, "
                                                      "withdrawal)"), (),
         _l("Invitation withdrawn: {event_title}"),
         _l("Dear {name},\n\nYour invitation to “{event_title}” has been withdrawn. Your calendar entry is "
            "cancelled.\n\nMornings concerned:\n{when}")),
    Kind("waitlist", _l("Wait-list"), _l("when someone is put on the wait-list"), ("decision_waitlisted",),
         _l("You are on the wait-list: {event_title}"),
         _l("Dear {name},\n\nThank you for applying to “{event_title}”. All seats are taken for now, and we have "
            "put you on the wait-list. If a seat becomes free, we will invite you by email.")),
    Kind("decline", _l("Decline"), _l("when the organisers decline an application"), ("decision_rejected",),
         _l("Your application: {event_title}"),
         _l("Dear {name},\n\nThank you for applying to “{event_title}”. We received many more applications than "
            "we have seats, and we are sorry that we cannot offer you a place this time.")),
    Kind("reminder", _l("Reminder"), _l("a day before the first morning, to everyone invited"), ("reminder",),
         _l("Reminder: {event_title}"),
         _l("Dear {name},\n\nA reminder: “{event_title}” starts soon.\n\n{when}\n\nYour personal link:\n"
            "  {personal_link}")),
    Kind("personal_link", _l("Personal link again"), _l("when someone applies again with the same address"),
         ("application_link",),
         _l("Your application: {event_title}"),
         _l("Dear {name},\n\nSomeone (probably you) tried to apply again to “{event_title}” with this email "
            "address. There is already an application from this address, so no second one was made.\n\n"
            "To read or update your application, use your personal link:\n{personal_link}\n\nThis link replaces "
            "any earlier one. If this was not you, you need not do anything.")),
)

BY_KEY = {k.key: k for k in KINDS}
BY_MAIL_KIND = {m: k for k in KINDS for m in k.mail_kinds}
