"""Errors as RFC 9457 problem documents that name the offending field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from server import reasons

# Ids are INTEGER columns: 32-bit signed in PostgreSQL. A bigger id in a URL is no such
# resource (404), not an overflow deep in the driver (500).
MAX_ID = 2**31 - 1

M = TypeVar("M", bound=BaseModel)

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """A refused request: status, a title, and (field, reason) pairs."""

    def __init__(self, status: int, title: str, errors: Iterable[tuple[str, str]] = (),
                 **extra: Any) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = [{"field": f, "reason": r} for f, r in errors]
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.errors:
            body["field"] = self.errors[0]["field"]
            body["detail"] = "; ".join(f"{e['field']}: {e['reason']}" for e in self.errors)
            body["errors"] = self.errors
        else:
            body["detail"] = self.title
        body.update(self.extra)
        return body


def invalid(field: str, reason: str, status: int = 422) -> Problem:
    return Problem(status, _("Invalid request"), [(field, reason)])


def not_found(what: str = "resource") -> Problem:
    """A 404 that says what is missing, in the reader's language."""
    title = reasons.NOT_FOUND.get(what)
    return Problem(404, _(title) if title else _("Not found"))


def validation_problem(exc: ValidationError) -> Problem:
    """Turn pydantic's errors into field/reason pairs a person can read, in their language."""
    errors = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or "body"
        errors.append((field, reasons.sentence(err)))
    return Problem(422, _("Invalid request"), errors)


def validate(model: type[M], data: Any) -> M:
    """Validate plain data (a JSON body or a form) or raise a Problem naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None
    except RecursionError:
        raise Problem(400, "Malformed JSON", [("body", "is nested too deeply")]) from None


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: at most MAX_ID, so a 20-digit id is a plain 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_json(model: type[M], *, partial: bool = False) -> M:
    """Read the request body as `model`, or raise a Problem naming the field."""
    if not request.is_json:
        raise Problem(415, _("Unsupported media type"), [("body", _("Send the body as application/json."))])
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser's stack: no request needs that
        raise Problem(400, _("Malformed JSON"), [("body", _("The JSON is nested too deeply."))]) from None
    if data is None:
        raise Problem(400, _("Malformed JSON"), [("body", _("The body is not valid JSON."))])
    if not isinstance(data, dict):
        raise Problem(400, _("Malformed JSON"), [("body", _("The body must be a JSON object."))])
    return validate(model, data)


def problem_response(problem: Problem) -> Response:
    response = jsonify(problem.to_dict())
    response.status_code = problem.status
    response.mimetype = PROBLEM_JSON
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId  # before any blueprint adds its routes

    @app.errorhandler(Problem)
    def _problem(problem: Problem) -> Any:
        if _wants_json():
            return problem_response(problem)
        return render_template("error.html", problem=problem.to_dict()), problem.status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        problem = Problem(exc.code or 500, reasons.http_title(exc.code or 500, exc.name))
        if exc.code == 429:
            problem = Problem(429, reasons.http_title(429, exc.name), [("rate", _(
                "You sent too many requests (limit: %(limit)s). Wait a minute and try again.",
                limit=exc.description))])
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            problem = Problem(400, _("The form has expired"), [("csrf_token", _(
                "This form is too old or came from elsewhere. Reload the page and send it again."))])
        # 405 keeps its Allow header (RFC 9110 requires it), 401 its WWW-Authenticate.
        kept = {k: v for k, v in exc.get_headers() if k in ("Allow", "WWW-Authenticate", "Retry-After")}
        if _wants_json():
            response = problem_response(problem)
            response.headers.update(kept)
            return response
        return render_template("error.html", problem=problem.to_dict()), problem.status, kept
