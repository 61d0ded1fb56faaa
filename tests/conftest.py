"""Shared fixtures: an app on each database backend, clients, logged-in actors, factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support.api import ApiActor
from tests.support.backends import backends, temporary_postgres_database

ORGANISER = ("organiser@test.example", "organiser-password")
MODERATOR = ("moderator@test.example", "moderator-password")


def base_config(tmp: Path, database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://convene.test",
        "RATELIMIT_ENABLED": False,
        "APPLY_ANSWER_SECONDS": 0,  # the answer-time floor is tested where it matters (test_security)
    }


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend for the whole run; tests empty it after use."""
    from flask_migrate import upgrade

    from server import create_app

    tmp = tmp_path_factory.mktemp(f"db-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'test.sqlite3'}"
        app = create_app(base_config(tmp, url))
        with app.app_context():
            upgrade()
        yield url
        return
    with temporary_postgres_database() as url:
        app = create_app(base_config(tmp, url))
        with app.app_context():
            upgrade()
        yield url
        with app.app_context():
            from server.extensions import db

            db.engine.dispose()


def _empty_tables(app: Flask) -> None:
    from server.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
                if "sqlite_sequence" in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}:
                    conn.execute(text("DELETE FROM sqlite_sequence"))
        db.engine.dispose()


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """Tests may add keys before asking for `app`."""
    return base_config(tmp_path, database_url)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    from server import create_app
    from server.extensions import db
    from server.models import User

    app = create_app(app_config)
    with app.app_context():
        for (email, password), role in ((ORGANISER, "organiser"), (MODERATOR, "moderator")):
            user = User(email=email, name=role.title(), role=role)
            user.set_password(password)
            db.session.add(user)
        db.session.commit()
    yield app
    _empty_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def organiser(app: Flask) -> ApiActor:
    actor = ApiActor(app.test_client())
    assert actor.login(*ORGANISER).status_code == 200
    return actor


@pytest.fixture
def moderator(app: Flask) -> ApiActor:
    actor = ApiActor(app.test_client())
    assert actor.login(*MODERATOR).status_code == 200
    return actor


@pytest.fixture
def anonymous(app: Flask) -> ApiActor:
    return ApiActor(app.test_client())


@pytest.fixture
def reference_event(app: Flask) -> str:
    """The seeded reference study visit (25–26 May 2021); returns its slug."""
    from server.events.seed import REFERENCE_SLUG, seed_events

    with app.app_context():
        seed_events(date.today())
    return REFERENCE_SLUG


@pytest.fixture
def rehearsal_event(app: Flask) -> str:
    from server.events.seed import REHEARSAL_SLUG, seed_events

    with app.app_context():
        seed_events(date.today())
    return REHEARSAL_SLUG
