"""`convene db upgrade` builds the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server import create_app
from tests.conftest import base_config


def test_migrations_match_the_models_and_downgrade(tmp_path: Path, database_url: str) -> None:
    from server.extensions import db

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}" if database_url.startswith("sqlite") else None
    if fresh is None:
        from tests.support.backends import temporary_postgres_database

        with temporary_postgres_database() as url:
            _check(create_app(base_config(tmp_path, url)), db)
    else:
        _check(create_app(base_config(tmp_path, fresh)), db)


def _check(app, db) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()
