"""The correlation id that follows one request through HTTP headers and event headers."""

from __future__ import annotations

import itertools
import uuid
from contextvars import ContextVar

HTTP_HEADER = "X-Correlation-ID"

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


_PREFIX = uuid.uuid4().hex[:16]
_COUNTER = itertools.count(1)


def new_correlation_id() -> str:
    """32 hex characters: a random prefix of this process and a counter (unique without an
    entropy call per request, which every HTTP request makes)."""
    return f"{_PREFIX}{next(_COUNTER):016x}"


def current_correlation_id() -> str | None:
    return _current.get()


def set_correlation_id(value: str | None) -> None:
    _current.set(value)
