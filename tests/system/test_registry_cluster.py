"""Clients converge after a Redis restart, in the cluster shape (issue 11, item 13).

Two `convene serve` processes (gevent) share a SQLite database and a redis-server of the
test's own (a free port, no persistence), which the test kills and starts again empty. Tab A
(Ana) is on process 1, tab B (Bo) on process 2; both are raw Socket.IO tabs.

1. Before: a question asked on process 1 reaches B through Redis; the sid registry holds both tabs.
2. Redis is killed. A vote on process 1 is committed (the ack says it did not reach the other
   servers); A gets it from its own process, B does not; within one heartbeat B's process tells
   B the stream's version from the database (`sync:versions`), so B knows it is behind.
3. Redis is started again, empty. Within one heartbeat each process writes its sockets back into
   the registry (`convene:<channel>:live:sids:<person>`, its `host:<id>` marker and presence),
   B hears the versions again and its `sync:snapshot` answers the true state.
4. Once both relays have subscribed again, a question asked on process 2 reaches A on process 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from server.sessions import protocol as ev
from tests.support.cluster import Cluster, OwnRedis, new_channel, own_redis_server, prepare_database
from tests.support.rawsio import Tab

pytestmark = pytest.mark.system

# server/live/background.py beats every LIVE_HEARTBEAT_SECONDS (default 3.0 s, server/settings.py):
# versions to its sockets, and the registry's repair when Redis lost it. A client hears of a
# version it missed within one period; the margin covers a loaded 2-core machine.
HEARTBEAT_SECONDS = 3.0
MARGIN_SECONDS = 2.0


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    yield from own_redis_server(tmp_path)


def until(what: str, check: Callable[[], Any], timeout: float) -> Any:
    """Poll ``check`` until it returns something truthy (bounded); return that."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except redis.RedisError:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def registry(client: redis.Redis, channel: str) -> dict[str, Any]:
    """What Redis knows of the sockets: sids per person (sid -> room), host markers, presence keys."""
    prefix = f"convene:{channel}:live"
    sids = {key.rsplit(":", 1)[1]: client.hgetall(key) for key in client.scan_iter(match=f"{prefix}:sids:*")}
    return {"sids": sids, "hosts": len(list(client.scan_iter(match=f"{prefix}:host:*"))),
            "presence": len(list(client.scan_iter(match=f"{prefix}:presence:*")))}


def versions(tab: Tab, stream: str, since: float) -> list[tuple[float, int]]:
    """The versions of ``stream`` that heartbeats told ``tab`` since a moment."""
    return [(at, p["streams"][stream]) for at, p in tab.received(ev.SYNC_VERSIONS)
            if at >= since and stream in p["streams"]]


def newest_broadcast(tab: Tab, stream: str, before: float = float("inf")) -> int:
    return max((p["version"] for at, p in tab.received(ev.QA_CHANGED) if p["stream"] == stream and at < before),
               default=0)


def test_after_a_redis_restart_two_processes_rebuild_the_registry_and_clients_converge(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    url, meeting = prepare_database(tmp_path, participants=2)
    cluster = Cluster(tmp_path, url, own_redis.url, new_channel("registry"))
    client = redis.Redis.from_url(own_redis.url, decode_responses=True, socket_timeout=2)
    frames_key = f"convene:{cluster.channel}:live:frames"
    queue, stream = ["item", meeting.qa_item], f"qa:item:{meeting.qa_item}"
    ana, bo = meeting.people

    def relays_listening() -> bool:
        return dict(client.pubsub_numsub(frames_key)).get(frames_key) == 2

    with cluster.serving("web1.log", "web2.log"):
        a = Tab(cluster.ports[0], ana.token, cluster.origin)
        b = Tab(cluster.ports[1], bo.token, cluster.origin)
        try:
            # 1. Before the outage: the relay carries a change across, the registry has both tabs.
            until("both relays subscribed", relays_listening, 10)
            expected = {str(ana.application_id): {a.sid: str(meeting.room_of(ana))},
                        str(bo.application_id): {b.sid: str(meeting.room_of(bo))}}
            before = until("the registry of both tabs", lambda: _complete(client, cluster.channel, expected), 10)
            asked = a.call(ev.QA_ASK, {"queue": queue, "text": "Can you hear me on the other server?"})
            assert asked["ok"] and asked["version"] == 1, asked
            until("B hears v1 through Redis", lambda: newest_broadcast(b, stream) == 1, 3)

            # 2. Redis dies. A vote on process 1 is committed, reaches A, not B.
            own_redis.kill()
            voted_at = time.monotonic()
            voted = a.call(ev.QA_VOTE, {"queue": queue, "question_id": 1})
            assert voted["ok"] and voted["voted"] is True and voted["version"] == 2, voted
            assert voted["delivered"] is False and voted["retrying"] is True, voted  # not to the other server
            until("A hears v2 from its own process", lambda: newest_broadcast(a, stream) == 2, 2)
            # Process 2 reads the database at its next beat: B learns v2 while Redis is still down.
            heard_at, _ = until("B hears v2 in a heartbeat",
                            lambda: [v for v in versions(b, stream, voted_at) if v[1] == 2],
                            HEARTBEAT_SECONDS + MARGIN_SECONDS)[0]
            assert heard_at - voted_at <= HEARTBEAT_SECONDS + MARGIN_SECONDS
            assert newest_broadcast(b, stream, before=heard_at) == 1  # B is behind: it must resync

            # 3. Redis is back, empty: the registry is written back at each process's next beat.
            own_redis.start()  # a new redis-server without persistence: it starts empty
            restarted_at = time.monotonic()
            # (not "no keys yet": a process's beat may already be writing them back by now)
            assert client.info("server")["uptime_in_seconds"] < 5
            after = until("the registry written back", lambda: _complete(client, cluster.channel, expected),
                          HEARTBEAT_SECONDS + MARGIN_SECONDS)
            assert after["sids"] == before["sids"] == expected
            rebuilt_in = time.monotonic() - restarted_at
            until("B hears v2 after the restart", lambda: [v for v in versions(b, stream, restarted_at) if v[1] == 2],
                  HEARTBEAT_SECONDS + MARGIN_SECONDS)
            truth = a.call(ev.SYNC_SNAPSHOT, {"streams": [stream]})["snapshots"][stream]
            synced = b.call(ev.SYNC_SNAPSHOT, {"streams": [stream]})
            assert synced["ok"], synced
            mine = synced["snapshots"][stream]
            assert mine["version"] == truth["version"] == 2
            assert [(q["id"], q["votes"], q["text"]) for q in mine["questions"]] == [
                (1, 1, "Can you hear me on the other server?")]

            # 4. Once both relays listen again, a change on process 2 reaches A on process 1.
            until("both relays subscribed again", relays_listening, 10)
            resubscribed_in = time.monotonic() - restarted_at
            sent_at = time.monotonic()
            again = b.call(ev.QA_ASK, {"queue": queue, "text": "And now from the second server?"})
            assert again["ok"] and again["version"] == 3 and "delivered" not in again, again
            until("A hears v3 through Redis", lambda: newest_broadcast(a, stream) == 3, 3)
            print(f"registry rebuilt {rebuilt_in:.1f} s and relays back {resubscribed_in:.1f} s after the restart; "
                  f"v3 crossed in {time.monotonic() - sent_at:.2f} s")
        finally:
            a.close()
            b.close()
    assert cluster.tracebacks() == {}


def _complete(client: redis.Redis, channel: str, expected: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """The registry once it holds exactly the expected sids, both processes' markers and presence."""
    found = registry(client, channel)
    if found["sids"] == expected and found["hosts"] == 2 and found["presence"] == 2:
        return found
    return None
