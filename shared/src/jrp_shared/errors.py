"""One exception hierarchy whose classes carry their HTTP status.

Domain code raises these without knowing about HTTP; `jrp_shared.web` maps them to responses
in one handler, so every service answers bad input the same way: a 4xx with RFC 9457 problem
details naming each field and the reason (`jrp_shared.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from jrp_shared.problems import problem


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: where (`field`), a machine code (`reason`), a message."""

    field: str
    reason: str
    message: str
    context: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"field": self.field, "reason": self.reason, "message": self.message}
        body.update(self.context)
        return body


class DomainError(Exception):
    """Base of every error a caller can act on. `status` is the HTTP status it maps to."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def as_json(self) -> dict[str, Any]:
        """Its RFC 9457 problem details (`jrp_shared.problems`)."""
        return problem(
            self.status, self.code, self.message, errors=[p.as_json() for p in self.problems]
        )


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"

    @classmethod
    def for_field(cls, field_name: str, reason: str, message: str, **context: Any) -> InvalidInput:
        return cls(message, problems=[FieldProblem(field_name, reason, message, context)])


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    """A rate limit was reached; answered 429 with `Retry-After` (seconds)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = max(1, retry_after_seconds)
