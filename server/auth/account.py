"""A staff member's own account: their logins, "log out everywhere", and the password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from server.auth import logins
from server.extensions import db, limiter
from server.models import LoginSession

bp = Blueprint("account", __name__)
MIN_PASSWORD = 8


def _open_logins() -> int:
    return int(db.session.scalar(
        select(func.count()).select_from(LoginSession)
        .where(LoginSession.user_id == current_user.id, LoginSession.revoked_at.is_(None))
    ) or 0)


@bp.get("/account")
@login_required
def account() -> Any:
    return render_template("account.html", open_logins=_open_logins(), errors={})


@bp.post("/account/logins/end")
@login_required
def end_logins() -> Any:
    """End every login of this account, this one included (a lost laptop, a shared computer)."""
    ended = logins.end_all(current_user._get_current_object())
    flash(ngettext("%(num)d login ended. Log in again to continue.",
                   "%(num)d logins ended. Log in again to continue.", ended), "info")
    return redirect(url_for("auth.login"))


def _password_errors(current: str, new: str, repeat: str) -> dict[str, str]:
    errors = {}
    if not current_user.check_password(current):
        errors["current_password"] = _("This is not your current password.")
    if len(new) < MIN_PASSWORD:
        errors["new_password"] = _("Choose at least %(num)d characters.", num=MIN_PASSWORD)
    elif len(new) > 500:
        errors["new_password"] = _("Choose at most 500 characters.")
    elif new != repeat:
        errors["repeat_password"] = _("The two new passwords differ.")
    return errors


@bp.post("/account/password")
@login_required
@limiter.limit("10 per hour")
def change_password() -> Any:
    """Change the password; every other login of the account ends, this one stays."""
    form = request.form
    errors = _password_errors(form.get("current_password", ""), form.get("new_password", ""),
                              form.get("repeat_password", ""))
    if errors:
        return render_template("account.html", open_logins=_open_logins(), errors=errors), 400
    current_user.set_password(form["new_password"])
    db.session.commit()
    ended = logins.end_all(current_user._get_current_object(), keep_current=True)
    flash(ngettext("Password changed. %(num)d other login ended.",
                   "Password changed. %(num)d other logins ended.", ended), "info")
    return redirect(url_for("account.account"))
