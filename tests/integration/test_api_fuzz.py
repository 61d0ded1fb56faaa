"""Issue 11, item 4: schemathesis generates requests from /api/openapi.json — valid ones and
hostile ones (wrong types, huge numbers, odd strings) — against the WSGI app, anonymously and
as an organiser. Every answer must be below 500 and match what the document promises.
Bounded: a few examples per operation and mode, so the whole run stays well under two minutes."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.api import ApiActor
from tests.support.applications import BEFORE_DEADLINE, set_clock, valid_application

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 4          # per operation and generation mode
BUDGET_SECONDS = 50   # per actor; the two runs together stay under two minutes


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _known_ids(app: Flask) -> dict[str, int]:
    """Ids that exist, so half of the generated requests reach the code behind the lookup."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import AgendaDay, AgendaItem, Application, OutboundMail

    with app.app_context():
        found = {name: db.session.scalar(select(func.min(model.id))) for name, model in (
            ("item_id", AgendaItem), ("day_id", AgendaDay), ("application_id", Application),
            ("mail_id", OutboundMail))}
    return {name: value for name, value in found.items() if value is not None}


def _fuzz(app: Flask, slug: str, headers: dict[str, str], cookies: dict[str, str],
          skip: tuple[str, ...] = ()) -> list[str]:
    """Run every operation with positive and negative cases; return what went wrong. ``slug``
    replaces the generated event slug and every other case gets existing ids, so requests reach
    the code behind the lookups."""
    failures: list[str] = []
    started = time.monotonic()
    known = _known_ids(app)
    calls = iter(range(10**9))
    for operation in _operations(app):
        if operation.label in skip:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case: Any) -> None:
                if case.path_parameters and "slug" in case.path_parameters:
                    case.path_parameters["slug"] = slug
                if case.path_parameters and next(calls) % 2 == 0:
                    case.path_parameters.update({k: v for k, v in known.items() if k in case.path_parameters})
                try:
                    case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
                except AssertionError as exc:  # schemathesis' failures are AssertionError groups
                    failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:600]}")

            # negative mode on an operation without inputs: nothing to make invalid
            with contextlib.suppress(Unsatisfiable):
                run()
        assert time.monotonic() - started < BUDGET_SECONDS * 2, "fuzzing ran out of its time budget"
    return failures


@pytest.fixture
def seeded(app: Flask, reference_event: str) -> str:
    set_clock(app, BEFORE_DEADLINE)
    app.test_client().post(f"/api/events/{reference_event}/applications", json=valid_application())
    return reference_event


def test_no_input_gets_a_5xx_or_breaks_the_document_anonymous(app: Flask, seeded: str) -> None:
    failures = _fuzz(app, seeded, {}, {})
    assert failures == [], "\n\n".join(failures)


def test_no_input_gets_a_5xx_or_breaks_the_document_as_organiser(app: Flask, organiser: ApiActor,
                                                                  seeded: str) -> None:
    cookie = organiser.client.get_cookie("session")
    assert cookie is not None and organiser.csrf
    failures = _fuzz(app, seeded, {"X-CSRFToken": organiser.csrf}, {"session": cookie.value},
                     skip=("DELETE /api/session",))  # logging out would end the run's login
    assert failures == [], "\n\n".join(failures)
