"""Settings of the HTTP API (``TDKT_*`` variables), kept apart from the engine's settings."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", env_file=".env", extra="ignore")

    # HS256 signing secret for access tokens; the default is for development only.
    jwt_secret: str = Field(default="tdkt-development-jwt-secret-change-me", min_length=16)
    token_minutes: int = Field(default=480, gt=0)  # one working day
    # Sign-in rate limit: this many failures per username within the window → 429.
    login_max_failures: int = Field(default=5, gt=0)
    login_window_minutes: int = Field(default=15, gt=0)
    # Evidence files accepted as attachments.
    attachment_types: tuple[str, ...] = (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/jpeg",
        "image/png",
    )
    page_size_max: int = Field(default=200, gt=0)


@functools.lru_cache(maxsize=1)
def get_api_settings() -> ApiSettings:
    return ApiSettings()
