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
    http_max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1_024,
        description="request bodies (413 past it): a batch must-check of 100,000 codes is "
        "about 2.2 MB",
    )
    expiry_interval_seconds: float = Field(
        default=60.0, gt=0, description="how often entries whose period ended are expired"
    )
    reminder_sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often orders past their receipt or feedback due day are looked for, to "
        "remind the department and escalate to the office (docs/loop.md; the escalation period "
        "is the list type's escalation.escalate_after_working_days)",
    )
    reminders_gauge_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often the open reminders and escalations, and the overdue orders, are "
        "counted for the jrp_reminders_open, jrp_escalations_open and jrp_orders_overdue gauges",
    )
    sanction_lag_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often the lag of the departments' consumer groups on their sanction "
        "topics is read from the broker (it lists every consumer group; docs/operations.md)",
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
    audit_seal_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often the must-check audit rows stored since are sealed into the "
        'hash chain (docs/must-check.md, "The audit chain")',
    )
    audit_seal_batch: int = Field(
        default=2_000,
        ge=1,
        le=100_000,
        description="audit rows sealed per transaction",
    )
    warning_key_areas: int = Field(
        default=3,
        ge=1,
        le=50,
        description="a subject on watch lists in this many distinct key areas or more is on "
        "the big-data warning list (DOMAIN.md §11; docs/warning-list.md)",
    )
