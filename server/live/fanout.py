"""Coalesced fan-out of the versioned streams: one frame per stream per window, in every process.

Each accepted change is rendered once per view (audience, moderators) as a ``Frame``. The
process that made it hands it to its own ``Coalescer`` and publishes it to the other web
processes through Redis (``Relay``); each process's coalescer sends to *its own* sockets only
(``ignore_queue``), so a burst is coalesced where it is delivered, over every process's changes.

The rule (docs/realtime.md, "Coalesced frames"): a stream that has sent nothing for ``window``
seconds sends a change at once; changes that follow within the window wait for its end and
go out as one frame carrying their combined effect, ``from_version``..``version``. The window
is ``LIVE_COALESCE_SECONDS`` (100 ms), or the time this process needs to write one frame to
all the stream's local sockets when that is longer (``window_for``: over 200 sockets). A lone
change is never delayed; no change waits longer than the window (plus the time to send the
frame before it). A frame never claims a version it does not carry: when a version is missing
at the end of the window the stream waits up to HOLE_WAITS more windows for it; then the
versions before and after the hole go out as separate frames, and clients ask for a snapshot at
the hole. One stream's frames are sent by one thread at a time, in version order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.sessions.protocol import QA_CHANGED

Send = Callable[[str, dict[str, Any], "str | list[str]"], None]
Spawn = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Frame:
    """One change of one stream as one audience receives it."""

    event: str
    to: str | list[str]
    payload: dict[str, Any]  # carries stream, version and (qa) view

    @property
    def key(self) -> tuple[str, str]:
        return str(self.payload["stream"]), str(self.payload.get("view") or "")

    @property
    def version(self) -> int:
        return int(self.payload["version"])

    def as_json(self) -> dict[str, Any]:
        return {"event": self.event, "to": self.to, "payload": self.payload}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Frame:
        to = data["to"]
        return Frame(str(data["event"]), to if isinstance(to, str) else list(to), dict(data["payload"]))


def merge(frames: list[Frame]) -> Frame:
    """Return one frame with the combined effect of consecutive versions of one stream.

    Q&A frames list the questions a change touched, each in full: the merged frame lists every
    question touched, as the newest version left it. Every other stream's frame is its whole
    state, so the newest one is the combined effect.
    """
    first, last = frames[0], frames[-1]
    payload = dict(last.payload)
    if last.event == QA_CHANGED and len(frames) > 1:
        questions: dict[Any, Any] = {}
        for frame in frames:
            for question in frame.payload.get("questions", []):
                questions.pop(question["id"], None)  # re-insert: newest position, newest state
                questions[question["id"]] = question
        payload["questions"] = list(questions.values())
    payload["from_version"] = int(first.payload.get("from_version", first.version))
    return Frame(last.event, last.to, payload)


@dataclass
class _Stream:
    """What one process knows of one (stream, view): the buffer and what it last sent."""

    buffer: dict[int, Frame] = field(default_factory=dict)
    last_version: int | None = None
    last_sent_at: float = float("-inf")
    scheduled: bool = False
    # Taken but not yet sent, in version order, and whether a thread is sending them: one sender
    # per stream at a time, so a frame sent to hundreds of sockets is never overtaken, on some
    # socket, by the next one (a client would see v44 before v43: a gap, then a snapshot).
    outbox: list[Frame] = field(default_factory=list)
    sending: bool = False
    hole_waits: int = 0
    window: float = 0.0  # this stream's current window (Coalescer.window_for)


# Windows a stream waits, past its own, for a missing version before sending around the hole.
# Votes commit in parallel threads, so version n+1 can reach the coalescer a little before n;
# sending n+1 first would make every client ask for a snapshot. Two windows cover the
# reordering measured under a 100-vote burst on 2 cores; a version truly lost costs 200 ms more.
HOLE_WAITS = 2
MAX_WINDOW = 1.0  # seconds: however large the audience, a stream sends at least once a second


def _contiguous(state: _Stream) -> bool:
    """Are the buffered versions exactly the ones after the last sent, with no hole?"""
    low = min(state.buffer) if state.last_version is None else state.last_version + 1
    return min(state.buffer) == low and len(state.buffer) == max(state.buffer) - low + 1


class Coalescer:
    """Per-process coalescing of frames per (stream, view); see the module's docstring."""

    def __init__(self, send: Send, window: float, spawn: Spawn, sleep: Callable[[float], Any],
                 clock: Callable[[], float] = time.monotonic, audience: Callable[[Frame], int] | None = None,
                 seconds_per_socket: float = 0.0) -> None:
        self.send, self.window, self.spawn, self.sleep, self.clock = send, window, spawn, sleep, clock
        # How many of this process's sockets a frame goes to, and what writing it to one costs.
        self.audience, self.seconds_per_socket = audience, seconds_per_socket
        self.streams: dict[tuple[str, str], _Stream] = {}
        self.lock = threading.Lock()
        self.frames_sent = 0

    def window_for(self, frame: Frame) -> float:
        """The stream's window: the configured one, or the time this process needs to write one
        frame to all the sockets it goes to, whichever is longer. Sending sooner than that only
        queues frames behind each other on every socket (python-socketio's emit returns once a
        frame is queued, before it is written), so a burst before 2,000 watchers fell ever
        further behind; at a meeting's size the window is unchanged."""
        if self.window <= 0 or self.audience is None or self.seconds_per_socket <= 0:
            return self.window
        return max(self.window, min(MAX_WINDOW, self.audience(frame) * self.seconds_per_socket))

    def submit(self, frame: Frame) -> None:
        """Take one change's frame: send it now, or within the window together with others."""
        wait: float | None = None
        send_now = False
        with self.lock:
            state = self.streams.setdefault(frame.key, _Stream())
            if self.window <= 0:
                send_now = self._queue(state, [frame])
            else:
                if state.last_version is not None and frame.version <= state.last_version:
                    return  # overtaken: every client already has a newer version of this stream
                state.buffer[frame.version] = frame
                if state.scheduled:
                    return
                now = self.clock()
                window = state.window = self.window_for(frame)
                idle = now - state.last_sent_at >= window
                in_order = state.last_version is None or min(state.buffer) == state.last_version + 1
                if idle and in_order:
                    send_now = self._queue(state, self._take(state, now))
                else:
                    state.scheduled = True
                    wait = max(0.0, state.last_sent_at + window - now) if in_order else window
        if wait is not None:
            self.spawn(self._later, frame.key, wait)
        elif send_now:
            self._drain(frame.key)

    def _take(self, state: _Stream, now: float) -> list[Frame]:
        frames = [state.buffer[v] for v in sorted(state.buffer)]
        state.buffer.clear()
        state.last_version = frames[-1].version
        state.last_sent_at = now
        state.scheduled = False
        return frames

    def _later(self, key: tuple[str, str], wait: float) -> None:
        self.sleep(wait)
        with self.lock:
            state = self.streams[key]
            if state.buffer and not _contiguous(state) and state.hole_waits < HOLE_WAITS:
                state.hole_waits += 1  # a version is still on its way (its thread committed, not yet here)
                sender, again = False, True
            else:
                state.hole_waits = 0
                sender = self._queue(state, self._take(state, self.clock())) if state.buffer else False
                state.scheduled, again = False, False
        if again:
            self.spawn(self._later, key, state.window)
        elif sender:
            self._drain(key)

    @staticmethod
    def _queue(state: _Stream, frames: list[Frame]) -> bool:
        """Add taken frames to the stream's outbox (lock held); True: the caller is to send them."""
        state.outbox.extend(frames)
        if state.sending:
            return False
        state.sending = True
        return True

    def _drain(self, key: tuple[str, str]) -> None:
        """Send the stream's outbox until it is empty; frames queued meanwhile go out after."""
        while True:
            with self.lock:
                state = self.streams[key]
                frames, state.outbox = state.outbox, []
                if not frames:
                    state.sending = False
                    return
            self._deliver(frames)

    def _deliver(self, frames: list[Frame]) -> None:
        """Send consecutive runs of versions as one frame each (never across a hole)."""
        run: list[Frame] = []
        for frame in frames:
            if run and frame.version != run[-1].version + 1:
                self._send(merge(run))
                run = []
            run.append(frame)
        if run:
            self._send(merge(run))

    def _send(self, frame: Frame) -> None:
        self.frames_sent += 1
        self.send(frame.event, frame.payload, frame.to)
