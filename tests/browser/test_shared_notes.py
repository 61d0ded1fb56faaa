"""Two people write a room's notes at the same time in Chromium: both see the union, nothing doubled,
and the stored notes are what both pages show — online, and after both typed while offline."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.flow import REHEARSAL, Staff, invited_participant

pytestmark = pytest.mark.browser


def _stored_notes(organiser: Staff, room_name: str) -> str:
    answer = organiser.http.get(f"{organiser.base}/api/events/{REHEARSAL}/export/notes.csv", timeout=10)
    assert answer.status_code == 200, answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    return next(r["text"] for r in rows if room_name in r["room"])


def _notes(page: Any) -> Any:
    box = page.get_by_label("Notes of your room")
    box.wait_for()
    return box


def test_two_browsers_write_the_same_notes_at_once(live_server: LiveServer, new_page: Any) -> None:
    organiser = Staff(live_server.url, *live_server.organiser)
    _, link_a = invited_participant(live_server.url, live_server.instance, organiser, "Aigul Nurlanovna",
                                    "aigul@example.org")
    _, link_b = invited_participant(live_server.url, live_server.instance, organiser, "Bruno Keller",
                                    "bruno@example.org", country="DE", role="exit_worker")
    rnd = organiser.call("POST", f"/api/events/{REHEARSAL}/rounds", {"title": "Notes round", "room_count": 1})
    organiser.call("POST", f"/api/events/{REHEARSAL}/rounds/{rnd['id']}/publish")
    room = organiser.call("GET", f"/api/events/{REHEARSAL}/rounds/{rnd['id']}/rooms")["rooms"][0]

    a, b = new_page(), new_page()
    a.goto(f"{link_a}/live")
    b.goto(f"{link_b}/live")
    box_a, box_b = _notes(a), _notes(b)
    for page in (a, b):
        page.wait_for_selector("#conn.connected", timeout=10_000)

    # A line both have, so that each writes at a place the other has too (a caret placed inside
    # text still arriving lands among the other's letters, as it would in any shared editor).
    box_a.click()
    box_a.press_sequentially("Agenda:", delay=5)
    b.wait_for_function("() => document.getElementById('notes-text').value === 'Agenda:'", timeout=5000)
    # Online: both type into the same text within the same fraction of a second, before and after it.
    box_a.press("Home")
    box_a.press_sequentially("Aigul: families first. ", delay=5)
    box_b.click()
    box_b.press("End")
    box_b.press_sequentially(" Bruno: schools too.", delay=5)
    b.wait_for_selector("#notes-typing >> text=Aigul Nurlanovna is typing", timeout=5000)
    for page in (a, b):
        page.wait_for_function(
            "() => { const v = document.getElementById('notes-text').value;"
            " return v.includes('Aigul: families first.') && v.includes('Bruno: schools too.'); }", timeout=10_000)

    # Offline: both type from the same text, then come back; every word arrives once.
    a.context.set_offline(True)
    b.context.set_offline(True)
    box_a.press("Home")
    box_a.press_sequentially("[A offline] ", delay=5)
    box_b.press("End")
    box_b.press_sequentially(" [B offline]", delay=5)
    a.context.set_offline(False)
    b.context.set_offline(False)
    for page in (a, b):
        page.wait_for_function(
            "() => { const v = document.getElementById('notes-text').value;"
            " return v.includes('[A offline]') && v.includes('[B offline]'); }", timeout=20_000)
    a.wait_for_timeout(600)  # let the last acknowledgements land
    text_a, text_b = box_a.input_value(), box_b.input_value()
    assert text_a == text_b
    for words in ("Aigul: families first. Agenda: Bruno: schools too.", "[A offline]", "[B offline]"):
        assert text_a.count(words) == 1, (words, text_a)
    assert _stored_notes(organiser, room["name"]) == text_a
    screenshot(a, "shared-notes")
