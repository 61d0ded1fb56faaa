"""Personal links and lookups: a link is a secret; only its hash is stored.

The link is derived (HMAC of SECRET_KEY and a salt kept in the person's calendar row, see
server.invitations.links), so it can be written into a mail when the mail is *sent* and the
mail table never holds it (issue 11, item 5), and the same link can be mailed again without
replacing it (issue 11, item 1).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.auth import hash_token
from server.extensions import db
from server.invitations import links as derived
from server.models import Application, Event
from server.problems import not_found


def base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def personal_url(secret: str) -> str:
    return f"{base_url()}/p/{secret}"


def issue_personal_link(application: Application) -> str:
    """Mint a fresh personal link (the previous one stops working); the caller commits.
    The application must have an id (flushed)."""
    row = derived.invitation_row(application)
    return personal_url(str(derived.access_token(application, row, rotate=True)))


def current_personal_link(application: Application) -> str:
    """The application's personal link as it is, without replacing it. A link made before links
    were derived (a random one, which cannot be made again) is replaced once; from then on it
    stays. The caller commits."""
    row = derived.invitation_row(application)
    return personal_url(str(derived.access_token(application, row)))


def by_token(secret: str) -> Application:
    if not secret or len(secret) > 200:
        raise not_found("personal link")
    application = db.session.scalar(
        select(Application).where(Application.access_token_hash == hash_token(secret))
    )
    if application is None:
        raise not_found("personal link")
    return application


def get_application(event: Event, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.event_id != event.id:
        raise not_found("application")
    return application
