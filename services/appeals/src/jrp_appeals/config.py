"""Appeals settings: environment variables prefixed JRP_APPEALS_.

The deadlines are the defaults of the policy documents (DOMAIN.md §7, §11); they belong here,
never in code, so a province that sets other numbers changes data, not the service.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings
from jrp_shared.throttle import check_rate


class AppealsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_APPEALS_", extra="ignore", frozen=True)

    service_name: str = "appeals"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/appeals.db"

    objection_decision_working_days: int = Field(
        default=20,
        ge=1,
        le=365,
        description="the information provider answers an objection within this many working "
        "days (000 (二十四), 004 三(五))",
    )
    complaint_window_working_days: int = Field(
        default=15,
        ge=1,
        le=365,
        description="a subject may complain within this many working days of the objection's "
        "decision (002 二(三)2)",
    )
    complaint_decision_working_days: int = Field(
        default=20,
        ge=1,
        le=365,
        description="the joint conference office decides a complaint within this many working days",
    )
    office_department: str = Field(
        default="credit-office",
        min_length=1,
        max_length=32,
        description="the joint conference office's department code: reminded of complaints it "
        "must decide and of repairs its credit portal must forward (docs/due-process.md); gets the "
        "whistle-blower reports no department is responsible for (docs/whistleblowers.md)",
    )
    reminder_sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often cases and repair stages past their due day are looked for, to "
        "remind the department that must decide and escalate to the office (the period is the "
        "list type's escalation.escalate_after_working_days)",
    )
    reminders_gauge_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often the open reminders and escalations are counted for the "
        "jrp_reminders_open and jrp_escalations_open gauges",
    )
    repairs_overdue_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often the repairs late at their stage, and the cases late, are counted "
        "for the jrp_repairs_overdue and jrp_cases_overdue gauges (the stages' working days are "
        "catalog data, DOMAIN.md §11)",
    )
    exit_sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often entries whose period ended are looked for, to send their exit "
        "notices (DOMAIN.md §11)",
    )

    # --- whistle-blower reports (DOMAIN.md §9; docs/whistleblowers.md) ---------------------------
    whistleblower_decision_working_days: int = Field(
        default=20,
        ge=1,
        le=365,
        description="the department a whistle-blower report is routed to decides it within this "
        "many working days of its submission (listed overdue after)",
    )
    public_rate_limit: str = Field(
        default="30/minute",
        description="requests one caller address may make to the public (no token) whistle-blower "
        "routes, submitting and following together (a `limits` rate); more get 429 with "
        "Retry-After",
    )
    whistleblower_code_failures: str = Field(
        default="10/hour",
        description="wrong query codes allowed per caller address and per report number (a "
        "`limits` rate); past it, 429 with Retry-After, even for the right code",
    )
    public_rate_limit_storage: str = Field(
        default="async+memory://",
        description="`limits` storage URI of the public limits; per process by default, a shared "
        "one (async+redis://…) holds them across replicas",
    )
    whistleblower_attachment_max_count: int = Field(default=5, ge=0, le=50)
    whistleblower_attachment_max_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="one evidence attachment, decoded"
    )
    whistleblower_attachments_max_total_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="all of a report's attachments, decoded"
    )
    whistleblower_attachment_types: frozenset[str] = Field(
        default=frozenset({"image/jpeg", "image/png", "application/pdf", "text/plain"}),
        description="content types accepted as evidence (JSON list)",
    )
    whistleblower_identity_key_files: dict[str, Path] = Field(
        default_factory=dict,
        description="key id → file holding a 32-byte AES key (raw, hex or base64) that seals "
        "reporters' identities (JSON object). Keep the old keys listed after a rotation: the "
        "identities they sealed still open. None: a random key per process (development only)",
    )
    whistleblower_identity_key_id: str | None = Field(
        default=None,
        description="the key id that seals new identities (required with several keys)",
    )

    @field_validator("public_rate_limit", "whistleblower_code_failures")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return check_rate(value)

    def whistleblower_body_limit(self) -> int:
        """The submit route's body limit: the attachments base64-encoded, and the rest."""
        return -(-self.whistleblower_attachments_max_total_bytes * 4 // 3) + 256 * 1024
