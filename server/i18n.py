"""Which language a request is answered in; the catalogs live in server/translations/."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale

LANGUAGES = ("en", "ru")  # a new language is a new catalog plus its code here
DEFAULT_LANGUAGE = "en"


def select_locale() -> str:
    """The reader's language: Accept-Language among ours, else English."""
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    """Templates get `get_locale()` for <html lang> (gettext/_ come with Flask-Babel)."""
    app.jinja_env.globals["get_locale"] = get_locale
