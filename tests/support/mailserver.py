"""A real SMTP server for tests (aiosmtpd on a free loopback port) that records what it
accepted and can be scripted: answer DATA with given codes first (e.g. 451 twice, 550), or
hold DATA until released (to kill a worker mid-send).

A message counts as accepted only when the server really answered 250 to its DATA while the
client was still connected; that is when SMTP hands responsibility to the server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.procs import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class ScriptedHandler:
    script: list[str] = field(default_factory=list)  # replies to DATA before accepting
    hold: threading.Event | None = None  # set: DATA waits until hold is set
    holding: threading.Event = field(default_factory=threading.Event)  # DATA is being held
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    aborted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            reply = self.script.pop(0) if self.script else None
        if reply is not None:
            self.refused.append(reply)
            return reply
        if self.hold is not None:
            self.holding.set()
            try:
                while not self.hold.is_set():
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:  # aiosmtpd cancels the session when the client drops
                self.aborted += 1
                raise
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                self.aborted += 1  # the client died before our 250: nothing was delivered
                return "421 client went away"
        data = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data)))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return list(self.received)
            time.sleep(0.05)
        raise TimeoutError(f"{len(self.received)} of {count} messages after {timeout}s")

    def distinct_message_ids(self) -> set[str]:
        return {r.message_id for r in self.received}


@contextmanager
def smtp_server(handler: ScriptedHandler | None = None) -> Iterator[tuple[ScriptedHandler, int]]:
    """Run an SMTP server on 127.0.0.1:<free port>; yields (handler, port)."""
    handler = handler or ScriptedHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10,
                            data_size_limit=10 * 1024 * 1024)
    controller.start()
    try:
        yield handler, port
    finally:
        if handler.hold is not None:
            handler.hold.set()
        controller.stop()
