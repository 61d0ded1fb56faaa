"""The meeting's report and its attendance: HTML, PDF (WeasyPrint) and CSV, for organisers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.report.pages import bp

    app.register_blueprint(bp)
