"""Whether the call for participants takes applications, and its deadline in words."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from server import timefmt
from server.core.timeutil import utc_offset_label
from server.models import Event
from server.problems import Problem


def deadline_label(event: Event) -> str:
    """"Wednesday, 12 May 2021, 23:59:59 Europe/Brussels (UTC+02:00)" in the current language."""
    return (f"{timefmt.day_and_time(event.application_deadline, event.zone, seconds=True)} {event.timezone} "
            f"({utc_offset_label(event.application_deadline, event.zone)})")


def check_call_open(event: Event, at: datetime) -> None:
    if event.call_closed:
        raise Problem(403, _("The call for participants is closed"),
                      [("call_closed", _("The organisers have closed the call; applications are no longer taken."))])
    if at > event.application_deadline:
        raise Problem(403, _("The call for participants is closed"),
                      [("application_deadline", _("Applications closed on %(when)s.", when=deadline_label(event)))])

