"""Call for participants, review and balanced selection.

One module per concern: links, deadline, mails, status (changes and their announcement),
lifecycle (apply, edit, withdraw, respond, decide), waitlist, erasure, reviews, queries (the review
table), proposals (targets and the selection), exports; api.py, pages.py and organise.py are the edges.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.applications.api import bp as api_bp
    from server.applications.organise import bp as organise_bp
    from server.applications.pages import bp as pages_bp

    for bp in (api_bp, pages_bp, organise_bp):
        app.register_blueprint(bp)
