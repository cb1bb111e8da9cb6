"""Settings of the pages (``TDKT_*`` variables)."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PREFECT_UI = "http://127.0.0.1:4200"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", env_file=".env", extra="ignore")

    # Where admins open the Prefect UI. Unset: the server of TDKT_PREFECT_API_URL (which
    # ``tdkt up`` sets for its own Prefect server), else the default local one.
    prefect_ui_url: str | None = None
    prefect_api_url: str | None = None
    # The admin page asks Prefect for its latest runs with this timeout, so a stopped server
    # costs the page at most this long.
    prefect_timeout_seconds: float = Field(default=1.5, gt=0, le=10)

    @property
    def prefect_ui(self) -> str:
        if self.prefect_ui_url:
            return self.prefect_ui_url.rstrip("/")
        if self.prefect_api_url:
            return self.prefect_api_url.rstrip("/").removesuffix("/api")
        return DEFAULT_PREFECT_UI

    @property
    def prefect_api(self) -> str:
        return (self.prefect_api_url or self.prefect_ui + "/api").rstrip("/")


@functools.lru_cache(maxsize=1)
def get_web_settings() -> WebSettings:
    return WebSettings()
