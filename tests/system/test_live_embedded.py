"""The embedded default under a vote burst: one `convene serve` (its default: gevent, SQLite),
100 invited people with 3 tabs each, 100 votes for one question spread over 2 s.

Every vote is acknowledged and counted (no `busy`), and every tab has the final count within
1 s of the last vote — the meeting's real size with everyone's phone, laptop and a second tab.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import base_config
from tests.support.live import Meeting, add_participant, make_meeting
from tests.support.procs import BIN, env_with, free_port, running
from tests.support.rawsio import Tab

pytestmark = [pytest.mark.system, pytest.mark.timing]

PEOPLE = int(__import__("os").environ.get("LIVE_TEST_PEOPLE", "100"))
TABS = 3
SPREAD_SECONDS = 2.0


@pytest.fixture
def crowd(tmp_path: Path) -> tuple[str, Meeting]:
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db

    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade()
    meeting = make_meeting(app, participants=2)
    meeting.people += [add_participant(app, meeting.event_id, f"Person {n}") for n in range(PEOPLE - 2)]
    with app.app_context():
        db.engine.dispose()
    return url, meeting


def _final_at(tab: Tab, stream: str, final: int) -> float | None:
    """When this tab first showed the final count of question 1 (applying frames in order)."""
    seen = 0
    for at, payload in tab.received("qa:changed"):
        if payload["stream"] != stream or payload["version"] <= seen:
            continue
        assert payload["from_version"] <= seen + 1 or seen == 0, "a gap: a version no frame carried"
        seen = payload["version"]
        votes = {q["id"]: q.get("votes") for q in payload["questions"]}
        if votes.get(1) == final:
            return at
    return None


def test_a_hundred_people_in_three_tabs_vote_within_two_seconds(tmp_path: Path,
                                                                 crowd: tuple[str, Meeting]) -> None:
    url, meeting = crowd
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = env_with(DATABASE_URL=url, BASE_URL=origin, SECRET_KEY="embedded-test",
                   INSTANCE_PATH=str(tmp_path / "instance"))  # serve's own default async mode
    queue = ["item", meeting.qa_item]
    stream = f"qa:item:{meeting.qa_item}"
    with running([str(BIN / "convene"), "serve", "--port", str(port), "--no-seed", "--no-migrate"],
                 env, port, log=tmp_path / "web.log"):
        with ThreadPoolExecutor(max_workers=20) as pool:
            tabs = list(pool.map(lambda p: Tab(port, p.token, origin), [p for p in meeting.people
                                                                       for _ in range(TABS)]))
        print(f"\n{len(tabs)} tabs connected", flush=True)
        try:
            asked = tabs[0].call("qa:ask", {"queue": queue, "text": "Shall we vote on this?"})
            assert asked["ok"], asked
            time.sleep(0.5)
            acks: list[dict[str, Any]] = []
            sent: list[float] = []
            lock = threading.Lock()
            start = time.monotonic() + 0.2

            def vote(index: int) -> None:
                time.sleep(max(0.0, start + index * SPREAD_SECONDS / PEOPLE - time.monotonic()))
                at = time.monotonic()
                ack = tabs[index * TABS].call("qa:vote", {"queue": queue, "question_id": 1})
                ack["took"] = time.monotonic() - at
                with lock:
                    acks.append(ack)
                    sent.append(at)

            threads = [threading.Thread(target=vote, args=(i,)) for i in range(PEOPLE)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = sorted(a["took"] for a in acks)
            print(f"votes done in {time.monotonic() - start:.2f}s; ack p50 {took[len(took) // 2] * 1000:.0f} ms, "
                  f"max {took[-1] * 1000:.0f} ms", flush=True)
            last_vote = max(sent)
            assert last_vote - min(sent) <= SPREAD_SECONDS + 0.5
            refused = [a for a in acks if not a.get("ok")]
            assert refused == [], refused[:3]
            assert all(a["voted"] for a in acks) and len(acks) == PEOPLE
            time.sleep(1.5)
            truth = tabs[1].call("sync:snapshot", {"streams": [stream]})["snapshots"][stream]
            assert {q["id"]: q["votes"] for q in truth["questions"]} == {1: PEOPLE}
            lags = []
            for tab in tabs:
                at = _final_at(tab, stream, PEOPLE)
                assert at is not None, "a tab never showed the final count"
                lags.append(at - last_vote)
            frames = [len(t.received("qa:changed")) for t in tabs]
            print(f"\n{len(tabs)} tabs; lag from the last vote to the final count on every tab: "
                  f"max {max(lags) * 1000:.0f} ms; qa:changed frames per tab: max {max(frames)} for {PEOPLE} votes")
            assert max(lags) < 1.0
        finally:
            for tab in tabs:
                tab.close()
