"""The API's own routes: the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from server.api.openapi import build_document

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(build_document(current_app))  # type: ignore[arg-type]
