"""Whether the call for participants takes applications, and its deadline in words."""

from __future__ import annotations

from datetime import datetime

from server.core.timeutil import utc_offset_label
from server.models import Event
from server.problems import Problem


def deadline_label(event: Event) -> str:
    local = event.application_deadline.astimezone(event.zone)
    return (f"{local:%A %-d %B %Y, %H:%M:%S} {event.timezone} "
            f"({utc_offset_label(event.application_deadline, event.zone)})")


def check_call_open(event: Event, at: datetime) -> None:
    if event.call_closed:
        raise Problem(403, "The call for participants is closed",
                      [("call_closed", "the organisers have closed the call; applications are no longer taken")])
    if at > event.application_deadline:
        raise Problem(403, "The call for participants is closed",
                      [("application_deadline", f"applications closed on {deadline_label(event)}")])

