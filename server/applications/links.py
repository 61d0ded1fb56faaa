"""Personal links and lookups: a link is a secret shown once; only its hash is stored."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.auth import hash_token, new_token
from server.extensions import db
from server.models import Application, Event
from server.problems import not_found


def base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def personal_url(secret: str) -> str:
    return f"{base_url()}/p/{secret}"


def issue_personal_link(application: Application) -> str:
    """Mint a fresh personal link (the previous one stops working); the caller commits.

    Only the hash is stored, so a link can be sent again only by replacing it.
    """
    secret, digest = new_token()
    application.access_token_hash = digest
    return personal_url(secret)


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

