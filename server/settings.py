"""One typed settings object, read from the environment with embedded defaults."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Convene reads; the README table is generated from these descriptions."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=True, extra="ignore")

    INSTANCE_PATH: str = Field(
        default_factory=lambda: str(Path.cwd() / "instance"),
        description="Folder for the SQLite database, the secret key and the mail outbox.",
    )
    DATABASE_URL: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. "
        "Default: SQLite at instance/convene.sqlite3.",
    )
    REDIS_URL: str | None = Field(
        default=None,
        description="Redis URL. When set: Socket.IO message queue between web processes, "
        "Celery broker, rate-limit storage. Default: all in-process.",
    )
    CELERY_BROKER_URL: str | None = Field(
        default=None, description="Celery broker; defaults to REDIS_URL. Unset: tasks run in-process."
    )
    MAIL_URL: str | None = Field(
        default=None,
        description="smtp://[user:password@]host:port[?starttls=1] or smtps://... "
        "Default: every mail is written as an .eml file to instance/outbox/.",
    )
    MAIL_FROM: str | None = Field(
        default=None,
        description="Sender address when an event has no organiser address of its own.",
    )
    SECRET_KEY: str | None = Field(
        default=None,
        description="Signs sessions and CSRF tokens. Unset: generated once and kept in "
        "instance/secret_key so logins survive a restart.",
    )
    BASE_URL: str = Field(
        default="http://127.0.0.1:5000",
        description="Public address used in mails, calendar invitations and personal links.",
    )
    SOCKETIO_ASYNC_MODE: str = Field(
        default="threading",
        description="gevent (what `convene serve` uses when this is unset) or threading (Werkzeug's "
        "server, a thread per connection; the default for apps made in-process, such as tests).",
    )
    SOCKETIO_CHANNEL: str = Field(
        default="convene-socketio",
        description="Redis channel of the Socket.IO message queue (and prefix of the live Redis keys); "
        "processes of one cluster share it.",
    )
    SESSION_COOKIE_SECURE: bool = Field(
        default=False,
        description="Send cookies over HTTPS only; set to true behind TLS.",
    )
    SEED_ON_START: bool = Field(
        default=True,
        description="`convene serve` seeds the reference event and demo accounts into an empty database.",
    )
    RATELIMIT_ENABLED: bool = Field(default=True, description="Turn rate limits on or off.")
    LIVE_COALESCE_SECONDS: float = Field(
        default=0.1, ge=0, le=0.15,
        description="Live streams: changes within this window go out as one frame (0: one frame per change).",
    )
    LIVE_SECONDS_PER_SOCKET: float = Field(
        default=0.0005, ge=0, le=0.01,
        description="Live streams: what writing one frame to one socket costs a web process; during a steady "
        "burst before a large audience a stream sends at most once per this times the process's sockets, "
        "if longer than the coalescing window (0: never longer).",
    )
    LIVE_HEARTBEAT_SECONDS: float = Field(
        default=3.0, gt=0,
        description="Live streams: how often each process tells its sockets every stream's version.",
    )
    LIVE_TIME_UP_GRACE_SECONDS: int = Field(
        default=60, ge=0, le=600,
        description="When break-out time runs out with nobody closing the rooms: seconds to wrap up "
        "before the server brings everyone back.",
    )
    PROXY_COUNT: int = Field(
        default=0, ge=0, le=5,
        description="How many proxies in front (nginx: 1) whose X-Forwarded-For/-Proto to trust; "
        "rate limits then count the client's address, not the proxy's.",
    )
    CELERY_VISIBILITY_TIMEOUT: int = Field(
        default=3600,
        description="Seconds before Redis hands a task that a worker took but never acknowledged "
        "(the worker died) to another worker.",
    )
    MAIL_SENDING_LEASE: int = Field(
        default=300,
        description="Seconds a worker may hold a mail in 'sending'; after that the claim counts "
        "as abandoned (dead worker) and another attempt may take it. Keep above the SMTP timeout.",
    )
    MAIL_RETRY_BACKOFF: int = Field(
        default=30,
        description="First retry delay in seconds after an SMTP 4xx or a dropped connection; "
        "doubles per attempt up to two hours.",
    )
    LOG_LEVEL: str = Field(
        default="INFO",
        description="Level of the log lines `convene serve` writes to standard error "
        "(DEBUG, INFO, WARNING, ERROR).",
    )
    APPLY_ANSWER_SECONDS: float = Field(
        default=0.25, ge=0, le=5,
        description="Every accepted application is answered after at least this long, whether the "
        "address is new or has applied already, so the answer's timing cannot tell who applied.",
    )
    TASK_THREADS: int = Field(
        default=2, ge=1, le=16,
        description="Embedded default: threads that run in-process tasks (mail, calendar) "
        "after the request that queued them has answered.",
    )
    MAIL_MAX_RETRIES: int = Field(
        default=8, description="Retries after temporary SMTP failures before a mail is marked failed."
    )

    INBOX_URL: str | None = Field(
        default=None,
        description="Mailbox that receives the calendars' answers to invitations: "
        "imaps://user:password@host[:port]/FOLDER (imap:// on a trusted network). "
        "Default: .eml files dropped into instance/inbox/.",
    )
    INBOX_IDLE_SECONDS: int = Field(
        # below beat's 15 s period: a longer wait would hold a worker slot while the next poll
        # already waits for one (mail sending queued behind them)
        default=10, ge=0, le=14,
        description="After reading the mailbox, how long a poll waits with IMAP IDLE for new answers "
        "(when the server offers IDLE); 0 turns the wait off; at most 14, below the 15 s poll period.",
    )
    INBOX_LEASE: int = Field(
        default=120, ge=1,
        description="Seconds after which a wait-list promotion left unfinished by a dead worker "
        "is completed by the next poll.",
    )

    @property
    def instance_path(self) -> Path:
        return Path(self.INSTANCE_PATH)

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{self.instance_path / 'convene.sqlite3'}"

    @property
    def broker_url(self) -> str | None:
        return self.CELERY_BROKER_URL or self.REDIS_URL

    def secret_key(self) -> str:
        """Return SECRET_KEY, or the one kept in the instance folder (made on first use)."""
        if self.SECRET_KEY:
            return self.SECRET_KEY
        path = self.instance_path / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


class SettingsError(ValueError):
    """Settings in the environment that Convene cannot use, said as sentences for an operator."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value is a ``SettingsError`` naming the setting and the reason."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(explain(error)) from None


_BOUNDS = {"less_than_equal": ("le", "at most"), "less_than": ("lt", "below"),
           "greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "above")}
_KINDS = {"int_parsing": "a whole number", "int_from_float": "a whole number", "float_parsing": "a number",
          "bool_parsing": "true or false", "finite_number": "a finite number"}


def explain(error: ValidationError) -> str:
    """One sentence per bad setting: which one, what it must be, and what it is."""
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "a setting"
        kind, context = problem["type"], problem.get("ctx") or {}
        if kind in _BOUNDS:
            key, words = _BOUNDS[kind]
            rule = f"must be {words} {context.get(key)}"
        elif kind in _KINDS:
            rule = f"must be {_KINDS[kind]}"
        elif kind == "literal_error":
            rule = f"must be one of {context.get('expected')}"
        else:
            rule = "cannot be used as it is"
        lines.append(f"The setting {name} {rule}; it is {problem.get('input')!r}. "
                     "The README's table of settings says what each one takes.")
    return "\n".join(lines)
