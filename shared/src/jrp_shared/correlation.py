"""The correlation id that follows one request through HTTP headers and event headers."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

HTTP_HEADER = "X-Correlation-ID"

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return _current.get()


def set_correlation_id(value: str | None) -> None:
    _current.set(value)
