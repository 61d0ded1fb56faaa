"""Where answers are read from: the IMAP mailbox in ``INBOX_URL``, or ``instance/inbox/``.

IMAP (``imaps://user:password@host[:port]/FOLDER``, or ``imap://`` on a trusted network;
percent-encode an ``@`` in the user name): messages we have not read carry no
``$ConveneRead`` keyword; each is fetched with ``BODY.PEEK[]`` (so a person reading the
mailbox still sees it unread), processed, then marked. A server that allows no keywords of
our own (Exchange) gets ``\\Seen`` instead: then keep the mailbox for Convene alone.
A worker killed between processing and marking leaves the message unmarked; the next poll
reads it again and the database (unique Message-ID) says it was done. When the server
offers IDLE, the poll then waits up to ``INBOX_IDLE_SECONDS`` for new mail and reads it at
once.

Folder (the embedded default, the mirror of ``instance/outbox/``): each ``*.eml`` file is
processed and moved to ``done/`` or ``rejected/`` (with ``NAME.eml.reason.txt`` beside it).
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app

from server.replies import service

log = logging.getLogger(__name__)

READ_FLAG = b"$ConveneRead"
BATCH = 50


def _setting(name: str, default: Any) -> Any:
    settings = current_app.config.get("SETTINGS")
    return getattr(settings, name, default) if settings is not None else default


def inbox_url() -> str | None:
    return current_app.config.get("INBOX_URL") or _setting("INBOX_URL", None)


def inbox_folder() -> Path:
    return Path(current_app.instance_path) / "inbox"


def _process(raw: bytes, source: str) -> service.Outcome | None:
    """One message; a failure (the database away, a bug) is logged and the message left for
    the next poll, so one bad message never holds up the ones behind it."""
    from server.extensions import db

    try:
        return service.process(raw, source)
    except Exception:
        db.session.rollback()
        log.exception("calendar reply from %s could not be processed", source)
        return None


# ----------------------------------------------------------------------------- folder


def _move(path: Path, folder: str, reason: str = "") -> None:
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():  # the same name arrived twice: keep both files
        target = target_dir / f"{path.stem}-{time.time_ns()}{path.suffix}"
    if reason:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    path.replace(target)


def read_folder(folder: Path | None = None) -> dict[str, int]:
    """Process every ``*.eml`` in the inbox folder, oldest first; return outcome counts."""
    folder = folder or inbox_folder()
    counts: dict[str, int] = {}
    if not folder.is_dir():
        return counts
    for path in sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p.name)):
        outcome = _process(path.read_bytes(), "folder")
        if outcome is None:
            continue  # left in place: the next poll tries it again
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        rejected = outcome.outcome == service.REJECTED or (
            outcome.outcome == service.DUPLICATE and _was_rejected(outcome.reply_id))
        if rejected:
            _move(path, "rejected", outcome.reason or "rejected")
        else:
            _move(path, "done")
    return counts


def _was_rejected(reply_id: int | None) -> bool:
    from server.extensions import db
    from server.models import InboundReply

    row = db.session.get(InboundReply, reply_id) if reply_id else None
    return row is not None and row.outcome == service.REJECTED


# ----------------------------------------------------------------------------- IMAP


def read_marker(permanent_flags: Any) -> bytes:
    """Our own keyword where the folder allows new keywords (``\\*`` among PERMANENTFLAGS);
    otherwise (Exchange, for one) the standard ``\\Seen``."""
    flags = {bytes(f) if isinstance(f, bytes) else str(f).encode() for f in permanent_flags or ()}
    return READ_FLAG if b"\\*" in flags else b"\\Seen"


@contextmanager
def imap_session(url: str) -> Iterator[Any]:
    """Log in and select the folder named in the URL (INBOX when none); the client's
    ``convene_marker`` is the flag that marks a message as read by Convene."""
    from imapclient import IMAPClient

    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError(f"INBOX_URL: unsupported scheme {parts.scheme!r} (imap:// or imaps://)")
    secure = parts.scheme == "imaps"
    client = IMAPClient(parts.hostname or "localhost", port=parts.port or (993 if secure else 143),
                        ssl=secure, ssl_context=ssl.create_default_context() if secure else None,
                        timeout=30)
    try:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        selected = client.select_folder(unquote(parts.path.strip("/")) or "INBOX")
        client.convene_marker = read_marker(selected.get(b"PERMANENTFLAGS"))
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to clean up
            log.debug("IMAP logout failed", exc_info=True)


def _read_new(client: Any, counts: dict[str, int]) -> int:
    marker = client.convene_marker
    uids = client.search(["NOT", "KEYWORD", marker.decode()] if marker == READ_FLAG else ["UNSEEN"])
    for start in range(0, len(uids), BATCH):
        chunk = uids[start:start + BATCH]
        for uid, data in client.fetch(chunk, ["BODY.PEEK[]"]).items():
            raw = data.get(b"BODY[]")
            if raw is None:
                continue
            outcome = _process(bytes(raw), "imap")
            if outcome is None:
                continue  # left unmarked: the next poll tries it again
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
            client.add_flags([uid], [marker])
    return len(uids)


def read_imap(url: str, idle_seconds: float | None = None) -> dict[str, int]:
    """Read every message not yet read; then, with IDLE, wait a bounded time for more."""
    idle = float(_setting("INBOX_IDLE_SECONDS", 10) if idle_seconds is None else idle_seconds)
    counts: dict[str, int] = {}
    with imap_session(url) as client:
        _read_new(client, counts)
        deadline = time.monotonic() + idle
        while idle > 0 and client.has_capability("IDLE") and time.monotonic() < deadline:
            client.idle()
            try:
                news = client.idle_check(timeout=max(0.1, deadline - time.monotonic()))
            finally:
                client.idle_done()
            if any(isinstance(r, tuple) and len(r) > 1 and r[1] == b"EXISTS" for r in news):
                _read_new(client, counts)
    return counts


def poll(idle_seconds: float | None = None) -> dict[str, int]:
    """One poll of wherever answers arrive: IMAP when INBOX_URL is set, else the folder.
    Promotions a dead worker left unfinished are completed first."""
    service.finish_promotions()
    url = inbox_url()
    if url:
        return read_imap(url, idle_seconds)
    return read_folder()
