"""A probation officer in Almaty with a Russian browser: the pages speak Russian and show her clock.

Chromium runs with locale="ru-RU" and timezone_id="Asia/Almaty" against a real `convene serve`.
To add a page, add a row to RUSSIAN_PAGES: its path ("{live}" stands for a Russian participant's
personal link), who logs in first, the element to wait for, the Russian texts it must show and
the English labels it must no longer show.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.messages.pofile import read_po

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.flow import Staff, invited_participant, personal_link

REF = "study-visit-central-asia-2021"
REHEARSAL = "study-visit-central-asia-rehearsal"
RU_TITLE = "Учебный визит в Центральную Азию"
ALMATY = ZoneInfo("Asia/Almaty")
CATALOG = Path(__file__).resolve().parents[2] / "server" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"


@dataclass(frozen=True)
class RussianPage:
    name: str
    path: str  # "{live}": the personal link of a participant who reads Russian
    texts: tuple[str, ...]  # only the Russian page has them
    ready: str = "main"  # what to wait for before reading the page
    login: str | None = None  # "moderator": log in (and switch to Russian) first
    english: tuple[str, ...] = ()  # English labels of this page that must be gone


RUSSIAN_PAGES = [
    RussianPage("home", "/", ("Встречи",)),
    RussianPage("event", f"/events/{REF}", ("Программа",)),
    RussianPage("apply", f"/events/{REHEARSAL}/apply", ("Подать заявку на участие",)),
    RussianPage("login", "/login", ("Вход для организаторов",)),
    RussianPage(
        "live", "{live}/live",
        ("Встреча в реальном времени", "Сейчас", "Ваша группа", "Вопросы", "Поднять руку", "Объявления",
         "Подключено", "общий зал", RU_TITLE),
        ready="#live[data-state=connected]",
        english=("Live meeting", "Your room", "Raise my hand", "Announcements", "Connected",
                 "Connecting", "Nobody has the floor", "Ask without my name", "Your application and calendar",
                 "Next:", "Rehearsal"),
    ),
    RussianPage(
        "moderate", f"/moderate/{REHEARSAL}",
        ("Модерация", "Следующий пункт", "Вопросы", "Докладчики", "Объявить", "Кто здесь",
         "Подключено", "Применить", "Программа", "День 1", "Приветствие и введение", RU_TITLE),
        ready="#console[data-state=connected]", login="moderator",
        english=("Moderate:", "Next item", "Bring everyone back", "Pending", "Speakers", "Call next",
                 "Break-out rooms", "Announce", "Who is here", "Keyboard", "Connected", "Connecting",
                 "Projector", "Apply", "participants", "staff", "Next:", "Day 1", "Welcome and introduction"),
    ),
]


@pytest.fixture
def russian_page(new_page: Any) -> Any:
    return new_page(locale="ru-RU", timezone_id="Asia/Almaty")


@pytest.fixture(scope="module")
def organiser(live_server: LiveServer) -> Staff:
    return Staff(live_server.url, *live_server.organiser)


@pytest.fixture(scope="module")
def russian_link(live_server: LiveServer, organiser: Staff) -> str:
    """An invited participant who chose Russian and accepted: their personal link."""
    _, link = invited_participant(live_server.url, live_server.instance, organiser, "Гульнара Исаева",
                                  "gulnara.ru@example.org", accept=False, language="ru")
    session = requests.Session()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', session.get(link, timeout=10).text)
    assert csrf, "no form on the personal page"
    answer = session.post(f"{link}/respond", data={"csrf_token": csrf.group(1), "response": "accept"}, timeout=10)
    assert answer.status_code == 200 and "вы приняли приглашение" in answer.text, answer.text[:300]
    return link


def log_in_in_russian(page: Any, live_server: LiveServer, who: tuple[str, str], then: str) -> None:
    """Log in from the Russian login page, then the visible switch (staff accounts keep a language)."""
    page.goto(f"{live_server.url}/login?next={then}")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"**{then}")
    page.goto(f"{live_server.url}/lang/ru?next={then}")
    page.wait_for_url(f"**{then}")


def english_left(text: str, labels: tuple[str, ...]) -> list[str]:
    return [label for label in labels if re.search(rf"(?<![A-Za-z]){re.escape(label)}(?![A-Za-z])", text)]


@pytest.mark.parametrize("row", RUSSIAN_PAGES, ids=[p.name for p in RUSSIAN_PAGES])
def test_pages_are_russian(live_server: LiveServer, russian_page: Any, request: pytest.FixtureRequest,
                           row: RussianPage) -> None:
    page = russian_page
    path = row.path
    if "{live}" in path:
        path = path.replace("{live}", request.getfixturevalue("russian_link").removeprefix(live_server.url))
    if row.login == "moderator":
        log_in_in_russian(page, live_server, live_server.moderator, path)
    else:
        page.goto(live_server.url + path)
    page.wait_for_selector(row.ready)
    assert page.locator("html").get_attribute("lang") == "ru"
    for text in row.texts:
        page.locator("main").get_by_text(text).first.wait_for()  # scripts fill some of it in
    shown = page.locator("main").inner_text()
    for text in row.texts:
        assert text in shown, (text, shown)
    assert english_left(shown, row.english) == [], shown
    screenshot(page, f"ru-{row.name}")


def test_event_page_in_russian_with_1330_in_almaty(live_server: LiveServer, russian_page: Any) -> None:
    page = russian_page
    page.goto(f"{live_server.url}/events/{REF}")
    assert page.locator("h1").inner_text().startswith(RU_TITLE)
    first_row = page.locator(".agenda-table tbody tr").first
    assert first_row.locator("td").nth(0).inner_text() == "09:30–09:45"
    assert first_row.locator("td.viewer-col").inner_text() == "13:30–13:45"
    assert "Приветствие и введение" in first_row.inner_text()
    assert page.locator(".viewer-zone-name").first.inner_text() == "Asia/Almaty"
    assert "Приём заявок закрыт" in page.content()


def test_a_12_hour_browser_still_sees_one_clock(live_server: LiveServer, new_page: Any) -> None:
    page = new_page(locale="en-US", timezone_id="Asia/Almaty")
    page.goto(f"{live_server.url}/events/{REF}")
    row = page.locator(".agenda-table tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "09:30–09:45"
    assert row.locator("td.viewer-col").inner_text() == "13:30–13:45"  # not "01:30 PM"
    assert "PM" not in page.locator("main").inner_text()


def test_form_errors_then_personal_page_in_russian(live_server: LiveServer, russian_page: Any) -> None:
    page = russian_page
    page.goto(f"{live_server.url}/events/{REHEARSAL}/apply")
    assert page.locator("#timezone").input_value() == "Asia/Almaty"  # from the browser, by script
    assert page.locator("#language").input_value() == "ru"  # the page's language
    page.get_by_role("button", name="Отправить заявку").click()
    assert page.locator("#role-error").inner_text() == "Проверьте: Выберите вашу роль из списка."
    assert page.locator("#email-error").inner_text() == "Проверьте: Это поле обязательно."
    assert "Проверьте 12 ответов:" in page.locator("#error-summary").inner_text()
    screenshot(page, "ru-apply-errors")

    page.fill("#name", "Айгерим Бекова")
    page.fill("#email", "aigerim.ru@example.org")
    page.fill("#organisation", "Служба пробации Алматы")
    page.fill("#job_title", "Старший инспектор пробации")
    page.select_option("#country", "KZ")
    page.select_option("#role", "probation_officer")
    page.check("input[name=languages][value=ru]")
    page.check("input[name=works_with][value=families]")
    page.fill("#work_relation", "Я веду надзор за вернувшимися после освобождения.")
    page.fill("#key_question_1", "Как вы вовлекаете семьи?")
    page.fill("#challenges", "Стигма в махалле.")
    page.check("#consent")
    page.get_by_role("button", name="Отправить заявку").click()
    # Applying answers "Check your email" (whoever applied: issue 11, item 1), in Russian; the
    # personal link comes only by mail.
    page.get_by_role("heading", name="Проверьте почту").wait_for()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Мы отправили письмо на указанный вами адрес" in page.locator("main").inner_text()
    assert "/p/" not in page.url and "Check your email" not in page.locator("main").inner_text()
    screenshot(page, "ru-apply-received")

    page.goto(personal_link(live_server.instance, "aigerim.ru@example.org"))
    page.get_by_role("heading", name="Ваша заявка").wait_for()
    assert page.locator("h1").inner_text() == "Ваша заявка"
    first = page.locator(".mornings li").first.inner_text()
    start = _first_morning(live_server, REHEARSAL)
    assert f"09:30–12:30 Брюссель ({start.astimezone(ALMATY):%H:%M}–" in first and "Алматы)" in first
    assert start.astimezone(ALMATY).strftime("%H:%M") == "13:30"
    assert "PM" not in page.locator("main").inner_text()
    screenshot(page, "ru-personal")


def test_ngettext_follows_the_russian_plural_forms(live_server: LiveServer, russian_page: Any) -> None:
    """1 место, 2 места, 5 мест — the catalog's own forms, picked by client/src/i18n.js."""
    with CATALOG.open("rb") as f:
        forms = list(read_po(f, locale="ru")[("%(num)d seat", "%(num)d seats")].string)
    page = russian_page
    page.goto(f"{live_server.url}/events/{REF}")
    meta = json.loads(page.locator("#i18n-catalog").text_content())[""]
    catalog = json.dumps({"": meta, "%(num)d seat": forms}).replace("<", "\\u003c")
    page.set_content(f'<html lang="ru"><body><script type="application/json" id="i18n-catalog">{catalog}'
                     "</script></body></html>")
    page.add_script_tag(url=f"{live_server.url}/assets/i18n.js")
    said = page.evaluate("[1, 2, 5, 11, 21, 22].map(n => ngettext('%(num)d seat', '%(num)d seats', n)"
                         ".replace('%(num)d', n))")
    assert said == ["1 место", "2 места", "5 мест", "11 мест", "21 место", "22 места"]


def _first_morning(live_server: LiveServer, slug: str) -> datetime:
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/events/{slug}") as response:
        body = json.load(response)
    start = datetime.fromisoformat(body["days"][0]["start_utc"].replace("Z", "+00:00"))
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    return start.astimezone(UTC)
