"""Personal secrets that the server can derive again: the personal link and the feed token.

Tokens are stored as SHA-256 hashes only (Application.access_token_hash / feed_token_hash),
so a random token could be mailed once and never again. Invitations need the link in every
message (invitation, each update, the reminder), so these tokens are derived instead:
``token = HMAC-SHA256(SECRET_KEY, purpose/application id/salt)`` with a random salt kept in
the ``calendar_invitations`` row. The database alone (hashes and salts) reveals no token;
rotating means a new salt, and the old token stops working at once.

The applicant's link is derived the same way from the moment they apply (issue 11: it is
written into each mail when the mail is sent, never stored), so the confirmation, the
invitation, every update and the reminder carry the same link, until someone resets it (a new
salt) or SECRET_KEY changes (the stored hash no longer matches; the next message rotates once).
A random link from before links were derived is replaced once, at the first invitation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import select

from server.auth import hash_token
from server.extensions import db
from server.models import Application, CalendarInvitation


def _derive(purpose: str, application_id: int, salt: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"convene/{purpose}/{application_id}/{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def invitation_row(application: Application) -> CalendarInvitation:
    """The application's calendar row, created (and flushed) when missing."""
    row = db.session.scalar(
        select(CalendarInvitation).where(CalendarInvitation.application_id == application.id)
    )
    if row is None:
        row = CalendarInvitation(application_id=application.id, event_id=application.event_id)
        db.session.add(row)
        db.session.flush()
    return row


def base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def access_token(application: Application, row: CalendarInvitation, *, rotate: bool = False,
                 create: bool = True) -> str | None:
    """The personal link's token; (re)made when absent, not derivable, or ``rotate``.
    With ``create=False`` returns None instead of changing anything."""
    if row.link_salt and not rotate:
        token = _derive("access", application.id, row.link_salt)
        if application.access_token_hash == hash_token(token):
            return token
    if not create:
        return None
    row.link_salt = secrets.token_hex(16)
    token = _derive("access", application.id, row.link_salt)
    application.access_token_hash = hash_token(token)
    return token


def personal_link(application: Application, *, rotate: bool = False) -> str:
    """``<BASE_URL>/p/<token>``, rotating a random (non-derivable) token. Caller commits."""
    token = access_token(application, invitation_row(application), rotate=rotate)
    return f"{base_url()}/p/{token}"


def feed_token(application: Application, row: CalendarInvitation, *, rotate: bool = False) -> str:
    if row.feed_salt and not rotate:
        token = _derive("feed", application.id, row.feed_salt)
        if application.feed_token_hash == hash_token(token):
            return token
    row.feed_salt = secrets.token_hex(16)
    token = _derive("feed", application.id, row.feed_salt)
    application.feed_token_hash = hash_token(token)
    return token


def feed_urls(token: str) -> tuple[str, str]:
    https_url = f"{base_url()}/feeds/{token}.ics"
    parts = urlsplit(https_url)
    return https_url, urlunsplit(("webcal", *parts[1:]))


def personal_feed_url(application: Application, *, rotate: bool = False) -> tuple[str, str]:
    """(https URL, webcal:// URL) of the participant's personal calendar feed.

    Creates the feed token when the application has none (or one that cannot be derived
    again), otherwise returns the same URL every time, so a participant page may call it on
    every view without breaking calendars already subscribed. ``rotate=True`` (the reset
    button, the reset API) makes a new token; the old URL answers 404 from then on.
    Commits when it changed anything."""
    row = invitation_row(application)
    before = (row.feed_salt, application.feed_token_hash)
    token = feed_token(application, row, rotate=rotate)
    if (row.feed_salt, application.feed_token_hash) != before:
        db.session.commit()
    return feed_urls(token)


def application_by_token(column: str, token: str) -> Application | None:
    if not token or len(token) > 200:
        return None
    attr = getattr(Application, column)
    return db.session.scalar(select(Application).where(attr == hash_token(token)))
