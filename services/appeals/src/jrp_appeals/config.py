"""Appeals settings: environment variables prefixed JRP_APPEALS_.

The deadlines are the defaults of the policy documents (DOMAIN.md §7, §11); they belong here,
never in code, so a province that sets other numbers changes data, not the service.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jrp_shared.settings import ServiceSettings


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
        "must decide and of repairs its credit portal must forward (docs/due-process.md)",
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
        description="how often the repairs late at their stage are counted for the "
        "jrp_repairs_overdue gauge (the stages' working days are catalog data, DOMAIN.md §11)",
    )
    exit_sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often entries whose period ended are looked for, to send their exit "
        "notices (DOMAIN.md §11)",
    )
