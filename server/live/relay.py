"""Frames between web processes over Redis pub/sub, and what could not be delivered.

Every web process subscribes to ``convene:<SOCKETIO_CHANNEL>:live:frames`` and hands the
frames of the *other* processes to its own coalescer (its own frames it delivered already).
A publish that fails (Redis down) is reported to the caller as a ``Delivery`` failure, so the
acknowledgement can say what was committed but not yet delivered, and is retried in the
background; the per-stream version heartbeat (``server.live.background``) makes every client
converge even if all retries fail.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.live.fanout import Frame

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30, 30, 30, 60, 60, 60)  # about five minutes in all


@dataclass
class Delivery:
    """What a change's broadcasts could not reach (empty: everything went out)."""

    undelivered: list[str] = field(default_factory=list)

    def failed(self, what: str, error: BaseException) -> None:
        log.error("live delivery failed: %s (%s: %s)", what, type(error).__name__, error)
        self.undelivered.append(what)

    def merge(self, other: Delivery) -> Delivery:
        self.undelivered.extend(other.undelivered)
        return self

    def ack_fields(self) -> dict[str, Any]:
        """Fields added to an ``ok`` acknowledgement when something is still on its way."""
        if not self.undelivered:
            return {}
        return {"delivered": False, "undelivered": list(self.undelivered), "retrying": True}


class Relay:
    """Publish this process's frames; listen for the others' (one subscriber per process)."""

    def __init__(self, redis_factory: Callable[[], Any], key: str, host_id: str) -> None:
        self.redis_factory, self.key, self.host_id = redis_factory, key, host_id
        self._redis: Any = None

    @property
    def redis(self) -> Any:
        if self._redis is None:
            self._redis = self.redis_factory()
        return self._redis

    def publish(self, frames: list[Frame]) -> None:
        """Send frames to every other process; raises if Redis cannot take them."""
        message = json.dumps({"host": self.host_id, "frames": [f.as_json() for f in frames]}, separators=(",", ":"))
        self.redis.publish(self.key, message)

    def listen(self, receive: Callable[[Frame], None], sleep: Callable[[float], Any]) -> None:
        """Forever: hand the other processes' frames to ``receive``; reconnect after Redis outages."""
        delay = 0.2
        while True:
            try:
                pubsub = self.redis_factory().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.key)
                delay = 0.2
                for message in pubsub.listen():
                    self._handle(message, receive)
            except Exception as exc:  # Redis down or restarting: try again, with backoff
                log.warning("live relay: cannot receive from Redis (%s); retrying in %.1f s", exc, delay)
                sleep(delay)
                delay = min(5.0, delay * 2)

    def _handle(self, message: dict[str, Any], receive: Callable[[Frame], None]) -> None:
        if message.get("type") != "message":
            return
        try:
            data = json.loads(message["data"])
            if data.get("host") == self.host_id:
                return
            for raw in data["frames"]:
                receive(Frame.from_json(raw))
        except Exception:
            log.exception("live relay: a frame could not be handled")
