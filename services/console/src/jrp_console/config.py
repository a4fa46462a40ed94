"""Settings of the console (env prefix `JRP_CONSOLE_`). It keeps no database: every page reads
and writes through the four services' published HTTP APIs with the signed-in officer's token,
so any number of replicas answer alike (the session is a signed cookie, not server state)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JRP_CONSOLE_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = 8000
    registry_url: str = Field(default="http://127.0.0.1:8001", max_length=200)
    trigger_url: str = Field(default="http://127.0.0.1:8002", max_length=200)
    enforcement_url: str = Field(default="http://127.0.0.1:8003", max_length=200)
    appeals_url: str = Field(default="http://127.0.0.1:8004", max_length=200)
    session_secret_file: Path = Field(
        default=Path("var/console-session-secret"),
        description="signs the session cookie; the same file on every replica (created 0600 "
        "when missing)",
    )
    cookie_secure: bool = Field(
        default=False,
        description="mark the session cookie Secure (true behind HTTPS, as in production)",
    )
    session_max_age_seconds: int = Field(
        default=8 * 3600,
        ge=60,
        le=24 * 3600,
        description="the cookie's life; the officer's "
        "token inside it expires on its own schedule (registry's officer_token_ttl_seconds)",
    )
    upstream_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    max_form_bytes: int = Field(default=64 * 1024, ge=1024, description="a form post's limit")
    max_upload_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="a bulk file's limit (one chunk's post)"
    )
    sign_in_failures_per_address: str = Field(
        default="10/minute",
        description="failed sign-ins one browser address may make before the console answers "
        "429 itself (the registry sees every officer come from the console's address, so the "
        "console counts per real caller; the registry's per-username lockout still holds)",
    )
    throttle_storage_uri: str = Field(
        default="async+memory://",
        description="`limits` storage of that count; a shared one (async+redis://…) holds it "
        "across replicas",
    )
    calendar_refresh_seconds: float = Field(default=600.0, ge=1.0)
    log_json: bool = True
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        max_length=200,
        description="OpenTelemetry collector's OTLP/HTTP base URL (traces go to …/v1/traces). "
        "Unset: tracing is off. Set: a span per page and per call to a service, whose "
        "`traceparent` the call carries (docs/operations.md, Tracing)",
    )
    otel_service_name: str = Field(
        default="jrp-console", max_length=100, description="service.name of the spans"
    )
    otel_traces_sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of new traces recorded; a trace begun by the caller follows its "
        "traceparent's sampled flag",
    )
