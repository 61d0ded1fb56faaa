"""Operators can see health (issue 11, item 14): /healthz, /readyz and `convene doctor`.

A `convene serve` in the cluster shape against a redis-server of the test's own (on a free
port), a real Celery worker recording beat's tick; then the test kills Redis.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.cluster import OwnRedis, own_redis_server
from tests.support.procs import BIN, ROOT, env_with, free_port, running

pytestmark = pytest.mark.system


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    yield from own_redis_server(tmp_path)


def doctor(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "convene"), "doctor", *extra], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def readyz(base: str) -> tuple[int, dict[str, Any]]:
    answer = requests.get(f"{base}/readyz", timeout=10)
    return answer.status_code, answer.json()


def test_ready_with_redis_and_beat_then_not_ready_when_redis_dies(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    web = free_port()
    base = f"http://127.0.0.1:{web}"
    env = env_with(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=own_redis.url,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SECRET_KEY="health-test",
                   SOCKETIO_CHANNEL="convene-test-health")
    worker = [str(BIN / "celery"), "-A", "worker.main", "worker", "--pool=solo", "--loglevel=INFO",
              "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with running([str(BIN / "convene"), "serve", "--port", str(web)], env, web, log=tmp_path / "web.log"), \
            running(worker, env, log=tmp_path / "worker.log"):
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        status, body = readyz(base)
        assert status == 200 and body["status"] == "ready", body
        assert {"database", "redis", "broker", "beat"} == body["checks"].keys()
        # Without a tick yet, the doctor (a fresh process, no start-up grace) says beat is not running.
        early = doctor(env)
        assert early.returncode == 1 and "beat      FAILED" in early.stdout, early.stdout
        # Beat's heartbeat task, run by the real worker, records the tick in Redis.
        subprocess.run([str(BIN / "celery"), "-A", "worker.main", "call", "worker.tasks.beat_tick"],
                       env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        while "last tick" not in readyz(base)[1]["checks"]["beat"]["detail"] and time.monotonic() < deadline:
            time.sleep(0.3)
        assert readyz(base)[1]["checks"]["beat"]["ok"], readyz(base)
        well = doctor(env)
        assert well.returncode == 0 and well.stdout.strip().endswith("ready"), well.stdout
        assert "last tick" in well.stdout

        own_redis.kill()
        began = time.monotonic()
        status, body = readyz(base)
        assert time.monotonic() - began < 8
        assert status == 503 and body["status"] == "not ready", body
        assert not body["checks"]["redis"]["ok"] and not body["checks"]["broker"]["ok"]
        assert body["checks"]["database"]["ok"]
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200  # the process is up
        sick = doctor(env)
        assert sick.returncode == 1 and "redis     FAILED" in sick.stdout and "NOT READY" in sick.stdout
