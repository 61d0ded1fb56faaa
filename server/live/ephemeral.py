"""Ephemeral live data: who is connected where (sids, presence) and per-person rate limits.

Nothing here is a fact the meeting depends on; the database holds those. This is process
memory, mirrored to Redis when ``REDIS_URL`` is set so that every web process (and the Celery
worker) sees the sids and presence of the others. It is the one module that knows Redis keys,
all under ``convene:<SOCKETIO_CHANNEL>:live:``, so a test-owned channel owns its keys.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PRESENCE_TTL_SECONDS = 30  # a crashed process's presence disappears after this
MARKER_TTL_SECONDS = 60  # "this process's registry is in Redis"; gone after a Redis restart
log = logging.getLogger(__name__)
SIDS_TTL_SECONDS = 24 * 3600


@dataclass(slots=True)
class Connection:
    """One Socket.IO connection (sid) and who it belongs to."""

    sid: str
    event_id: int
    person_id: int | str  # application id, or "staff:<user id>"
    name: str
    staff: bool
    room_id: int | None = None  # the break-out room this socket is in now


@dataclass(frozen=True, slots=True)
class Bucket:
    """A token bucket: ``capacity`` actions at once, refilled at ``per_second``."""

    capacity: float
    per_second: float


_BUCKET_LUA = """
local cap = tonumber(ARGV[1]); local rate = tonumber(ARGV[2]); local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local t = tonumber(b[1]) or cap; local ts = tonumber(b[2]) or now
t = math.min(cap, t + math.max(0, now - ts) * rate)
local ok = 0
if t >= 1 then t = t - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tostring(t), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(cap / rate) + 1)
return {ok, tostring(t)}
"""


@dataclass
class Ephemeral:
    """The per-process registry of connections, presence and token buckets."""

    redis_url: str | None
    channel: str
    host_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    connections: dict[str, Connection] = field(default_factory=dict)
    presence_pending: set[int] = field(default_factory=set)
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _redis: Any = None

    # -- Redis --------------------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return f"convene:{self.channel}:live"

    @property
    def redis(self) -> Any:
        if self.redis_url is None:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.redis_url, decode_responses=True)
        return self._redis

    def new_redis(self) -> Any:
        """A client of its own (a pub/sub subscriber must not share the command connection)."""
        import redis

        assert self.redis_url is not None
        return redis.Redis.from_url(self.redis_url, decode_responses=True, health_check_interval=10)

    def _sids_key(self, person_id: int | str) -> str:
        return f"{self.prefix}:sids:{person_id}"

    def _presence_key(self, event_id: int, host: str) -> str:
        return f"{self.prefix}:presence:{event_id}:{host}"

    # -- connections --------------------------------------------------------------------------

    def add(self, conn: Connection) -> None:
        with self._lock:
            self.connections[conn.sid] = conn
        try:
            self._register(conn)
        except Exception as exc:  # Redis down: the heartbeat's repair writes it back later
            log.warning("sid registry: cannot record %s (%s)", conn.sid, exc)

    def _register(self, *conns: Connection) -> None:
        if self.redis is None or not conns:
            return
        pipe = self.redis.pipeline()
        for conn in conns:
            key = self._sids_key(conn.person_id)
            pipe.hset(key, conn.sid, "" if conn.room_id is None else str(conn.room_id))
            pipe.expire(key, SIDS_TTL_SECONDS)
        pipe.execute()

    def repair(self) -> bool:
        """Write this process's connections back if Redis lost them (restarted); say if it did."""
        if self.redis is None:
            return False
        marker = f"{self.prefix}:host:{self.host_id}"
        if self.redis.set(marker, "1", ex=MARKER_TTL_SECONDS, xx=True):
            return False  # still there: nothing was lost
        with self._lock:
            conns = list(self.connections.values())
        self._register(*conns)
        for event_id in {c.event_id for c in conns}:
            self.publish_presence(event_id)
        self.redis.set(marker, "1", ex=MARKER_TTL_SECONDS)
        return True

    def remove(self, sid: str) -> Connection | None:
        with self._lock:
            conn = self.connections.pop(sid, None)
        if conn is not None and self.redis is not None:
            try:
                self.redis.hdel(self._sids_key(conn.person_id), sid)
            except Exception as exc:  # Redis down; the key expires, and repair rewrites only live sids
                log.warning("sid registry: cannot forget %s (%s)", sid, exc)
        return conn

    def get(self, sid: str) -> Connection | None:
        return self.connections.get(sid)

    def sids_of(self, person_id: int | str) -> dict[str, int | None]:
        """Return every sid of one person (all processes with Redis) and its break-out room."""
        if self.redis is not None:
            found = self.redis.hgetall(self._sids_key(person_id))
            return {sid: int(room) if room else None for sid, room in found.items()}
        with self._lock:
            return {c.sid: c.room_id for c in self.connections.values() if c.person_id == person_id}

    def set_room(self, person_id: int | str, sid: str, room_id: int | None) -> None:
        """Record that a socket now sits in ``room_id`` (None: in no break-out room)."""
        with self._lock:
            conn = self.connections.get(sid)
            if conn is not None:
                conn.room_id = room_id
        if self.redis is not None and self.redis.hexists(self._sids_key(person_id), sid):
            self.redis.hset(self._sids_key(person_id), sid, "" if room_id is None else str(room_id))

    # -- presence -----------------------------------------------------------------------------

    def local_presence(self, event_id: int) -> dict[str, dict[str, Any]]:
        """Return this process's people of one event: person -> {name, staff, room_id}."""
        people: dict[str, dict[str, Any]] = {}
        with self._lock:
            conns = [c for c in self.connections.values() if c.event_id == event_id]
        for c in conns:
            entry = people.setdefault(
                str(c.person_id),
                {"person_id": c.person_id, "name": c.name, "staff": c.staff, "room_id": c.room_id},
            )
            if c.room_id is not None:
                entry["room_id"] = c.room_id
        return people

    def publish_presence(self, event_id: int) -> None:
        """Write this process's share of an event's presence to Redis (expires if we die)."""
        if self.redis is None:
            return
        key = self._presence_key(event_id, self.host_id)
        people = self.local_presence(event_id)
        if people:
            self.redis.set(key, json.dumps(people), ex=PRESENCE_TTL_SECONDS)
        else:
            self.redis.delete(key)

    def presence(self, event_id: int) -> dict[str, dict[str, Any]]:
        """Return everyone connected to an event, over all processes (this one's if Redis is down)."""
        if self.redis is None:
            return self.local_presence(event_id)
        try:
            self.publish_presence(event_id)
            keys = list(self.redis.scan_iter(match=self._presence_key(event_id, "*"), count=100))
            values = self.redis.mget(keys) if keys else []
        except Exception as exc:
            log.warning("presence: Redis unavailable (%s); showing this process only", exc)
            return self.local_presence(event_id)
        people: dict[str, dict[str, Any]] = {}
        for raw in values:
            if not raw:
                continue
            for person, entry in json.loads(raw).items():
                known = people.setdefault(person, entry)
                if entry.get("room_id") is not None:
                    known["room_id"] = entry["room_id"]
        return people

    def events_here(self) -> set[int]:
        with self._lock:
            return {c.event_id for c in self.connections.values()}

    # -- rate limits --------------------------------------------------------------------------

    def take(self, key: str, bucket: Bucket, now: float | None = None) -> float | None:
        """Take one token; return None if allowed, else the seconds until the next token."""
        moment = time.time() if now is None else now
        if self.redis is not None:
            try:
                ok, tokens = self.redis.eval(
                    _BUCKET_LUA, 1, f"{self.prefix}:bucket:{key}", bucket.capacity, bucket.per_second, moment
                )
                return None if int(ok) else (1 - float(tokens)) / bucket.per_second
            except Exception as exc:  # Redis down: limit per process rather than refuse everyone
                log.warning("rate limit: Redis unavailable (%s); counting in this process", exc)
        with self._lock:
            tokens, stamp = self._buckets.get(key, (bucket.capacity, moment))
            tokens = min(bucket.capacity, tokens + max(0.0, moment - stamp) * bucket.per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, moment)
                return None
            self._buckets[key] = (tokens, moment)
            return (1 - tokens) / bucket.per_second

    # -- tests and tools ----------------------------------------------------------------------

    def clear_redis(self) -> int:
        """Delete every key of this channel (tests own their channel and clean up)."""
        if self.redis is None:
            return 0
        keys: Iterable[str] = list(self.redis.scan_iter(match=f"{self.prefix}:*", count=500))
        return int(self.redis.delete(*keys)) if keys else 0
