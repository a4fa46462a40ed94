"""Typed settings every service shares; each service subclasses with its own env prefix.

Nothing here is read at import time: a service builds its settings in `create_app()` /
its CLI and passes them down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base for `RegistrySettings`, `TriggerSettings`, … (env prefix `JRP_<SERVICE>_`)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/service.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…",
    )
    bus: Literal["embedded", "kafka"] = "embedded"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = Field(
        default=3,
        ge=1,
        le=1_000,
        description="partitions of each topic this service creates; bounds the replicas that "
        "share a topic's consumer group",
    )
    kafka_compression: Literal["none", "gzip", "lz4", "zstd"] = Field(
        default="lz4", description="how the producer compresses its batches"
    )
    kafka_linger_ms: int = Field(
        default=5, ge=0, le=1_000, description="how long the producer waits to fill a batch"
    )
    embedded_bus_path: Path = Path("var/bus.sqlite3")
    topic_namespace: str = Field(
        default="jrp",
        pattern=r"^[a-z][a-z0-9-]{0,30}$",
        description="prefix of every topic name, so environments can share a broker",
    )

    auth_public_key_file: Path | None = Field(
        default=None,
        description="the public keys that verify the registry's access tokens: one or more PEM "
        "keys, or a JWKS document (the registry's /.well-known/jwks.json saved)",
    )
    auth_jwks_url: str | None = Field(
        default=None,
        description="the registry's key set (…/.well-known/jwks.json), fetched at start when "
        "no key file is set and again every auth_jwks_refresh_seconds, so a new signing key is "
        "accepted without a restart (docs/security.md, key rotation)",
    )
    auth_jwks_refresh_seconds: float = Field(default=300, gt=0, le=86_400)
    auth_issuer: str = "jrp-registry"
    auth_audience: str = "jrp"

    log_level: str = "INFO"
    log_json: bool = True

    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_idle_seconds: float = Field(default=0.2, gt=0)
    consumer_max_attempts: int = Field(default=3, ge=1, le=20)
    consumer_batch_size: int = Field(
        default=200, ge=1, le=5_000, description="records taken per transaction"
    )

    outbox_retention_hours: float = Field(
        default=7 * 24,
        gt=0,
        description="published outbox rows are deleted this long after publication",
    )
    inbox_retention_hours: float = Field(
        default=30 * 24,
        gt=0,
        description="inbox rows (processed event ids) are deleted this long after processing; "
        "must exceed the broker's retention, the consumer lag tolerated and the outbox "
        "retention (docs/architecture.md)",
    )
    retention_batch_size: int = Field(default=5_000, ge=1, le=100_000)
    retention_sweep_seconds: float = Field(default=3_600, gt=0, description="between sweeps")

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self) -> ServiceSettings:
        if self.inbox_retention_hours < self.outbox_retention_hours:
            raise ValueError(
                f"inbox_retention_hours ({self.inbox_retention_hours}) is shorter than "
                f"outbox_retention_hours ({self.outbox_retention_hours}): an outbox row "
                "replayed after its inbox row is gone would be taken twice"
            )
        return self

    @model_validator(mode="after")
    def _kafka_needs_servers(self) -> ServiceSettings:
        if self.bus == "kafka" and not self.kafka_bootstrap_servers.strip():
            raise ValueError("bus=kafka needs kafka_bootstrap_servers")
        return self

    def public_key_pem(self) -> str:
        """The key file's text: PEM public keys or a JWKS document."""
        if self.auth_public_key_file is None:
            raise ValueError(
                f"{self.service_name}: neither auth_public_key_file nor auth_jwks_url is set; "
                "every call must be attributed to a department, so a service cannot run "
                "without the registry's public keys"
            )
        return self.auth_public_key_file.read_text(encoding="utf-8")
