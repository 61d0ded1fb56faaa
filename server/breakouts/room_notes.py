"""A room's explanation in the reader's language: the notes ``server.sessions.breakouts.notes``
defines (what the engine and the round's rooms say), rendered with the catalog."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from server.core.vocab import ROLE_GROUP_LABELS
from server.localize import region_label, role_label
from server.sessions.breakouts import notes
from server.sessions.breakouts.notes import Note


def _group(code: str) -> str:
    label = ROLE_GROUP_LABELS.get(code)
    return _(label) if label else code


def _counts(counts: Sequence[Sequence[Any]], label: Callable[[str], str]) -> str:
    return ", ".join(f"{n} {label(str(value))}" for value, n in counts)


def _rooms(count: int) -> str:
    return ngettext("%(num)d room", "%(num)d rooms", count)


def _theme(p: dict[str, Any]) -> str:
    group = _group(p["group"])
    rooms = p.get("rooms")
    text = (_("theme %(group)s", group=group) if rooms is None else
            _("theme %(group)s (%(rooms)s for the group)", group=group, rooms=_rooms(rooms)))
    if p.get("others"):
        text += ", " + ngettext("%(num)d seated from another group whose rooms were full",
                                "%(num)d seated from other groups whose rooms were full", p["others"])
    return text


def _no_facilitator(p: dict[str, Any]) -> str:
    available = ngettext("%(num)d facilitator", "%(num)d facilitators", p["available"])
    return _("no facilitator (%(available)s for %(rooms)s)", available=available, rooms=_rooms(p["rooms"]))


def _region_missing(p: dict[str, Any]) -> str:
    region = region_label(p["region"])
    if p["total"] < p["rooms"]:
        return _("no one from %(region)s (only %(total)d for %(rooms)s)", region=region, total=p["total"],
                 rooms=_rooms(p["rooms"]))
    return _("no one from %(region)s (other constraints came first)", region=region)


def _room_language(p: dict[str, Any]) -> str:
    if p["spoken"]:
        return _("room language %(language)s", language=p["language"])
    return _("room language %(language)s: NOT spoken by every member", language=p["language"])


_SAY: dict[str, Callable[[dict[str, Any]], str]] = {
    notes.ROOM: lambda p: ngettext("Room %(number)d: %(num)d person", "Room %(number)d: %(num)d people",
                                   p["people"], number=p["number"]),
    notes.EMPTY: lambda p: _("Room %(number)d: no participants yet", number=p["number"]),
    notes.TOPIC: lambda p: _("topic “%(topic)s”", topic=p["topic"]),
    notes.THEME: _theme,
    notes.FACILITATORS: lambda p: ngettext("facilitator %(names)s", "facilitators %(names)s", len(p["ids"]),
                                           names=", ".join(p["ids"])),
    notes.NO_FACILITATOR: _no_facilitator,
    notes.STAFF_FACILITATOR: lambda p: _("staff facilitator %(name)s", name=p["name"]),
    notes.ROLES: lambda p: _("roles: %(counts)s", counts=_counts(p["counts"], role_label)),
    notes.REGIONS: lambda p: _("regions: %(counts)s", counts=_counts(p["counts"], region_label)),
    notes.REGION_MISSING: _region_missing,
    notes.ROOM_LANGUAGE: _room_language,
    notes.COMMON_LANGUAGE: lambda p: _("common language %(languages)s", languages="/".join(p["languages"])),
    notes.NO_COMMON_LANGUAGE: lambda p: _("NO common language among the members"),
    notes.REPEAT_PAIRS: lambda p: ngettext("%(num)d pair met in an earlier round",
                                           "%(num)d pairs met in an earlier round", p["count"]),
    notes.APART_PAIRS: lambda p: ngettext("%(num)d pair that should be apart (e.g. same organisation)",
                                          "%(num)d pairs that should be apart (e.g. same organisation)", p["count"]),
    notes.LOCKED: lambda p: _("locked here: %(names)s", names=", ".join(p["ids"])),
    notes.BY_HAND: lambda p: _("arranged by hand since the last proposal"),
}


def say(room: Sequence[Note], names: Mapping[str, str] | None = None) -> str:
    """One room's notes as a line in the request's language; ``names`` turns person ids into names."""
    names = names or {}
    parts = []
    for code, params in room:
        if code in (notes.FACILITATORS, notes.LOCKED):
            params = {**params, "ids": [names.get(str(i), str(i)) for i in params["ids"]]}
        parts.append(_SAY[code](params))
    return "; ".join(parts)
