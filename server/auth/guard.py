"""Login attempts limited per account as well as per address, without locking owners out.

Per address: 20 attempts a minute (on each login route). Per account: 10 *failed* attempts in
10 minutes, counted across the form and the JSON API, whatever address they come from, so a
botnet cannot guess one organiser's password faster than 1,440 tries a day.

An attacker who keeps failing could keep the account's budget empty and so lock its owner
out. The owner is exempt on a device where they logged in before: a successful login sets a
signed "device" cookie (itsdangerous, the signer Flask's own cookies use) naming the account,
and attempts from a browser carrying it for that account skip the per-account limit (the
per-address limit still applies). The worst an attacker achieves is that a *new* device waits
at most 10 minutes after the attack stops.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from server.auth import hash_token
from server.extensions import limiter
from server.models import User

ACCOUNT_LIMIT = "10 per 10 minutes"
DEVICE_COOKIE = "convene_device"
DEVICE_DAYS = 180


def submitted_email() -> str:
    """The address a login attempt names (form or JSON), normalised like accounts are."""
    if request.form:
        email = request.form.get("email", "")
    else:
        data = request.get_json(silent=True)
        email = data.get("email", "") if isinstance(data, dict) else ""
    return email.strip().lower() if isinstance(email, str) else ""


def _account_key() -> str:
    return "login-account:" + hash_token(submitted_email())


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="convene-login-device")


def _known_device() -> bool:
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie or request.method != "POST":
        return False
    try:
        account = _signer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return bool(account == hash_token(submitted_email()))


def _failed(response: Any) -> bool:
    return bool(response.status_code == 401)


account_limit = limiter.shared_limit(
    lambda: str(current_app.config.get("LOGIN_ACCOUNT_LIMIT", ACCOUNT_LIMIT)),
    scope="login-account", key_func=_account_key, methods=["POST"],
    deduct_when=_failed, exempt_when=_known_device,
)


def remember_device(response: Any, user: User) -> Any:
    """Mark this browser as one where `user` logged in (see the module's note)."""
    response.set_cookie(
        DEVICE_COOKIE, _signer().dumps(hash_token(user.email)), max_age=DEVICE_DAYS * 86400,
        httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
