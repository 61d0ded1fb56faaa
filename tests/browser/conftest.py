"""Browser tests: a real `convene serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.procs import BIN, env_with, free_port, running

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


@dataclass
class LiveServer:
    url: str
    instance: Path
    organiser: tuple[str, str]
    moderator: tuple[str, str]
    log: Path


def _credentials(log: Path) -> dict[str, tuple[str, str]]:
    found = {}
    for line in log.read_text().splitlines():
        match = re.match(r"\s+(organiser|moderator): (\S+) / (\S+)", line)
        if match:
            found[match.group(1)] = (match.group(2), match.group(3))
    return found


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A fresh Convene on its embedded default, seeded as on a first start."""
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    log = tmp / "serve.log"
    env = env_with(INSTANCE_PATH=str(tmp / "instance"), BASE_URL=f"http://127.0.0.1:{port}",
                   RATELIMIT_ENABLED="false")
    with running([str(BIN / "convene"), "serve", "--port", str(port)], env, port, log=log):
        creds = _credentials(log)
        yield LiveServer(f"http://127.0.0.1:{port}", tmp / "instance", creds["organiser"],
                         creds["moderator"], log)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Make pages in their own contexts (cookies apart), e.g. new_page(timezone_id="Asia/Almaty")."""
    contexts = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**{"viewport": {"width": 1200, "height": 900}, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save what the person saw; every browser test leaves one behind."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
