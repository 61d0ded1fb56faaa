"""The projector: a read-only socket identity and the secret link that grants it.

A projector connects with ``auth: {projector: <key>}``; the key names its event. It joins the
event's audience room only, so it receives exactly what every participant receives (counts,
never names of who is online; anonymous questions stay anonymous); it is not counted as present,
may ask only for snapshots of the plenary's streams, and every other event is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from server.auth import hash_token
from server.extensions import db
from server.live.access import Actor, Refused
from server.models import Event
from server.models.meeting_day import ProjectorLink
from server.sessions.protocol import LiveError

READABLE = {("agenda", "event"), ("presence", "event"), ("qa", "item"), ("speaker", "plenary")}
KEY_LENGTH = 32


def _derive(event_id: int, salt: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"projector:{event_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:KEY_LENGTH]


def _store(event_id: int, row: ProjectorLink | None) -> str:
    salt = secrets.token_hex(16)
    secret = _derive(event_id, salt)
    if row is None:
        row = ProjectorLink(event_id=event_id)
        db.session.add(row)
    row.salt = salt
    row.token_hash = hash_token(secret)
    db.session.commit()
    return secret


def secret_of(event_id: int) -> str:
    """The projector key of an event (made on first use)."""
    row = db.session.get(ProjectorLink, event_id)
    if row is None:
        return _store(event_id, None)
    secret = _derive(event_id, row.salt)
    if not hmac.compare_digest(hash_token(secret), row.token_hash):  # SECRET_KEY changed: a new key
        return _store(event_id, row)
    return secret


def reset(event_id: int) -> str:
    """Give an event a new projector key; the old link stops working at once (new sockets)."""
    return _store(event_id, db.session.get(ProjectorLink, event_id))


def event_for_key(key: object) -> Event | None:
    if not isinstance(key, str) or not key or len(key) > 200:
        return None
    event_id = db.session.scalar(select(ProjectorLink.event_id).where(ProjectorLink.token_hash == hash_token(key)))
    return None if event_id is None else db.session.get(Event, event_id)


def authenticate(key: object) -> Actor:
    """The projector's actor, or ``Refused`` for an unknown or reset key."""
    event = event_for_key(key)
    if event is None:
        raise Refused("auth", "unknown projector link, or it was reset; ask the moderator for the new one")
    return Actor(event_id=event.id, person_id=f"projector:{event.id}", name="Projector", staff=False,
                 projector=True)


def check_stream(topic: str, kind: str, field: str) -> None:
    if (topic, kind) not in READABLE:
        raise LiveError(field, "the projector shows the plenary only")
