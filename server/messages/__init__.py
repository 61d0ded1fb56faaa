"""The texts of a meeting's mails (issue 14): defaults as translatable msgids, organisers' own
wording per kind and language, rendered for one recipient in their language."""

from __future__ import annotations

from flask import Flask

from server.models import Event


def render_message(event: Event, kind: str, language: str | None, name: str, personal_link: str) -> tuple[str, str]:
    """(subject, plain text) of one message for one person (kind: a key of messages.kinds)."""
    from server.messages.texts import render
    from server.messages.values import values_for

    return render(event, kind, language, values_for(event, name, personal_link, language))


def init_app(app: Flask) -> None:
    from server.messages.pages import bp

    app.register_blueprint(bp)
