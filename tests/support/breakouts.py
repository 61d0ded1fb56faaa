"""Helpers for the break-out rounds tests: 40 participants from the EU and Central Asia, and oracles
that recompute spread and repeat pairs from the stored assignments (independently of the engine)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from flask import Flask

EU = ["DE", "FR", "NL", "BE", "SE", "AT"]
CENTRAL_ASIA = ["KZ", "UZ", "KG", "TJ"]
ROLES = ["exit_worker", "prison_officer", "probation_officer", "mental_health_professional",
         "legal_expert", "police_officer", "family_worker", "community_worker"]


@dataclass
class Participant:
    application_id: int
    token: str
    feed_token: str
    name: str


def add_person(app: Flask, event_id: int, name: str, *, country: str, role: str, organisation: str = "",
               status: str = "accepted") -> Participant:
    from server.auth import new_token
    from server.extensions import db
    from server.models import Application

    secret, hashed = new_token()
    feed_secret, feed_hashed = new_token()
    with app.app_context():
        application = Application(
            event_id=event_id, status=status, access_token_hash=hashed, feed_token_hash=feed_hashed,
            email=f"{name.lower().replace(' ', '.').replace('<', '').replace('>', '')}@example.org", name=name,
            role=role, organisation=organisation, languages=[], key_questions=[],
        )
        application.set_country(country)
        db.session.add(application)
        db.session.commit()
        return Participant(application.id, secret, feed_secret, name)


def seed_participants(app: Flask, event_id: int, n: int = 40) -> list[Participant]:
    """n people, 60 % EU and 40 % Central Asia, eight roles in turn; pairs 0–1, 2–3 … 8–9 share
    an organisation (which the rooms must keep apart)."""
    people = []
    for i in range(n):
        eu = i % 5 < 3
        country = EU[i % len(EU)] if eu else CENTRAL_ASIA[i % len(CENTRAL_ASIA)]
        organisation = f"Shared organisation {i // 2}" if i < 10 else f"Organisation {i}"
        people.append(add_person(app, event_id, f"Person {i:02d}", country=country, role=ROLES[i % len(ROLES)],
                                 organisation=organisation))
    return people


def event_id_of(app: Flask, slug: str) -> int:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Event

    with app.app_context():
        value = db.session.scalar(select(Event.id).where(Event.slug == slug))
        assert value is not None
        return int(value)


def breakout_items(app: Flask, slug: str) -> list[int]:
    """The agenda's break-out items in time order (day one, day two)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import AgendaDay, AgendaItem, Event

    with app.app_context():
        return list(db.session.scalars(
            select(AgendaItem.id).join(AgendaDay, AgendaItem.day_id == AgendaDay.id)
            .join(Event, AgendaDay.event_id == Event.id)
            .where(Event.slug == slug, AgendaItem.kind == "breakout").order_by(AgendaItem.starts_at)
        ))


def stored_rooms(app: Flask, round_id: int) -> list[set[int]]:
    """The application ids in each room of a round, read straight from the tables."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import BreakoutRoom, RoomAssignment

    with app.app_context():
        rooms = {rid: set() for rid in db.session.scalars(
            select(BreakoutRoom.id).where(BreakoutRoom.round_id == round_id).order_by(BreakoutRoom.number))}
        for room_id, application_id in db.session.execute(
                select(RoomAssignment.room_id, RoomAssignment.application_id)
                .where(RoomAssignment.round_id == round_id)):
            rooms[room_id].add(application_id)
        return list(rooms.values())


def attributes(app: Flask) -> dict[int, tuple[str, str, str]]:
    """application id -> (role, region, organisation)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Application

    with app.app_context():
        return {a.id: (a.role, a.region, a.organisation or "")
                for a in db.session.scalars(select(Application))}


def pairs(rooms: list[set[int]]) -> set[tuple[int, int]]:
    return {pair for room in rooms for pair in combinations(sorted(room), 2)}


def repeat_pairs(rooms: list[set[int]], earlier: list[list[set[int]]]) -> int:
    before = set().union(*(pairs(r) for r in earlier)) if earlier else set()
    return len(pairs(rooms) & before)


def spread_violations(rooms: list[set[int]], attrs: dict[int, tuple[str, str, str]], index: int) -> int:
    """Seats off the even split: each room should hold floor or ceil of n_v / rooms of every value."""
    totals = Counter(attrs[p][index] for room in rooms for p in room)
    off = 0
    for value, n in totals.items():
        lo, hi = n // len(rooms), -(-n // len(rooms))
        for room in rooms:
            c = sum(1 for p in room if attrs[p][index] == value)
            off += max(0, c - hi) + max(0, lo - c)
    return off


def same_organisation_pairs(rooms: list[set[int]], attrs: dict[int, tuple[str, str, str]]) -> int:
    return sum(1 for a, b in pairs(rooms) if attrs[a][2] and attrs[a][2] == attrs[b][2])
