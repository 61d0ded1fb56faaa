"""python-socketio's Redis manager, listening again within seconds after a Redis outage.

Room joins across processes (a participant moved to a break-out room), presence, shared-notes
updates and every emit not carried by our own relay travel on python-socketio's Redis channel.
Its listener backs off 1, 2, 4 … up to 60 seconds between attempts, so after a Redis outage of
a minute a process could stay deaf to the others for another minute while Redis was already
back. Ours retries at most ``MAX_RETRY_SECONDS`` apart, as our relay does
(``server.live.relay``). The method is python-socketio's own (5.x), with the cap changed;
tests/system/test_registry_cluster.py proves the effect with a real Redis killed and restarted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import socketio

MAX_RETRY_SECONDS = 5.0


def _pause(seconds: float) -> None:
    time.sleep(seconds)  # looked up at each call: gevent's, once `convene serve` patched it


class RedisQueueManager(socketio.RedisManager):  # type: ignore[misc]
    def _redis_listen_with_retries(self) -> Iterator[Any]:
        retry_sleep = 0.5
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry_sleep = 0.5
                yield from self.pubsub.listen()
            except Exception as exc:
                self._get_logger().error(f"Cannot receive from redis... retrying in {retry_sleep} secs",
                                         extra={"redis_exception": str(exc)})
                subscribed = False
                _pause(retry_sleep)
                retry_sleep = min(MAX_RETRY_SECONDS, retry_sleep * 2)
