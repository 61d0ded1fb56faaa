"""Serves the browser's files from client/: our scripts and the npm-locked vendor bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory

CLIENT = Path(__file__).resolve().parent.parent / "client"
VENDOR = {
    # name served -> file inside client/node_modules (installed from client/package-lock.json)
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "yjs.js": ".build/yjs.iife.js",  # bundled by scripts/setup with esbuild from the locked yjs package
}

bp = Blueprint("assets", __name__, url_prefix="/assets")


@bp.get("/<path:filename>")
def asset(filename: str) -> Any:
    return send_from_directory(CLIENT / "src", filename, max_age=300)


@bp.get("/vendor/<name>")
def vendor(name: str) -> Any:
    if name not in VENDOR:
        abort(404)
    return send_from_directory(CLIENT / "node_modules", VENDOR[name], max_age=3600)
