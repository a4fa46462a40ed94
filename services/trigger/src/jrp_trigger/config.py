"""Trigger settings: environment variables prefixed JRP_TRIGGER_."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings
from jrp_trigger.domain.publicity import PublicationPeriods


class TriggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_TRIGGER_", extra="ignore", frozen=True)

    service_name: str = "trigger"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/trigger.db"

    organisation_code_policy: Literal["warn", "reject"] = Field(
        default="warn",
        description="a USCC whose organisation-code check fails: accepted with a warning on the "
        "entry, or refused (DOMAIN.md §2: not confirmed that every real code passes it)",
    )
    recognition_expert_share: float = Field(
        default=0.5,
        ge=0.0,
        lt=1.0,
        description="recognition meetings: more than this share of the drawn experts must "
        "approve (with every convened department). 002 二(二)2 gives no number; a majority is "
        "the platform's default",
    )
    bulk_chunk_lines: int = Field(
        default=500, ge=1, le=5_000, description="bulk import: lines stored per transaction"
    )
    bulk_max_line_bytes: int = Field(
        default=256 * 1024, ge=1_024, description="bulk import: a longer line is refused"
    )
    bulk_max_lines: int = Field(
        default=100_000,
        ge=1,
        description="bulk import: lines read from one request; the rest is refused with one "
        "result (post them in another import)",
    )
    bulk_max_body_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1_024,
        description="bulk import: request body (413 past it); lines are read as they arrive, "
        "so this bounds the request's duration, not memory",
    )
    freeze_startup_objects: bool = Field(
        default=True,
        description="exempt the objects made at start-up from garbage collection (gc.freeze): "
        "bulk imports allocate many short-lived objects, and full collections re-scanning the "
        "frameworks' objects cost them about a fifth of their throughput",
    )
    deletions_overdue_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often jrp_deletions_overdue is counted from the database",
    )
    publicity_overdue_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often jrp_publicity_overdue is counted from the database",
    )
    publication_periods: PublicationPeriods = Field(
        default_factory=PublicationPeriods,
        description="double publicity: how long decisions are published, as data (JSON in "
        "JRP_TRIGGER_PUBLICATION_PERIODS): penalty tiers by severity (DOMAIN.md §11) and the "
        "licence period (a platform default, set it from the province's rule)",
    )
    publicity_bulk_max_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1_024,
        description="double publicity bulk post: request body (413 past it)",
    )
    publicity_bulk_max_lines: int = Field(
        default=5_000, ge=1, description="double publicity bulk post: decisions (413 past it)"
    )
    publicity_bulk_chunk_lines: int = Field(
        default=200, ge=1, le=5_000, description="double publicity bulk post: per transaction"
    )
    reports_overdue_refresh_seconds: float = Field(
        default=300.0,
        gt=0,
        description="how often jrp_monthly_reports_overdue is counted from the database",
    )
    report_max_departments: int = Field(
        default=300,
        ge=1,
        le=5_000,
        description="supervision reports: departments listed (the rest are counted in the "
        "total and the report says `truncated`)",
    )
    report_max_range_days: int = Field(
        default=366, ge=1, le=1_096, description="supervision reports: longest date range (422)"
    )
    exchange_enabled: bool = Field(
        default=True,
        description="exchange with the upper-level platform (DOMAIN.md §11; docs/exchange.md): "
        "every entry change becomes an exchange record on exchange.v1 (one more row and event "
        "per entry, bulk imports included); false: none are made",
    )
    exchange_deadline_working_days: int = Field(
        default=3,
        ge=1,
        le=60,
        description="an exchange record must be accepted within this many working days of the "
        "change (DOMAIN.md §11: results pushed to the other platforms within 3 working days)",
    )
    exchange_retry_seconds: float = Field(
        default=300.0,
        gt=0,
        description="a record not acknowledged is pushed again this long after its first push, "
        "then twice as long after each push (capped at a day)",
    )
    exchange_max_attempts: int = Field(
        default=10, ge=1, le=100, description="pushes of one record at most, the first included"
    )
    exchange_sweep_seconds: float = Field(
        default=30.0,
        gt=0,
        description="how often records due again are pushed and ended periods recorded as exits",
    )
    exchange_overdue_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often jrp_exchange_overdue is counted from the database",
    )
