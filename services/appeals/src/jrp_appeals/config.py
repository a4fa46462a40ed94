"""Appeals settings: environment variables prefixed JRP_APPEALS_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings


class AppealsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_APPEALS_", extra="ignore", frozen=True)

    service_name: str = "appeals"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/appeals.db"
