"""A small actor for tests: logs in like a script would and sends JSON with the CSRF header."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class ApiActor:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf: str | None = None

    def login(self, email: str, password: str) -> TestResponse:
        response = self.client.post("/api/session", json={"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf} if self.csrf else {}

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.post(url, json=json, headers=self._headers(), **kw)

    def patch(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.patch(url, json=json, headers=self._headers(), **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.put(url, json=json, headers=self._headers(), **kw)

    def delete(self, url: str, **kw: Any) -> TestResponse:
        return self.client.delete(url, headers=self._headers(), **kw)

    def raw(self, method: str, url: str, data: str | bytes, content_type: str = "application/json") -> TestResponse:
        return self.client.open(url, method=method, data=data, content_type=content_type,
                                headers=self._headers())
