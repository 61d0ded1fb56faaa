"""Each person in their language and their time: the switch, stored choices, refusals, event texts,
the personal page, invitations and feeds — in Russian as in English."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import ORGANISER
from tests.integration.test_invitations import calendar_of, make_application, outbox, set_status
from tests.support.api import ApiActor
from tests.support.applications import BEFORE_DEADLINE, csrf_from, link_in, mails, set_clock, valid_application

RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
RU_TITLE = "Учебный визит в Центральную Азию"
FIRST_MORNING = datetime(2021, 5, 25, 7, 30, tzinfo=UTC)


def _lang(html: str) -> str:
    match = re.search(r'<html lang="(\w+)">', html)
    assert match
    return match.group(1)


def test_the_switch_beats_the_browser_and_only_goes_back_to_this_site(client: FlaskClient,
                                                                     reference_event: str) -> None:
    page = f"/events/{reference_event}"
    assert _lang(client.get(page).get_data(as_text=True)) == "en"
    russian = client.get(page, headers=RU).get_data(as_text=True)
    assert _lang(russian) == "ru" and "Программа" in russian and RU_TITLE in russian
    assert f'href="/lang/en?next=/events/{reference_event}"' in russian  # the switch, without JavaScript

    switched = client.get(f"/lang/en?next={page}")
    assert switched.status_code == 302 and switched.location == page
    english = client.get(page, headers=RU).get_data(as_text=True)  # the cookie beats Accept-Language
    assert _lang(english) == "en" and "Agenda" in english and RU_TITLE not in english

    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert client.get("/lang/ru", query_string={"next": elsewhere}).location == "/"
    # (each of those chose Russian); an unknown code changes nothing
    assert "convene_lang=" not in client.get("/lang/xx?next=/").headers.get("Set-Cookie", "")
    assert _lang(client.get(page).get_data(as_text=True)) == "ru"


def test_staff_language_is_stored_on_their_account(app: Flask, reference_event: str) -> None:
    from server.extensions import db
    from server.models import User

    first = ApiActor(app.test_client())
    assert first.login(*ORGANISER).status_code == 200
    first.client.get("/lang/ru?next=/organise")
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.email == ORGANISER[0])) == "ru"
    other_browser = ApiActor(app.test_client())  # no cookie, an English browser
    other_browser.login(*ORGANISER)
    html = other_browser.client.get("/organise", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "ru" and "Все встречи и их страницы" in html


def test_empty_form_in_russian_shows_russian_sentences_next_to_their_fields(
        app: Flask, client: FlaskClient, reference_event: str) -> None:
    set_clock(app, BEFORE_DEADLINE)
    url = f"/events/{reference_event}/apply"
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token}, headers=RU)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    pattern = r'<p class="field-error" id="(\w+)-error"><strong>Проверьте:</strong> ([^<]+)</p>'
    errors = dict(re.findall(pattern, html))
    assert errors["role"] == "Выберите вашу роль из списка."
    assert errors["country"] == "Выберите страну из списка."
    assert errors["name"] == errors["email"] == "Это поле обязательно."
    assert errors["consent"].startswith("Мы можем принять заявку только с вашего согласия")
    assert {"works_with", "languages", "key_question_1", "work_relation", "challenges"} <= errors.keys()
    assert "Проверьте 12 ответов:" in html
    assert all(CYRILLIC.search(reason) for reason in errors.values())
    for leak in ("Input should", "Field required", "value is not", "list_type"):
        assert leak not in html
    assert not any("_" in reason for reason in errors.values())  # no enum or type names


def test_json_api_refuses_in_the_request_language_with_the_same_fields(client: FlaskClient,
                                                                      reference_event: str, app: Flask) -> None:
    set_clock(app, BEFORE_DEADLINE)
    url = f"/api/events/{reference_event}/applications"
    body = valid_application(role="astronaut", email="no-at-sign.example.org", country="ZZ", languages=[])
    english = client.post(url, json=body).get_json()
    russian = client.post(url, json=body, headers=RU).get_json()
    assert [e["field"] for e in english["errors"]] == [e["field"] for e in russian["errors"]]
    reasons_en = {e["field"]: e["reason"] for e in english["errors"]}
    reasons_ru = {e["field"]: e["reason"] for e in russian["errors"]}
    assert reasons_en["role"] == "Choose your role from the list."
    assert reasons_en["email"] == "This email address has no @."
    assert reasons_ru["role"] == "Выберите вашу роль из списка."
    assert reasons_ru["email"] == "В этом адресе электронной почты нет знака @."
    assert reasons_ru["country"] == "Выберите страну из списка."
    assert russian["title"] == "Проверьте данные" and russian["field"] == english["field"]
    assert all(CYRILLIC.search(r) for r in reasons_ru.values())
    assert not any("Input should" in r or "'" in r for r in reasons_en.values())


def test_applicant_chooses_language_and_zone_else_country_zone(app: Flask, client: FlaskClient,
                                                              reference_event: str) -> None:
    from server.extensions import db
    from server.models import Application

    set_clock(app, BEFORE_DEADLINE)
    url = f"/api/events/{reference_event}/applications"
    assert client.post(url, json=valid_application(), headers=RU).status_code == 201
    assert client.post(url, json=valid_application(email="b@example.org", country="UZ", language="en",
                                                   timezone="Asia/Samarkand")).status_code == 201
    bad = client.post(url, json=valid_application(email="c@example.org", language="de", timezone="Mars/Base"))
    assert [e["field"] for e in bad.get_json()["errors"]] == ["language", "timezone"]
    with app.app_context():
        rows = {a.email: (a.language, a.timezone) for a in db.session.scalars(select(Application))}
    assert rows == {"aigerim@example.org": ("ru", "Asia/Almaty"), "b@example.org": ("en", "Asia/Samarkand")}


def test_personal_page_speaks_the_applicants_language_with_both_times(app: Flask, reference_event: str) -> None:
    set_clock(app, BEFORE_DEADLINE)
    applicant = app.test_client()
    url = f"/events/{reference_event}/apply"
    token = csrf_from(applicant, url)
    form = {"name": "Айгерим", "email": "aigerim@example.org", "organisation": "Служба пробации",
            "job_title": "Инспектор", "country": "KZ", "role": "probation_officer", "languages": ["ru"],
            "works_with": ["families"], "consent": "yes", "work_relation": "Надзор.", "key_question_1": "Как?",
            "challenges": "Стигма.", "share_questions": "anonymous", "language": "ru", "timezone": "",
            "csrf_token": token}
    sent = applicant.post(url, data=form)
    # "Check your email" (in Russian): the personal link comes by mail only.
    assert sent.status_code == 200 and "/p/" not in sent.get_data(as_text=True)
    personal = link_in(mails(app, "application_received")[0]["text"]).removeprefix("http://convene.test")
    later = app.test_client()  # another browser, English, no cookie: the stored choice wins
    html = later.get(personal, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "ru" and "Ваша заявка" in html
    assert "09:30–12:30 Брюссель (13:30–16:30, Алматы)" in html
    assert "вторник, 25 мая 2021\u202fг." in html  # CLDR keeps "г." with its year
    # no 12-hour clock anywhere (a word, not letters inside the personal link's random token)
    assert not re.search(r"\d\s?[AP]M\b", html)
    english = later.get(personal.replace("/p/", "/lang/en?next=/p/", 1)).location
    html_en = later.get(english).get_data(as_text=True)
    assert "09:30–12:30 Brussels (13:30–16:30 in Almaty)" in html_en


def test_scripts_get_their_strings_and_plural_rule_from_the_catalog(client: FlaskClient,
                                                                   reference_event: str) -> None:
    html = client.get(f"/events/{reference_event}", headers=RU).get_data(as_text=True)
    raw = re.search(r'<script type="application/json" id="i18n-catalog">(.*?)</script>', html, re.S).group(1)
    catalog = json.loads(raw)
    assert catalog[""]["language"] == "ru" and catalog[""]["categories"] == ["one", "few", "many"]
    assert "nplurals=3" in catalog[""]["plural_forms"]
    assert catalog["— %(when)s where you are (%(zone)s)"] == "— %(when)s по вашему времени (%(zone)s)"


def test_event_texts_in_other_languages_are_validated_and_shown(organiser: ApiActor, client: FlaskClient,
                                                               reference_event: str) -> None:
    path = f"/api/events/{reference_event}"
    bad = [({"translations": {"xx": {"title": "?"}}}, "translations.xx.[key]", "Переводы возможны только"),
           ({"translations": {"ru": {"colour": "red"}}}, "translations.ru.colour", "Такого поля у нас нет"),
           ({"translations": {"ru": {"title": "Я" * 301}}}, "translations.ru.title", "не больше 300 знаков")]
    for body, field, reason in bad:
        refused = organiser.client.patch(path, json=body, headers={**RU, **organiser._headers()})
        assert refused.status_code == 422, refused.get_json()
        problem = refused.get_json()
        assert problem["field"] == field and reason in problem["errors"][0]["reason"]
    ok = organiser.patch(path, json={"translations": {"ru": {"title": "Новое название", "summary": ""}}})
    assert ok.status_code == 200
    texts = ok.get_json()["translations"]["ru"]
    assert texts["title"] == "Новое название" and "summary" not in texts and "description" in texts
    assert "Новое название" in client.get(f"/events/{reference_event}", headers=RU).get_data(as_text=True)
    assert "Новое название" not in client.get(f"/events/{reference_event}").get_data(as_text=True)


def test_russian_invitation_calendar_reads_0730z(app: Flask, reference_event: str) -> None:
    from server.extensions import db
    from server.models import Application

    app_id = make_application(app, reference_event, 1)
    with app.app_context():
        db.session.get(Application, app_id).language = "ru"
        db.session.commit()
    set_status(app, app_id, "invited")
    [msg] = outbox(app)
    cal = icalendar.Calendar.from_ical(calendar_of(msg))
    [event] = [c for c in cal.walk("VEVENT")]
    assert str(event["SUMMARY"]).startswith(RU_TITLE)
    assert "Онлайн-визит на два утра" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART").astimezone(UTC) == FIRST_MORNING


def test_personal_feed_names_rooms_in_the_participants_language(app: Flask, reference_event: str,
                                                               client: FlaskClient) -> None:
    from server.extensions import db
    from server.invitations import personal_feed_url
    from server.models import Application, BreakoutRoom, BreakoutRound, Event, RoomAssignment

    app_id = make_application(app, reference_event, 2)
    set_status(app, app_id, "accepted")
    with app.app_context():
        application = db.session.get(Application, app_id)
        application.language = "ru"
        event = db.session.scalar(select(Event).where(Event.slug == reference_event))
        item = next(i for i in event.items if i.kind == "breakout")
        rnd = BreakoutRound(event_id=event.id, agenda_item_id=item.id, title=item.title, status="published",
                            published_at=datetime(2021, 5, 20, tzinfo=UTC))
        room = BreakoutRoom(round=rnd, number=1, name="Room 1 · Police and legal",
                            video_url="https://v.example/1")
        db.session.add_all([rnd, room])
        db.session.flush()
        db.session.add(RoomAssignment(round_id=rnd.id, room_id=room.id, application_id=app_id))
        db.session.commit()
        url = personal_feed_url(db.session.get(Application, app_id))[0]
    text = client.get(url.removeprefix("http://convene.test")).get_data(as_text=True)
    cal = icalendar.Calendar.from_ical(text)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    descriptions = " ".join(str(e.get("DESCRIPTION", "")) for e in cal.walk("VEVENT"))
    assert any(s.startswith(RU_TITLE) for s in summaries)
    assert "Группа 1 · Полиция и юристы" in " ".join(summaries) + descriptions
    starts = sorted(e.decoded("DTSTART").astimezone(UTC) for e in cal.walk("VEVENT"))
    assert starts[0] == FIRST_MORNING


def test_recipient_locale_renders_in_the_persons_language(app: Flask) -> None:
    from flask_babel import gettext

    from server import timefmt
    from server.i18n import recipient_locale

    class Person:
        language = "ru"

    brussels, almaty = ZoneInfo("Europe/Brussels"), ZoneInfo("Asia/Almaty")
    end = datetime(2021, 5, 25, 10, 30, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        with recipient_locale(Person()) as code:
            assert code == "ru" and gettext("Agenda") == "Программа"
            ru = timefmt.event_and_own(FIRST_MORNING, end, brussels, almaty)
            assert ru == "09:30–12:30 Брюссель (13:30–16:30, Алматы)"
        assert gettext("Agenda") == "Agenda"
        en = timefmt.event_and_own(FIRST_MORNING, end, brussels, almaty)
        assert en == "09:30–12:30 Brussels (13:30–16:30 in Almaty)"
        assert timefmt.event_and_own(FIRST_MORNING, end, brussels, brussels) == "09:30–12:30 Brussels"


def test_organisers_tables_say_dates_in_the_readers_language_and_any_stored_instant(app: Flask) -> None:
    """The mail and answers pages said "4 Dec 2026" on a Russian page (strftime's English); an
    instant no zone can say (year 9999 is year 10000 in Brussels) is said in UTC, not a 500."""
    from server import timefmt

    brussels, almaty = ZoneInfo("Europe/Brussels"), ZoneInfo("Asia/Almaty")
    with app.test_request_context():
        ru = timefmt.both_clocks(FIRST_MORNING, brussels, almaty, "ru")
        en = timefmt.both_clocks(FIRST_MORNING, brussels, None, "en")
        assert ru is not None and en is not None
        assert ru["event"] == "25 мая 2021\u202fг., 09:30 Europe/Brussels"
        assert ru["reader"] == "25 мая 2021\u202fг., 13:30 Asia/Almaty"
        assert en == {"event": "25 May 2021, 09:30 Europe/Brussels", "reader": "",
                      "iso": "2021-05-25T07:30:00+00:00"}
        late = timefmt.both_clocks(datetime(9999, 12, 31, 23, tzinfo=UTC), brussels, almaty, "en")
        assert late is not None and late["event"] == "9999-12-31T23:00:00+00:00 UTC"
        assert timefmt.both_clocks(None, brussels, almaty) is None


def test_organisers_read_applicants_roles_regions_and_status_in_their_language(
        app: Flask, organiser: ApiActor, reference_event: str) -> None:
    """The applications table, its filters, one application and the selection page name roles,
    regions, what people work with, the status and the sharing choice in the organiser's language."""
    from flask_babel import force_locale, gettext

    from server.core.vocab import REGION_LABELS, ROLE_LABELS, Region, Role

    app_id = make_application(app, reference_event, 41)  # an exit worker in Kazakhstan
    organiser.client.get("/lang/ru")
    with app.test_request_context(), force_locale("ru"):
        role = gettext(ROLE_LABELS[Role.EXIT_WORKER])
        region = gettext(REGION_LABELS[Region.CENTRAL_ASIA])
    assert role != ROLE_LABELS[Role.EXIT_WORKER] and region != REGION_LABELS[Region.CENTRAL_ASIA]
    table = organiser.client.get(f"/organise/{reference_event}/applications").get_data(as_text=True)
    assert f"<td>{role}</td>" in table and f">{region}</option>" in table
    assert ">Exit worker<" not in table and ">Central Asia<" not in table
    one = organiser.client.get(f"/organise/{reference_event}/applications/{app_id}").get_data(as_text=True)
    assert f"({region})" in one and f"<dd>{role}</dd>" in one
    assert '<span class="badge neutral">submitted</span>' not in one
    selection = organiser.client.get(f"/organise/{reference_event}/selection").get_data(as_text=True)
    assert f"> {role}</label>" in selection and f'<th scope="row">{region}</th>' in selection


def test_mails_name_the_meeting_as_the_organisers_translated_it(app: Flask, reference_event: str) -> None:
    """{event_title} and {description} in a mail are the recipient's language where the
    organisers wrote a translation; others get the original."""
    from server.extensions import db
    from server.models import Application, Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == reference_event))
        original = event.title
        event.translations = {**(event.translations or {}),
                              "ru": {"title": "Учебный визит (по-русски)", "description": "Описание по-русски."}}
        db.session.commit()
    for n, language in ((43, "ru"), (44, "en")):
        app_id = make_application(app, reference_event, n)
        with app.app_context():
            db.session.get(Application, app_id).language = language
            db.session.commit()
        set_status(app, app_id, "invited")
    sent = {str(m["To"]): m for m in outbox(app) if "person4" in str(m["To"])}
    russian, english = sent["Person 43 <person43@example.org>"], sent["Person 44 <person44@example.org>"]
    text = lambda m: m.get_body(preferencelist=("plain",)).get_content()  # noqa: E731
    assert "Учебный визит (по-русски)" in str(russian["Subject"]) and "Учебный визит (по-русски)" in text(russian)
    assert "Описание по-русски." in text(russian) and original not in str(russian["Subject"])
    words = " ".join(text(russian).split())  # the locale's dates hold no-break spaces
    assert "вторник, 25 мая 2021 г., 09:30–12:30 Брюссель (CEST, UTC+02:00)" in words, words
    assert "(07:30–10:30 UTC)" in text(russian) and "May 2021" not in text(russian)
    assert "Tuesday 25 May 2021, 09:30–12:30 CEST (UTC+02:00), Europe/Brussels time" in text(english)
    assert original in str(english["Subject"]) and "по-русски" not in text(english)


def test_organiser_pages_name_the_meeting_in_the_readers_language(app: Flask, organiser: ApiActor,
                                                                  reference_event: str) -> None:
    """Where the organisers translated the meeting's title, their own pages use it for a reader
    in that language (headings and window titles); the original stays for the others."""
    from server.extensions import db
    from server.models import Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == reference_event))
        original = event.title
        event.translations = {**(event.translations or {}), "ru": {"title": "Учебный визит по-русски"}}
        db.session.commit()
    organiser.client.get("/lang/ru")
    pages = ("", "/applications", "/selection", "/rounds", "/replies", "/messages", "/report")
    for path in pages:
        html = organiser.client.get(f"/organise/{reference_event}{path}").get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title and "Учебный визит по-русски" in title.group(1), (path, title and title.group(1))
        assert f"· {original} ·" not in title.group(1), path
    dashboard = organiser.client.get(f"/organise/{reference_event}").get_data(as_text=True)
    assert "<h1>Учебный визит по-русски</h1>" in dashboard
    organiser.client.get("/lang/en")
    english = organiser.client.get(f"/organise/{reference_event}").get_data(as_text=True)
    assert f"<h1>{original}</h1>" in english
