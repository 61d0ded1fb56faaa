"""The `convene` command (also `python -m server`): serve, db, seed, users, assign, doctor."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from server.breakouts.cli import assign_command
from server.translations_cli import translations_command


def _create_app() -> Flask:
    from server import create_app

    return create_app()  # type: ignore[no-any-return]


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             add_default_commands=False, set_debug_flag=False, load_dotenv=False)
def cli() -> None:
    """Convene: run and manage invitation-only online meetings."""


DEMO_USERS = (("organiser@convene.example", "organiser"), ("moderator@convene.example", "moderator"))


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def seed_demo(today: date) -> list[str]:
    """Seed events and demo accounts; return what was created."""
    from sqlalchemy import select

    from server.events.seed import seed_events
    from server.extensions import db
    from server.models import User

    created = seed_events(today)
    lines = []
    for email, role in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            password = secrets.token_urlsafe(9)
            user = User(email=email, name=f"Demo {role}", role=role)
            user.set_password(password)
            db.session.add(user)
            lines.append(f"{role}: {email} / {password}")
            created.append(email)
    db.session.commit()
    if lines:
        path = _credentials_file()
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
    return created


@cli.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create the reference event, its rehearsal copy and demo accounts (if missing)."""
    created = seed_demo(date.today())
    click.echo("Seeded: " + (", ".join(created) if created else "nothing new"))
    if _credentials_file().exists():
        click.echo(_credentials_file().read_text().strip())


def _upgrade() -> None:
    from flask_migrate import upgrade

    upgrade()


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-seed", is_flag=True, help="Do not seed an empty database.")
@click.option("--no-migrate", is_flag=True, help="Skip `db upgrade` (a cluster migrates once, apart).")
@with_appcontext
def serve_command(host: str, port: int, no_seed: bool, no_migrate: bool) -> None:
    """Migrate the database, seed it on first start, and serve HTTP + Socket.IO."""
    from server.extensions import socketio
    from server.logs import configure_logging

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_logging(app.config["SETTINGS"].LOG_LEVEL)
    if not no_migrate:
        _upgrade()
    if app.config["SETTINGS"].SEED_ON_START and not no_seed:
        seed_demo(date.today())
    from server.scheduler import start_if_embedded

    beat = start_if_embedded(app)
    from server.warmup import warm_up

    warm_up(app)
    url = f"http://{host}:{port}"
    click.echo(f"Convene is running at {url}")
    click.echo(f"  database: {app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo(f"  mail:     {app.config['MAIL_URL'] or app.config['OUTBOX_PATH'] + ' (outbox folder)'}")
    click.echo(f"  tasks:    {app.config['CELERY_BROKER_URL'] or 'in-process'}"
               + (" (periodic jobs in-process too)" if beat else ""))
    if _credentials_file().exists():
        click.echo("  demo accounts (log in at /login):")
        for line in _credentials_file().read_text().strip().splitlines():
            click.echo(f"    {line}")
    sys.stdout.flush()
    # FlaskGroup marks the process as "run from the CLI", which makes app.run() a no-op.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    if socketio.async_mode == "gevent":
        _serve_gevent(app, host, port)
        return
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False,
                 log_output=False)


def _serve_gevent(app: Flask, host: str, port: int) -> None:
    """Serve HTTP and Socket.IO with gevent's WSGI server; WebSockets come from simple-websocket.

    python-engineio's gevent driver uses simple-websocket (with gevent's events and selectors)
    when gevent-websocket is not installed, so no extra package is needed (verified with real
    WebSocket clients in tests/system/test_live_cluster.py). The listening socket sets
    TCP_NODELAY (Linux passes it on to accepted connections) so that small frames such as acks
    are not held back by Nagle's algorithm.
    """
    import socket

    from gevent import pywsgi
    from gevent import socket as gsocket

    listener = gsocket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    listener.listen(2048)
    pywsgi.WSGIServer(listener, app, log=None).serve_forever()


@cli.command("doctor")
@click.option("--check", "only", multiple=True, type=click.Choice(["database", "redis", "broker", "beat"]),
              help="Only these checks (repeatable); default: all.")
@with_appcontext
def doctor_command(only: tuple[str, ...]) -> None:
    """Say whether this installation can serve: database, Redis, broker, beat (as /readyz).

    Exits with 1 when something is not ready, so scripts and container health checks can use it."""
    from server.health import readiness

    checks = [c for c in readiness(in_server=False) if not only or c.name in only]
    for check in checks:
        click.echo(f"{check.name:9s} {'ok' if check.ok else 'FAILED':7s} {check.detail}")
    ready = all(c.ok for c in checks)
    click.echo("ready" if ready else "NOT READY")
    sys.exit(0 if ready else 1)


@cli.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.option("--role", type=click.Choice(["organiser", "moderator"]), required=True)
@click.option("--name", default="")
@click.option("--password", envvar="CONVENE_PASSWORD", default=None,
              help="Default: prompt (or CONVENE_PASSWORD).")
@click.argument("email")
@with_appcontext
def users_create(role: str, name: str, password: str | None, email: str) -> None:
    """Create an organiser or moderator account."""
    from email_validator import EmailNotValidError, validate_email
    from sqlalchemy import select

    from server.extensions import db
    from server.models import User

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.BadParameter("an account with this email exists", param_hint="EMAIL")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}")


# The break-out engine's CSV command lives beside the engine; it needs no app.
cli.add_command(assign_command, "assign")
cli.add_command(translations_command, "translations")


def main() -> None:
    # `convene serve` serves with gevent unless SOCKETIO_ASYNC_MODE says otherwise: one OS thread
    # and a greenlet per connection hold 100 people in 3 tabs each voting at once (acks p50 40 ms)
    # where Werkzeug's thread per socket took seconds (tests/system/test_live_embedded.py).
    # Other commands, the worker and apps made in tests keep the Settings default (threading).
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command == "serve":
        os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
    # gevent must patch the standard library before anything else imports it.
    if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
        from gevent import monkey

        monkey.patch_all()
    from server.settings import SettingsError, load_settings

    try:
        load_settings()  # before Flask's command loader, which prints a traceback for a bad one
        cli.main(prog_name="convene")
    except SettingsError as error:  # an operator's typo: sentences, not a traceback
        sys.stderr.write(f"convene: {error}\n")
        sys.exit(2)
