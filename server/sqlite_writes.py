"""SQLite under concurrent writers: one writer at a time, waiting in line in this process.

SQLite allows one write transaction at a time. Left to itself, a second writer gets
SQLITE_BUSY and SQLite's busy handler polls with growing sleeps (up to 100 ms a try), which
is unfair: under thirty concurrent applicants some requests lost every race and waited
5 s. Here a write transaction first takes a process-wide lock (threads queue on it and
wake as soon as it is free) and gives it back at commit or rollback, so writers take turns
and SQLite's own busy wait remains only for other processes (the CLI, a second server).
Reads never wait: WAL readers do not block or get blocked by the writer.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

_HELD = "convene.sqlite_write_lock"
READS = ("SELECT", "PRAGMA", "WITH")
WAIT = 30.0  # seconds; after that, fall back to SQLite's busy timeout rather than hang forever


def serialize_writes(engine: Engine) -> None:
    """Install the write lock on a SQLite engine (no-op on other databases)."""
    if engine.dialect.name != "sqlite":
        return
    gate = threading.Lock()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if conn.info.get(_HELD) or statement.lstrip()[:6].upper().startswith(READS):
            return
        if gate.acquire(timeout=WAIT):
            conn.info[_HELD] = gate

    def _give(conn: Connection) -> None:
        held = conn.info.pop(_HELD, None)
        if held is not None:
            held.release()

    event.listen(engine, "commit", _give)
    event.listen(engine, "rollback", _give)

    @event.listens_for(engine.pool, "checkin")
    def _give_back(dbapi_connection: Any, record: Any) -> None:
        # a connection returned without commit or rollback (closed, invalidated)
        held = record.info.pop(_HELD, None) if record is not None else None
        if held is not None:
            held.release()
