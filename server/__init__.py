"""Convene: a session manager for small invitation-only online meetings.

The package root stays free of Flask so that the pure core (``server.core``,
``server.sessions`` engines) imports without the web stack.
"""

from __future__ import annotations

from typing import Any


def create_app(config: dict[str, Any] | None = None) -> Any:
    """Build the Flask application (imported lazily to keep the core Flask-free)."""
    from server.app import create_app as _create_app

    return _create_app(config)
