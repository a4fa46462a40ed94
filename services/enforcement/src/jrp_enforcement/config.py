"""Enforcement settings: environment variables prefixed JRP_ENFORCEMENT_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings


class EnforcementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_ENFORCEMENT_", extra="ignore", frozen=True)

    service_name: str = "enforcement"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/enforcement.db"
    expiry_interval_seconds: float = Field(
        default=60.0, gt=0, description="how often entries whose period ended are expired"
    )
    batch_max_codes_per_mask: int = Field(
        default=50,
        ge=1,
        le=100_000,
        description="resident IDs of one batch check that may share a masked pattern (first 6 "
        "and last 4 characters); more are refused with 422 as an enumeration (docs/security.md)",
    )
    batch_flag_persons_over: int = Field(
        default=1_000,
        ge=0,
        le=100_000,
        description="a batch check with more natural-person codes is flagged for the office "
        "(GET /v1/check-batches?flagged=true, metric jrp_check_batches_total)",
    )
