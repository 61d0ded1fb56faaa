"""/healthz and /readyz in-process: the embedded default, and beat's tick going stale."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from flask import Flask

REDIS_DB10 = "redis://127.0.0.1:6379/10"


def test_embedded_default_is_ready_without_redis_or_broker(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    checks = answer.get_json()["checks"]
    assert all(c["ok"] for c in checks.values())
    assert "not used" in checks["redis"]["detail"]


def test_embedded_beat_that_stopped_ticking_is_not_ready(app: Flask) -> None:
    from server import health

    with app.app_context():
        health.record_tick(time.time() - health.BEAT_STALE - 5)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert "stale" in answer.get_json()["checks"]["beat"]["detail"]
    with app.app_context():
        health.record_tick()
    assert app.test_client().get("/readyz").status_code == 200


@pytest.fixture
def clustered(app: Flask) -> Flask:
    """The cluster shape as the health checks read it. Set after create_app: an app made with
    REDIS_URL would leave the process-wide Socket.IO server on a message queue, which the
    other tests' Socket.IO test clients cannot use."""
    app.config.update(REDIS_URL=REDIS_DB10, CELERY_BROKER_URL=REDIS_DB10,
                      SOCKETIO_CHANNEL=f"convene-test-health-{uuid.uuid4().hex[:8]}")
    return app


def test_cluster_beat_tick_lives_in_redis_and_goes_stale(clustered: Flask) -> None:
    from server import health

    app = clustered
    key = f"convene:{app.config['SOCKETIO_CHANNEL']}:beat:last_tick"
    try:
        with app.app_context():
            health.record_tick()
        assert redis.Redis.from_url(REDIS_DB10).exists(key)
        assert app.test_client().get("/readyz").status_code == 200
        with app.app_context():
            health.record_tick(time.time() - 1000)
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        body = answer.get_json()
        assert body["checks"]["redis"]["ok"] and not body["checks"]["beat"]["ok"]
    finally:
        redis.Redis.from_url(REDIS_DB10).delete(key)


def test_urls_are_shown_without_passwords() -> None:
    from server.health import masked

    assert masked("postgresql+psycopg://convene:secret@db:5432/convene") == \
        "postgresql+psycopg://convene:***@db:5432/convene"
    assert masked("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
