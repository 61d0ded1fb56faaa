"""The OpenAPI document is generated from the routes and describes every JSON route."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_api_route_is_documented(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


def test_every_reference_resolves(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    for ref in _refs(doc):
        name = ref.rsplit("/", 1)[-1]
        assert name in doc["components"]["schemas"], ref


def test_agenda_item_body_is_described(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    op = doc["paths"]["/api/events/{slug}/agenda/items"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ItemIn")
    item_in = doc["components"]["schemas"]["ItemIn"]
    assert set(item_in["required"]) >= {"day", "start", "end", "title", "kind"}
    assert item_in["additionalProperties"] is False
