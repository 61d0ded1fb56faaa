"""A visitor reads the event page in their own time zone, on a desk and on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot

REF = "study-visit-central-asia-2021"


def test_viewer_in_almaty_sees_1330_for_0930_brussels(live_server: LiveServer, new_page: Any) -> None:
    page = new_page(timezone_id="Asia/Almaty", locale="en-GB")
    page.goto(f"{live_server.url}/events/{REF}")
    first_row = page.locator(".agenda-table tbody tr").first
    assert first_row.locator("td").nth(0).inner_text().startswith("09:30")
    assert first_row.locator("td.viewer-col").inner_text() == "13:30–13:45"
    assert page.locator(".viewer-zone-name").first.inner_text() == "Asia/Almaty"
    assert "Applications are closed" in page.content()
    screenshot(page, "event-page-almaty")


def test_event_page_fits_a_phone(live_server: LiveServer, new_page: Any) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, timezone_id="Europe/Brussels", locale="en-GB")
    page.goto(f"{live_server.url}/events/{REF}")
    screenshot(page, "event-page-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_skip_link_and_keyboard_reach_the_zone_picker(live_server: LiveServer, new_page: Any) -> None:
    page = new_page(locale="en-GB")
    page.goto(f"{live_server.url}/events/{REF}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.select_option("#tz", "Asia/Tashkent")
    page.get_by_role("button", name="Show").click()  # submits the form: wait for its answer's page
    expect(page.locator("th.viewer-col").first).to_have_text("Asia/Tashkent", use_inner_text=True)
    expect(page.locator("td.viewer-col").first).to_have_text("12:30–12:45", use_inner_text=True)
