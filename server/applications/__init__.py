"""Call for participants, review and balanced selection: schemas, operations, JSON API, pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.applications.api import bp as api_bp
    from server.applications.organise import bp as organise_bp
    from server.applications.pages import bp as pages_bp

    for bp in (api_bp, pages_bp, organise_bp):
        app.register_blueprint(bp)
