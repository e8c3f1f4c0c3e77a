"""Settings: defaults, production requirements, clear errors, and every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from base.settings import SETTINGS, SettingsError, load_settings

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


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "must start with sqlite:// or postgres://"),
        ("SECRET_KEY", "short", "at least 32 characters"),
        ("PORT", "eighty", "PORT"),
        ("SIGNIN_LIMIT", "five", "ATTEMPTS/SECONDS"),
        ("SMTP_URL", "http://mail", "smtp://"),
        ("ENV", "staging", "development, test or production"),
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


def test_every_setting_is_in_env_example_and_the_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    source = (ROOT / "base" / "settings.py").read_text()
    read_in_code = set(
        re.findall(
            r'(?:config|_limit\(config,|_switch\(config,|_positive\(config,)\(?\s*"([A-Z_]+)"',
            source,
        )
    )

    documented = {setting.name for setting in SETTINGS}

    assert read_in_code == documented
    for name in documented:
        assert re.search(rf"^#?\s*{name}=", example, re.MULTILINE), (
            f"{name} missing from .env.example"
        )
        assert f"`{name}`" in readme, f"{name} missing from README.md"
