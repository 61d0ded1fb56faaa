"""The reference event (the May 2021 study visit) and an upcoming rehearsal copy of it.

Built through the same operations as any other event: nothing else is hard-wired to it.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from server.events import operations as ops
from server.events import schemas, seed_ru
from server.extensions import db
from server.models import Event

REFERENCE_SLUG = "study-visit-central-asia-2021"
REHEARSAL_SLUG = "study-visit-central-asia-rehearsal"
ZONE = "Europe/Brussels"

TITLE = "Study visit to Central Asia: reintegrating returning foreign terrorist fighters and their families"
SUMMARY = (
    "A two-morning online study visit for practitioners from the EU and Central Asia on bringing "
    "home, rehabilitating and reintegrating returning foreign terrorist fighters and their families."
)
DESCRIPTION = """\
Kazakhstan, Uzbekistan and Kyrgyzstan were among the first countries to bring their citizens back from Syria and Iraq, while the region had also been one of the largest sources of foreign fighters in that conflict. Their answer combined administrative sanctions with rehabilitation programmes. In this online study visit, practitioners from these countries present how they work, and practitioners from the EU compare it with their own experience.

The aims: learn from each other's practices, methods and practical tips on reintegration; check what has been learned in Europe in recent years against the realities in Central Asia; and look critically, but constructively, at which "good practices" could work in a European setting and which could travel the other way.

Each morning has presentations by practitioners, a moderated question-and-answer session, and break-out rooms for discussion in small mixed groups.

We are looking for first-line practitioners who work, or expect to work, with returning fighters, their families or their children: exit workers, prison and probation officers, mental-health professionals, legal experts, police officers, and family or community workers. Places are limited so that everyone can take part in the exchange.\
"""

# (start, end, kind, title, description, speakers as (name, country, organisation))
Speaker = tuple[str, str, str]
DAY_ONE: list[tuple[str, str, str, str, str, list[Speaker]]] = [
    ("09:30", "09:45", "welcome", "Welcome and introduction",
     "Aims of the study visit, how the two mornings work, and a round of who is here.", []),
    ("09:45", "10:20", "presentation", "Kazakhstan: bringing families home and rehabilitation centres",
     "How returning women and children were received, and the role of rehabilitation centres.",
     [("Head of a regional rehabilitation centre", "KZ", "Rehabilitation centre"),
      ("Theologian working with returnees", "KZ", "Non-governmental organisation")]),
    ("10:20", "10:50", "qa", "Questions and answers: Kazakhstan",
     "Moderated questions; the applicants' key questions open the queue.", []),
    ("10:50", "11:00", "break", "Break", "", []),
    ("11:00", "11:45", "breakout", "Break-out round 1: what can travel between regions?",
     "Small mixed rooms of EU and Central Asian practitioners.", []),
    ("11:45", "12:15", "feedback", "Plenary feedback from the rooms", "", []),
    ("12:15", "12:30", "closing", "Closing of the first morning", "", []),
]
DAY_TWO: list[tuple[str, str, str, str, str, list[Speaker]]] = [
    ("09:30", "09:40", "welcome", "Welcome back", "A short look back at the first morning.", []),
    ("09:40", "10:05", "presentation", "Uzbekistan: family and community reintegration",
     "Working with families, neighbourhoods and local authorities after return.",
     [("Community reintegration coordinator", "UZ", "Regional administration")]),
    ("10:05", "10:30", "presentation", "Kyrgyzstan: prison, probation and children",
     "Sentences, probation and support for children of returnees.",
     [("Probation officer", "KG", "Probation service"),
      ("Child psychologist", "KG", "Non-governmental organisation")]),
    ("10:30", "11:00", "qa", "Questions and answers: Uzbekistan and Kyrgyzstan", "", []),
    ("11:00", "11:10", "break", "Break", "", []),
    ("11:10", "11:55", "breakout", "Break-out round 2: from practice to our own context",
     "New rooms: meet people you did not meet on the first morning.", []),
    ("11:55", "12:20", "feedback", "Plenary feedback and conclusions", "", []),
    ("12:20", "12:30", "closing", "Closing and next steps", "", []),
]


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def create_study_visit(slug: str, first_day: date, deadline: date, title: str = TITLE) -> Event:
    """Create the study visit on two consecutive mornings starting on first_day."""
    second_day = first_day + timedelta(days=1)
    event = ops.create_event(
        schemas.EventIn(
            slug=slug,
            title=title,
            summary=SUMMARY,
            description=DESCRIPTION,
            timezone=ZONE,
            application_deadline=deadline,
            seats=40,
            organiser_name="Event coordinator",
            organiser_email="coordinator@convene.example",
            days=[
                schemas.DayIn(date=first_day, start=time(9, 30), end=time(12, 30),
                              title=f"Day 1 — {first_day:%A %-d %B}",
                              translations={"ru": schemas.DayTexts(title=seed_ru.day_title(1, first_day))}),
                schemas.DayIn(date=second_day, start=time(9, 30), end=time(12, 30),
                              title=f"Day 2 — {second_day:%A %-d %B}",
                              translations={"ru": schemas.DayTexts(title=seed_ru.day_title(2, second_day))}),
            ],
            translations={"ru": schemas.EventTexts(**seed_ru.event_texts(rehearsal=title != TITLE))},
        )
    )
    for day, rows in ((first_day, DAY_ONE), (second_day, DAY_TWO)):
        for start, end, kind, item_title, description, speakers in rows:
            ops.add_item(
                event,
                schemas.ItemIn(
                    day=day, start=_hm(start), end=_hm(end), title=item_title, kind=kind,  # type: ignore[arg-type]
                    description=description,
                    translations={"ru": schemas.ItemTexts(**seed_ru.item_texts(item_title))},
                    speakers=[schemas.SpeakerIn(name=n, country=c, organisation=o) for n, c, o in speakers],
                ),
            )
    return event


def seed_events(today: date) -> list[str]:
    """Create the reference event and the rehearsal copy if missing; return the slugs created."""
    created = []
    if db.session.scalar(select(Event.id).where(Event.slug == REFERENCE_SLUG)) is None:
        create_study_visit(REFERENCE_SLUG, date(2021, 5, 25), date(2021, 5, 12))
        created.append(REFERENCE_SLUG)
    if db.session.scalar(select(Event.id).where(Event.slug == REHEARSAL_SLUG)) is None:
        # Shifted so the call is open and both mornings lie ahead of whoever seeds it.
        create_study_visit(REHEARSAL_SLUG, today + timedelta(days=28), today + timedelta(days=14),
                           title=f"Rehearsal — {TITLE}")
        created.append(REHEARSAL_SLUG)
    return created

