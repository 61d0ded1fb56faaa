"""A minimal threaded Socket.IO v5 / Engine.IO v4 WebSocket client for many-tab system tests.

python-socketio's client costs several threads per connection; a tab here is one socket and
one reader thread, which lets one test process hold hundreds of tabs. It timestamps every
broadcast it receives and answers the server's pings.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Any

import websocket


class Tab:
    """One browser tab: a WebSocket-only Socket.IO connection with a personal token."""

    def __init__(self, port: int, token: str, origin: str) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", origin=origin, timeout=30)
        assert self.ws.recv().startswith("0")
        self.ws.send("40" + json.dumps({"token": token}))
        while True:
            answer = self.ws.recv()
            if answer.startswith("40"):
                self.sid: str = json.loads(answer[2:] or "{}").get("sid", "")
                break
            if answer.startswith("44"):
                raise RuntimeError(f"connection refused: {answer}")
        self.got: list[tuple[float, str, Any]] = []
        self._acks: dict[int, Any] = {}
        self._ack_ready = threading.Condition()
        self._next = 0
        self._send_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                message = self.ws.recv()
            except Exception:
                return
            now = time.monotonic()
            if message == "2":
                with self._send_lock:
                    self.ws.send("3")
            elif message.startswith("42"):
                name, payload = json.loads(message[2:])[:2]
                self.got.append((now, name, payload))
            elif message.startswith("43"):
                body = message[2:]
                digits = len(body) - len(body.lstrip("0123456789"))
                with self._ack_ready:
                    self._acks[int(body[:digits])] = json.loads(body[digits:])[0]
                    self._ack_ready.notify_all()

    def call(self, event: str, payload: dict[str, Any], timeout: float = 10.0) -> Any:
        """Send an event with an acknowledgement and wait for it."""
        with self._send_lock:
            self._next += 1
            ack_id = self._next
            self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        with self._ack_ready:
            if not self._ack_ready.wait_for(lambda: ack_id in self._acks, timeout):
                raise TimeoutError(f"no ack for {event} within {timeout}s")
            return self._acks.pop(ack_id)

    def received(self, name: str) -> list[tuple[float, Any]]:
        return [(at, payload) for at, got_name, payload in list(self.got) if got_name == name]

    def close(self) -> None:
        """Close as a tab does: a close frame, then the socket (not waiting up to 3 s per tab for
        the server's answer, which made 300 closes take minutes)."""
        with contextlib.suppress(Exception):
            self.ws.send_close()
        with contextlib.suppress(Exception):
            self.ws.shutdown()
