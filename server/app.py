"""The application factory: settings in, a configured Flask app out. Nothing runs at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, jsonify

from server.settings import Settings, load_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _config_from(settings: Settings) -> dict[str, Any]:
    return {
        "SETTINGS": settings,
        "SECRET_KEY": settings.secret_key(),
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(settings.database_url),
        "BASE_URL": settings.BASE_URL.rstrip("/"),
        "REDIS_URL": settings.REDIS_URL,
        "MAIL_URL": settings.MAIL_URL,
        "MAIL_FROM": settings.MAIL_FROM,
        "INBOX_URL": settings.INBOX_URL,
        "OUTBOX_PATH": str(settings.instance_path / "outbox"),
        "CELERY_BROKER_URL": settings.broker_url,
        "SOCKETIO_ASYNC_MODE": settings.SOCKETIO_ASYNC_MODE,
        "SOCKETIO_CHANNEL": settings.SOCKETIO_CHANNEL,
        # Cookies: not readable by scripts, not sent on cross-site posts, HTTPS-only behind TLS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "WTF_CSRF_TIME_LIMIT": None,  # valid for the session's life; pages stay open all morning
        "RATELIMIT_ENABLED": settings.RATELIMIT_ENABLED,
        "RATELIMIT_STORAGE_URI": settings.REDIS_URL or "memory://",
        "RATELIMIT_KEY_PREFIX": "convene-rl",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "TASK_THREADS": settings.TASK_THREADS,
        "APPLY_ANSWER_SECONDS": settings.APPLY_ANSWER_SECONDS,
    }


def _engine_options(url: str) -> dict[str, Any]:
    """Connection pool settings for the database at `url`."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        # One connection per concurrent request thread (the threaded server has no cap of its
        # own) plus the task threads; SQLite connections are cheap, waiting for one is not.
        # A file cannot drop a connection, so no ping before each checkout.
        return {"pool_size": 20, "max_overflow": 60, "pool_timeout": 10}
    return {"pool_pre_ping": True}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding (tests pass theirs here)."""
    overrides = dict(config or {})
    settings_fields = set(Settings.model_fields)
    settings = load_settings(**{k: v for k, v in overrides.items() if k in settings_fields})
    settings.instance_path.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    if settings.PROXY_COUNT:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.PROXY_COUNT, x_proto=settings.PROXY_COUNT, x_host=settings.PROXY_COUNT
        )
    app.config.update(_config_from(settings))
    app.config.update({k: v for k, v in overrides.items() if k not in settings_fields})

    _bind_extensions(app)

    from worker.celery_app import celery_init_app

    celery_init_app(app)

    from server import dispatch, problems, security  # noqa: F401  (dispatch: after-commit task hook)

    problems.register(app)
    security.init_app(app)
    _register_blueprints(app)
    _register_features(app)

    _register_health(app)

    return app


def _bind_extensions(app: Flask) -> None:
    """Bind the shared extensions (database, migrations, logins, translations, CSRF, rate limits,
    Socket.IO) to this app, in the order they depend on each other."""
    from flask_babel import lazy_gettext

    from server import models  # noqa: F401  (registers every table)
    from server.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

    db.init_app(app)
    from server.sqlite_writes import serialize_writes

    with app.app_context():
        serialize_writes(db.engine)  # SQLite only: writers take turns instead of polling
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in as organiser or moderator.")  # type: ignore[assignment]

    from server import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories=str(TRANSLATIONS))
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    # The SocketIO object is shared by every app made in this process (tests make many): a
    # queue manager left by an earlier app with REDIS_URL would otherwise outlive it.
    socketio.server_options.pop("client_manager", None)
    from server.live.queue_manager import RedisQueueManager

    url = app.config["REDIS_URL"]
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # between web processes over Redis; None: this process alone (python-socketio's default)
        client_manager=RedisQueueManager(url, channel=app.config["SOCKETIO_CHANNEL"]) if url else None,
        cors_allowed_origins=[app.config["BASE_URL"]],
        manage_session=False,
    )


def _register_health(app: Flask) -> None:
    """/healthz: the process answers (liveness). /readyz: it can serve (database, Redis,
    broker reachable; beat ticking in the cluster shape); 503 naming what is not."""
    from server import health
    from server.extensions import limiter

    @app.get("/healthz")
    @limiter.exempt
    def healthz() -> Any:
        response = jsonify(status="ok")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/readyz")
    @limiter.exempt
    def readyz() -> Any:
        checks = health.readiness()
        ready = all(c.ok for c in checks)
        response = jsonify(status="ready" if ready else "not ready",
                           checks={c.name: {"ok": c.ok, "detail": c.detail} for c in checks})
        response.headers["Cache-Control"] = "no-store"
        return response, 200 if ready else 503


def _register_blueprints(app: Flask) -> None:
    from server.api import bp as api_bp
    from server.assets import bp as assets_bp
    from server.auth.account import bp as account_bp
    from server.auth.routes import bp as auth_bp
    from server.events.api import bp as events_api_bp
    from server.events.pages import bp as pages_bp

    for bp in (account_bp, api_bp, assets_bp, auth_bp, events_api_bp, pages_bp):
        app.register_blueprint(bp)


def _register_features(app: Flask) -> None:
    """Feature packages register their blueprints, signal receivers and socket handlers."""
    import importlib

    for name in FEATURES:
        module = importlib.import_module(name)
        module.init_app(app)


# Each feature package exposes init_app(app); listed here so the app's shape is visible.
FEATURES: list[str] = [
    "server.live",
    "server.applications",
    "server.invitations",
    "server.frontend",
    "server.breakouts",
    "server.report",
    "server.replies",
    "server.messages",
]
