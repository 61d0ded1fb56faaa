"""Staff login and logout: an HTML form and a JSON session endpoint."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from server.api.openapi import documented
from server.auth import logins
from server.auth.guard import account_limit, remember_device
from server.extensions import csrf, db, limiter
from server.models import User
from server.problems import Problem, parse_json
from server.schemas import Strict

bp = Blueprint("auth", __name__)
# A hash made the same way as real ones (werkzeug's default method), checked when the address
# is unknown, so a wrong password costs the same whether or not the account exists.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@account_limit
def login() -> Any:
    if request.method == "POST":
        user = authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is None:
            flash(_("That email and password do not match an account."), "error")
            return render_template("login.html", email=request.form.get("email", "")), 401
        logins.start(user, remember=bool(request.form.get("remember")))
        if not request.args.get("next") and user.is_moderator:  # staff land on their meetings
            return remember_device(redirect(url_for("frontend_organise.index")), user)
        return remember_device(redirect(_safe_next(request.args.get("next"))), user)
    return render_template("login.html", email="")


@bp.post("/logout")
@login_required
def logout() -> Any:
    logins.end_current()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


class SessionIn(Strict):  # NUL and huge values refused by field; passwords keep their spaces
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
    email: str = Field(max_length=254)
    password: str = Field(max_length=500)


class SessionOut(BaseModel):
    email: str
    role: str
    csrf_token: str = Field(description="send as X-CSRFToken header on every write")


@bp.post("/api/session")
@csrf.exempt  # nothing to forge before a session exists; the password is the proof
@limiter.limit("20 per minute")
@account_limit
@documented("Log in as organiser or moderator", body=SessionIn, responses={200: SessionOut},
            tags=("auth",))
def api_login() -> Any:
    data = parse_json(SessionIn)
    user = authenticate(data.email, data.password)
    if user is None:
        raise Problem(401, _("Login failed"), [("password", _("The email and password do not match an account."))])
    logins.start(user)
    return remember_device(jsonify(email=user.email, role=user.role, csrf_token=generate_csrf()), user)


@bp.get("/api/session")
@documented("Who is logged in, and a CSRF token", responses={200: SessionOut}, tags=("auth",))
def api_whoami() -> Any:
    if not current_user.is_authenticated:
        raise Problem(401, _("Login required"), [("session", _("Log in first."))])
    return jsonify(email=current_user.email, role=current_user.role, csrf_token=generate_csrf())


@bp.delete("/api/session")
@documented("Log out", responses={204: None}, tags=("auth",))
def api_logout() -> Any:
    logins.end_current()
    return "", 204
