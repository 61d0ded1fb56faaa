"""Is this process able to serve? The checks behind /readyz and `convene doctor`.

Each check answers in about a second even when its service hangs. In the cluster shape
(a broker is configured), beat's heartbeat task records its tick in Redis every 30 s; a tick
older than BEAT_STALE seconds means beat or every worker is down: reminders, retries and
erasures stop. In the embedded default the in-process beat records the tick in this process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app
from sqlalchemy import text

from server.extensions import db

TIMEOUT = 1.5  # seconds per check
BEAT_STALE = 180.0  # seconds: beat ticks every 30 s; six missed ticks is an outage
STARTUP_GRACE = 120.0  # seconds after start without a first tick before that counts as down
_TICK = "convene.beat_tick"
_STARTED = time.time()


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def masked(url: str) -> str:
    """A URL without its password, fit for a log or a screen."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


def _tick_key(app: Flask) -> str:
    return f"convene:{app.config['SOCKETIO_CHANNEL']}:beat:last_tick"


def check_database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:
        db.session.rollback()
        return Check("database", False, f"unreachable: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return Check("database", True, masked(current_app.config["SQLALCHEMY_DATABASE_URI"]))


def check_redis() -> Check:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return Check("redis", True, "not used (embedded: Socket.IO and rate limits in-process)")
    try:
        _redis(url).ping()
    except Exception as exc:
        return Check("redis", False, f"{masked(url)} unreachable: {exc}")
    return Check("redis", True, masked(url))


def check_broker() -> Check:
    url = current_app.config.get("CELERY_BROKER_URL")
    if not url:
        return Check("broker", True, "not used (embedded: tasks run in-process)")
    try:
        if url.startswith(("redis://", "rediss://")):
            _redis(url).ping()
        else:
            with current_app.extensions["celery"].connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as exc:
        return Check("broker", False, f"{masked(url)} unreachable: {exc}")
    return Check("broker", True, masked(url))


def record_tick(now: float | None = None) -> None:
    """Beat's heartbeat (task worker.tasks.beat_tick): the moment it last ran."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    moment = time.time() if now is None else now
    url = app.config.get("REDIS_URL")
    if url and app.config.get("CELERY_BROKER_URL"):
        _redis(url).set(_tick_key(app), f"{moment:.3f}", ex=int(BEAT_STALE * 10))
    else:
        app.extensions[_TICK] = moment


def last_tick() -> float | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("REDIS_URL")
    if url and app.config.get("CELERY_BROKER_URL"):
        raw = _redis(url).get(_tick_key(app))
        return float(raw) if raw else None
    return app.extensions.get(_TICK)  # type: ignore[no-any-return]


def check_beat(now: float | None = None, *, in_server: bool = True) -> Check:
    moment = time.time() if now is None else now
    clustered = bool(current_app.config.get("CELERY_BROKER_URL"))
    if not clustered and not in_server:
        return Check("beat", True, "in-process (runs inside convene serve)")
    try:
        tick = last_tick()
    except Exception as exc:
        return Check("beat", False, f"last tick unknown: {exc}")
    if tick is None:
        if not clustered or (in_server and moment - _STARTED < STARTUP_GRACE):
            return Check("beat", True, "no tick yet (starting)")
        return Check("beat", False, "no tick recorded: is celery beat running, and a worker?")
    age = moment - tick
    if age > BEAT_STALE:
        return Check("beat", False, f"last tick {age:.0f} s ago (stale after {BEAT_STALE:.0f} s)")
    return Check("beat", True, f"last tick {age:.0f} s ago")


def readiness(*, in_server: bool = True) -> list[Check]:
    """Every check, in the order a person reads them."""
    return [check_database(), check_redis(), check_broker(), check_beat(in_server=in_server)]
