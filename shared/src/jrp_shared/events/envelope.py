"""The one envelope of every event: CloudEvents 1.0 attributes in binary content mode.

On the wire the attributes travel as `ce_*` Kafka headers and the body is the JSON payload
(CloudEvents Kafka protocol binding, binary mode), so any consumer that reads headers — `kcat`
included — sees what the event is and which schema describes it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jrp_shared import limits

SPEC_VERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/json"
DEFAULT_SCHEMA_BASE: Final = "http://127.0.0.1:8001/schemas/events/"
"""Where the registry of `make run` serves each event's JSON Schema
(`GET /schemas/events/<type>.json`); docs/schemas/ holds the same files with this base in `$id`."""

_schema_base: str = DEFAULT_SCHEMA_BASE


def schema_base() -> str:
    """Prefix of `dataschema` (the registry's public schema URL, docs/events.md)."""
    return _schema_base


def set_schema_base(url: str) -> None:
    """Set the prefix of `dataschema` for this process: every service does it at start from
    its `event_schema_base_url` setting (`ServiceRuntime`). One value per process: the
    services of one deployment all name the same registry."""
    global _schema_base
    if not url.endswith("/"):
        url += "/"
    _schema_base = url


_HEADER_PREFIX: Final = "ce_"
_ATTRIBUTES: Final = ("id", "source", "type", "subject", "time", "dataschema", "correlationid")
MAX_HEADERS: Final = 32
MAX_HEADER_BYTES: Final = 8_192
"""A department's bearer token is the longest header the mesh sends (about 400 bytes)."""


class EnvelopeError(ValueError):
    """A message that is not a valid event; it goes to the dead-letter topic with this reason."""


class Envelope(BaseModel):
    """CloudEvents 1.0 context attributes plus the decoded payload (`data`)."""

    model_config = ConfigDict(frozen=True)

    specversion: str = SPEC_VERSION
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=64)
    source: str = Field(
        min_length=1, max_length=200, description="URI-reference of the producing service"
    )
    type: str = Field(
        min_length=1, max_length=200, description="reverse-DNS event type ending in .v<major>"
    )
    subject: str | None = Field(
        default=None, max_length=200, description="the partition key: subject code"
    )
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = Field(default=CONTENT_TYPE, max_length=200)
    dataschema: str | None = Field(default=None, max_length=500)
    correlationid: str | None = Field(
        default=None, max_length=128, description="extension: request trace id"
    )
    data: dict[str, Any] = Field(default_factory=dict)

    def to_headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", self.specversion.encode()),
            ("content-type", self.datacontenttype.encode()),
        ]
        for name in _ATTRIBUTES:
            value = getattr(self, name)
            if value is None:
                continue
            text = value.isoformat() if isinstance(value, datetime) else str(value)
            headers.append((_HEADER_PREFIX + name, text.encode()))
        return headers

    @cached_property
    def _body(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()

    def body(self) -> bytes:
        """The payload as sent (UTF-8 JSON), encoded once per envelope."""
        return self._body

    @classmethod
    def from_wire(
        cls,
        headers: Sequence[tuple[str, bytes]],
        value: bytes | None,
        *,
        max_bytes: int = limits.MESSAGE_MAX_BYTES,
        max_depth: int = limits.JSON_MAX_DEPTH,
    ) -> Envelope:
        """Decode a message within the limits (`jrp_shared.limits`); raise EnvelopeError
        naming what is wrong, whatever the bytes (never RecursionError or MemoryError)."""
        attrs: dict[str, Any] = {}
        content_type = CONTENT_TYPE
        if len(headers) > MAX_HEADERS:
            raise EnvelopeError(f"{len(headers)} headers, more than the limit of {MAX_HEADERS}")
        for name, raw in headers:
            if len(raw) > MAX_HEADER_BYTES:
                raise EnvelopeError(
                    f"header {name[:64]!r} is {len(raw)} bytes, more than the limit of "
                    f"{MAX_HEADER_BYTES}"
                )
            try:
                text = raw.decode()
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {name} is not UTF-8") from exc
            if name == "content-type":
                content_type = text
            elif name.startswith(_HEADER_PREFIX):
                attrs[name[len(_HEADER_PREFIX) :]] = text
        if attrs.get("specversion") != SPEC_VERSION:
            raise EnvelopeError(
                f"missing or unsupported ce_specversion {attrs.get('specversion')!r}"
            )
        if not content_type.startswith(CONTENT_TYPE):
            raise EnvelopeError(f"unsupported content-type {content_type!r}")
        try:
            data = limits.loads(value or b"", max_bytes=max_bytes, max_depth=max_depth)
        except limits.InputLimitExceeded as exc:
            raise EnvelopeError(str(exc)) from exc
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise EnvelopeError(f"body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("body must be a JSON object")
        try:
            return cls(**attrs, datacontenttype=content_type, data=data)
        except ValidationError as exc:
            raise EnvelopeError(
                f"invalid envelope attributes: {summarise_validation_error(exc)}"
            ) from exc


def summarise_validation_error(exc: ValidationError) -> str:
    """Where and what, without echoing the input (it may hold personal data)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
