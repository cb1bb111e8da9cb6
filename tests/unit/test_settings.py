"""Typed settings: defaults, ``TDKT_*`` overrides and validation naming the field."""

from __future__ import annotations

import json
import os
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from config.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No stray ``TDKT_*`` variable or ``.env`` of the developer's machine leaks into a test."""
    for name in list(os.environ):
        if name.upper().startswith("TDKT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _field_errors(exc: ValidationError) -> dict[tuple, str]:
    return {tuple(e["loc"]): e["msg"] for e in exc.errors()}


def test_defaults():
    s = Settings()
    assert s.database_url == "sqlite:///var/tdkt.db"
    assert s.database_url.startswith("sqlite:")
    assert s.timezone == "Asia/Ho_Chi_Minh"
    assert s.zone == ZoneInfo("Asia/Ho_Chi_Minh")
    assert s.smtp_port == 8025
    assert s.prefect_api_url is None
    assert s.audit_key_id in s.audit_keys


def test_env_vars_with_prefix_override(monkeypatch):
    monkeypatch.setenv("TDKT_DATABASE_URL", "sqlite:////srv/tdkt/tdkt.db")
    monkeypatch.setenv("TDKT_TIMEZONE", "Asia/Bangkok")
    monkeypatch.setenv("TDKT_BASE_URL", "https://tdkt.example")
    monkeypatch.setenv("TDKT_SMTP_PORT", "2525")
    monkeypatch.setenv("TDKT_SMTP_STARTTLS", "true")
    monkeypatch.setenv("TDKT_PREFECT_API_URL", "http://127.0.0.1:4200/api")
    s = Settings()
    assert s.database_url == "sqlite:////srv/tdkt/tdkt.db"
    assert s.timezone == "Asia/Bangkok"
    assert s.zone == ZoneInfo("Asia/Bangkok")
    assert s.base_url == "https://tdkt.example"
    assert s.smtp_port == 2525
    assert s.smtp_starttls is True
    assert s.prefect_api_url == "http://127.0.0.1:4200/api"


def test_env_var_names_are_case_insensitive(monkeypatch):
    monkeypatch.setenv("tdkt_base_url", "https://lower.example")
    assert Settings().base_url == "https://lower.example"


def test_unprefixed_env_vars_are_ignored(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    monkeypatch.setenv("TIMEZONE", "UTC")
    s = Settings()
    assert s.database_url == "sqlite:///var/tdkt.db"
    assert s.timezone == "Asia/Ho_Chi_Minh"


def test_dotenv_in_the_working_directory_is_read(tmp_path):
    # The autouse fixture moved us to tmp_path, so only this .env can be read.
    (tmp_path / ".env").write_text("TDKT_BASE_URL=https://from-dotenv.example\n", encoding="utf-8")
    assert Settings().base_url == "https://from-dotenv.example"


def test_env_var_beats_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("TDKT_BASE_URL=https://from-dotenv.example\n", encoding="utf-8")
    monkeypatch.setenv("TDKT_BASE_URL", "https://from-env.example")
    assert Settings().base_url == "https://from-env.example"


def test_postgresql_url_is_normalised_to_psycopg(monkeypatch):
    monkeypatch.setenv("TDKT_DATABASE_URL", "postgresql://tdkt:secret@db:5432/tdkt")
    assert Settings().database_url == "postgresql+psycopg://tdkt:secret@db:5432/tdkt"


def test_psycopg_url_is_kept(monkeypatch):
    monkeypatch.setenv("TDKT_DATABASE_URL", "postgresql+psycopg://tdkt@db/tdkt")
    assert Settings().database_url == "postgresql+psycopg://tdkt@db/tdkt"


@pytest.mark.parametrize(
    "url",
    ["mysql://tdkt@db/tdkt", "postgres://tdkt@db/tdkt", "postgresql+asyncpg://tdkt@db/tdkt", "tdkt.db"],
)
def test_unsupported_database_url_names_the_field(monkeypatch, url):
    monkeypatch.setenv("TDKT_DATABASE_URL", url)
    with pytest.raises(ValidationError) as info:
        Settings()
    errors = _field_errors(info.value)
    assert list(errors) == [("database_url",)]
    assert "TDKT_DATABASE_URL" in errors[("database_url",)]
    assert "database_url" in str(info.value)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Hanoi ", "../etc/passwd", ""])
def test_unknown_time_zone_names_the_field(monkeypatch, zone):
    monkeypatch.setenv("TDKT_TIMEZONE", zone)
    with pytest.raises(ValidationError) as info:
        Settings()
    errors = _field_errors(info.value)
    assert list(errors) == [("timezone",)]
    assert "unknown time zone" in errors[("timezone",)]
    assert "timezone" in str(info.value)


def test_time_zone_that_is_a_directory_is_a_validation_error(monkeypatch):
    # Regression: ZoneInfo("Asia") raises IsADirectoryError, which once escaped the validator.
    monkeypatch.setenv("TDKT_TIMEZONE", "Asia")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert list(_field_errors(info.value)) == [("timezone",)]
    assert "unknown time zone 'Asia'" in str(info.value)


def test_smtp_port_out_of_range(monkeypatch):
    monkeypatch.setenv("TDKT_SMTP_PORT", "70000")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert list(_field_errors(info.value)) == [("smtp_port",)]


def test_audit_keys_as_json_with_listed_key_id(monkeypatch):
    keys = {"2025-01": "old-secret", "2025-07": "new-secret"}
    monkeypatch.setenv("TDKT_AUDIT_KEYS", json.dumps(keys))
    monkeypatch.setenv("TDKT_AUDIT_KEY_ID", "2025-07")
    s = Settings()
    assert s.audit_keys == keys
    assert s.audit_key_id == "2025-07"


def test_audit_key_id_not_in_audit_keys_fails(monkeypatch):
    monkeypatch.setenv("TDKT_AUDIT_KEYS", json.dumps({"2025-07": "new-secret"}))
    monkeypatch.setenv("TDKT_AUDIT_KEY_ID", "2024-01")
    with pytest.raises(ValidationError) as info:
        Settings()
    message = str(info.value)
    assert "TDKT_AUDIT_KEY_ID='2024-01'" in message
    assert "TDKT_AUDIT_KEYS" in message


def test_replacing_audit_keys_drops_the_default_dev_key(monkeypatch):
    # With the key id left at its default ("dev"), a production key set without "dev" fails fast.
    monkeypatch.setenv("TDKT_AUDIT_KEYS", json.dumps({"prod": "secret"}))
    with pytest.raises(ValidationError, match="TDKT_AUDIT_KEY_ID='dev'"):
        Settings()


def test_audit_keys_not_json_fails(monkeypatch):
    monkeypatch.setenv("TDKT_AUDIT_KEYS", "prod=secret")
    with pytest.raises(SettingsError) as info:
        Settings()
    assert '"audit_keys"' in str(info.value)
