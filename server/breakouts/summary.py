"""Break-out rounds as answers: metrics recomputed from the stored rooms, one line per room, and the
dictionaries the API and the pages show."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.breakouts import facilitators
from server.breakouts.loading import Arrangement, arrangement, separations
from server.core.timeutil import iso_utc
from server.core.vocab import REGION_LABELS, ROLE_GROUP_LABELS, ROLE_LABELS
from server.models import Application, BreakoutRound, User
from server.sessions.breakouts import compute_metrics
from server.sessions.breakouts.staff import with_staff

_ROLE_LABELS = {str(k): v for k, v in ROLE_LABELS.items()}
_NO_FACILITATOR = re.compile(r"no facilitator \(\d+ facilitator\(s\) for \d+ room\(s\)\)")  # metrics.py
_REGION_LABELS = {str(k): v for k, v in REGION_LABELS.items()}


def evaluate(rnd: BreakoutRound, arr: Arrangement | None = None,
             staff: dict[int, User] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Metrics recomputed from the stored rooms (so manual moves count, and rooms led by a staff
    facilitator count as led) and one line per room."""
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
    if stored.get("source") == "proposal" and len(stored.get("explanations", [])) == len(arr.rooms):
        lines = list(stored["explanations"])
    else:
        lines = _lines(rnd, arr)
    return metrics, [_with_staff_line(line, staff.get(room.id)) for line, room in zip(lines, arr.rooms, strict=True)]


def _with_staff_line(line: str, user: User | None) -> str:
    """A room's line naming its staff facilitator (in place of the engine's "no facilitator")."""
    if user is None:
        return line
    said = f"staff facilitator {facilitators.staff_dict(user)['name']}"
    replaced = _NO_FACILITATOR.sub(said, line, count=1)
    return replaced if replaced != line else f"{line}; {said}"


def _phrase(values: Iterable[str], labels: dict[str, str]) -> str:
    counts = Counter(values)
    return ", ".join(f"{n} {labels.get(v, v)}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _lines(rnd: BreakoutRound, arr: Arrangement) -> list[str]:
    """Per-room lines after manual changes (the engine's own lines describe only its proposal)."""
    earlier: set[tuple[str, str]] = set()
    for past in arr.previous:
        for past_ids in past.rooms:
            earlier.update((a, b) for a in past_ids for b in past_ids if a < b)
    lines = []
    for room, members in zip(arr.rooms, arr.members, strict=True):
        ids = sorted(str(a.id) for a in members)
        bits = [f"Room {room.number}: {len(members)} people"]
        if room.topic:
            bits.append(f"topic {room.topic!r}")
        if room.role_group:
            bits.append(f"theme {ROLE_GROUP_LABELS.get(room.role_group, room.role_group)}")
        if members:
            bits.append("roles: " + _phrase((a.role for a in members), _ROLE_LABELS))
            bits.append("regions: " + _phrase((a.region for a in members), _REGION_LABELS))
        repeats = sum(1 for i, a in enumerate(ids) for b in ids[i + 1:] if (a, b) in earlier)
        if repeats:
            bits.append(f"{repeats} pair(s) met in an earlier round")
        held = [a.name or str(a.id) for a in members if a.id in arr.locked]
        if held:
            bits.append("locked here: " + ", ".join(held))
        bits.append("arranged by hand since the last proposal")
        lines.append("; ".join(bits))
    return lines


# ------------------------------------------------------------------ answers


def member_dict(a: Application, locked: bool) -> dict[str, Any]:
    return {
        "application_id": a.id,
        "name": a.name or "(erased)",
        "role": a.role,
        "role_label": _ROLE_LABELS.get(a.role, a.role),
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
