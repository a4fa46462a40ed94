"""Limits on what the services parse from outside: bus messages, HTTP bodies, import lines.

What an input may cost is bounded before it is parsed: its size first, then the nesting of its
JSON. Python's JSON parser recurses once per level, so a body of 100,000 `[` raises
`RecursionError` deep inside the parser (a consumer that let it escape restarted on the same
message for ever, issue 11 finding 3). `nested_deeper_than` measures the nesting without recursing
and stops as soon as the limit is passed, so an attack costs at most one scan of bytes that
the size limit already bounds. Field and list lengths are the payload models' own limits
(pydantic `max_length`), answered field by field.

The values below are the defaults; each service takes them from its settings
(`message_max_bytes`, `json_max_depth`, `http_max_body_bytes`; docs/security.md, "Limits").
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MESSAGE_MAX_BYTES: Final = 1_048_576
"""A bus message's body (Kafka's own default `message.max.bytes` is about this)."""

JSON_MAX_DEPTH: Final = 32
"""Nesting of JSON arrays and objects; the deepest payload of the mesh has 5 levels."""

_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET: Final = re.compile(rb"[\[\]{}]")


class InputLimitExceeded(ValueError):
    """An input over one of the limits; `limit` is the value, `reason` a stable code."""

    reason = "limit_exceeded"

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class InputTooLarge(InputLimitExceeded):
    reason = "too_large"


class NestedTooDeep(InputLimitExceeded):
    reason = "nested_too_deep"


def nested_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` levels (brackets
    inside strings do not count). Stops at the first level past the limit; never recurses."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot nest deeper than it has brackets: no scan
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif depth > 0:
            depth -= 1
    return False


def check_json(raw: bytes, *, max_bytes: int, max_depth: int, what: str = "the body") -> None:
    """Raise `InputTooLarge` / `NestedTooDeep` naming the limit's value."""
    if len(raw) > max_bytes:
        raise InputTooLarge(
            f"{what} is {len(raw)} bytes, more than the limit of {max_bytes} bytes",
            limit=max_bytes,
        )
    if nested_deeper_than(raw, max_depth):
        raise NestedTooDeep(
            f"{what} nests JSON arrays and objects more than {max_depth} levels deep",
            limit=max_depth,
        )


def loads(
    raw: bytes,
    *,
    max_bytes: int = MESSAGE_MAX_BYTES,
    max_depth: int = JSON_MAX_DEPTH,
    what: str = "the body",
) -> Any:
    """`json.loads` within the limits; raises `InputLimitExceeded` or `ValueError` (not
    JSON, not UTF-8), never `RecursionError`."""
    check_json(raw, max_bytes=max_bytes, max_depth=max_depth, what=what)
    return json.loads(raw)
