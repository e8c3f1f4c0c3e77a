"""Every setting of the service, read once from the environment and an optional `.env` file.

`SETTINGS` is the single table of what can be configured; `.env.example`, the README and a test
are checked against it, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
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


def _text(setting: Setting, raw: str) -> str:
    return raw


def _lowered(setting: Setting, raw: str) -> str:
    return raw.strip().lower()


def _whole(setting: Setting, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{setting.name} must be a whole number; got {raw!r}") from None


def _days(setting: Setting, raw: str) -> int:
    value = _whole(setting, raw)
    if value < 1:
        raise SettingsError(
            f"{setting.name} must be a whole number of days, 1 or more; got {value}"
        )
    return value


def _switch(setting: Setting, raw: str) -> bool:
    text = raw.strip().lower()
    if text not in {"on", "off"}:
        raise SettingsError(f"{setting.name} must be on or off; got {text!r}")
    return text == "on"


def _limit(setting: Setting, raw: str) -> Limit:
    try:
        return Limit.parse(raw)
    except ValueError:
        raise SettingsError(
            f"{setting.name} must look like ATTEMPTS/SECONDS or ATTEMPTS/SECONDS/LONGEST, "
            f"e.g. {setting.default}; got {raw!r}"
        ) from None


def _hashing_profile(setting: Setting, raw: str) -> str:
    text = raw.strip().lower()
    if text not in {"standard", "fast"}:
        raise SettingsError(f"{setting.name} must be standard or fast; got {text!r}")
    return text


@dataclass(frozen=True)
class Setting:
    """One setting, declared once: its environment variable, its default as `.env` writes it,
    what it does, and how its text becomes a value (`Settings` has one field per setting, named
    like the variable in lower case). `shown` is the README's default when the value is worked
    out at start (an empty default). A test checks README.md and .env.example against this."""

    name: str
    default: str
    help: str
    parse: Callable[[Setting, str], Any] = _text
    shown: str | None = None

    @property
    def field(self) -> str:
        return self.name.lower()

    def read(self, config: Config) -> Any:
        return self.parse(self, str(config(self.name, default=self.default)))


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ENV",
        "development",
        "development, test or production; production requires SECRET_KEY and BASE_URL.",
        parse=_lowered,
    ),
    Setting(
        "DATA_DIR",
        "./data",
        "Folder for the SQLite database, the generated secret key, uploads and mail written to files.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/NAME.",
        shown="`sqlite://DATA_DIR/consult.sqlite3`",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Signs session cookies and email links. Required when ENV=production.",
        shown="generated into `DATA_DIR/secret_key`",
    ),
    Setting(
        "BASE_URL",
        "",
        "Public address of the service, used in emails and calendar feeds; https turns on Secure cookies and HSTS.",
        shown="`http://127.0.0.1:PORT`",
    ),
    Setting("HOST", "127.0.0.1", "Address `consult serve` listens on."),
    Setting("PORT", "8000", "Port `consult serve` listens on.", parse=_whole),
    Setting(
        "WORKERS",
        "1",
        "Number of web processes `consult serve` starts (use PostgreSQL for more than one).",
        parse=_whole,
    ),
    Setting(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
    ),
    Setting(
        "SMTP_URL",
        "",
        "smtp://USER:PASSWORD@HOST:PORT (STARTTLS when offered) or smtps://… for implicit TLS.",
        shown="empty",
    ),
    Setting("MAIL_FROM", "QIST Consult <no-reply@localhost>", "Sender address of every email."),
    Setting(
        "SESSION_IDLE_MINUTES",
        "480",
        "A signed-in session ends after this many minutes without a request.",
        parse=_whole,
    ),
    Setting(
        "SESSION_MAX_HOURS",
        "24",
        "A signed-in session ends this many hours after signing in, however active.",
        parse=_whole,
    ),
    Setting(
        "TWO_STEP_REQUIRED",
        "on",
        "on: organisers and admins must set up two-step sign-in (an authenticator app) before using the workspace; off: it stays optional for everyone. Always on when ENV=production.",
        parse=_switch,
    ),
    Setting(
        "VERIFY_LINK_HOURS", "48", "How long an email verification link stays valid.", parse=_whole
    ),
    Setting(
        "RESET_LINK_MINUTES", "60", "How long a password reset link stays valid.", parse=_whole
    ),
    Setting(
        "SIGNIN_LIMIT",
        "5/900",
        "Failed sign-ins allowed per account from one address, and per address x4 across accounts, in a window of seconds (attempts/seconds); also wrong two-step codes per pending sign-in.",
        parse=_limit,
    ),
    Setting(
        "SIGNIN_ACCOUNT_LIMIT",
        "30/900/86400",
        "Failed sign-ins allowed per account from every address together, and wrong two-step codes per account (attempts/seconds/longest): each window that fills up is followed by one twice as long, up to the longest.",
        parse=_limit,
    ),
    Setting(
        "SIGNUP_LIMIT",
        "5/3600",
        "Sign-ups allowed per address in a window of seconds (attempts/seconds).",
        parse=_limit,
    ),
    Setting(
        "MAIL_LIMIT",
        "3/3600",
        "Verification and reset emails one address may ask for in a window of seconds.",
        parse=_limit,
    ),
    Setting(
        "UPLOAD_MAX_MB",
        "10",
        "Largest file a person may upload with a response or an organiser with a call, in megabytes.",
        parse=_whole,
    ),
    Setting("UPLOAD_MAX_FILES", "5", "Most files one response may carry.", parse=_whole),
    Setting(
        "COMMENT_LIMIT",
        "10/3600",
        "Comments one person may post in a window of seconds (attempts/seconds).",
        parse=_limit,
    ),
    Setting(
        "NOT_ME_LIMIT",
        "5/3600",
        "“This was not me” reports one address may send in a window of seconds (attempts/seconds).",
        parse=_limit,
    ),
    Setting(
        "API_READ_LIMIT",
        "600/60",
        "JSON API reads one address may make in a window of seconds, counted in each web process.",
        parse=_limit,
    ),
    Setting(
        "API_TOKEN_LIMIT",
        "60/3600",
        "JSON API writes one API token may make in a window of seconds.",
        parse=_limit,
    ),
    Setting(
        "API_ADDRESS_LIMIT",
        "120/3600",
        "JSON API writes one address may make in a window of seconds.",
        parse=_limit,
    ),
    Setting(
        "MAX_REQUEST_MB",
        "25",
        "Largest request body accepted, in megabytes; larger ones get 413 before they are read.",
        parse=_whole,
    ),
    Setting(
        "SCHEDULER",
        "on",
        "on: `consult serve` also runs the scheduler (one leader among all processes); off: run `consult scheduler` separately.",
        parse=_switch,
    ),
    Setting(
        "SCHEDULER_POLL_SECONDS",
        "30",
        "How often the scheduler looks for due work, and how soon a standby takes over from a leader that died.",
        parse=_whole,
    ),
    Setting(
        "RETENTION_DAYS",
        "365",
        "Days after a call's outcome is published before the retention job removes its drafts and withdrawn responses and anonymises its unpublished responses.",
        parse=_days,
    ),
    Setting(
        "SENT_MAIL_DAYS",
        "90",
        "Days a sent message (which may hold a copy of someone's answers) stays in the outbox before the retention job deletes it.",
        parse=_days,
    ),
    Setting(
        "PUBLIC_FRESHNESS_SECONDS",
        "5",
        "Seconds each web process reuses public figures (a calendar feed's fingerprint, a call's number of published responses and their countries) before asking the database again (0: every time).",
        parse=_whole,
    ),
    Setting(
        "PASSWORD_HASHING",
        "standard",
        "standard: Argon2id with RFC 9106's second recommended parameters (3 passes over 64 MiB; about 0.3 s of a core per sign-in); fast: one pass over 64 KiB, for test suites only, refused when ENV=production.",
        parse=_hashing_profile,
    ),
    Setting("LOG_LEVEL", "info", "debug, info, warning or error.", parse=_lowered),
)


@dataclass(frozen=True)
class Settings:
    """Every setting's value (one field per entry of SETTINGS), read once at start."""

    env: str
    data_dir: Path
    database_url: str
    secret_key: Secret
    base_url: str
    host: str
    port: int
    workers: int
    forwarded_allow_ips: str
    smtp_url: str
    mail_from: str
    session_idle_minutes: int
    session_max_hours: int
    two_step_required: bool
    verify_link_hours: int
    reset_link_minutes: int
    signin_limit: Limit
    signin_account_limit: Limit
    signup_limit: Limit
    mail_limit: Limit
    upload_max_mb: int
    upload_max_files: int
    comment_limit: Limit
    not_me_limit: Limit
    api_read_limit: Limit
    api_token_limit: Limit
    api_address_limit: Limit
    max_request_mb: int
    scheduler: bool
    scheduler_poll_seconds: int
    retention_days: int
    sent_mail_days: int
    public_freshness_seconds: int
    password_hashing: str
    log_level: str

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
    values = {setting.field: setting.read(config) for setting in SETTINGS}
    env = values["env"]
    if env not in {"development", "test", "production"}:
        raise SettingsError(f"ENV must be development, test or production; got {env!r}")
    data_dir = Path(values["data_dir"]).expanduser().resolve()
    database_url = values["database_url"] or f"sqlite://{data_dir / 'consult.sqlite3'}"
    _check_database_url(database_url)
    base_url = values["base_url"].rstrip("/")
    if env == "production" and not base_url:
        raise SettingsError(
            "BASE_URL is required when ENV=production (e.g. https://consult.example.gov)"
        )
    base_url = base_url or f"http://127.0.0.1:{values['port']}"
    if urlsplit(base_url).scheme not in {"http", "https"}:
        raise SettingsError(f"BASE_URL must start with http:// or https://; got {base_url!r}")
    smtp_url = values["smtp_url"]
    if smtp_url and urlsplit(smtp_url).scheme not in {"smtp", "smtps"}:
        raise SettingsError(f"SMTP_URL must start with smtp:// or smtps://; got {smtp_url!r}")
    if env == "production" and not values["two_step_required"]:
        raise SettingsError(
            "TWO_STEP_REQUIRED=off is refused when ENV=production: organisers and admins change "
            "what the public sees, so a password alone must not be enough"
        )
    if env == "production" and values["password_hashing"] == "fast":  # noqa: S105 (a profile name, not a password)
        raise SettingsError(
            "PASSWORD_HASHING=fast is refused when ENV=production: it makes stolen password "
            "hashes cheap to guess"
        )
    values.update(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(values["secret_key"], env, data_dir),
        base_url=base_url,
    )
    return Settings(**values)


def _check_database_url(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}:
        raise SettingsError(f"DATABASE_URL must start with sqlite:// or postgres://; got {url!r}")


def _secret_key(value: str, env: str, data_dir: Path) -> Secret:
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
