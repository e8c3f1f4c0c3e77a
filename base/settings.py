"""Every setting of the service, read once from the environment and an optional `.env` file.

`SETTINGS` is the single table of what can be configured; `.env.example`, the README and a test
are checked against it, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.config import Config, EnvironError
from starlette.datastructures import Secret


@dataclass(frozen=True)
class Limit:
    """At most `attempts` in a window of `seconds`; with `longest`, backoff up to that window."""

    attempts: int
    seconds: int
    longest: int | None = None

    @classmethod
    def parse(cls, text: str) -> Limit:
        """From "ATTEMPTS/SECONDS" or "ATTEMPTS/SECONDS/LONGEST", e.g. "5/900" or "30/900/86400";
        ValueError when malformed."""
        numbers = [int(part) for part in text.split("/")]
        if len(numbers) not in (2, 3) or min(numbers) < 1:
            raise ValueError(f"needs two or three positive numbers: {text!r}")
        attempts, seconds, *longest = numbers
        if longest and longest[0] < seconds:
            raise ValueError(f"the longest window is shorter than the first: {text!r}")
        return cls(attempts, seconds, longest[0] if longest else None)

    def times(self, factor: int) -> Limit:
        return Limit(self.attempts * factor, self.seconds, self.longest)

    def next_window(self, previous_seconds: int, *, filled: bool) -> int:
        """The length of the window after one of `previous_seconds` that did or did not fill."""
        if self.longest is None:
            return self.seconds
        if filled:
            return min(previous_seconds * 2, self.longest)
        return max(previous_seconds // 2, self.seconds)


@dataclass(frozen=True)
class MailSettings:
    sender: str
    smtp_url: str
    mail_dir: Path


class SettingsError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SettingDoc:
    name: str
    default: str
    help: str


SETTINGS: tuple[SettingDoc, ...] = (
    SettingDoc(
        "ENV",
        "development",
        "development, test or production; production requires SECRET_KEY and BASE_URL.",
    ),
    SettingDoc(
        "DATA_DIR",
        "./data",
        "Folder for the SQLite database, the generated secret key, uploads and mail written to files.",
    ),
    SettingDoc(
        "DATABASE_URL",
        "sqlite://{DATA_DIR}/consult.sqlite3",
        "sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/NAME.",
    ),
    SettingDoc(
        "SECRET_KEY",
        "(generated into DATA_DIR/secret_key)",
        "Signs session cookies and email links. Required when ENV=production.",
    ),
    SettingDoc(
        "BASE_URL",
        "http://127.0.0.1:8000",
        "Public address of the service, used in emails and calendar feeds; https turns on Secure cookies and HSTS.",
    ),
    SettingDoc("HOST", "127.0.0.1", "Address `consult serve` listens on."),
    SettingDoc("PORT", "8000", "Port `consult serve` listens on."),
    SettingDoc(
        "WORKERS",
        "1",
        "Number of web processes `consult serve` starts (use PostgreSQL for more than one).",
    ),
    SettingDoc(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
    ),
    SettingDoc(
        "SMTP_URL",
        "(empty: write .eml files to DATA_DIR/mail)",
        "smtp://USER:PASSWORD@HOST:PORT (STARTTLS when offered) or smtps://… for implicit TLS.",
    ),
    SettingDoc("MAIL_FROM", "QIST Consult <no-reply@localhost>", "Sender address of every email."),
    SettingDoc(
        "SESSION_IDLE_MINUTES",
        "480",
        "A signed-in session ends after this many minutes without a request.",
    ),
    SettingDoc(
        "SESSION_MAX_HOURS",
        "24",
        "A signed-in session ends this many hours after signing in, however active.",
    ),
    SettingDoc(
        "TWO_STEP_REQUIRED",
        "on",
        "on: organisers and admins must set up two-step sign-in (an authenticator app) before using the workspace; off: it stays optional for everyone. Always on when ENV=production.",
    ),
    SettingDoc("VERIFY_LINK_HOURS", "48", "How long an email verification link stays valid."),
    SettingDoc("RESET_LINK_MINUTES", "60", "How long a password reset link stays valid."),
    SettingDoc(
        "SIGNIN_LIMIT",
        "5/900",
        "Failed sign-ins allowed per account from one address, and per address x4 across accounts, in a window of seconds (attempts/seconds); also wrong two-step codes per pending sign-in.",
    ),
    SettingDoc(
        "SIGNIN_ACCOUNT_LIMIT",
        "30/900/86400",
        "Failed sign-ins allowed per account from every address together, and wrong two-step codes per account (attempts/seconds/longest): each window that fills up is followed by one twice as long, up to the longest.",
    ),
    SettingDoc(
        "SIGNUP_LIMIT",
        "5/3600",
        "Sign-ups allowed per address in a window of seconds (attempts/seconds).",
    ),
    SettingDoc(
        "MAIL_LIMIT",
        "3/3600",
        "Verification and reset emails one address may ask for in a window of seconds.",
    ),
    SettingDoc(
        "UPLOAD_MAX_MB",
        "10",
        "Largest file a person may upload with a response or an organiser with a call, in megabytes.",
    ),
    SettingDoc("UPLOAD_MAX_FILES", "5", "Most files one response may carry."),
    SettingDoc(
        "COMMENT_LIMIT",
        "10/3600",
        "Comments one person may post in a window of seconds (attempts/seconds).",
    ),
    SettingDoc(
        "NOT_ME_LIMIT",
        "5/3600",
        "“This was not me” reports one address may send in a window of seconds (attempts/seconds).",
    ),
    SettingDoc(
        "API_READ_LIMIT",
        "600/60",
        "JSON API reads one address may make in a window of seconds, counted in each web process.",
    ),
    SettingDoc(
        "API_TOKEN_LIMIT",
        "60/3600",
        "JSON API writes one API token may make in a window of seconds.",
    ),
    SettingDoc(
        "API_ADDRESS_LIMIT",
        "120/3600",
        "JSON API writes one address may make in a window of seconds.",
    ),
    SettingDoc(
        "MAX_REQUEST_MB",
        "25",
        "Largest request body accepted, in megabytes; larger ones get 413 before they are read.",
    ),
    SettingDoc(
        "SCHEDULER",
        "on",
        "on: `consult serve` also runs the scheduler (one leader among all processes); off: run `consult scheduler` separately.",
    ),
    SettingDoc(
        "SCHEDULER_POLL_SECONDS",
        "30",
        "How often the scheduler looks for due work, and how soon a standby takes over from a leader that died.",
    ),
    SettingDoc(
        "RETENTION_DAYS",
        "365",
        "Days after a call's outcome is published before the retention job removes its drafts and withdrawn responses and anonymises its unpublished responses.",
    ),
    SettingDoc(
        "SENT_MAIL_DAYS",
        "90",
        "Days a sent message (which may hold a copy of someone's answers) stays in the outbox before the retention job deletes it.",
    ),
    SettingDoc(
        "PUBLIC_FRESHNESS_SECONDS",
        "5",
        "Seconds each web process reuses public figures (a calendar feed's fingerprint, a call's number of published responses and their countries) before asking the database again (0: every time).",
    ),
    SettingDoc("LOG_LEVEL", "info", "debug, info, warning or error."),
)


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    secret_key: Secret
    base_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    forwarded_allow_ips: str = "127.0.0.1"
    smtp_url: str = ""
    mail_from: str = "QIST Consult <no-reply@localhost>"
    session_idle_minutes: int = 480
    session_max_hours: int = 24
    two_step_required: bool = True
    verify_link_hours: int = 48
    reset_link_minutes: int = 60
    signin_limit: Limit = field(default_factory=lambda: Limit(5, 900))
    signin_account_limit: Limit = field(default_factory=lambda: Limit(30, 900, 86400))
    signup_limit: Limit = field(default_factory=lambda: Limit(5, 3600))
    mail_limit: Limit = field(default_factory=lambda: Limit(3, 3600))
    upload_max_mb: int = 10
    upload_max_files: int = 5
    comment_limit: Limit = field(default_factory=lambda: Limit(10, 3600))
    not_me_limit: Limit = field(default_factory=lambda: Limit(5, 3600))
    api_read_limit: Limit = field(default_factory=lambda: Limit(600, 60))
    api_token_limit: Limit = field(default_factory=lambda: Limit(60, 3600))
    api_address_limit: Limit = field(default_factory=lambda: Limit(120, 3600))
    max_request_mb: int = 25
    scheduler: bool = True
    scheduler_poll_seconds: int = 30
    retention_days: int = 365
    sent_mail_days: int = 90
    public_freshness_seconds: int = 5
    log_level: str = "info"

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def mail(self) -> MailSettings:
        return MailSettings(self.mail_from, self.smtp_url, self.mail_dir)

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    def url_for_path(self, path: str) -> str:
        """An absolute URL for a path of this service (for emails, feeds and redirects)."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read the settings once; raise SettingsError with a human message on any bad value."""
    env_path = Path(env_file) if env_file else None
    config = Config(
        env_path if env_path and env_path.is_file() else None,
        environ=dict(os.environ if environ is None else environ),
    )
    try:
        return _build(config)
    except (EnvironError, ValueError) as exc:
        raise SettingsError(str(exc)) from None


def _build(config: Config) -> Settings:
    env = config("ENV", default="development").strip().lower()
    if env not in {"development", "test", "production"}:
        raise SettingsError(f"ENV must be development, test or production; got {env!r}")
    data_dir = Path(config("DATA_DIR", default="./data")).expanduser().resolve()
    database_url = config("DATABASE_URL", default="") or f"sqlite://{data_dir / 'consult.sqlite3'}"
    _check_database_url(database_url)
    base_url = config("BASE_URL", default="").rstrip("/")
    if env == "production" and not base_url:
        raise SettingsError(
            "BASE_URL is required when ENV=production (e.g. https://consult.example.gov)"
        )
    port = config("PORT", cast=int, default=8000)
    base_url = base_url or f"http://127.0.0.1:{port}"
    if urlsplit(base_url).scheme not in {"http", "https"}:
        raise SettingsError(f"BASE_URL must start with http:// or https://; got {base_url!r}")
    smtp_url = config("SMTP_URL", default="")
    if smtp_url and urlsplit(smtp_url).scheme not in {"smtp", "smtps"}:
        raise SettingsError(f"SMTP_URL must start with smtp:// or smtps://; got {smtp_url!r}")
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(config, env, data_dir),
        base_url=base_url,
        host=config("HOST", default="127.0.0.1"),
        port=port,
        workers=config("WORKERS", cast=int, default=1),
        forwarded_allow_ips=config("FORWARDED_ALLOW_IPS", default="127.0.0.1"),
        smtp_url=smtp_url,
        mail_from=config("MAIL_FROM", default="QIST Consult <no-reply@localhost>"),
        session_idle_minutes=config("SESSION_IDLE_MINUTES", cast=int, default=480),
        session_max_hours=config("SESSION_MAX_HOURS", cast=int, default=24),
        two_step_required=_two_step_required(config, env),
        verify_link_hours=config("VERIFY_LINK_HOURS", cast=int, default=48),
        reset_link_minutes=config("RESET_LINK_MINUTES", cast=int, default=60),
        signin_limit=_limit(config, "SIGNIN_LIMIT", "5/900"),
        signin_account_limit=_limit(config, "SIGNIN_ACCOUNT_LIMIT", "30/900/86400"),
        signup_limit=_limit(config, "SIGNUP_LIMIT", "5/3600"),
        mail_limit=_limit(config, "MAIL_LIMIT", "3/3600"),
        upload_max_mb=config("UPLOAD_MAX_MB", cast=int, default=10),
        upload_max_files=config("UPLOAD_MAX_FILES", cast=int, default=5),
        comment_limit=_limit(config, "COMMENT_LIMIT", "10/3600"),
        not_me_limit=_limit(config, "NOT_ME_LIMIT", "5/3600"),
        api_read_limit=_limit(config, "API_READ_LIMIT", "600/60"),
        api_token_limit=_limit(config, "API_TOKEN_LIMIT", "60/3600"),
        api_address_limit=_limit(config, "API_ADDRESS_LIMIT", "120/3600"),
        max_request_mb=config("MAX_REQUEST_MB", cast=int, default=25),
        scheduler=_switch(config, "SCHEDULER", default="on"),
        scheduler_poll_seconds=config("SCHEDULER_POLL_SECONDS", cast=int, default=30),
        retention_days=_positive(config, "RETENTION_DAYS", 365),
        sent_mail_days=_positive(config, "SENT_MAIL_DAYS", 90),
        public_freshness_seconds=config("PUBLIC_FRESHNESS_SECONDS", cast=int, default=5),
        log_level=config("LOG_LEVEL", default="info").lower(),
    )


def _two_step_required(config: Config, env: str) -> bool:
    required = _switch(config, "TWO_STEP_REQUIRED", default="on")
    if env == "production" and not required:
        raise SettingsError(
            "TWO_STEP_REQUIRED=off is refused when ENV=production: organisers and admins change "
            "what the public sees, so a password alone must not be enough"
        )
    return required


def _positive(config: Config, name: str, default: int) -> int:
    value = config(name, cast=int, default=default)
    if value < 1:
        raise SettingsError(f"{name} must be a whole number of days, 1 or more; got {value}")
    return value


def _switch(config: Config, name: str, default: str) -> bool:
    text = config(name, default=default).strip().lower()
    if text not in {"on", "off"}:
        raise SettingsError(f"{name} must be on or off; got {text!r}")
    return text == "on"


def _limit(config: Config, name: str, default: str) -> Limit:
    text = config(name, default=default)
    try:
        return Limit.parse(text)
    except ValueError:
        raise SettingsError(
            f"{name} must look like ATTEMPTS/SECONDS or ATTEMPTS/SECONDS/LONGEST, e.g. {default}; "
            f"got {text!r}"
        ) from None


def _check_database_url(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}:
        raise SettingsError(f"DATABASE_URL must start with sqlite:// or postgres://; got {url!r}")


def _secret_key(config: Config, env: str, data_dir: Path) -> Secret:
    value = str(config("SECRET_KEY", default=""))
    if value:
        if len(value) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return Secret(value)
    if env == "production":
        raise SettingsError(
            "SECRET_KEY is required when ENV=production "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    # Development: one key per data folder, generated once, so sessions survive restarts.
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    return Secret(key_file.read_text(encoding="utf-8").strip())
