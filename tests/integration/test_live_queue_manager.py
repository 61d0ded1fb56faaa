"""python-socketio's Redis channel (room joins across processes, presence, notes) is listened to
again within seconds of Redis coming back, however long it was away."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import redis

from tests.support.cluster import OwnRedis

CHANNEL = "convene-test-queue"


def test_the_queue_listener_retries_at_most_five_seconds_apart_and_hears_redis_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real redis-server, stopped: every attempt to listen fails and the waits between them
    grow to 5 s, not python-socketio's 60 s (recorded here instead of slept); then the server
    starts, the next attempt subscribes, and what is published on the channel is heard."""
    from server.live import queue_manager

    own = OwnRedis(tmp_path)
    waits: list[float] = []

    def pause(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 9:
            own.start()  # Redis is back after a long outage (0.5 + 1 + 2 + 4 + 5 × 5 s of attempts)

    monkeypatch.setattr(queue_manager, "_pause", pause)

    def publish_once_subscribed() -> None:
        client = redis.Redis.from_url(own.url, socket_timeout=2)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if dict(client.pubsub_numsub(CHANNEL)).get(CHANNEL.encode()):
                    client.publish(CHANNEL, "hello again")
                    return
            except redis.ConnectionError:
                pass
            time.sleep(0.05)

    listening = queue_manager.RedisQueueManager(own.url, channel=CHANNEL)._redis_listen_with_retries()
    publisher = threading.Thread(target=publish_once_subscribed, daemon=True)
    publisher.start()
    try:
        message = next(listening)
    finally:
        listening.close()
        publisher.join(5)
        own.kill()
    assert waits == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0]
    assert message["type"] == "message" and message["data"] == b"hello again"
