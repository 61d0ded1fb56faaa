"""Agenda rules: items lie inside their day, end after they start and never overlap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise


class ItemKind(StrEnum):
    WELCOME = "welcome"
    PRESENTATION = "presentation"
    QA = "qa"
    BREAKOUT = "breakout"
    BREAK = "break"
    FEEDBACK = "feedback"
    CLOSING = "closing"


@dataclass(frozen=True)
class Slot:
    """An item's place in time: UTC instants, plus its id (None for a new item)."""

    start: datetime
    end: datetime
    item_id: int | None = None
    title: str = ""


@dataclass(frozen=True)
class AgendaProblem:
    field: str
    reason: str


def check_slot(slot: Slot, day_start: datetime, day_end: datetime,
               others: Iterable[Slot]) -> list[AgendaProblem]:
    """Return every rule a slot breaks within its day, given the day's other items."""
    problems: list[AgendaProblem] = []
    if slot.end <= slot.start:
        problems.append(AgendaProblem("end", "must be after the start"))
        return problems
    if slot.start < day_start:
        problems.append(AgendaProblem("start", "is before the day begins"))
    if slot.end > day_end:
        problems.append(AgendaProblem("end", "is after the day ends"))
    for other in others:
        if other.item_id is not None and other.item_id == slot.item_id:
            continue
        if slot.start < other.end and other.start < slot.end:
            name = f" '{other.title}'" if other.title else ""
            problems.append(AgendaProblem("start", f"overlaps the item{name}"))
            break
    return problems


def overlapping_pairs(slots: Sequence[Slot]) -> list[tuple[Slot, Slot]]:
    """Return neighbouring pairs that overlap (after sorting by start)."""
    ordered = sorted(slots, key=lambda s: (s.start, s.end))
    return [(a, b) for a, b in pairwise(ordered) if b.start < a.end]
