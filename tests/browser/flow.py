"""Data for the browser tests, made through the running server's own JSON API (as a script
would) and read back from its outbox (as a person reads their mail)."""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import requests

REHEARSAL = "study-visit-central-asia-rehearsal"


class Staff:
    """A logged-in organiser or moderator talking JSON to the live server."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        self.http = requests.Session()
        answer = self.http.post(f"{base}/api/session", json={"email": email, "password": password}, timeout=10)
        answer.raise_for_status()
        self.http.headers["X-CSRFToken"] = answer.json()["csrf_token"]

    def call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        answer = self.http.request(method, f"{self.base}{path}", json=body, timeout=30)
        assert answer.status_code in ok, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
        return answer.json() if answer.content and answer.headers.get("content-type", "").startswith(
            ("application/json", "application/problem+json")) else None


def application(name: str, email: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "email": email, "organisation": f"{name.split()[0]}'s service", "job_title": "Practitioner",
        "country": "KZ", "role": "probation_officer", "languages": ["en", "ru"], "works_with": ["families"],
        "consent": True, "work_relation": "I work with returnees and their families.",
        "key_questions": ["How do you involve families?"], "challenges": "Stigma.",
    }
    body.update(changes)
    return body


def apply(base: str, slug: str, body: dict[str, Any], staff: Staff) -> int:
    """Apply as anyone would; the answer names no id (who applied is not discoverable), so the
    organiser's review table tells which application it became."""
    answer = requests.post(f"{base}/api/events/{slug}/applications", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    rows = staff.call("GET", f"/api/events/{slug}/applications")["applications"]
    return max(int(r["id"]) for r in rows if r["name"] == body["name"])


def mails_to(instance: Path, address: str) -> list[Any]:
    found = []
    for path in sorted((instance / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if address.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def personal_link(instance: Path, address: str, *, after: int = 0, wait: float = 10.0) -> str:
    """The newest /p/<token> link mailed to ``address`` (waiting for the mail to be written)."""
    deadline = time.monotonic() + wait
    while True:
        messages = mails_to(instance, address)
        if len(messages) > after:
            for message in reversed(messages):
                part = message.get_body(preferencelist=("plain",))
                match = re.search(r"https?://\S+/p/[A-Za-z0-9_\-]+", part.get_content() if part else "")
                if match:
                    return match.group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"no personal link mailed to {address}")
        time.sleep(0.2)


def invited_participant(base: str, instance: Path, staff: Staff, name: str, email: str, slug: str = REHEARSAL,
                        accept: bool = True, **changes: Any) -> tuple[int, str]:
    """Apply, invite and accept through the API; return (application id, personal link)."""
    app_id = apply(base, slug, application(name, email, **changes), staff)
    before = len(mails_to(instance, email))
    staff.call("POST", f"/api/events/{slug}/applications/{app_id}/decision", {"decision": "invite"})
    link = personal_link(instance, email, after=before)
    if accept:
        session = requests.Session()
        html = session.get(link, timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert csrf, "no form on the personal page"
        answer = session.post(f"{link}/respond", data={"csrf_token": csrf.group(1), "response": "accept"}, timeout=10)
        assert answer.status_code == 200 and "you have accepted" in answer.text, answer.text[:300]
    return app_id, link
