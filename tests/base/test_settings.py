"""Settings: defaults, production requirements, clear errors, and every setting documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from base.settings import SETTINGS, Limit, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_development_defaults_use_sqlite_in_the_data_folder_and_generate_a_key(
    tmp_path: Path,
) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)

    assert settings.env == "development"
    assert settings.database_url == f"sqlite://{tmp_path / 'consult.sqlite3'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    key_file = tmp_path / "secret_key"
    assert str(settings.secret_key) == key_file.read_text()
    assert len(str(settings.secret_key)) >= 48
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    assert str(again.secret_key) == str(settings.secret_key)


def test_production_requires_a_secret_key_and_a_base_url(tmp_path: Path) -> None:
    base = {"ENV": "production", "DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="BASE_URL is required"):
        load_settings(base, env_file=None)
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        load_settings({**base, "BASE_URL": "https://consult.example.gov"}, env_file=None)
    assert not (tmp_path / "secret_key").exists()

    settings = load_settings(
        {**base, "BASE_URL": "https://consult.example.gov", "SECRET_KEY": "k" * 40}, env_file=None
    )
    assert settings.https


def test_production_refuses_two_step_off(tmp_path: Path) -> None:
    production = {
        "ENV": "production",
        "DATA_DIR": str(tmp_path),
        "BASE_URL": "https://consult.example.gov",
        "SECRET_KEY": "k" * 40,
    }
    assert load_settings(production, env_file=None).two_step_required
    with pytest.raises(SettingsError, match="TWO_STEP_REQUIRED=off is refused"):
        load_settings({**production, "TWO_STEP_REQUIRED": "off"}, env_file=None)
    development = {"DATA_DIR": str(tmp_path), "TWO_STEP_REQUIRED": "off"}
    assert not load_settings(development, env_file=None).two_step_required


def test_production_refuses_fast_password_hashing(tmp_path: Path) -> None:
    production = {
        "ENV": "production",
        "DATA_DIR": str(tmp_path),
        "BASE_URL": "https://consult.example.gov",
        "SECRET_KEY": "k" * 40,
    }
    assert load_settings(production, env_file=None).password_hashing == "standard"
    with pytest.raises(SettingsError, match="PASSWORD_HASHING=fast is refused"):
        load_settings({**production, "PASSWORD_HASHING": "fast"}, env_file=None)
    test = {"ENV": "test", "DATA_DIR": str(tmp_path), "PASSWORD_HASHING": "Fast"}
    assert load_settings(test, env_file=None).password_hashing == "fast"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "must start with sqlite:// or postgres://"),
        ("SECRET_KEY", "short", "at least 32 characters"),
        ("PORT", "eighty", "PORT"),
        ("SIGNIN_LIMIT", "five", "ATTEMPTS/SECONDS"),
        ("SMTP_URL", "http://mail", "smtp://"),
        ("ENV", "staging", "development, test or production"),
        ("PASSWORD_HASHING", "none", "PASSWORD_HASHING must be standard or fast"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_the_setting(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings({"DATA_DIR": str(tmp_path), name: value}, env_file=None)


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATA_DIR={tmp_path}\nPORT=9001\nMAIL_FROM=Dotenv <d@example.org>\n")

    settings = load_settings({"PORT": "9002"}, env_file=env_file)

    assert (settings.port, settings.mail_from) == (9002, "Dotenv <d@example.org>")


def test_every_setting_is_declared_once_and_documented_with_its_default() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()

    # One field of Settings per entry of the table, read by the table's own parser and default.
    assert {field.name for field in dataclasses.fields(Settings)} == {
        setting.field for setting in SETTINGS
    }
    for setting in SETTINGS:
        written = re.search(rf"^{setting.name}=(.*)$", example, re.MULTILINE)
        assert written is not None, f"{setting.name} missing from .env.example"
        assert written[1] == setting.default, f".env.example gives {setting.name}={written[1]}"
        shown = setting.shown or f"`{setting.default}`"
        assert f"| `{setting.name}` | {shown} |" in readme, f"README's {setting.name} differs"


def test_each_default_in_the_table_is_the_value_an_empty_environment_gets(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)

    assert (settings.session_idle_minutes, settings.signin_account_limit) == (
        480,
        Limit(30, 900, 86400),
    )
    assert (settings.retention_days, settings.scheduler, settings.log_level) == (365, True, "info")
    assert settings.base_url == "http://127.0.0.1:8000"
