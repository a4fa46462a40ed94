"""Typed settings every service shares; each service subclasses with its own env prefix.

Nothing here is read at import time: a service builds its settings in `create_app()` /
its CLI and passes them down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jrp_shared import limits
from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE


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
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description="how the clients reach the brokers: PLAINTEXT only on a trusted loopback "
        "(development, tests); SASL_SSL in production (docs/security.md, Kafka)",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] | None = Field(
        default=None, description="required with SASL_PLAINTEXT and SASL_SSL"
    )
    kafka_sasl_username: str | None = Field(
        default=None, max_length=255, description="this service's principal (SCRAM)"
    )
    kafka_sasl_password_file: Path | None = Field(
        default=None,
        description="file holding the SCRAM password (read when the clients start; the "
        "password itself is never a setting, so it is in no log, metric or error text)",
    )
    kafka_sasl_oauth_token_file: Path | None = Field(
        default=None,
        description="OAUTHBEARER: file holding the current access token, read again for every "
        "authentication (an agent of the platform's identity provider keeps it fresh)",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA bundle (PEM) that signed the brokers' certificates"
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="client certificate (PEM) for mutual TLS"
    )
    kafka_ssl_keyfile: Path | None = Field(default=None, description="its private key (PEM)")
    kafka_auto_create_topics: bool = Field(
        default=True,
        description="create a missing topic on first use (development, tests); false in "
        "production, where topics come only from `jrp-registry provision-topics` and a "
        "missing one is an error naming that command",
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, le=16, description="replicas of each topic (provision-topics)"
    )
    kafka_min_insync_replicas: int = Field(
        default=1,
        ge=1,
        le=16,
        description="replicas that must hold a message before the broker acknowledges it "
        "(with acks=all); at most the replication factor",
    )
    kafka_retention_hours: float = Field(
        default=7 * 24,
        gt=0,
        description="how long the broker keeps each message (provision-topics); the inbox "
        "horizon must exceed it",
    )
    kafka_key_secret_file: Path | None = Field(
        default=None,
        description="the platform secret (at least 32 bytes) keying the pseudonyms that stand "
        "for resident IDs in message keys and ce_subject; the same file for every service. "
        "Without it each process draws a random one (development only: the pseudonyms then "
        "differ between processes)",
    )
    embedded_bus_path: Path = Path("var/bus.sqlite3")
    topic_namespace: str = Field(
        default="jrp",
        pattern=r"^[a-z][a-z0-9-]{0,30}$",
        description="prefix of every topic name, so environments can share a broker",
    )

    event_schema_base_url: str = Field(
        default=DEFAULT_SCHEMA_BASE,
        min_length=1,
        max_length=300,
        pattern=r"^https?://",
        description="where the registry serves the events' JSON Schemas "
        "(…/schemas/events/): each event's ce_dataschema is this + its type + .json; the "
        "same value for every service of a deployment (docs/events.md)",
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

    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1_024,
        description="a request body over this is refused with 413 as it streams (chunked "
        "bodies too); routes that take more say so (bulk import)",
    )
    http_max_header_bytes: int = Field(
        default=16 * 1024, ge=1_024, description="request line and headers (431 past it)"
    )
    http_body_idle_seconds: float = Field(
        default=30, gt=0, description="longest wait for the next piece of a request body (408)"
    )
    http_keep_alive_seconds: int = Field(
        default=5, ge=1, description="an idle keep-alive connection is closed after this"
    )
    inbound_token_grace_seconds: float = Field(
        default=7 * 24 * 3600,
        ge=0,
        le=30 * 24 * 3600,
        description="a department's message may be taken this long after the broker stored "
        "it (LogAppendTime), if its token was valid then; otherwise its token must be valid "
        "when it is taken. The sender's ce_time never counts",
    )

    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="OpenTelemetry collector's OTLP/HTTP base URL (e.g. http://collector:4318; "
        "traces go to …/v1/traces). Unset: tracing is off, no span is made "
        "(docs/operations.md, Tracing)",
    )
    otel_service_name: str | None = Field(
        default=None, max_length=100, description="service.name of the spans; jrp-<service>"
    )
    otel_traces_sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of new traces recorded; a trace begun upstream follows its "
        "traceparent's sampled flag",
    )

    log_level: str = "INFO"
    log_json: bool = True

    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_idle_seconds: float = Field(default=0.2, gt=0)
    consumer_max_attempts: int = Field(default=3, ge=1, le=20)
    consumer_batch_size: int = Field(
        default=200, ge=1, le=5_000, description="records taken per transaction"
    )

    message_max_bytes: int = Field(
        default=limits.MESSAGE_MAX_BYTES,
        ge=1_024,
        description="a bus message with a longer body is dead-lettered unread",
    )
    json_max_depth: int = Field(
        default=limits.JSON_MAX_DEPTH,
        ge=8,
        le=256,
        description="JSON (bus messages, HTTP bodies, import lines) nested deeper is refused",
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

    metrics_refresh_seconds: float = Field(
        default=15,
        gt=0,
        description="how often the backlog, table-size, consumer-lag and dead-letter gauges "
        "are read again (docs/operations.md)",
    )
    broker_probe_seconds: float = Field(
        default=5, gt=0, description="how often the bus (broker) is probed for /readyz"
    )

    @field_validator("event_schema_base_url")
    @classmethod
    def _schema_base_is_a_folder(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

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

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> ServiceSettings:
        if self.bus != "kafka":
            return self
        sasl = self.kafka_security_protocol.startswith("SASL_")
        if sasl and self.kafka_sasl_mechanism is None:
            raise ValueError(f"{self.kafka_security_protocol} needs kafka_sasl_mechanism")
        if self.kafka_sasl_mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512") and (
            not self.kafka_sasl_username or self.kafka_sasl_password_file is None
        ):
            raise ValueError("SCRAM needs kafka_sasl_username and kafka_sasl_password_file")
        if self.kafka_sasl_mechanism == "OAUTHBEARER" and self.kafka_sasl_oauth_token_file is None:
            raise ValueError("OAUTHBEARER needs kafka_sasl_oauth_token_file")
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("kafka_ssl_certfile and kafka_ssl_keyfile go together")
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                f"kafka_min_insync_replicas ({self.kafka_min_insync_replicas}) exceeds "
                f"kafka_replication_factor ({self.kafka_replication_factor}): no write "
                "could ever be acknowledged"
            )
        if self.inbox_retention_hours < self.kafka_retention_hours:
            raise ValueError(
                f"inbox_retention_hours ({self.inbox_retention_hours}) is shorter than "
                f"kafka_retention_hours ({self.kafka_retention_hours}): a message redelivered "
                "from the topic after its inbox row is gone would be taken twice"
            )
        if not self.kafka_auto_create_topics and self.kafka_key_secret_file is None:
            raise ValueError(
                "kafka_key_secret_file is required when topics are provisioned (production): "
                "without it the pseudonyms of resident IDs are not stable across services "
                "and restarts, and one subject's messages lose their order"
            )
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
