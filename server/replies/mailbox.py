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
processed and moved to ``done/`` or ``rejected/`` (with ``NAME.eml.reason.txt`` beside it),
once it has not changed for ``SETTLE_SECONDS`` (a file still being copied in waits).

Either way a message larger than ``core.MAX_BYTES`` is never loaded whole: its head (the
headers, for the Message-ID and sender) is recorded and the message kept aside.
"""

from __future__ import annotations

import logging
import ssl
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app

from server.core import replies as core
from server.replies import service

log = logging.getLogger(__name__)

READ_FLAG = b"$ConveneRead"
BATCH = 50
SETTLE_SECONDS = 2.0  # a file in the folder is read once it has not changed for this long


def _setting(name: str, default: Any) -> Any:
    settings = current_app.config.get("SETTINGS")
    return getattr(settings, name, default) if settings is not None else default


def inbox_url() -> str | None:
    return current_app.config.get("INBOX_URL") or _setting("INBOX_URL", None)


def inbox_folder() -> Path:
    return Path(current_app.instance_path) / "inbox"


def _process(raw: bytes, source: str, *, whole: bool = True) -> service.Outcome | None:
    """One message; a failure (the database away, a bug) is logged and the message left for
    the next poll, so one bad message never holds up the ones behind it."""
    from server.extensions import db

    try:
        return service.process(raw, source, whole=whole)
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


def _arrived(folder: Path, now: float) -> list[tuple[Path, int]]:
    """The complete ``*.eml`` files, oldest first, with their sizes. A file written to within
    the last ``SETTLE_SECONDS`` may still be growing (``cp``, a delivery agent writing in
    place): it waits for the next poll rather than being read half-way."""
    found = []
    for path in folder.glob("*.eml"):
        try:
            info = path.stat()
        except OSError:  # gone since the listing (another reader took it)
            continue
        if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= SETTLE_SECONDS:
            found.append((info.st_mtime, path.name, path, info.st_size))
    return [(path, size) for _, _, path, size in sorted(found)]


def _read(path: Path, size: int) -> tuple[bytes, bool]:
    """The file's bytes and whether they are all of it (a huge file: only its head)."""
    with path.open("rb") as handle:
        if size > core.MAX_BYTES:
            return handle.read(core.HEAD_BYTES), False
        return handle.read(), True


def read_folder(folder: Path | None = None) -> dict[str, int]:
    """Process every complete ``*.eml`` in the inbox folder, oldest first; return outcome counts.
    A file that cannot be read or moved is logged and left for the next poll."""
    folder = folder or inbox_folder()
    counts: dict[str, int] = {}
    if not folder.is_dir():
        return counts
    for path, size in _arrived(folder, time.time()):
        try:
            raw, whole = _read(path, size)
        except OSError:
            log.warning("calendar reply %s cannot be read; left in place", path, exc_info=True)
            continue
        outcome = _process(raw, "folder", whole=whole)
        if outcome is None:
            continue  # left in place: the next poll tries it again
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        rejected = outcome.outcome == service.REJECTED or (
            outcome.outcome == service.DUPLICATE and _was_rejected(outcome.reply_id))
        try:
            if rejected:
                _move(path, "rejected", outcome.reason or "rejected")
            else:
                _move(path, "done")
        except OSError:  # another reader moved it first, or the folder is read-only
            log.warning("calendar reply %s could not be moved", path, exc_info=True)
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
    """Process every message not marked yet, one at a time (sizes first: a huge one is never
    fetched whole, and at most one answer is in memory at once)."""
    marker = client.convene_marker
    uids = client.search(["NOT", "KEYWORD", marker.decode()] if marker == READ_FLAG else ["UNSEEN"])
    for start in range(0, len(uids), BATCH):
        sizes = client.fetch(uids[start:start + BATCH], ["RFC822.SIZE"])
        for uid in sorted(sizes):
            whole = int(sizes[uid].get(b"RFC822.SIZE", 0)) <= core.MAX_BYTES
            item, key = ((b"BODY.PEEK[]", b"BODY[]") if whole
                         else (b"BODY.PEEK[]<0.%d>" % core.HEAD_BYTES, b"BODY[]<0>"))
            raw = client.fetch([uid], [item]).get(uid, {}).get(key)
            if raw is None:
                continue  # expunged meanwhile
            outcome = _process(bytes(raw), "imap", whole=whole)
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
