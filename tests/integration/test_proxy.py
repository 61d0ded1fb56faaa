"""Behind the proxy, rate limits count each client's address, not the proxy's."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "PROXY_COUNT": 1, "RATELIMIT_ENABLED": True}


def test_forwarded_clients_are_limited_apart(app: Flask) -> None:
    client = app.test_client()
    tries = iter(range(1000))

    def login_from(address: str) -> int:
        # A new address each time, so that the per-account limit (10 a minute) stays out of the way.
        bad_login = {"email": f"nobody-{next(tries)}@example.org", "password": "wrong"}
        return client.post("/api/session", json=bad_login,
                           headers={"X-Forwarded-For": address}).status_code

    assert [login_from("203.0.113.7") for _ in range(20)] == [401] * 20
    assert login_from("203.0.113.7") == 429
    assert login_from("198.51.100.2") == 401  # another client behind the same proxy is not blocked
