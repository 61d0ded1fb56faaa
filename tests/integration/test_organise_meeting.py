"""Organisers make and change a meeting from the browser's forms (issue 14), with the JSON API's rules."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.support.api import ApiActor
from tests.support.applications import csrf_from

NEW = {
    "slug": "winter-exchange", "title": "Winter exchange", "summary": "Two mornings.", "description": "About it.",
    "title_ru": "Зимний обмен", "summary_ru": "", "description_ru": "",
    "timezone": "Europe/Brussels", "application_deadline": "2030-12-16T23:59", "seats": "12",
    "organiser_name": "The team", "organiser_email": "team@example.org", "retention_days": "30",
    "video_url": "https://video.example/winter", "auto_promote_waitlist": "1",
    "day_count": "2", "day_date_0": "2031-01-20", "day_start_0": "09:30", "day_end_0": "12:30",
    "day_date_1": "2031-01-21", "day_start_1": "09:30", "day_end_1": "12:00",
}


def _event(app: Flask, slug: str) -> Any:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is not None:
            _ = [d.date for d in event.days]
            db.session.expunge(event)
        return event


def test_new_meeting_form_makes_a_meeting_with_its_days(app: Flask, organiser: ApiActor) -> None:
    client = organiser.client
    token = csrf_from(client, "/organise/new")
    more = client.post("/organise/new", data={**NEW, "action": "add_day", "csrf_token": token})
    assert more.status_code == 200 and 'id="day_date_2"' in more.get_data(as_text=True)
    assert _event(app, "winter-exchange") is None  # adding a row stores nothing

    made = client.post("/organise/new", data={**NEW, "day_count": "3", "action": "create", "csrf_token": token})
    assert made.status_code == 302 and made.location.endswith("/organise/winter-exchange")
    event = _event(app, "winter-exchange")
    assert [d.date.isoformat() for d in event.days] == ["2031-01-20", "2031-01-21"]
    assert event.days[0].starts_at.isoformat() == "2031-01-20T08:30:00+00:00"  # 09:30 CET
    assert event.application_deadline.isoformat() == "2030-12-16T22:59:00+00:00"
    assert event.translations == {"ru": {"title": "Зимний обмен"}}
    assert event.seats == 12 and event.auto_promote_waitlist and event.retention_days == 30


def test_refusals_sit_next_to_their_fields_and_nothing_is_stored(app: Flask, organiser: ApiActor) -> None:
    client = organiser.client
    token = csrf_from(client, "/organise/new")
    bad = {**NEW, "timezone": "Mars/Base", "day_end_1": "08:00", "organiser_email": "nope", "csrf_token": token}
    answer = client.post("/organise/new", data=bad)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="timezone-error"' in html and "Mars/Base" in html
    assert 'id="organiser_email-error"' in html
    assert _event(app, "winter-exchange") is None
    # The same rule as the API: an end before the start is refused on that day's row.
    answer = client.post("/organise/new", data={**NEW, "day_end_1": "08:00", "csrf_token": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="day_end_1-error"' in html and "must be after the start" in html
    taken = client.post("/organise/new", data={**NEW, "slug": "new", "csrf_token": token})
    assert taken.status_code == 422 and "is reserved" in taken.get_data(as_text=True)


def test_edit_changes_details_days_and_zone(app: Flask, organiser: ApiActor) -> None:
    client = organiser.client
    token = csrf_from(client, "/organise/new")
    assert client.post("/organise/new", data={**NEW, "csrf_token": token}).status_code == 302
    page = client.get("/organise/winter-exchange/edit").get_data(as_text=True)
    assert 'value="Winter exchange"' in page and 'value="2030-12-16T23:59:00"' in page
    saved = client.post("/organise/winter-exchange/edit", data={
        **{k: v for k, v in NEW.items() if not k.startswith("day")}, "title": "Winter exchange 2031",
        "seats": "20", "timezone": "Asia/Almaty", "description_ru": "Описание", "csrf_token": token})
    assert saved.status_code == 302
    event = _event(app, "winter-exchange")
    assert event.title == "Winter exchange 2031" and event.seats == 20 and event.timezone == "Asia/Almaty"
    assert event.days[0].starts_at.isoformat() == "2031-01-20T04:30:00+00:00"  # still 09:30, now in Almaty
    assert event.translations["ru"] == {"title": "Зимний обмен", "description": "Описание"}
    refused = client.post("/organise/winter-exchange/edit", data={**NEW, "seats": "0", "csrf_token": token})
    assert refused.status_code == 422 and 'id="seats-error"' in refused.get_data(as_text=True)
    assert _event(app, "winter-exchange").seats == 20

    added = client.post("/organise/winter-exchange/days", data={
        "date": "2031-01-22", "start": "10:00", "end": "12:00", "csrf_token": token})
    assert added.status_code == 302 and "#day-" in added.location
    event = _event(app, "winter-exchange")
    assert [d.date.isoformat() for d in event.days] == ["2031-01-20", "2031-01-21", "2031-01-22"]
    twice = client.post("/organise/winter-exchange/days", data={
        "date": "2031-01-22", "start": "10:00", "end": "12:00", "csrf_token": token})
    assert twice.status_code == 422 and "already has this date" in twice.get_data(as_text=True)
    removed = client.post(f"/organise/winter-exchange/days/{event.days[2].id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302 and len(_event(app, "winter-exchange").days) == 2


def test_a_deadline_to_the_second_survives_saving_the_form_unchanged(app: Flask, organiser: ApiActor) -> None:
    """A call that closes at 23:59:59 (as the reference call does) is shown to the second and
    saved as it was; the field lets a browser keep seconds (step 1)."""
    import re

    client = organiser.client
    token = csrf_from(client, "/organise/new")
    made = client.post("/organise/new", data={**NEW, "slug": "to-the-second",
                                              "application_deadline": "2030-12-16T23:59:59", "csrf_token": token})
    assert made.status_code == 302
    page = client.get("/organise/to-the-second/edit").get_data(as_text=True)
    field = re.search(r'<input id="application_deadline"[^>]*>', page)
    assert field and 'value="2030-12-16T23:59:59"' in field.group(0) and 'step="1"' in field.group(0)
    values = dict(re.findall(r'<input id="(\w+)" name="\1" type="(?:text|email|url|number|datetime-local)" '
                             r'value="([^"]*)"', page))
    saved = client.post("/organise/to-the-second/edit", data={
        **{k: v for k, v in NEW.items() if not k.startswith("day")}, **values, "slug": "to-the-second",
        "csrf_token": token})
    assert saved.status_code == 302
    assert _event(app, "to-the-second").application_deadline.isoformat() == "2030-12-16T22:59:59+00:00"


def test_staff_land_on_their_meetings_after_logging_in(client: Any) -> None:
    from tests.conftest import ORGANISER

    token = csrf_from(client, "/login")
    answer = client.post("/login", data={"email": ORGANISER[0], "password": ORGANISER[1], "csrf_token": token})
    assert answer.status_code == 302 and answer.location.endswith("/organise")
    assert "New meeting" in client.get("/organise").get_data(as_text=True)


def test_the_dashboard_says_what_to_do_next(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                           reference_event: str) -> None:
    from datetime import timedelta

    from tests.support.applications import BEFORE_DEADLINE, DEADLINE_UTC, apply, set_clock, valid_application

    set_clock(app, BEFORE_DEADLINE)
    for name in ("Anna", "Bram"):
        apply(app, anonymous.client, reference_event, valid_application(name=name, email=f"{name.lower()}@example.org"))
    html = organiser.client.get(f"/organise/{reference_event}").get_data(as_text=True)
    assert "2 applications have no review yet." in html
    assert "reviewed=none" in html
    assert "The call is open until Wednesday 12 May 2021, 23:59:59 Europe/Brussels" in html
    assert "have no round of rooms yet" in html  # the seeded agenda has break-out slots
    set_clock(app, DEADLINE_UTC + timedelta(days=1))
    html = organiser.client.get(f"/organise/{reference_event}").get_data(as_text=True)
    assert "The call is closed and 2 applicants are still waiting for a decision." in html
    assert "The call is open" not in html


def test_the_dashboard_in_russian_names_its_counts_and_exports_in_russian(
        app: Flask, organiser: ApiActor, anonymous: ApiActor, reference_event: str) -> None:
    """The counts were the stored values ("pending 1", "sent 1") and the exports' names were
    English on the Russian dashboard."""
    from tests.support.applications import BEFORE_DEADLINE, apply, set_clock, valid_application

    set_clock(app, BEFORE_DEADLINE)
    apply(app, anonymous.client, reference_event, valid_application())
    organiser.client.get("/lang/ru?next=/")
    html = organiser.client.get(f"/organise/{reference_event}").get_data(as_text=True)
    for english in ("Applications (CSV)", "Participants (CSV)", "Questions and answers (CSV)",
                    "Room notes (Markdown)", "Agenda for calendars (.ics)", "pending 1", "sent 1"):
        assert english not in html, english
    assert "Вопросы и ответы (CSV)" in html and "Программа для календарей (.ics)" in html
    assert "отправлено: 1" in html


def test_a_closed_call_never_shows_its_deadline_as_open(app: Flask, organiser: ApiActor, reference_event: str) -> None:
    from tests.support.applications import BEFORE_DEADLINE, set_clock

    set_clock(app, BEFORE_DEADLINE)
    url = f"/organise/{reference_event}/applications"
    assert "Applications are taken until" in organiser.client.get(url).get_data(as_text=True)
    organiser.patch(f"/api/events/{reference_event}", json={"call_closed": True})
    html = organiser.client.get(url).get_data(as_text=True)
    assert "Closed by the organisers: the form takes no applications." in html
    assert "Applications are taken until" not in html and "12 May 2021" not in html.split('class="call-state"')[1][:400]


def test_sorting_by_a_column_header_keeps_the_filters(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                                      reference_event: str) -> None:
    import re

    from tests.support.applications import BEFORE_DEADLINE, apply, set_clock, valid_application

    set_clock(app, BEFORE_DEADLINE)
    for name, country in (("Zarina", "KZ"), ("Aibek", "KZ"), ("Bram", "NL")):
        apply(app, anonymous.client, reference_event,
              valid_application(name=name, email=f"{name.lower()}@example.org", country=country))
    url = f"/organise/{reference_event}/applications?country=KZ"
    html = organiser.client.get(url).get_data(as_text=True)
    assert '<option value="KZ" selected>Kazakhstan</option>' in html  # the filter speaks names
    href = re.search(r'<th scope="col" aria-sort="none"><a href="([^"]+)">Name', html).group(1).replace("&amp;", "&")
    assert "country=KZ" in href and "sort=name" in href
    sorted_html = organiser.client.get(href).get_data(as_text=True)
    names = re.findall(r'/applications/\d+">([^<]+)</a></td>', sorted_html)
    assert names == ["Aibek", "Zarina"]
    assert 'aria-sort="ascending"' in sorted_html and "waiting for a decision" in sorted_html


def test_save_and_next_goes_to_the_next_unscored_application(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                                             reference_event: str) -> None:
    from tests.support.applications import BEFORE_DEADLINE, apply, set_clock, valid_application

    set_clock(app, BEFORE_DEADLINE)
    ids = [apply(app, anonymous.client, reference_event, valid_application(name=n, email=f"{n.lower()}@example.org"))[0]
           for n in ("Anna", "Bram", "Chloe")]
    client = organiser.client
    page = f"/organise/{reference_event}/applications/{ids[0]}"
    token = csrf_from(client, page)
    organiser.put(f"/api/events/{reference_event}/applications/{ids[1]}/review", json={"score": 3})
    saved = client.post(f"{page}/review", data={"score": "4", "csrf_token": token, "then": "next"})
    assert saved.status_code == 302 and saved.location.endswith(f"/applications/{ids[2]}")  # Bram is scored
    last = client.post(f"/organise/{reference_event}/applications/{ids[2]}/review",
                       data={"score": "2", "csrf_token": token, "then": "next"})
    assert last.location.endswith(f"/applications#application-{ids[2]}")
    assert "You have scored every application." in client.get(last.location).get_data(as_text=True)


def test_a_published_round_shows_its_time_in_the_event_zone(app: Flask, organiser: ApiActor,
                                                            reference_event: str) -> None:
    from tests.support.breakouts import breakout_items, event_id_of, seed_participants

    seed_participants(app, event_id_of(app, reference_event), n=6)
    base = f"/api/events/{reference_event}/rounds"
    made = organiser.post(base, json={"title": "R", "agenda_item_id": breakout_items(app, reference_event)[0],
                                      "room_count": 2}).get_json()
    organiser.post(f"{base}/{made['id']}/publish")
    html = organiser.client.get(f"/organise/{reference_event}/rounds/{made['id']}").get_data(as_text=True)
    assert "Europe/Brussels." in html.split("published ", 1)[1][:80]
    assert "+00:00" not in html.split("published ", 1)[1][:80] and "Z." not in html.split("published ", 1)[1][:80]


def test_the_proposal_sorts_by_header_and_counts_against_targets(app: Flask, organiser: ApiActor,
                                                                 anonymous: ApiActor, reference_event: str) -> None:
    import re

    from tests.support.applications import BEFORE_DEADLINE, apply, set_clock, valid_application

    set_clock(app, BEFORE_DEADLINE)
    for name, country, score in (("Zarina", "KZ", 3), ("Aibek", "KG", 4), ("Bram", "NL", 5)):
        i, _ = apply(app, anonymous.client, reference_event,
                     valid_application(name=name, email=f"{name.lower()}@example.org", country=country))
        organiser.put(f"/api/events/{reference_event}/applications/{i}/review", json={"score": score})
    organiser.put(f"/api/events/{reference_event}/selection/targets",
                  json={"region_min": {"central_asia": 0.5}, "roles": []})
    html = organiser.client.get(f"/organise/{reference_event}/selection?sort=-name").get_data(as_text=True)
    invited = html.split('id="inv-h"')[1].split("</table>")[0]
    assert re.findall(r'/applications/\d+">([^<]+)</a>', invited) == ["Zarina", "Bram", "Aibek"]
    assert 'aria-sort="descending"' in invited
    assert re.search(r"<th scope=\"row\">Central Asia</th><td>2</td><td>at least 20</td>", html)
    assert "<th scope=\"row\">Kazakhstan</th><td>1</td>" in html  # countries by name


def test_only_organisers_make_meetings(moderator: ApiActor) -> None:
    assert "New meeting" not in moderator.client.get("/organise").get_data(as_text=True)
    assert moderator.client.get("/organise/new").status_code == 403
