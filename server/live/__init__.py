"""The live meeting over Socket.IO: agenda driving, Q&A, speakers' lists, room notes, presence.

``init_app(app)`` binds the socket handlers to this app's Socket.IO server, registers the
organiser endpoints (seed, exports) and the per-process registry of connections. The contract
is docs/realtime.md; the one module that emits is ``server.live.emit``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.live import seeding, shared_notes, sockets  # noqa: F401  (seeding, shared_notes: their handlers)
    from server.live.api import bp
    from server.live.ephemeral import Ephemeral

    app.extensions["convene.live"] = Ephemeral(app.config.get("REDIS_URL"), app.config["SOCKETIO_CHANNEL"])
    app.config.setdefault("LIVE_PRESENCE_DEBOUNCE", 1.0)
    settings = app.config["SETTINGS"]
    for key in ("LIVE_COALESCE_SECONDS", "LIVE_SECONDS_PER_SOCKET", "LIVE_HEARTBEAT_SECONDS",
                "LIVE_TIME_UP_GRACE_SECONDS"):
        app.config.setdefault(key, getattr(settings, key))
    from server.live import deadlines  # noqa: F401  (the break-out deadline runner)
    sockets.register_handlers()
    from server.live.access import on_staff_logins_ended, on_status_changed
    from server.signals import application_status_changed, staff_logins_ended

    application_status_changed.connect(on_status_changed)  # lost access ends open sockets too
    staff_logins_ended.connect(on_staff_logins_ended)
    app.register_blueprint(bp)
