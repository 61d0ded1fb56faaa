"""Logging for Convene's processes: one handler on the root logger, nothing silenced.

`convene serve` and the worker call ``configure_logging()`` once at start. Alembic's own
``fileConfig`` is not applied inside the app (see server/migrations/env.py), so running the
migrations at start never disables the loggers that modules created at import.
"""

from __future__ import annotations

import logging
import sys

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send records of `level` and above to stderr (once, however often it is called)."""
    root = logging.getLogger()
    root.setLevel(level.upper() if level.upper() in LEVELS else "INFO")
    if not any(getattr(h, "convene", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.convene = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # Every request is a line from werkzeug, every in-process task one from Celery's tracer;
    # keep them out unless asked for (their failures are warnings and errors, still shown).
    for chatty in ("werkzeug", "celery.app.trace"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
