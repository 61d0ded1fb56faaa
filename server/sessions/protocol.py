"""The live contract: Socket.IO event names, room names, acknowledgements and versions.

Pure data and tiny helpers shared by the live core (``qa``, ``speakers``, ``live_state``) and
the socket layer that will implement ``docs/realtime.md``. Every event is named here once,
in one scheme ``<topic>:<verb>``; nothing else spells an event or room name as a literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from server.core.timeutil import iso_utc

# ---------------------------------------------------------------------------------------------
# The one error of the live core
# ---------------------------------------------------------------------------------------------


class LiveError(Exception):
    """Refuse a live action: names the offending field and says why; the state is unchanged."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def as_dict(self) -> dict[str, str]:
        """Return the wire shape ``{field, reason}``."""
        return {"field": self.field, "reason": self.reason}


# ---------------------------------------------------------------------------------------------
# What a mutation reports
# ---------------------------------------------------------------------------------------------

PersonId = int | str


@dataclass(frozen=True, slots=True)
class Change:
    """What one accepted mutation did: the stream's new version, the verb, the ids it touched."""

    version: int
    action: str
    ids: tuple[int | str, ...] = ()


def utc(now: datetime, field: str = "now") -> datetime:
    """Return ``now`` in UTC; refuse naive datetimes, which would silently mean server time."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise LiveError(field, "must be a timezone-aware datetime")
    return now.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """Return an instant in the one wire format (``server.core.timeutil.iso_utc``), or None."""
    return None if moment is None else iso_utc(moment)


# ---------------------------------------------------------------------------------------------
# Event names: client -> server (each answered by an acknowledgement)
# ---------------------------------------------------------------------------------------------

# Connection and resynchronisation
SYNC_SNAPSHOT = "sync:snapshot"  # ask for the full state of one or more streams

# Agenda driving (moderators)
AGENDA_START_ITEM = "agenda:start_item"
AGENDA_NEXT_ITEM = "agenda:next_item"
AGENDA_OPEN_BREAKOUTS = "agenda:open_breakouts"
AGENDA_EXTEND_BREAKOUTS = "agenda:extend_breakouts"
AGENDA_CLOSE_BREAKOUTS = "agenda:close_breakouts"
AGENDA_BRING_BACK = "agenda:bring_back"
AGENDA_ANNOUNCE = "agenda:announce"

# Q&A (participants ask and vote; moderators do the rest)
QA_ASK = "qa:ask"
QA_VOTE = "qa:vote"
QA_APPROVE = "qa:approve"
QA_DISMISS = "qa:dismiss"
QA_EDIT = "qa:edit"
QA_PIN = "qa:pin"
QA_UNPIN = "qa:unpin"
QA_ANSWER = "qa:answer"
QA_REOPEN = "qa:reopen"
QA_MERGE = "qa:merge"
QA_SET_MODERATION = "qa:set_moderation"

# Speakers' lists (participants raise and lower; moderators do the rest)
SPEAKER_RAISE = "speaker:raise"
SPEAKER_LOWER = "speaker:lower"
SPEAKER_CALL_NEXT = "speaker:call_next"
SPEAKER_CALL = "speaker:call"
SPEAKER_FINISH = "speaker:finish"
SPEAKER_TIMER_START = "speaker:timer_start"
SPEAKER_TIMER_PAUSE = "speaker:timer_pause"
SPEAKER_TIMER_RESUME = "speaker:timer_resume"
SPEAKER_READD_LAST = "speaker:readd_last"
SPEAKER_CLOSE_LIST = "speaker:close_list"
SPEAKER_OPEN_LIST = "speaker:open_list"
SPEAKER_SET_OPTIONS = "speaker:set_options"  # first_timers_first, speaking limit

# Room notes
NOTES_EDIT = "notes:edit"
NOTES_SYNC = "notes:sync"  # shared notes: ask for what your Yjs document lacks (state vector in, update out)
NOTES_UPDATE = "notes:update"  # shared notes: a browser's Yjs update (stored, then passed on as notes:changed)
NOTES_TYPING = "notes:typing"  # shared notes: I am typing (passed on as notes:typist, not stored)

CLIENT_EVENTS: frozenset[str] = frozenset(
    {
        SYNC_SNAPSHOT,
        AGENDA_START_ITEM,
        AGENDA_NEXT_ITEM,
        AGENDA_OPEN_BREAKOUTS,
        AGENDA_EXTEND_BREAKOUTS,
        AGENDA_CLOSE_BREAKOUTS,
        AGENDA_BRING_BACK,
        AGENDA_ANNOUNCE,
        QA_ASK,
        QA_VOTE,
        QA_APPROVE,
        QA_DISMISS,
        QA_EDIT,
        QA_PIN,
        QA_UNPIN,
        QA_ANSWER,
        QA_REOPEN,
        QA_MERGE,
        QA_SET_MODERATION,
        SPEAKER_RAISE,
        SPEAKER_LOWER,
        SPEAKER_CALL_NEXT,
        SPEAKER_CALL,
        SPEAKER_FINISH,
        SPEAKER_TIMER_START,
        SPEAKER_TIMER_PAUSE,
        SPEAKER_TIMER_RESUME,
        SPEAKER_READD_LAST,
        SPEAKER_CLOSE_LIST,
        SPEAKER_OPEN_LIST,
        SPEAKER_SET_OPTIONS,
        NOTES_EDIT,
        NOTES_SYNC,
        NOTES_UPDATE,
        NOTES_TYPING,
    }
)

# ---------------------------------------------------------------------------------------------
# Event names: server -> client broadcasts (each payload carries ``version``)
# ---------------------------------------------------------------------------------------------

AGENDA_STATE = "agenda:state"  # full live state (small): item, mode, countdown, announcements
QA_CHANGED = "qa:changed"  # the questions one mutation touched, rendered for the recipient
SPEAKER_STATE = "speaker:state"  # full speakers' list of one queue (small)
NOTES_STATE = "notes:state"  # one room's notes
NOTES_CHANGED = "notes:changed"  # shared notes: someone's Yjs update, to the others in the room
NOTES_TYPIST = "notes:typist"  # shared notes: who is typing in the room now
ROOM_ASSIGNED = "room:assigned"  # to one participant: your room (and its video link) changed
PRESENCE_STATE = "presence:state"  # who is here: counts for everyone, names for moderators (unversioned)
SYNC_VERSIONS = "sync:versions"  # heartbeat: every stream's version in the database (resync if behind)

SERVER_EVENTS: frozenset[str] = frozenset(
    {AGENDA_STATE, QA_CHANGED, SPEAKER_STATE, NOTES_STATE, NOTES_CHANGED, NOTES_TYPIST, ROOM_ASSIGNED,
     PRESENCE_STATE, SYNC_VERSIONS}
)

# ---------------------------------------------------------------------------------------------
# Socket.IO room names (who receives a broadcast)
# ---------------------------------------------------------------------------------------------


def event_room(event_id: int) -> str:
    """Return the room every connected participant of an event joins."""
    return f"event:{event_id}"


def moderators_room(event_id: int) -> str:
    """Return the room of an event's moderators and organisers (sees pending, authors)."""
    return f"event:{event_id}:moderators"


def breakout_room(room_id: int) -> str:
    """Return the room of one break-out room's members."""
    return f"room:{room_id}"


def person_room(person_id: PersonId) -> str:
    """Return the room of one person's connections (all tabs): ``room:assigned``, own acks."""
    return f"person:{person_id}"


# ---------------------------------------------------------------------------------------------
# Streams and versions: the resynchronisation contract
# ---------------------------------------------------------------------------------------------


def stream_name(topic: Literal["agenda", "qa", "speaker", "notes"], *key: int | str) -> str:
    """Return the name of one versioned stream, e.g. ``qa:item:7`` or ``agenda:3``.

    Each stream has its own version; clients track the last version seen per stream.
    """
    return ":".join([topic, *(str(part) for part in key)])


VersionVerdict = Literal["apply", "stale", "gap"]


def classify_version(last_seen: int | None, incoming: int, from_version: int | None = None) -> VersionVerdict:
    """Say what a client does with a broadcast covering ``from_version..incoming`` of a stream.

    A coalesced frame covers several versions (``from_version`` up to ``incoming``; a single
    change has ``from_version == incoming``, the default) and carries their combined effect as
    absolute state, so it can be applied whenever it starts at or before the next version the
    client needs. ``apply`` it; ignore a ``stale`` one (duplicate or late); on a ``gap`` (a
    version was missed, or nothing was seen yet) ask for a snapshot instead of guessing.
    """
    first = incoming if from_version is None else from_version
    if last_seen is None:
        return "gap"
    if incoming <= last_seen:
        return "stale"
    if first <= last_seen + 1:
        return "apply"
    return "gap"


# ---------------------------------------------------------------------------------------------
# Acknowledgements
# ---------------------------------------------------------------------------------------------


def ack_ok(**data: Any) -> dict[str, Any]:
    """Return a success acknowledgement ``{ok: true, ...}``."""
    return {"ok": True, **data}


def ack_error(error: LiveError) -> dict[str, Any]:
    """Return a refusal acknowledgement ``{ok: false, error: {field, reason}}``."""
    return {"ok": False, "error": error.as_dict()}
