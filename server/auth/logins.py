"""Staff logins as revocable rows (Flask-Login's "alternative token" pattern).

Flask-Login stores ``user.get_id()`` in the session cookie and in the "remember me" cookie.
Here that id is the random secret of one ``LoginSession`` row (only its SHA-256 is stored),
and the user loader accepts it only while the row is not revoked. So logging out, ending all
sessions or changing the password refuses every copy of the old cookies at once, on every
process, without a hand-made cookie format: the cookies stay Flask's and Flask-Login's.
"""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update

from server.auth import hash_token, new_token
from server.extensions import db, login_manager
from server.models import LoginSession, User
from server.models.types import utcnow
from server.signals import staff_logins_ended

KEEP_ENDED = timedelta(days=30)


def _bind(user: User, secret: str, row_id: int) -> User:
    user._login_secret = secret  # type: ignore[attr-defined]
    user._login_id = row_id  # type: ignore[attr-defined]
    return user


@login_manager.user_loader
def load_user(secret: str) -> User | None:
    """The account behind a cookie's login secret, if that login was not ended."""
    if not secret or len(secret) > 100:
        return None
    row = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(secret),
                                                        LoginSession.revoked_at.is_(None)))
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    return None if user is None else _bind(user, secret, row.id)


def start(user: User, remember: bool = False) -> None:
    """Record a new login for `user` and put its secret in the session (and remember) cookie."""
    secret, digest = new_token()
    # Ended logins are kept a while (when, and how many) and then forgotten.
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.revoked_at < utcnow() - KEEP_ENDED))
    row = LoginSession(user_id=user.id, token_hash=digest, remember=remember)
    db.session.add(row)
    db.session.commit()
    login_user(_bind(user, secret, row.id), remember=remember)


def current_login_id() -> int | None:
    return getattr(current_user, "_login_id", None) if current_user.is_authenticated else None


def end_current() -> None:
    """Log out: revoke this login's row and clear the cookies."""
    login_id = current_login_id()
    if login_id is not None:
        _revoke(LoginSession.id == login_id)
    logout_user()


def end_all(user: User, *, keep_current: bool = False) -> int:
    """Revoke every login of `user` (but this one, with keep_current); return how many ended."""
    condition = LoginSession.user_id == user.id
    login_id = current_login_id()
    if keep_current and login_id is not None:
        condition = condition & (LoginSession.id != login_id)
    ended = _revoke(condition)
    staff_logins_ended.send(user, ended=ended, kept=login_id if keep_current else None)
    if not keep_current:
        logout_user()
    return ended


def _revoke(condition: object) -> int:
    result = db.session.execute(
        update(LoginSession).where(condition, LoginSession.revoked_at.is_(None))  # type: ignore[arg-type]
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
