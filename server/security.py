"""Security headers on every response, in one place (issue 11, item 8).

* ``Content-Security-Policy``: scripts and styles only from our own origin (no inline script,
  no ``eval``; the pages' scripts live in client/src), nothing may frame a page
  (``frame-ancestors 'none'``), forms post only to us.
* ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: no-referrer`` — personal links carry
  their secret in the URL, so no page may leak its address to another site.
* ``Cache-Control: no-store`` on everything a view did not give its own caching rule: every
  page carries the session's CSRF token, and personal, organiser and export answers hold
  personal data. Views that choose (the calendar feeds' ETag + ``private``/``public``, the
  browser's static files) keep theirs.
* ``Strict-Transport-Security`` when the request came over TLS or the deployment says it is
  behind TLS (``SESSION_COOKIE_SECURE``).

A small ``after_request`` rather than Flask-Talisman: Talisman's last release is from 2023 and
it would add HTTPS redirects and session-cookie rules we already set elsewhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

FRAME_ANCESTORS_ATTR = "_convene_frame_ancestors"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",  # Socket.IO: same origin (ws/wss match 'self' in CSP level 3)
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ))


def allow_framing(ancestors: str) -> Callable[[F], F]:
    """Let one view be framed by ``ancestors`` (a CSP source list, e.g. "'self'" or
    "https://stage.example.org"). For views shown inside another page on purpose, such as a
    projector view embedded in a streaming or slide tool; every other page refuses framing
    (clickjacking). Put it *under* the route decorator so the route registers the marked view."""

    def mark(view: F) -> F:
        setattr(view, FRAME_ANCESTORS_ATTR, ancestors)
        return view

    return mark


def _frame_ancestors() -> str:
    view = current_app.view_functions.get(request.endpoint or "") if request.endpoint else None
    return str(getattr(view, FRAME_ANCESTORS_ATTR, "'none'"))


def _behind_tls() -> bool:
    return request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(_frame_ancestors())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if "Cache-Control" not in headers and request.blueprint != "assets":
        headers["Cache-Control"] = "no-store"
    if _behind_tls():
        headers["Strict-Transport-Security"] = HSTS
    return response


# Personal links and feed tokens are credentials in the path: /p/<token>, /api/p/<token>/…,
# /feeds/<token>.ics. Log lines keep the route and lose the secret.
SECRET_PATH = re.compile(r"(/p/|/feeds/)[^/\s?#\"']+")
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "engineio.server", "socketio.server")


def mask_secrets(text: str) -> str:
    return SECRET_PATH.sub(r"\1***", text)


class MaskSecretPaths(logging.Filter):
    """Rewrites a log record's message so that no personal token reaches a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


MASK = MaskSecretPaths()


def install_log_masking(app: Flask) -> None:
    """Mask secrets on the loggers that write request paths (the access logs of werkzeug and
    gunicorn, Flask's "Exception on /p/… [GET]") and on the root logger's handlers."""
    for logger in (*(logging.getLogger(name) for name in ACCESS_LOGGERS), app.logger):
        if MASK not in logger.filters:
            logger.addFilter(MASK)
    for handler in logging.getLogger().handlers:
        if MASK not in handler.filters:
            handler.addFilter(MASK)


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
    install_log_masking(app)
