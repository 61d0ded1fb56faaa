"""The one clock of the web app: tests inject a fixed instant with app.config["CLOCK"]."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from server.models.types import utcnow


def now() -> datetime:
    """The current instant (aware UTC); tests set app.config["CLOCK"] = lambda: instant."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else utcnow()
