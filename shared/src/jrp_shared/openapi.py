"""Every service's OpenAPI document says what its errors look like and when they come
(issue 17; docs/security.md, "Errors").

FastAPI documents a 422 with its own body (`HTTPValidationError`), which is not what the
services answer, and no other error. Here the document is completed once, when it is first
asked for: every error is an RFC 9457 problem (`application/problem+json`, the `Problem`
schema of `jrp_shared.problems`), and each operation lists the statuses it can answer, from
what the route is:

* every operation of the API: 404 (a path or body naming something unknown), 422 (a
  parameter or body out of shape, an unknown query parameter, a rule refused), 503 (the
  database or the bus away for the moment, `Retry-After`);
* an operation needing a bearer token: 401 (none, expired, revoked) and 403 (not the
  caller's to do: "谁主管、谁负责");
* an operation that writes (POST, PUT, PATCH, DELETE): 409 (the state does not allow it, a
  duplicate, a concurrent write);
* an operation with a request body: 408 (the body stalled), 413 (over its size limit) and,
  when the body is not JSON, 415;
* a status the route itself declares (e.g. 429 of a rate-limited route) keeps its words and
  gets the problem body.

A 500 is not documented: it is a bug (answered as a problem with the correlation id). The
operations routes (`/healthz`, `/readyz`, `/metrics`) are outside the API and keep theirs.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from jrp_shared.problems import MEDIA_TYPE, Problem, problem

WRITES: Final = frozenset({"post", "put", "patch", "delete"})
METHODS: Final = ("get", "put", "post", "delete", "patch", "head", "options")
OPERATIONS_TAG: Final = "operations"

DESCRIPTIONS: Final[dict[int, str]] = {
    401: "No valid bearer token (none, expired, revoked, or of an unknown key)",
    403: "Not the caller's to do: another department's record or a role it does not hold",
    404: "Something the path or the body names does not exist (or is not visible to the caller)",
    408: "The request body stalled (nothing came for the settings' idle time)",
    409: "The record's state does not allow it now, it exists already, or it was written "
    "concurrently",
    413: "The request body, or one of its parts, is over its size limit (`limit`)",
    415: "The body is not of a media type this operation reads",
    422: "A parameter or the body is out of shape (one entry of `errors` per field), an "
    "unknown query parameter, or a domain rule refuses it",
    429: "Too many requests from this address or client; retry after `Retry-After` seconds",
    503: "The database or the bus is unavailable for the moment; retry after `Retry-After` seconds",
}

EXAMPLES: Final[dict[int, dict[str, Any]]] = {
    401: problem(401, "unauthenticated", "a bearer token is required"),
    403: problem(
        403,
        "forbidden",
        "tax may not change subject 91350100M000100Y43: only the department that registered "
        "it (market), its registration authority or the joint conference office may",
    ),
    404: problem(404, "not_found", "no list entry entry-0193"),
    408: problem(
        408, "body_timeout", "no part of the request body came within 30.0 seconds", limit=30.0
    ),
    409: problem(409, "conflict", "the record was written concurrently; retry"),
    413: problem(
        413,
        "too_large",
        "the request body is larger than the limit of 1048576 bytes",
        limit=1048576,
    ),
    415: problem(415, "unsupported_media_type", "send text/csv or application/x-ndjson"),
    422: problem(
        422,
        "invalid_input",
        "the request is not valid",
        errors=[
            {
                "field": "body.subject.code",
                "reason": "uscc_check_character",
                "message": "check character (position 18) is '2' but should be '3'",
                "position": 18,
            }
        ],
    ),
    429: problem(429, "too_many_requests", "at most 4 per 1 minute from this address"),
    503: problem(
        503,
        "dependency_unavailable",
        "the service's database or bus is unavailable for the moment (restarting?); retry later",
        correlation_id="5f0c2a8e9b7d4e21a3c6f1d0b2e4a6c8",
    ),
}

PROBLEM_REF: Final = "#/components/schemas/Problem"


def responses_for(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a router or route that also answers these (e.g. 429 where rate
    limited); the body and example are filled in with the others."""
    return {status: {"description": DESCRIPTIONS[status]} for status in statuses}


_FASTAPI_VALIDATION: Final = ("HTTPValidationError", "ValidationError")


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {404, 422, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    if method in WRITES:
        statuses.add(409)
    body = operation.get("requestBody")
    if body:
        statuses |= {408, 413}
        if any(
            not (media == "application/json" or media.endswith("+json"))
            for media in body.get("content", {})
        ):
            statuses.add(415)
    return statuses


def _problem_content(status: int) -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}, "example": EXAMPLES[status]}}


def _declared_content_is_default(answer: dict[str, Any]) -> bool:
    """FastAPI's own body for a declared error status (no model of the route's own)."""
    content = answer.get("content")
    if not content:
        return True
    schemas = [media.get("schema") for media in content.values()]
    return all(
        not schema
        or schema.get("$ref", "").rsplit("/", 1)[-1] in _FASTAPI_VALIDATION
        or schema.get("$ref") == PROBLEM_REF
        for schema in schemas
    )


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the `Problem` schema and every operation's error statuses."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas["Problem"] = problem_schema
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None or OPERATIONS_TAG in operation.get("tags", ()):
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for code, answer in responses.items():
                if not code.isdigit() or int(code) < 400:
                    continue
                status = int(code)
                if status not in EXAMPLES or not _declared_content_is_default(answer):
                    continue
                if answer.get("description") in (None, "", "Validation Error"):
                    answer["description"] = DESCRIPTIONS[status]
                answer["content"] = _problem_content(status)
            operation["responses"] = dict(sorted(responses.items()))
    return document


def install_error_documentation(app: FastAPI) -> None:
    """`app.openapi()` answers the completed document (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = document_errors(copy.deepcopy(document))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way
