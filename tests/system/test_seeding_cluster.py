"""The applicants' key questions open a Q&A item once, whatever the number of web processes:
two `convene serve` processes on one database and the real Redis (DB 8), two moderators pressing
"add the key questions" at the same moment, then a restart and the item started again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio
from flask import Flask

from tests.support.cluster import Cluster, owned_channel, prepare_database, staff_socket
from tests.support.live import Meeting, add_participant

pytestmark = pytest.mark.system

REDIS_URL = "redis://127.0.0.1:6379/8"
MODERATOR = ("cluster-moderator@example.org", "cluster-moderator-password")


@pytest.fixture
def channel() -> Iterator[str]:
    with owned_channel(REDIS_URL, "seed") as name:
        yield name


def _key_questions(app: Flask, meeting: Meeting) -> None:
    add_participant(app, meeting.event_id, "Named Person", key_questions=["What works?", "Who pays?"],
                    share="with_name")
    add_participant(app, meeting.event_id, "Shy Person", key_questions=["What fails?"], share="anonymous")


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[str, Meeting]:
    return prepare_database(tmp_path, participants=2, more=_key_questions,
                            staff=((MODERATOR[0], MODERATOR[1], "Cluster moderator", "moderator"),))


def snapshot(client: socketio.Client, stream: str) -> dict[str, Any]:
    ack = client.call("sync:snapshot", {"streams": [stream]}, timeout=10)
    return ack["snapshots"][stream]  # type: ignore[no-any-return]


def test_two_processes_add_the_key_questions_once(tmp_path: Path, prepared: tuple[str, Meeting],
                                                  channel: str) -> None:
    url, meeting = prepared
    cluster = Cluster(tmp_path, url, REDIS_URL, channel)
    bases = cluster.bases

    stream = f"qa:item:{meeting.qa_item}"
    with cluster.serving("web1.log", "web2.log"):
        one = staff_socket(bases[0], meeting.slug, MODERATOR)
        two = staff_socket(bases[1], meeting.slug, MODERATOR, origin=bases[0])
        acks: list[dict[str, Any]] = []
        start = threading.Barrier(2)

        def press(client: socketio.Client) -> None:
            start.wait()
            acks.append(client.call("qa:seed", {"item_id": meeting.qa_item}, timeout=10))

        threads = [threading.Thread(target=press, args=(c,)) for c in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(a["ok"] for a in acks) == [False, True], acks
        refused = next(a for a in acks if not a["ok"])
        assert refused["error"]["field"] == "item_id"
        texts = [q["text"] for q in snapshot(two, stream)["questions"]]
        assert sorted(texts) == ["What fails?", "What works?", "Who pays?"]
        one.disconnect()
        two.disconnect()

    # Both processes restart; starting the item (twice, from each) adds nothing more.
    with cluster.serving("web1-again.log", "web2-again.log"):
        one = staff_socket(bases[0], meeting.slug, MODERATOR)
        two = staff_socket(bases[1], meeting.slug, MODERATOR, origin=bases[0])
        assert one.call("agenda:start_item", {"item_id": meeting.qa_item}, timeout=10)["ok"]
        assert two.call("agenda:next_item", {}, timeout=10)["ok"]
        assert two.call("agenda:start_item", {"item_id": meeting.qa_item}, timeout=10)["ok"]
        assert len(snapshot(one, stream)["questions"]) == 3
        one.disconnect()
        two.disconnect()
    assert cluster.tracebacks() == {}
