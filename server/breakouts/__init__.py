"""Break-out rounds (issue 5): plan rooms by role and region, rotate across days, publish, move live.

The engine is ``server.sessions.breakouts`` (pure); this package parses, authorises, calls it,
persists rounds, rooms and assignments, and tells participants through ``server.live.emit``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.breakouts import late
    from server.breakouts.api import bp as api_bp
    from server.breakouts.facilitators_api import bp as facilitators_api_bp
    from server.breakouts.pages import bp as pages_bp
    from server.signals import application_status_changed

    app.register_blueprint(api_bp)
    app.register_blueprint(facilitators_api_bp)
    app.register_blueprint(pages_bp)
    application_status_changed.connect(late.on_status_changed)
