"""What a room's explanation says, as data: the engine and the edges decide *what* to say about a
room; the reader's language decides *how* (``server.breakouts.room_notes`` renders these with the
catalog; ``english`` here is the plain line the CLI prints and the engine has always returned).

A note is ``(code, params)`` with JSON values only, so a proposal's notes are stored with it and
read back in whatever language the organiser uses later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from server.core.vocab import REGION_LABELS, ROLE_GROUP_LABELS, ROLE_LABELS

Note = tuple[str, dict[str, Any]]

ROOM = "room"  # number, people
EMPTY = "empty"  # number: the round has no participants yet
TOPIC = "topic"  # topic
THEME = "theme"  # group, rooms (None after hand changes), others (seated from other groups)
FACILITATORS = "facilitators"  # ids
NO_FACILITATOR = "no_facilitator"  # available, rooms
STAFF_FACILITATOR = "staff_facilitator"  # name
ROLES = "roles"  # counts: [[role, n], ...], most first
REGIONS = "regions"  # counts: [[region, n], ...], most first
REGION_MISSING = "region_missing"  # region, total (in the room's pool), rooms (of the pool)
ROOM_LANGUAGE = "room_language"  # language, spoken (by every member)
COMMON_LANGUAGE = "common_language"  # languages
NO_COMMON_LANGUAGE = "no_common_language"
REPEAT_PAIRS = "repeat_pairs"  # count
APART_PAIRS = "apart_pairs"  # count
LOCKED = "locked"  # ids (engine) or names (after hand changes)
BY_HAND = "by_hand"

_ROLES = {str(k): v for k, v in ROLE_LABELS.items()}
_REGIONS = {str(k): v for k, v in REGION_LABELS.items()}


def _counts(counts: Sequence[Sequence[Any]], labels: dict[str, str]) -> str:
    return ", ".join(f"{n} {labels.get(str(value), str(value))}" for value, n in counts)


def _theme(p: dict[str, Any]) -> str:
    text = f"theme {ROLE_GROUP_LABELS.get(p['group'], p['group'])}"
    if p.get("rooms") is not None:
        text += f" ({p['rooms']} room(s) for the group)"
    if p.get("others"):
        text += f", {p['others']} seated from other groups whose rooms were full"
    return text


def _region_missing(p: dict[str, Any]) -> str:
    why = f"only {p['total']} for {p['rooms']} rooms" if p["total"] < p["rooms"] else "other constraints came first"
    return f"no one from {_REGIONS.get(p['region'], p['region'])} ({why})"


_ENGLISH: dict[str, Callable[[dict[str, Any]], str]] = {
    ROOM: lambda p: f"Room {p['number']}: {p['people']} people",
    EMPTY: lambda p: f"Room {p['number']}: no participants yet",
    TOPIC: lambda p: f"topic {p['topic']!r}",
    THEME: _theme,
    FACILITATORS: lambda p: "facilitator " + ", ".join(p["ids"]),
    NO_FACILITATOR: lambda p: f"no facilitator ({p['available']} facilitator(s) for {p['rooms']} room(s))",
    STAFF_FACILITATOR: lambda p: f"staff facilitator {p['name']}",
    ROLES: lambda p: "roles: " + _counts(p["counts"], _ROLES),
    REGIONS: lambda p: "regions: " + _counts(p["counts"], _REGIONS),
    REGION_MISSING: _region_missing,
    ROOM_LANGUAGE: lambda p: f"room language {p['language']}" + ("" if p["spoken"] else ": NOT spoken by every member"),
    COMMON_LANGUAGE: lambda p: "common language " + "/".join(p["languages"]),
    NO_COMMON_LANGUAGE: lambda p: "NO common language among the members",
    REPEAT_PAIRS: lambda p: f"{p['count']} pair(s) met in an earlier round",
    APART_PAIRS: lambda p: f"{p['count']} pair(s) that should be apart (e.g. same organisation)",
    LOCKED: lambda p: "locked here: " + ", ".join(p["ids"]),
    BY_HAND: lambda p: "arranged by hand since the last proposal",
}


def english(notes: Sequence[Note]) -> str:
    """One room's notes as the plain English line (the CLI's output, the engine's ``explanations``)."""
    return "; ".join(_ENGLISH[code](params) for code, params in notes)


def as_json(rooms: Sequence[Sequence[Note]]) -> list[list[list[Any]]]:
    return [[[code, dict(params)] for code, params in notes] for notes in rooms]


def from_json(data: Any) -> list[list[Note]] | None:
    """Stored notes back as notes; None when ``data`` is not what ``as_json`` wrote."""
    if not isinstance(data, list):
        return None
    rooms: list[list[Note]] = []
    for notes in data:
        if not isinstance(notes, list):
            return None
        room: list[Note] = []
        for note in notes:
            if not (isinstance(note, list) and len(note) == 2 and note[0] in _ENGLISH and isinstance(note[1], dict)):
                return None
            room.append((str(note[0]), dict(note[1])))
        rooms.append(room)
    return rooms
