"""Coalesced fan-out of the versioned streams: one frame per stream per window, in every process.

Each accepted change is rendered once per view (audience, moderators) as a ``Frame``. The
process that made it hands it to its own ``Coalescer`` and publishes it to the other web
processes through Redis (``Relay``); each process's coalescer sends to *its own* sockets only
(``ignore_queue``), so a burst is coalesced where it is delivered, over every process's changes.

The rule (docs/realtime.md, "Coalesced frames"), per stream: a change to a quiet stream (no
change for ``window`` seconds, nothing sent for as long) whose last frame has been written to
its sockets here goes out at once. Changes that follow wait and go out as one frame carrying
their combined effect, ``from_version``..``version``: when the stream has been quiet for the
window again and its last frame is written (the trailing edge of a burst), or when the
audience's window has passed since its last frame, whichever comes first. ``window`` is
``LIVE_COALESCE_SECONDS`` (100 ms); the audience's window (``window_for``) is the time this
process needs to write one frame to all the stream's local sockets when that is longer (over
200 sockets), so a steady burst before 2,000 watchers is not sent faster than it is written.
Before a meeting's audience (writes take milliseconds) a lone change is never delayed by more
than the window; before thousands it waits for the previous frame's writes, which it would
otherwise only queue behind on every socket. A frame never claims a version it does not carry:
when a version is missing the stream waits up to HOLE_WAITS more (short) windows for it; then
the versions before and after the hole go out as separate frames, and clients ask for
a snapshot at the hole. One stream's frames are sent by one thread at a time, in version order.
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
    last_change_at: float = float("-inf")
    last_frame: Frame | None = None  # the newest frame sent: is it still being written here?
    scheduled: bool = False
    # Taken but not yet sent, in version order, and whether a thread is sending them: one sender
    # per stream at a time, so a frame sent to hundreds of sockets is never overtaken, on some
    # socket, by the next one (a client would see v44 before v43: a gap, then a snapshot).
    outbox: list[Frame] = field(default_factory=list)
    sending: bool = False
    hole_waits: int = 0
    window: float = 0.0  # this stream's current window (Coalescer.window_for)


# Windows (the configured, short one) a stream waits for a missing version before sending
# around the hole. Votes commit in parallel threads, so version n+1 can reach the coalescer a
# little before n; sending n+1 first would make every client ask for a snapshot. Two windows
# cover the reordering measured under a 100-vote burst on 2 cores; a version truly lost costs
# 200 ms more. The reordering does not grow with the audience, so neither does this wait.
HOLE_WAITS = 2
MAX_WINDOW = 1.0  # seconds: however large the audience, a stream sends at least once a second
# How often a stream whose burst has ended looks again whether its last frame is written.
DRAIN_POLL = 0.02
EARLY = 1e-6  # seconds a timer may wake before its moment (clocks and float sums are not exact)


def _contiguous(state: _Stream) -> bool:
    """Are the buffered versions exactly the ones after the last sent, with no hole?"""
    low = min(state.buffer) if state.last_version is None else state.last_version + 1
    return min(state.buffer) == low and len(state.buffer) == max(state.buffer) - low + 1


class Coalescer:
    """Per-process coalescing of frames per (stream, view); see the module's docstring."""

    def __init__(self, send: Send, window: float, spawn: Spawn, sleep: Callable[[float], Any],
                 clock: Callable[[], float] = time.monotonic, audience: Callable[[Frame], int] | None = None,
                 seconds_per_socket: float = 0.0, backlog: Callable[[Frame], bool] | None = None) -> None:
        self.send, self.window, self.spawn, self.sleep, self.clock = send, window, spawn, sleep, clock
        # How many of this process's sockets a frame goes to, and what writing it to one costs.
        self.audience, self.seconds_per_socket = audience, seconds_per_socket
        # Whether a frame's sockets here still have frames queued, not yet written (None: unknown,
        # so a stream counts its last frame as written once the audience's window has passed).
        self.backlog = backlog
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
        """Take one change's frame: send it now, or together with the changes that follow."""
        wait: float | None = None
        send_now = False
        with self.lock:
            state = self.streams.setdefault(frame.key, _Stream())
            if self.window <= 0:
                send_now = self._queue(state, [frame])
            else:
                if state.last_version is not None and frame.version <= state.last_version:
                    return  # overtaken: every client already has a newer version of this stream
                now = self.clock()
                quiet = now - state.last_change_at >= self.window - EARLY
                state.last_change_at = now
                state.buffer[frame.version] = frame
                if state.scheduled:
                    return
                state.window = self.window_for(frame)
                in_order = state.last_version is None or min(state.buffer) == state.last_version + 1
                if in_order and self._due(state, now, quiet):
                    send_now = self._queue(state, self._take(state, now))
                else:
                    state.scheduled = True
                    wait = self._next_look(state, now) if in_order else self.window
        if wait is not None:
            self.spawn(self._later, frame.key, wait)
        elif send_now:
            self._drain(frame.key)

    def _written(self, state: _Stream, now: float) -> bool:
        """Has the stream's last frame been written to all its sockets here?"""
        if state.last_frame is None or now - state.last_sent_at >= state.window:
            return True
        if self.backlog is None:
            return False  # unknown: the audience's window says when
        try:
            return not self.backlog(state.last_frame)
        except RuntimeError:  # a socket came or went while we looked (threading mode): look again later
            return False

    def _due(self, state: _Stream, now: float, quiet: bool | None = None) -> bool:
        """May the stream's waiting changes go out now? (Lock held.) Not within the short window
        of its last frame; then once it is quiet (no change for the short window before the
        newest) and that frame is written, or once the audience's window has passed."""
        since_sent = now - state.last_sent_at + EARLY
        if since_sent < self.window:
            return False
        if since_sent >= state.window:
            return True
        if quiet is None:
            quiet = now - state.last_change_at + EARLY >= self.window
        return quiet and self._written(state, now)

    def _next_look(self, state: _Stream, now: float) -> float:
        """Seconds until ``_due`` may turn true: the quiet moment, else the next look at the writes."""
        audience_due = state.last_sent_at + state.window
        quiet_due = max(state.last_change_at, state.last_sent_at) + self.window
        until = quiet_due if now < quiet_due else now + DRAIN_POLL
        return max(0.001, min(until, audience_due) - now)

    def _take(self, state: _Stream, now: float) -> list[Frame]:
        frames = [state.buffer[v] for v in sorted(state.buffer)]
        state.buffer.clear()
        state.last_version = frames[-1].version
        state.last_sent_at = now
        state.last_frame = frames[-1]
        state.scheduled = False
        return frames

    def _later(self, key: tuple[str, str], wait: float) -> None:
        self.sleep(wait)
        again: float | None = None
        sender = False
        with self.lock:
            state = self.streams[key]
            now = self.clock()
            if state.buffer and not self._due(state, now):
                again = self._next_look(state, now)
            elif state.buffer and not _contiguous(state) and state.hole_waits < HOLE_WAITS:
                state.hole_waits += 1  # a version is still on its way (its thread committed, not yet here)
                again = self.window
            else:
                state.hole_waits = 0
                sender = self._queue(state, self._take(state, now)) if state.buffer else False
                state.scheduled = False
        if again is not None:
            self.spawn(self._later, key, again)
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
