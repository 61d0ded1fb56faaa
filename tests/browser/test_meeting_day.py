"""The meeting day in Chromium (issue 15): a moderator runs a morning from the console with the
keyboard alone on a 1366x768 laptop screen, while the projector view in a second browser follows
every step within a second; the applicants' key questions open the Q&A; the speaker's timer
visibly counts and warns before its limit."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.flow import REHEARSAL, Staff, invited_participant

FOLLOW_S = 1.0  # the projector shows each step within this


def changed(page: Any, selector: str, before: str, timeout: int = 4000) -> None:
    """Wait until the element's text is no longer `before` (a clock that ticks)."""
    page.wait_for_function("([s, t]) => document.querySelector(s).innerText !== t",
                           arg=[selector, before], timeout=timeout)


@pytest.fixture(scope="module")
def organiser(live_server: LiveServer) -> Staff:
    return Staff(live_server.url, *live_server.organiser)


def login(page: Any, server: LiveServer, who: tuple[str, str], then: str) -> None:
    page.goto(f"{server.url}/login?next={then}")
    page.get_by_label("Email").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{then}")


def live_page(new_page: Any, link: str) -> Any:
    page = new_page(locale="en-GB")
    page.goto(f"{link}/live")
    page.wait_for_selector("#live[data-state=connected]")
    return page


def follows(projector: Any, selector: str, text: str, started: float) -> float:
    """Wait until the projector shows ``text`` in ``selector``; return how long it took."""
    projector.wait_for_function(
        "([sel, text]) => { const n = document.querySelector(sel); return !!n && n.offsetParent !== null"
        " && n.textContent.includes(text); }", arg=[selector, text], timeout=5000, polling=20)
    took = time.monotonic() - started
    assert took < FOLLOW_S, f"the projector took {took:.2f} s to show {text!r}"
    return took


def press(mod: Any, key: str) -> float:
    mod.keyboard.press(key)
    return time.monotonic()


def visible_in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= 768 and box["x"] + 40 <= 1366


def test_before_the_meeting_the_start_in_my_zone_and_dismissed_announcements(
    live_server: LiveServer, new_page: Any, organiser: Staff
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    _, link = invited_participant(live_server.url, live_server.instance, organiser, "Chen Wei", "chen@example.org",
                                  country="UZ", role="mental_health_professional")
    agenda = organiser.call("GET", f"/api/events/{REHEARSAL}/agenda")
    first = datetime.fromisoformat(agenda["days"][0]["start_utc"].replace("Z", "+00:00"))
    almaty = first.astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M")
    brussels = first.astimezone(ZoneInfo("Europe/Brussels")).strftime("%H:%M")

    page = new_page(locale="en-GB", timezone_id="Asia/Almaty")
    page.goto(f"{link}/live")
    page.wait_for_selector("#live[data-state=connected]")
    page.wait_for_selector("#before:not([hidden])")
    assert almaty in page.locator("#before-when").inner_text()
    assert f"{brussels} in Europe/Brussels" in page.locator("#before-event").inner_text()
    # The countdown ticks: its text changes within a few seconds (not a fixed sleep: a loaded
    # machine can delay one page's timer past a one-second window).
    one = page.locator("#before-countdown").inner_text()
    changed(page, "#before-countdown", one)
    two = page.locator("#before-countdown").inner_text()
    assert re.fullmatch(r"in 2[78] days and \d+:\d\d:\d\d", two) and one != two, (one, two)
    screenshot(page, "day-participant-before")

    # An announcement: dismissed, it stays dismissed after a reload in this browser.
    mod = new_page(locale="en-GB", viewport={"width": 1366, "height": 768})
    login(mod, live_server, live_server.moderator, f"/moderate/{REHEARSAL}")
    mod.wait_for_selector("#console[data-state=connected]")
    mod.get_by_label("Message").fill("Test of the sound at 09:15")
    mod.get_by_role("button", name="Announce").click()
    page.wait_for_selector("#announce-text >> text=Test of the sound at 09:15")
    mod.wait_for_selector("#msg >> text=Announced.")
    mod.wait_for_selector("#msg:empty", state="attached", timeout=6000)  # the console's confirmations clear themselves
    page.locator("#announce").get_by_role("button", name="Dismiss").click()
    assert page.locator("#announce").is_hidden()
    assert "Test of the sound" not in page.locator("#announcements").inner_text()
    page.reload()
    page.wait_for_selector("#live[data-state=connected]")
    page.wait_for_selector("#before:not([hidden])")
    assert page.locator("#announce").is_hidden()
    assert "Test of the sound" not in page.locator("#announcements").inner_text()
    other = new_page(locale="en-GB")  # another browser still sees it
    other.goto(f"{link}/live")
    other.wait_for_selector("#announce-text >> text=Test of the sound at 09:15")


def test_a_morning_from_the_keyboard_with_the_projector_following(
    live_server: LiveServer, new_page: Any, organiser: Staff
) -> None:
    aigerim_id, aigerim_link = invited_participant(
        live_server.url, live_server.instance, organiser, "Aigerim Bekova", "aigerim@example.org",
        key_questions=["How do families take part in reintegration?"], share_questions="with_name")
    _, bram_link = invited_participant(
        live_server.url, live_server.instance, organiser, "Bram de Vries", "bram@example.org", country="NL",
        role="exit_worker", key_questions=["What do schools need to know?"], share_questions="anonymous")
    rnd = organiser.call("POST", f"/api/events/{REHEARSAL}/rounds", {
        "title": "Round 1: what can travel", "room_count": 2,
        "video_url_template": "https://meet.example.org/{event}-{room}"})
    organiser.call("POST", f"/api/events/{REHEARSAL}/rounds/{rnd['id']}/publish")

    mod = new_page(locale="en-GB", viewport={"width": 1366, "height": 768})
    dialogs: list[str] = []
    mod.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    mod.on("pageerror", lambda e: errors.append(str(e)))
    login(mod, live_server, live_server.moderator, f"/moderate/{REHEARSAL}")
    mod.wait_for_selector("#console[data-state=connected]")
    # Before the morning (setup, not driving): a 32-second limit for plenary speakers.
    mod.get_by_label("Limit (s)").fill("32")
    mod.locator("#spk-options").get_by_role("button", name="Apply").click()
    mod.wait_for_function("document.querySelector('#spk-limit').value === '32'")

    link = mod.locator("#projector-link").get_attribute("href")
    assert link and "/present/" in link and "key=" in link
    projector = new_page(locale="en-GB", viewport={"width": 1280, "height": 720})
    projector.goto(link)
    projector.wait_for_selector("#present[data-state=connected]")
    aigerim = live_page(new_page, aigerim_link)
    bram = live_page(new_page, bram_link)

    # One laptop screen: what is on, what is next, the queue, the speakers and the break-outs.
    for selector in ("#now-title", "#next-title", "#next-item", "#q-pending", "#q-live", "#spk-current",
                     "#spk-next", "#open-rooms", "#shortcuts"):
        assert visible_in_viewport(mod, selector), selector
    assert mod.evaluate("document.documentElement.scrollHeight") <= 768 + 2
    headings = [h.strip() for h in mod.locator("#agenda h3").all_inner_texts()]
    assert len(headings) == 2 and headings[0].startswith("Day 1") and headings[1].startswith("Day 2")
    assert mod.locator("#agenda li", has_text="Kazakhstan: bringing").locator(".kind").inner_text() == "Presentation"
    assert mod.locator("#agenda li", has_text="Questions and answers: Kazakhstan").locator(".kind").inner_text() \
        == "Questions and answers"
    assert mod.locator("#agenda").get_by_text("qa", exact=True).count() == 0  # kinds in words, not codes
    mod.evaluate("document.activeElement && document.activeElement.blur()")

    # N: the first item; the console highlights it and the projector follows.
    follows(projector, "#now-title", "Welcome and introduction", press(mod, "n"))
    assert mod.locator("#agenda li.current").inner_text().find("Welcome and introduction") >= 0
    follows(projector, "#now-title", "Kazakhstan: bringing families home", press(mod, "n"))
    assert "Next: Questions and answers: Kazakhstan" in mod.locator("#next-title").inner_text()

    # N: the Q&A starts, and the applicants' key questions are in its queue at once.
    started = press(mod, "n")
    follows(projector, "#now-title", "Questions and answers: Kazakhstan", started)
    follows(projector, "#questions", "How do families take part in reintegration?", started)
    mod.wait_for_selector("#q-live .q-text >> text=How do families take part in reintegration?", timeout=1000)
    mod.wait_for_selector("#q-live .q-text >> text=What do schools need to know?", timeout=1000)
    assert "Aigerim Bekova" in projector.locator("#questions li", has_text="take part in reintegration").inner_text()
    assert "Anonymous" in projector.locator("#questions li", has_text="schools").inner_text()
    assert "Bram" not in projector.locator("#present").inner_text()
    assert "@" not in projector.locator("#present").inner_text()
    screenshot(mod, "day-console-qa")

    # M: pre-moderation; Bram asks; A approves it (pending first on the console).
    mod.keyboard.press("m")
    bram.wait_for_selector("#qa-mod:not([hidden])")
    bram.get_by_label("Your question").fill("Who trains the teachers?")
    bram.get_by_role("button", name="Ask").click()
    mod.wait_for_selector("#q-pending .q-text >> text=Who trains the teachers?")
    bram.wait_for_selector("#ask-msg >> text=Sent: a moderator will read it first.")
    bram.wait_for_selector("#ask-msg:empty", state="attached", timeout=6000)  # "Sent." clears itself
    assert mod.locator("#q-live li.selected").count() == 1  # the keyboard's selection stays put
    follows(projector, "#questions", "Who trains the teachers?", press(mod, "a"))
    # Aigerim votes for it: it rises on the projector.
    vote = aigerim.locator("#questions li", has_text="Who trains the teachers?").get_by_role(
        "button", name=re.compile("^Vote"))
    started = time.monotonic()
    vote.click()
    follows(projector, "#questions li:first-child", "▲ 1", started)
    assert "Who trains the teachers?" in projector.locator("#questions li:first-child").inner_text()

    # J selects the next live question, P pins it: pinned goes first on the projector.
    mod.keyboard.press("j")
    selected = mod.locator("#q-live li.selected .q-text").inner_text()
    assert selected != "Who trains the teachers?"
    follows(projector, "#questions li.pinned:first-child", selected, press(mod, "p"))
    # D: answered; it leaves the projector's live questions.
    mod.keyboard.press("d")
    projector.wait_for_function(
        "t => ![...document.querySelectorAll('#questions li')].some(li => li.textContent.includes(t))",
        arg=selected, timeout=1000)
    mod.wait_for_selector(f"#q-answered .q-text >> text={selected}")

    # A raised hand; C calls the next speaker; T starts the timer, which counts and warns at 30 s.
    aigerim.get_by_role("button", name="Raise my hand").click()
    mod.wait_for_selector("#spk-waiting >> text=Aigerim Bekova")
    follows(projector, "#speaker-name", "Aigerim Bekova", press(mod, "c"))
    follows(projector, "#speaker-timer", " left", press(mod, "t"))
    # Both clocks count down: each text changes (waited for, not slept for), and reads about 0:30.
    first = (mod.locator("#spk-timer").inner_text(), projector.locator("#speaker-timer").inner_text())
    changed(mod, "#spk-timer", first[0])
    changed(projector, "#speaker-timer", first[1])
    second = (mod.locator("#spk-timer").inner_text(), projector.locator("#speaker-timer").inner_text())
    assert first[0] != second[0] and first[1] != second[1], (first, second)
    assert re.fullmatch(r"0:(2[5-9]|3[01]) left", second[0]), second
    mod.wait_for_selector("#spk-timer.warn", timeout=3000)
    projector.wait_for_selector("#speaker-timer.warn", timeout=3000)
    screenshot(projector, "day-projector-speaker")

    # "/" writes an announcement: typing "n" there does not move the agenda; Ctrl+Enter sends it.
    mod.keyboard.press("/")
    mod.keyboard.type("Coffee is ready in the next room")
    assert "Questions and answers: Kazakhstan" in mod.locator("#now-title").inner_text()
    follows(projector, "#announcements", "Coffee is ready in the next room", press(mod, "Control+Enter"))
    mod.wait_for_function("document.querySelector('#announce-text').value === ''", timeout=2000)

    # N to the break, N to the break-out item, O opens the round, B brings everyone back.
    follows(projector, "#now-title", "Break", press(mod, "n"))
    follows(projector, "#now-title", "Break-out round 1", press(mod, "n"))
    follows(projector, "#breakout-countdown", "19:", press(mod, "o"))
    assert projector.locator("#now-title").inner_text() == "Break-out rooms are open"
    screenshot(projector, "day-projector-breakouts")
    follows(projector, "#now-title", "Break-out round 1", press(mod, "b"))
    assert projector.locator("#breakout-countdown").is_hidden()
    for title in ("Plenary feedback from the rooms", "Closing of the first morning"):
        follows(projector, "#now-title", title, press(mod, "n"))
    screenshot(mod, "day-console-end")
    screenshot(projector, "day-projector-end")
    assert aigerim_id > 0 and dialogs == [] and errors == []


def test_the_projector_link_is_refused_after_a_reset(live_server: LiveServer, new_page: Any) -> None:
    mod = new_page(locale="en-GB", viewport={"width": 1366, "height": 768})
    login(mod, live_server, live_server.moderator, f"/moderate/{REHEARSAL}")
    old = mod.locator("#projector-link").get_attribute("href")
    mod.get_by_role("button", name="Make a new projector link").click()
    mod.wait_for_function("old => document.querySelector('#projector-link').href !== old", arg=old)
    assert "the old one no longer works" in mod.locator("#msg").inner_text()
    page = new_page(locale="en-GB")
    assert page.goto(old).status == 404
    assert page.goto(mod.locator("#projector-link").get_attribute("href")).status == 200
