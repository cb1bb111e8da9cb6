"""Typed settings ("cấu hình vận hành"), read from ``TDKT_*`` environment variables or ``.env``."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", env_file=".env", extra="ignore")

    # SQLite is the embedded default; production uses postgresql+psycopg://…
    database_url: str = "sqlite:///var/tdkt.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    base_url: str = "http://127.0.0.1:8000"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "tdkt@hanoi.gov.vn.example"

    prefect_api_url: str | None = None

    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)

    # HMAC keys of the audit chain, by key id; new entries use ``audit_key_id``. Old keys stay
    # listed after a rotation so older entries still verify. The default is for development only.
    audit_keys: dict[str, str] = {"dev": "tdkt-development-audit-key-not-secret"}
    audit_key_id: str = "dev"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a directory: OSError
            raise ValueError(f"unknown time zone {value!r} (expected e.g. Asia/Ho_Chi_Minh)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite:", "postgresql+psycopg:")):
            raise ValueError("TDKT_DATABASE_URL must be sqlite:///… or postgresql+psycopg://…")
        return value

    @model_validator(mode="after")
    def _current_key_listed(self) -> "Settings":
        if self.audit_key_id not in self.audit_keys:
            raise ValueError(f"TDKT_AUDIT_KEY_ID={self.audit_key_id!r} is not in TDKT_AUDIT_KEYS")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
