"""Domain signals: features announce what changed; other features subscribe.

The agenda does not know about calendar invitations; invitations listen for
`meeting_changed` instead. Receivers run inside the same transaction's request.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Event; kwargs: what="time" | "dates" | "status" | "details"
meeting_changed = _signals.signal("meeting-changed")
# sender: the Event; kwargs: item=AgendaItem | None
agenda_changed = _signals.signal("agenda-changed")
# sender: the Application; kwargs: old=str, new=str
application_status_changed = _signals.signal("application-status-changed")
# sender: the staff User; kwargs: ended=int (how many logins were revoked), kept=int | None
# (the login left open, on a password change). Sent after the commit.
staff_logins_ended = _signals.signal("staff-logins-ended")
