"""The browser client's pages (issue 6): the participant's live page, the moderator console,
the organiser dashboard and agenda editor, and the staff navigation.

The live pages run ``client/src/live.js`` and ``client/src/moderate.js`` over the Socket.IO
contract of docs/realtime.md; the organiser pages are server-rendered forms over the same
operations the JSON API uses, so every refusal names its field.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.events.organise import bp as events_organise_bp
    from server.frontend import nav
    from server.frontend.keyquestions import bp as keyquestions_bp
    from server.frontend.keyquestions import seed_form
    from server.frontend.live import bp as live_bp
    from server.frontend.organise import bp as organise_bp
    from server.frontend.present import bp as present_bp

    app.register_blueprint(live_bp)
    app.register_blueprint(present_bp)
    app.register_blueprint(keyquestions_bp)
    app.add_template_global(seed_form)
    app.register_blueprint(organise_bp)
    app.register_blueprint(events_organise_bp)
    app.context_processor(nav.staff_links)
    app.add_template_global(calendar_links)


def calendar_links(application: object) -> tuple[str, str] | None:
    """(https, webcal://) of a participant's personal calendar feed, for their pages."""
    from server.invitations import personal_feed_url
    from server.models.applications import PARTICIPATING

    if getattr(application, "status", None) not in PARTICIPATING:
        return None
    return personal_feed_url(application)  # type: ignore[arg-type]
