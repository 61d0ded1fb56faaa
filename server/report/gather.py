"""Everything the meeting's report shows, read from the database into plain data.

Personal data follows the erasure rules because it is read as it is now: an erased person is
counted (role, region, country stay for the figures) but never named, and applicants' key
questions and challenges are anonymised unless the applicant agreed to be named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from server.extensions import db
from server.live import attendance, store
from server.live import operations as live_ops
from server.models import (
    AgendaDay,
    AgendaItem,
    Application,
    ApplicationStatus,
    BreakoutRoom,
    BreakoutRound,
    Event,
    RoomAssignment,
    RoomNotesRow,
    SpeakerQueueRow,
)
from server.sessions.attendance import Morning, MorningAttendance, summarise
from server.sessions.qa import QuestionStatus

S = ApplicationStatus
# Invited at some point: still invited, accepted, or invited and then said no.
INVITED = (S.INVITED, S.ACCEPTED, S.DECLINED)


@dataclass(frozen=True)
class Person:
    id: int
    name: str | None  # None once erased
    role: str
    region: str
    country: str


@dataclass
class Composition:
    """Counts per role, region and country for applicants, invited and attending people."""

    stages: dict[str, list[Person]]

    def counts(self, dimension: str) -> list[tuple[str, list[int]]]:
        per_stage = [Counter(getattr(p, dimension) for p in people) for people in self.stages.values()]
        keys = sorted(set().union(*per_stage), key=lambda k: (-per_stage[0][k], k))
        return [(k, [c[k] for c in per_stage]) for k in keys]

    def totals(self) -> list[int]:
        return [len(people) for people in self.stages.values()]


@dataclass
class QuestionLine:
    text: str
    votes: int
    answered: bool
    author: str | None  # None: anonymous


@dataclass
class QAItem:
    title: str
    questions: list[QuestionLine]


@dataclass
class RoomLine:
    name: str
    members: list[Person]
    notes: str

    def mix(self, dimension: str) -> dict[str, int]:
        return dict(Counter(getattr(p, dimension) for p in self.members))


@dataclass
class RoundSection:
    title: str
    rooms: list[RoomLine]


@dataclass
class SpeakersSection:
    title: str
    spoke: list[tuple[str, int]]  # name, turns


@dataclass
class KeyQuestions:
    name: str | None  # None: anonymous (shown by role and region only)
    country: str | None
    role: str
    region: str
    questions: list[str]
    challenges: str


@dataclass
class Report:
    event: Event
    composition: Composition
    mornings: list[MorningAttendance]
    people: dict[int, Person]
    room_names: dict[int, str]
    qa: list[QAItem] = field(default_factory=list)
    rounds: list[RoundSection] = field(default_factory=list)
    speakers: list[SpeakersSection] = field(default_factory=list)
    key_questions: list[KeyQuestions] = field(default_factory=list)


def _person(a: Application) -> Person:
    return Person(a.id, None if a.status == S.ERASED else a.name, a.role, a.region, a.country)


def mornings_of(event: Event) -> list[Morning]:
    days = db.session.scalars(select(AgendaDay).where(AgendaDay.event_id == event.id).order_by(AgendaDay.date))
    return [Morning(d.id, d.starts_at, d.ends_at) for d in days]


def attendance_of(event: Event, now: datetime) -> list[MorningAttendance]:
    return summarise(attendance.spans_of(event.id), mornings_of(event), until=now)


def gather(event: Event, now: datetime) -> Report:
    apps = db.session.scalars(select(Application).where(Application.event_id == event.id)
                              .order_by(Application.id)).all()
    people = {a.id: _person(a) for a in apps}
    mornings = attendance_of(event, now)
    attending = {p.person_id for m in mornings for p in m.people}
    composition = Composition({
        "applicants": list(people.values()),
        "invited": [people[a.id] for a in apps if a.status in INVITED],
        "attending": [people[i] for i in sorted(attending) if i in people],
    })
    rooms = _room_names(event.id)
    return Report(event, composition, mornings, people, rooms, qa=_qa(event.id),
                  rounds=_rounds(event.id, people), speakers=_speakers(event.id, people),
                  key_questions=_key_questions(apps))


def _room_names(event_id: int) -> dict[int, str]:
    return {rid: f"{title} — {name}" for rid, name, title in db.session.execute(
        select(BreakoutRoom.id, BreakoutRoom.name, BreakoutRound.title)
        .join(BreakoutRound, BreakoutRoom.round_id == BreakoutRound.id).where(BreakoutRound.event_id == event_id))}


def _qa(event_id: int) -> list[QAItem]:
    queues, titles = live_ops.export_queues(event_id)
    items = []
    for queue in queues:
        shown = [q for q in queue.questions.values()
                 if q.status not in (QuestionStatus.DISMISSED, QuestionStatus.MERGED, QuestionStatus.PENDING)]
        shown.sort(key=lambda q: (-len(q.voters), q.id))
        items.append(QAItem(titles.get(queue.key, ""), [
            QuestionLine(q.text, len(q.voters), q.status == QuestionStatus.ANSWERED,
                         None if q.anonymous else q.author_name) for q in shown]))
    return [item for item in items if item.questions]


def _rounds(event_id: int, people: dict[int, Person]) -> list[RoundSection]:
    notes = {r.room_id: r.text for r in db.session.scalars(select(RoomNotesRow)
                                                            .where(RoomNotesRow.event_id == event_id))}
    sections = []
    for rnd in db.session.scalars(select(BreakoutRound).where(BreakoutRound.event_id == event_id,
                                                               BreakoutRound.status == "published")
                                  .order_by(BreakoutRound.published_at, BreakoutRound.id)):
        rooms = []
        for room in sorted(rnd.rooms, key=lambda r: r.number):
            member_ids = db.session.scalars(select(RoomAssignment.application_id)
                                            .where(RoomAssignment.room_id == room.id)).all()
            members = [people[i] for i in sorted(member_ids) if i in people]
            rooms.append(RoomLine(room.name, members, notes.get(room.id, "")))
        sections.append(RoundSection(rnd.title, rooms))
    return sections


def _speakers(event_id: int, people: dict[int, Person]) -> list[SpeakersSection]:
    titles = dict(db.session.execute(select(AgendaItem.id, AgendaItem.title).join(AgendaDay)
                                     .where(AgendaDay.event_id == event_id)).all())
    sections = []
    for row in db.session.scalars(select(SpeakerQueueRow).where(SpeakerQueueRow.event_id == event_id)
                                  .order_by(SpeakerQueueRow.id)):
        queue, _ = store.load_speakers(event_id, row.kind, row.ref_id)
        spoke = [(_name(people.get(int(pid))), turns) for pid, turns in queue.spoken.items() if turns]
        if spoke:
            sections.append(SpeakersSection(titles.get(row.ref_id, "") if row.kind == "item" else "", spoke))
    return sections


def _name(person: Person | None) -> str:
    return person.name if person is not None and person.name else "—"


def _key_questions(apps: Iterable[Application]) -> list[KeyQuestions]:
    out = []
    for a in apps:
        if a.status == S.ERASED or not (a.key_questions or a.challenges):
            continue
        named = a.share_questions == "with_name" and bool(a.name)
        out.append(KeyQuestions(a.name if named else None, a.country if named else None, a.role, a.region,
                                [q for q in a.key_questions or [] if q], a.challenges or ""))
    return out
