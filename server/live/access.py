"""Who is on a socket, and what they may read and change.

A participant connects with their personal token (``auth: {token}``) and belongs to the one
event of their application; staff connect with their session cookie and name the event they
are driving (``auth: {event: <id or slug>}``). Payload parsing lives here too, so every
refusal names the field: ``auth``, ``permission``, ``payload`` or the offending key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from server.auth import hash_token
from server.extensions import db
from server.live import operations as ops
from server.models import Application, LoginSession
from server.models.applications import PARTICIPATING
from server.sessions.protocol import LiveError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind one connection."""

    event_id: int
    person_id: int | str  # participants: their application id; staff: "staff:<user id>"
    name: str
    staff: bool
    application_id: int | None = None
    projector: bool = False  # the read-only projector view (server.live.projector)
    login_id: int | None = None  # staff: the login (server.auth.logins) the socket came with


class Refused(Exception):
    """The connection is refused; ``data`` is ``{field, reason}`` for the client's connect_error."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.data = {"field": field, "reason": reason}


def authenticate(auth: Any) -> Actor:
    """Return the actor of a connect attempt or raise ``Refused``."""
    data = auth if isinstance(auth, dict) else {}
    if "projector" in data:
        from server.live import projector

        return projector.authenticate(data["projector"])
    token = data.get("token")
    if token is not None:
        if not isinstance(token, str) or not token:
            raise Refused("auth", "token must be the secret of a personal link")
        application = ops.participant_by_token_hash(hash_token(token))
        if application is None:
            raise Refused("auth", "unknown personal link, or no longer invited")
        return Actor(event_id=application.event_id, person_id=application.id,
                     name=application.name or f"Participant {application.id}", staff=False,
                     application_id=application.id)
    if not current_user.is_authenticated:
        raise Refused("auth", "send a personal token, or log in as organiser or moderator")
    if not current_user.is_moderator:
        raise Refused("permission", "your account may not join the live meeting")
    event = ops.event_by_ref(data.get("event", data.get("event_id")))
    if event is None:
        raise Refused("event", "name the event to drive: its id or slug")
    return Actor(event_id=event.id, person_id=f"staff:{current_user.id}",
                 name=current_user.name or current_user.email, staff=True,
                 login_id=getattr(current_user, "_login_id", None))


# ---------------------------------------------------------------------------------------------
# Losing access (erased, withdrawn, declined): at once, on every process
# ---------------------------------------------------------------------------------------------


def check_current(actor: Actor) -> None:
    """Refuse an event once its sender's access ended: a participant's application no longer
    takes part, or a staff member's login was ended (logout, "log out everywhere", password).

    The socket was let in when access was valid; every event is checked again (one indexed
    read), so an event already on its way when access ended, or a socket that a lost
    disconnect left open, changes nothing."""
    if actor.staff:
        if actor.login_id is not None and db.session.scalar(
                select(LoginSession.revoked_at).where(LoginSession.id == actor.login_id)) is not None:
            raise LiveError("auth", "this login has ended: log in again")
        return
    if actor.application_id is None:
        return
    status = db.session.scalar(select(Application.status).where(Application.id == actor.application_id))
    if status not in PARTICIPATING:
        raise LiveError("auth", "no longer invited: this personal link has no live access")


def cut_off(person_id: int | str) -> int:
    """Disconnect every socket of one person (an application id, or "staff:<user id>"),
    whichever process holds it.

    The sids come from the connection registry (Redis in a cluster); a socket on another
    process (or a Celery worker's change) is disconnected through the Socket.IO message
    queue, as python-socketio's pub/sub manager does for any sid it does not hold."""
    from server.live import emit

    sids = list(emit.ephemeral().sids_of(person_id))
    server = emit._sio().server  # the app's server, or the worker's write-only emitter
    for sid in sids:
        server.disconnect(sid, namespace="/")
    return len(sids)


def on_status_changed(application: Any, *, old: str | None = None, new: str | None = None) -> None:
    """Signal receiver: a person who stops taking part loses live access now."""
    if new is None or new in PARTICIPATING:
        return
    try:
        cut = cut_off(application.id)
    except Exception:  # the status is committed; the per-event check still refuses them
        log.exception("could not disconnect the sockets of application %s (now %s)", application.id, new)
        return
    if cut:
        log.info("application %s is %s: %d live connection(s) closed", application.id, new, cut)


def on_staff_logins_ended(user: Any, *, ended: int = 0, kept: int | None = None) -> None:
    """Signal receiver: "log out everywhere" or a new password closes the staff member's sockets
    (those of a login that stays reconnect at once with their still valid cookie)."""
    if not ended:
        return
    try:
        cut_off(f"staff:{user.id}")
    except Exception:  # the logins are revoked; the per-event check refuses their sockets
        log.exception("could not disconnect the sockets of staff member %s", user.id)


# ---------------------------------------------------------------------------------------------
# Payload parsing
# ---------------------------------------------------------------------------------------------


def integer(payload: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = payload.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LiveError(key, "is required and must be an integer" if value is None else "must be an integer")
    return value


def required_int(payload: dict[str, Any], key: str) -> int:
    value = integer(payload, key)
    assert value is not None
    return value


def text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise LiveError(key, "is required and must be a string" if value is None else "must be a string")
    return value


def flag(payload: dict[str, Any], key: str, default: bool = False) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise LiveError(key, "must be true or false")
    return value


def queue_ref(payload: dict[str, Any], kinds: tuple[str, str]) -> tuple[str, int]:
    """Parse ``queue: [kind, id]``."""
    value = payload.get("queue")
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or value[0] not in kinds
        or isinstance(value[1], bool)
        or not isinstance(value[1], int)
    ):
        raise LiveError("queue", f"must be [\"{kinds[0]}\" or \"{kinds[1]}\", id]")
    return str(value[0]), int(value[1])


# ---------------------------------------------------------------------------------------------
# What an actor may touch
# ---------------------------------------------------------------------------------------------


def require_staff(actor: Actor) -> None:
    if not actor.staff:
        raise LiveError("permission", "moderators and organisers only")


def require_participant(actor: Actor) -> int:
    if actor.staff or actor.application_id is None:
        raise LiveError("permission", "participants only (connect with a personal link)")
    return actor.application_id


def check_room(actor: Actor, room_id: int, field: str = "permission") -> None:
    """A participant's own current room; for staff, any room of their event."""
    if actor.staff:
        if ops.room_event_id(room_id) != actor.event_id:
            raise LiveError(field, "not a break-out room of this event")
        return
    assert actor.application_id is not None
    current = ops.assignment(actor.event_id, actor.application_id)
    if current is None or current["room_id"] != room_id:
        raise LiveError(field, "not your break-out room")


def check_qa(actor: Actor, kind: str, ref: int, field: str = "permission") -> None:
    if kind == "item":
        if ops.item_event_id(ref) != actor.event_id:
            raise LiveError(field, "not an agenda item of your event")
    else:
        check_room(actor, ref, field)


def check_speakers(actor: Actor, kind: str, ref: int, field: str = "permission") -> None:
    if kind == "plenary":
        if ref != actor.event_id:
            raise LiveError(field, "not the plenary of your event")
    else:
        check_room(actor, ref, field)


STREAM_SHAPES = "agenda:<event>, presence:<event>, qa:item:<id>, qa:room:<id>, " \
    "speaker:plenary:<event>, speaker:room:<id>, notes:room:<id>"


def parse_stream(name: Any, field: str) -> tuple[str, str, int]:
    """Return (topic, kind, id) of a stream name, or refuse."""
    if not isinstance(name, str):
        raise LiveError(field, "must be a stream name")
    parts = name.split(":")
    try:
        if len(parts) == 2 and parts[0] in ("agenda", "presence"):
            return parts[0], "event", int(parts[1])
        if len(parts) == 3 and (parts[0], parts[1]) in (
            ("qa", "item"), ("qa", "room"), ("speaker", "plenary"), ("speaker", "room"), ("notes", "room")
        ):
            return parts[0], parts[1], int(parts[2])
    except ValueError:
        pass
    raise LiveError(field, f"unknown stream; one of {STREAM_SHAPES}")


def check_stream(actor: Actor, topic: str, kind: str, ref: int, field: str) -> None:
    if actor.projector:
        from server.live import projector

        projector.check_stream(topic, kind, field)
    if topic in ("agenda", "presence"):
        if ref != actor.event_id:
            raise LiveError(field, "not your event")
    elif topic == "qa":
        check_qa(actor, kind, ref, field)
    elif topic == "speaker":
        check_speakers(actor, kind, ref, field)
    else:
        check_room(actor, ref, field)
