"""Errors as RFC 9457 problem details (`application/problem+json`), the one error body of
every service (issue 17; docs/security.md, "Errors").

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "the request is not valid", "code": "invalid_input",
     "errors": [{"field": "body.subject.code", "reason": "string_too_short", "message": "..."}]}

`type` is `about:blank` (the status says what kind of problem it is, RFC 9457 §4.2.1) and
`title` the status' phrase; `detail` is the sentence for a person; the extension members are
`code`, a stable machine code finer than the status (`invalid_input`, `too_large`,
`nested_too_deep`...), `errors`, one entry per field (`field`, `reason`, `message`, and a
`limit` or `position` where one applies), and here and there a value the caller can act on
(`limit`, `correlation_id`). No `instance`: the path may hold a subject's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

MEDIA_TYPE: Final = "application/problem+json"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] = (),
    **extensions: Any,
) -> dict[str, Any]:
    """The body of one problem."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title_of(status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [dict(e) for e in errors]
    body.update(extensions)
    return body


RFC_9110_PHRASES: Final = {413: "Content Too Large", 422: "Unprocessable Content"}
"""The phrases RFC 9110 gave these (Python before 3.13 still has the older names)."""


def title_of(status: int) -> str:
    if status in RFC_9110_PHRASES:
        return RFC_9110_PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemField(BaseModel):
    """One thing wrong with the input (`jrp_shared.errors.FieldProblem`)."""

    model_config = ConfigDict(extra="allow", title="ProblemField")

    field: str = Field(description="Where: `body.<path>`, `query.<name>`, `path.<name>`...")
    reason: str = Field(description="A stable machine code, e.g. `string_too_long`")
    message: str = Field(description="The same in words")


class Problem(BaseModel):
    """The documented shape of every error answer (RFC 9457 problem details); other
    members may be present (RFC 9457 §3.2)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(default="about:blank", description="`about:blank`: the status says the kind")
    title: str = Field(description="The HTTP status' phrase")
    status: int = Field(ge=400, le=599, description="The HTTP status")
    detail: str = Field(description="What went wrong, for a person to read")
    code: str = Field(description="A stable machine code finer than the status")
    errors: list[ProblemField] | None = Field(
        default=None, description="One entry per field at fault"
    )
    correlation_id: str | None = Field(
        default=None, description="The request's id, to quote to the operators"
    )
    limit: float | None = Field(default=None, description="The limit that was passed")
