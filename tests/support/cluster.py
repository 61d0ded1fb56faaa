"""The cluster shape for system tests: `convene serve` processes sharing one database and a Redis.

- ``prepare_database``: a migrated SQLite file with the reference event, participants, a
  published round and optional staff accounts (this process has no ``REDIS_URL``).
- ``owned_channel``: a Socket.IO channel of the test's own on a shared Redis, its keys deleted
  afterwards (``forget_channel``).
- ``Cluster``: the environment of the processes and ``serve(port, log)`` to run one of them;
  ``tracebacks()`` lists the logs that show one.
- ``OwnRedis``: a redis-server of the test's own on a free port, to kill and start again.
- ``Recorder``: a real python-socketio client (websocket transport) that timestamps what it gets.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import requests
import socketio
from flask import Flask

from tests.conftest import base_config
from tests.support.live import Meeting, make_meeting
from tests.support.procs import BIN, env_with, free_port, running, wait_for_port


def prepare_database(tmp_path: Path, *, participants: int = 2, name: str = "cluster.sqlite3",
                     staff: tuple[tuple[str, str, str, str], ...] = (),
                     more: Callable[[Flask, Meeting], object] | None = None) -> tuple[str, Meeting]:
    """Return the URL of a migrated file database and its meeting.

    ``staff``: accounts to add, as (email, password, name, role); ``more``: called with the app
    and the meeting to add what else the test needs (key questions, other participants).
    """
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db
    from server.models import User

    url = f"sqlite:///{tmp_path / name}"
    app = create_app(base_config(tmp_path, url))  # no REDIS_URL in this process
    with app.app_context():
        upgrade()
        for email, password, display, role in staff:
            user = User(email=email, name=display, role=role)
            user.set_password(password)
            db.session.add(user)
        db.session.commit()
    meeting = make_meeting(app, participants=participants)
    if more is not None:
        more(app, meeting)
    with app.app_context():
        db.engine.dispose()
    return url, meeting


def staff_socket(base: str, slug: str, credentials: tuple[str, str], origin: str | None = None) -> socketio.Client:
    """A staff console's socket on a running server: logged in over HTTP, then Socket.IO with
    the session cookie (``origin``: the page's own site, when the socket goes to another process)."""
    http = requests.Session()
    assert http.post(f"{base}/api/session", json={"email": credentials[0], "password": credentials[1]},
                     timeout=10).status_code == 200
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    client = socketio.Client(websocket_extra_options={"origin": origin or base})
    client.connect(base, transports=["websocket"], auth={"event": slug}, headers={"Cookie": cookie},
                   wait_timeout=10)
    return client


def new_channel(kind: str) -> str:
    return f"convene-test-{kind}-{uuid.uuid4().hex[:8]}"


@contextmanager
def owned_channel(redis_url: str, kind: str) -> Iterator[str]:
    """A Socket.IO channel of the test's own on a shared Redis; its keys are deleted afterwards."""
    name = new_channel(kind)
    try:
        yield name
    finally:
        forget_channel(redis_url, name)


def forget_channel(redis_url: str, channel: str) -> None:
    """Delete every key of a test-owned channel (best effort: the server may be gone)."""
    try:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"convene:{channel}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


@dataclass
class Cluster:
    """Web processes of one cluster: one database, one Redis, one channel, one origin."""

    tmp_path: Path
    database_url: str
    redis_url: str
    channel: str
    extra: dict[str, str] = field(default_factory=dict)
    ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    logs: list[Path] = field(default_factory=list)

    @property
    def bases(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    @property
    def origin(self) -> str:
        return self.bases[0]

    @property
    def env(self) -> dict[str, str]:
        settings = {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url, "SOCKETIO_CHANNEL": self.channel,
                    "SOCKETIO_ASYNC_MODE": "gevent", "BASE_URL": self.origin, "SECRET_KEY": "cluster-test",
                    "INSTANCE_PATH": str(self.tmp_path / "instance")}
        return env_with(**{**settings, **self.extra})

    def serve(self, index: int, log: str, *, wait: bool = True) -> AbstractContextManager[subprocess.Popen[bytes]]:
        """Run `convene serve` on the cluster's ``index``-th port until the block ends."""
        path = self.tmp_path / log
        self.logs.append(path)
        port = self.ports[index]
        return running([str(BIN / "convene"), "serve", "--port", str(port), "--no-seed", "--no-migrate"],
                       self.env, port if wait else None, log=path)

    @contextmanager
    def serving(self, *logs: str) -> Iterator[list[subprocess.Popen[bytes]]]:
        """Run one process per log on the cluster's ports, started together (each takes ~6 s to
        answer on this machine), until the block ends."""
        with ExitStack() as stack:
            procs = [stack.enter_context(self.serve(i, log, wait=False)) for i, log in enumerate(logs)]
            for port, proc in zip(self.ports, procs, strict=False):
                wait_for_port(port, proc=proc)
            yield procs

    def tracebacks(self) -> dict[str, str]:
        """The logs (by name) that show a Traceback, with their text."""
        found = {p.name: p.read_text(errors="replace") for p in self.logs if p.exists()}
        return {name: text for name, text in found.items() if "Traceback" in text}


class OwnRedis:
    """A redis-server of this test only (no persistence), to kill and start again on one port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
                                      "--bind", "127.0.0.1", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, timeout=10, proc=self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def own_redis_server(workdir: Path) -> Iterator[OwnRedis]:
    """The body of an ``own_redis`` fixture: started before the test, killed after it."""
    server = OwnRedis(workdir).start()
    try:
        yield server
    finally:
        server.kill()


class Recorder:
    """A real Socket.IO client (websocket transport) that timestamps what it receives."""

    def __init__(self, url: str, token: str, origin: str) -> None:
        self.url, self.token = url, token
        self.got: list[tuple[float, str, dict[str, Any]]] = []
        self.connects = 0
        self.connected = threading.Event()
        self.client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=0.5,
                                      websocket_extra_options={"origin": origin})

        @self.client.on("*")
        def anything(name: str, data: Any) -> None:
            self.got.append((time.monotonic(), name, data))

        @self.client.event
        def connect() -> None:
            self.connects += 1
            self.connected.set()

        @self.client.event
        def disconnect(*_: Any) -> None:
            self.connected.clear()

    def start(self) -> Recorder:
        self.client.connect(self.url, transports=["websocket"], auth={"token": self.token}, wait_timeout=10)
        return self

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.client.call(event, payload, timeout=10)  # type: ignore[no-any-return]

    def wait_for(self, name: str, test: Any, since: float, timeout: float = 5.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, got_name, data in list(self.got):
                if got_name == name and at >= since and test(data):
                    return at
            time.sleep(0.005)
        raise AssertionError(f"no {name} within {timeout}s; got {[g[1] for g in self.got]}")
