"""Staff accounts: organisers and moderators who log in with a password."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from server.extensions import db
from server.models.types import UTCDateTime, utcnow


class StaffRole(StrEnum):
    ORGANISER = "organiser"
    MODERATOR = "moderator"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8), default="en")  # the staff member's interface language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def get_id(self) -> str:
        """The secret of the login this object was loaded under (set by server.auth.logins).

        Flask-Login keeps get_id() in the session and "remember me" cookies, so each cookie
        names one revocable login row (LoginSession), never the account itself."""
        secret = getattr(self, "_login_secret", None)
        if not secret:
            raise AttributeError("a staff account is logged in only through server.auth.logins")
        return str(secret)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_organiser(self) -> bool:
        return self.role == StaffRole.ORGANISER

    @property
    def is_moderator(self) -> bool:
        # Organisers may do everything moderators may.
        return self.role in (StaffRole.ORGANISER, StaffRole.MODERATOR)


class LoginSession(db.Model):  # type: ignore[name-defined,misc]
    """One login of a staff account: its cookies carry the secret, the row keeps only its hash.

    A login ends when the row is revoked (logout, "log out everywhere", a password change);
    cookies naming a revoked or unknown row are refused."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
