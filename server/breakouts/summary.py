"""Break-out rounds as answers: metrics recomputed from the stored rooms, one line per room, and the
dictionaries the API and the pages show."""

from __future__ import annotations

from typing import Any

from server.breakouts import facilitators, room_notes
from server.breakouts.loading import Arrangement, arrangement, separations
from server.core.timeutil import iso_utc
from server.localize import role_label
from server.models import Application, BreakoutRound, User
from server.sessions.breakouts import compute_metrics, notes
from server.sessions.breakouts.metrics import counts
from server.sessions.breakouts.notes import Note
from server.sessions.breakouts.staff import with_staff


def evaluate(rnd: BreakoutRound, arr: Arrangement | None = None,
             staff: dict[int, User] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Metrics recomputed from the stored rooms (so manual moves count, and rooms led by a staff
    facilitator count as led) and one line per room in the reader's language."""
    arr = arr or arrangement(rnd)
    if not arr.rooms:
        return {}, []
    staff = facilitators.room_staff(arr.rooms, rnd.event_id) if staff is None else staff
    known = {p.id for p in arr.people}
    metrics = compute_metrics(
        arr.people, arr.ids(), specs=arr.specs(), themes=arr.themes(), previous=arr.previous,
        locks=arr.locks(), separations=separations(rnd, known),
        separate_organisations=rnd.separate_organisations,
    ).as_dict()
    covered = [any(a.is_facilitator for a in members) for members in arr.members]
    metrics = with_staff(metrics, covered, [room.id in staff for room in arr.rooms],
                         sum(1 for members in arr.members for a in members if a.is_facilitator))
    stored = rnd.metrics or {}
    proposed = notes.from_json(stored.get("notes")) if stored.get("source") == "proposal" else None
    if proposed is None or len(proposed) != len(arr.rooms):
        # changed by hand since the proposal (or proposed before notes were stored): from the rooms
        proposed = _notes(arr, by_hand=stored.get("source") != "proposal")
    names = {str(a.id): a.name or str(a.id) for members in arr.members for a in members}
    return metrics, [room_notes.say(_with_staff(said, staff.get(room.id)), names)
                     for said, room in zip(proposed, arr.rooms, strict=True)]


def _with_staff(said: list[Note], user: User | None) -> list[Note]:
    """A room's notes naming its staff facilitator (in place of "no facilitator")."""
    if user is None:
        return said
    named: Note = (notes.STAFF_FACILITATOR, {"name": facilitators.staff_dict(user)["name"]})
    if any(code == notes.NO_FACILITATOR for code, _ in said):
        return [named if code == notes.NO_FACILITATOR else (code, params) for code, params in said]
    return [*said, named]


def _notes(arr: Arrangement, *, by_hand: bool) -> list[list[Note]]:
    """Per-room notes from the stored rooms (the engine's own notes describe only its proposal)."""
    earlier: set[tuple[str, str]] = set()
    for past in arr.previous:
        for past_ids in past.rooms:
            earlier.update((a, b) for a in past_ids for b in past_ids if a < b)
    rooms = []
    for room, members in zip(arr.rooms, arr.members, strict=True):
        ids = sorted(str(a.id) for a in members)
        said: list[Note] = [(notes.ROOM, {"number": room.number, "people": len(members)})]
        if room.topic:
            said.append((notes.TOPIC, {"topic": room.topic}))
        if room.role_group:
            said.append((notes.THEME, {"group": room.role_group, "rooms": None, "others": 0}))
        if members:
            said.append((notes.ROLES, {"counts": counts([str(a.role) for a in members])}))
            said.append((notes.REGIONS, {"counts": counts([str(a.region) for a in members])}))
        repeats = sum(1 for i, a in enumerate(ids) for b in ids[i + 1:] if (a, b) in earlier)
        if repeats:
            said.append((notes.REPEAT_PAIRS, {"count": repeats}))
        held = [str(a.id) for a in members if a.id in arr.locked]
        if held:
            said.append((notes.LOCKED, {"ids": held}))
        if by_hand:
            said.append((notes.BY_HAND, {}))
        rooms.append(said)
    return rooms


# ------------------------------------------------------------------ answers


def member_dict(a: Application, locked: bool) -> dict[str, Any]:
    return {
        "application_id": a.id,
        "name": a.name or "(erased)",
        "role": a.role,
        "role_label": role_label(a.role),  # in the reader's language
        "country": a.country,
        "region": a.region,
        "organisation": a.organisation or "",
        "facilitator": bool(a.is_facilitator),
        "locked": locked,
    }


def round_dict(rnd: BreakoutRound, slug: str) -> dict[str, Any]:
    arr = arrangement(rnd)
    staff = facilitators.room_staff(arr.rooms, rnd.event_id)
    metrics, lines = evaluate(rnd, arr, staff)
    led = sum(1 for members in arr.members for a in members if a.is_facilitator) + len(staff)
    return {
        "id": rnd.id,
        "event": slug,
        "title": rnd.title,
        "agenda_item_id": rnd.agenda_item_id,
        "mode": rnd.mode,
        "room_count": rnd.room_count,
        "room_size": rnd.room_size,
        "topics": list(rnd.topics or []),
        "seed": rnd.seed,
        "video_url_template": rnd.video_url_template,
        "separate_organisations": rnd.separate_organisations,
        "separations": [list(g) for g in rnd.separations or []],
        "status": rnd.status,
        "version": rnd.version,
        "created_at": iso_utc(rnd.created_at),
        "published_at": iso_utc(rnd.published_at) if rnd.published_at else None,
        "previous_round_ids": arr.previous_ids,
        "metrics": metrics,
        "explanations": lines,
        "facilitators": led,
        "rooms": [
            {
                "id": room.id,
                "number": room.number,
                "name": room.name,
                "topic": room.topic,
                "role_group": room.role_group,
                "video_url": room.video_url,
                "count": len(members),
                "explanation": lines[i] if i < len(lines) else "",
                "members": [member_dict(a, a.id in arr.locked) for a in members],
                "staff_facilitator": facilitators.staff_dict(staff[room.id]) if room.id in staff else None,
            }
            for i, (room, members) in enumerate(zip(arr.rooms, arr.members, strict=True))
        ],
        "unplaced": [member_dict(a, False) for a in arr.unplaced],
    }
