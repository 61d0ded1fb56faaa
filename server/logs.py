"""Logging for Convene's processes: one handler on the root logger, nothing silenced.

`convene serve` and the worker call ``configure_logging()`` once at start. Alembic's own
``fileConfig`` is not applied inside the app (see server/migrations/env.py), so running the
migrations at start never disables the loggers that modules created at import.
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


def configure_logging(level: str | None = None) -> None:
    """Send records of `level` (default LOG_LEVEL or INFO) and above to stderr, once."""
    root = logging.getLogger()
    chosen = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    root.setLevel(chosen)
    if not any(getattr(h, "convene", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.convene = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # Every request is a line from werkzeug; keep them out unless asked for.
    logging.getLogger("werkzeug").setLevel(max(logging.WARNING, root.level))
