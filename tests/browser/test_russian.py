"""A probation officer in Almaty with a Russian browser: the pages speak Russian and show her clock.

Chromium runs with locale="ru-RU" and timezone_id="Asia/Almaty" against a real `convene serve`.
To add a page (the live page, the moderator console), add a (name, path, Russian text) row to
RUSSIAN_PAGES or a test below that uses `russian_page`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from tests.browser.conftest import LiveServer, screenshot

REF = "study-visit-central-asia-2021"
REHEARSAL = "study-visit-central-asia-rehearsal"
RU_TITLE = "Учебный визит в Центральную Азию"
ALMATY = ZoneInfo("Asia/Almaty")
CATALOG = Path(__file__).resolve().parents[2] / "server" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"

# (name, path, text only the Russian page has)
RUSSIAN_PAGES = [
    ("home", "/", "Встречи"),
    ("event", f"/events/{REF}", "Программа"),
    ("apply", f"/events/{REHEARSAL}/apply", "Подать заявку на участие"),
    ("login", "/login", "Вход для организаторов"),
]


@pytest.fixture
def russian_page(new_page: Any) -> Any:
    return new_page(locale="ru-RU", timezone_id="Asia/Almaty")


@pytest.mark.parametrize(("name", "path", "text"), RUSSIAN_PAGES, ids=[p[0] for p in RUSSIAN_PAGES])
def test_pages_are_russian(live_server: LiveServer, russian_page: Any, name: str, path: str, text: str) -> None:
    russian_page.goto(live_server.url + path)
    assert russian_page.locator("html").get_attribute("lang") == "ru"
    assert text in russian_page.locator("main").inner_text()
    screenshot(russian_page, f"ru-{name}")


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
    page.wait_for_url("**/p/**")
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
