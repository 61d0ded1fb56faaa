"""OpenAPI 3.1 document generated from the routes and their pydantic models.

Each JSON route carries an `@documented(...)` marker; the document walks the URL map,
so a route that exists is described and a described route exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])

_RULE_ARG = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-zA-Z_]+)>")


@dataclass
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    auth: str = "none"  # none | organiser | moderator | token
    tags: tuple[str, ...] = ()
    query: dict[str, str] = field(default_factory=dict)


def documented(summary: str, *, body: type[BaseModel] | None = None,
               responses: dict[int, type[BaseModel] | None] | None = None,
               auth: str = "none", tags: tuple[str, ...] = (),
               query: dict[str, str] | None = None) -> Callable[[F], F]:
    """Attach an OpenAPI description to a view function."""

    def mark(view: F) -> F:
        view.__openapi__ = Operation(  # type: ignore[attr-defined]
            summary, body, responses or {200: None}, auth, tags, query or {}
        )
        return view

    return mark


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem document; `field` names the first offending field.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def _parameters(rule: str, op: Operation) -> list[dict[str, Any]]:
    """The path parameters of a URL rule (integers where the converter says so), then the query ones."""
    params = [
        {
            "name": m.group("name"),
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if m.group("conv") == "int" else "string"},
        }
        for m in _RULE_ARG.finditer(rule)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "description": text,
         "schema": {"type": "string"}}
        for name, text in op.query.items()
    ]
    return params


def build_document(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        op: Operation | None = getattr(view, "__openapi__", None)
        if op is None:
            continue
        path = _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        params = _parameters(rule.rule, op)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry: dict[str, Any] = {
                "summary": op.summary,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "parameters": params,
                "responses": {},
            }
            if op.tags:
                entry["tags"] = list(op.tags)
            if op.auth != "none":
                entry["security"] = [{"session": []}] if op.auth != "token" else [{"token": []}]
                entry["description"] = f"Requires: {op.auth}."
            if op.body is not None and method in ("POST", "PUT", "PATCH"):
                entry["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _schema(op.body, components)}},
                }
            for status, model in op.responses.items():
                resp: dict[str, Any] = {"description": "OK" if status < 300 else "Refused"}
                if model is not None:
                    resp["content"] = {"application/json": {"schema": _schema(model, components)}}
                entry["responses"][str(status)] = resp
            entry["responses"]["4XX"] = {
                "description": "Refused: the problem document names the field and the reason.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "Log in with POST /api/session; send X-CSRFToken on writes."},
                "token": {"type": "apiKey", "in": "header", "name": "X-Personal-Token",
                          "description": "The secret from a participant's personal link."},
            },
        },
    }
