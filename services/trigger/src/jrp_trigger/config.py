"""Trigger settings: environment variables prefixed JRP_TRIGGER_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings


class TriggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_TRIGGER_", extra="ignore", frozen=True)

    service_name: str = "trigger"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/trigger.db"
