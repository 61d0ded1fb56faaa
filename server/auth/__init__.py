"""Who is asking: staff sessions (Flask-Login) and participants' personal tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])


def new_token() -> tuple[str, str]:
    """Return (secret for the link, hash to store). Only the hash ever touches the database."""
    secret = secrets.token_urlsafe(24)
    return secret, hash_token(secret)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _refuse() -> Problem:
    if not current_user.is_authenticated:
        return Problem(401, _("Login required"), [("session", "log in as organiser or moderator")])
    return Problem(403, "Forbidden", [("role", "your account may not do this")])


def organiser_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not (current_user.is_authenticated and current_user.is_organiser):
            raise _refuse()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def moderator_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not (current_user.is_authenticated and current_user.is_moderator):
            raise _refuse()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def organiser_page(view: F) -> F:
    """For HTML pages: log in first (redirect), then organisers only (403 naming the role)."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_organiser:
            raise Problem(403, "Forbidden", [("role", "only organisers may open this page")])
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
