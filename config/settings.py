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

    # Outbox drain (service/outbox.py). A failed send is retried after base × factor^(n-1)
    # seconds, capped at max; after max_attempts tries the message is marked failed. A message
    # left "sending" longer than the lease (a crash between send and mark) becomes "unknown" and
    # is never resent automatically. The defaults retry for about 20 hours before giving up.
    outbox_batch_size: int = Field(default=50, ge=1, le=1000)
    outbox_max_attempts: int = Field(default=12, ge=1, le=100)
    outbox_backoff_base_seconds: float = Field(default=60.0, gt=0)
    outbox_backoff_factor: float = Field(default=2.0, ge=1)
    outbox_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    outbox_lease_seconds: float = Field(default=900.0, gt=0)
    outbox_smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    prefect_api_url: str | None = None

    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # Lists count their matches up to this many and say "more than N" beyond it: an exact count
    # of the city's whole 100k-row table costs more than the page itself (bench/findings.md), and
    # nobody pages that far (filters narrow it). Elasticsearch caps its hit count the same way.
    list_total_cap: int = Field(default=10_000, ge=1)

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

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> "Settings":
        # One send may wait on connect, EHLO, MAIL, RCPT and DATA: the lease must cover many of them.
        if self.outbox_lease_seconds < 10 * self.outbox_smtp_timeout_seconds:
            raise ValueError(
                f"TDKT_OUTBOX_LEASE_SECONDS={self.outbox_lease_seconds:g} must be at least 10 × "
                f"TDKT_OUTBOX_SMTP_TIMEOUT_SECONDS ({self.outbox_smtp_timeout_seconds:g})"
            )
        if self.outbox_backoff_max_seconds < self.outbox_backoff_base_seconds:
            raise ValueError("TDKT_OUTBOX_BACKOFF_MAX_SECONDS must not be below TDKT_OUTBOX_BACKOFF_BASE_SECONDS")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
