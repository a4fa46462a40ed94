"""HTTP plumbing every service shares: app factory, correlation ids, errors, health, metrics.

Routes stay thin: validate, build a command, call a handler. Errors raised anywhere below map
to responses here, in one place (the `DomainError` classes carry their status).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jrp_shared import api_examples, limits
from jrp_shared.api_docs import install_api_docs
from jrp_shared.auth import Principal
from jrp_shared.correlation import HTTP_HEADER, new_correlation_id, set_correlation_id
from jrp_shared.errors import (
    DomainError,
    FieldProblem,
    InvalidInput,
    TooManyRequests,
    Unauthenticated,
)
from jrp_shared.logging import get_logger
from jrp_shared.nul_refusal import NulRefusal
from jrp_shared.nul_refusal import refusal as nul_refused
from jrp_shared.openapi import install_error_documentation
from jrp_shared.openapi_examples import keep_example_nulls
from jrp_shared.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from jrp_shared.problems import problem
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.tracing import context_from_headers
from jrp_shared.transient import is_transient

log = get_logger("jrp.http")

RETRY_AFTER_SECONDS = 5
"""What a 503 (a dependency away, e.g. the database restarting) asks the caller to wait."""

_UNSTORABLE_TEXT_SQLSTATES = frozenset({"22021", "22P05"})
"""character_not_in_repertoire, untranslatable_character: PostgreSQL refuses U+0000 (NUL) in
a text, wherever it comes from (a query parameter, a path, any field of a body)."""


def _unstorable_text(exc: BaseException) -> bool:
    """True when the database refused a text of the request (NUL): the caller's input."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in _UNSTORABLE_TEXT_SQLSTATES:
            return True
        for linked in (getattr(current, "orig", None), current.__cause__):
            if isinstance(linked, BaseException):
                pending.append(linked)
    return False


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /v1/oauth/token")


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def current_party(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Every call is attributed to a department or a subject (through a portal), or refused
    with 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer access token is required (POST /v1/oauth/token)")
    principal = runtime_of(request).verifier.verify(credentials.credentials)
    if principal.is_subject:
        structlog.contextvars.bind_contextvars(subject="present", agent=principal.agent)
    else:
        structlog.contextvars.bind_contextvars(department=principal.department_code)
    return principal


async def current_department(principal: Annotated[Principal, Depends(current_party)]) -> Principal:
    """Routes for departments only: a subject token gets 403."""
    principal.require_department()
    return principal


Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="how many results to skip (paging)")]
"""Paging offset of every listing: bounded, so a huge number is a 422 and never reaches the
database (SQLite refuses integers past 64 bits)."""

Department = Annotated[Principal, Depends(current_department)]
Party = Annotated[Principal, Depends(current_party)]
"""A department or a subject: routes that serve both decide what each may see."""


class QuietRoute(APIRoute):
    """`APIRouter(route_class=QuietRoute)`: successful calls write no access-log line (their
    metrics are kept). For hot routes that keep their own record of every call."""

    quiet = True


_CORRELATION_HEADER = HTTP_HEADER.lower().encode("latin-1")


class _RequestContext:
    """Pure ASGI middleware (cheap on the hot path): correlation id, metrics, access log.

    `hot_routes` are served right here when they match in full: the app's own routing and
    middleware, a few dozen microseconds a request, are worth skipping on a route every
    department calls on every approval (must-check). Their domain errors are answered by
    the same handler as everywhere (`domain_error_response`); anything else is a 500 as
    below. The routes stay on the app's router too (OpenAPI, other methods)."""

    def __init__(self, app: ASGIApp, hot_routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self._hot_routes = tuple(hot_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracer = scope["app"].state.runtime.tracing.tracer
        if tracer is None:  # tracing off: nothing more than this look-up
            await self._serve(scope, receive, send, None)
            return
        # A SERVER span continuing the caller's `traceparent` (jrp_shared.tracing); named
        # and described by the route template once routed: never the path itself, which
        # may hold a subject code or a resident ID.
        with tracer.start_as_current_span(
            f"{scope['method']} unmatched",
            context=context_from_headers(scope.get("headers", ())),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"]},
        ) as span:
            await self._serve(scope, receive, send, span)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, span: Span | None) -> None:
        correlation_id = new_correlation_id()
        for name, value in scope.get("headers", ()):
            if name.lower() == _CORRELATION_HEADER:
                candidate = value.decode("latin-1")[:128]
                if candidate:
                    correlation_id = candidate
                break
        set_correlation_id(correlation_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(service=scope["app"].state.runtime.name)
        status = 500
        response_started = False
        started = time.perf_counter()

        async def send_with_header(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((_CORRELATION_HEADER, correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            for hot in self._hot_routes:
                match, child_scope = hot.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    try:
                        await hot.handle(scope, receive, send_with_header)
                    except DomainError as exc:
                        await domain_error_response(exc)(scope, receive, send_with_header)
                    return
            await self.app(scope, receive, send_with_header)
        except Exception as exc:
            route_path = getattr(scope.get("route"), "path", None)
            if _unstorable_text(exc) and not response_started:
                # A NUL the door did not see (a streamed body; jrp_shared.nul_refusal): a 422.
                answer = domain_error_response(nul_refused("request"))
                await answer(scope, receive, send_with_header)
                return
            if is_transient(exc):
                # The database or the broker is away (restarting): not a bug, and the caller
                # can act on it: retry later.
                log.warning("dependency unavailable", route=route_path, error=str(exc))
                if response_started:
                    raise
                await problem_response(
                    503,
                    "dependency_unavailable",
                    "the service's database or bus is unavailable for the moment "
                    "(restarting?); retry later",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    correlation_id=correlation_id,
                )(scope, receive, send_with_header)
                return
            # A bug, not the caller's fault: logged with its traceback, answered in JSON with
            # the correlation id (never a bare text page), and not re-raised.
            log.exception("unhandled error", route=route_path)
            if response_started:
                raise
            await problem_response(
                500,
                "internal_error",
                "the service failed; quote the correlation id to its operators",
                correlation_id=correlation_id,
            )(scope, receive, send_with_header)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            metrics = scope["app"].state.runtime.metrics
            metrics.http_requests(scope["method"], path, str(status)).inc()
            metrics.http_latency(scope["method"], path).observe(elapsed)
            if span is not None:
                span.update_name(f"{scope['method']} {path}")
                span.set_attribute("http.route", path)
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("jrp.correlation_id", correlation_id)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
            # A route may keep its successes out of the access log (`QuietRoute`) when it
            # records every call itself (must-check's audit table); failures are logged.
            quiet = status < 400 and getattr(route, "quiet", False)
            if path not in ("/healthz", "/readyz", "/metrics") and not quiet:
                log.info(
                    "request",
                    method=scope["method"],
                    route=path,
                    status=status,
                    ms=round(elapsed * 1000, 2),
                )
            set_correlation_id(None)


def _validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        problem: dict[str, Any] = {
            "field": ".".join(str(p) for p in err["loc"]),
            "reason": err["type"],
            "message": err["msg"],
        }
        if isinstance(ctx.get("position"), int):
            problem["position"] = ctx["position"]
        if isinstance(ctx.get("max_length"), int):  # the limit's value, not only in words
            problem["limit"] = ctx["max_length"]
        problems.append(problem)
    return problems


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """An RFC 9457 problem as `application/problem+json` (`jrp_shared.problems`)."""
    return JSONResponse(
        problem(status, code, detail, errors=errors, **extensions),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def body_too_large(limit: int) -> JSONResponse:
    """413 naming the limit (docs/security.md, "Limits")."""
    return problem_response(
        413,
        "too_large",
        f"the request body is larger than the limit of {limit} bytes",
        limit=limit,
    )


def _refuse(status: int, error: str, message: str, limit: float) -> ASGIApp:
    return problem_response(status, error, message, limit=limit)


class _InputEdges:
    """Pure ASGI middleware at the edge of every request, before routing:

    * the request line and headers together at most `max_header_bytes` (431 otherwise; with
      h11 the server itself also refuses them while reading, `jrp_shared.cli`);
    * the body at most `max_body_bytes`, or the limit of its route in `body_limits` (path →
      bytes): a Content-Length over it is answered 413 before anything is read; without one
      (chunked), the bytes are counted as they stream and the request fails with 413 the
      moment the limit is passed, so no more than the limit is ever taken from the client;
    * while the body streams, each piece must arrive within `body_idle_seconds` of the last
      (408 otherwise: a client sending a byte now and then no longer holds a worker for
      ever). Once the body is complete, `receive` is left as it is (a streaming response
      waits on it for the client's disconnect);
    * a JSON body may nest arrays and objects at most `max_json_depth` levels (422 otherwise;
      checked on the whole body before FastAPI parses it, `jrp_shared.limits`).

    (FastAPI's own `max_body_size` answers a Content-Length over the limit with a bare text
    413 that replaces the service's JSON answer, hence this.)"""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_header_bytes: int,
        body_idle_seconds: float,
        max_json_depth: int,
        max_body_bytes: int,
        body_limits: Mapping[str, int],
    ) -> None:
        self.app = app
        self._max_body = max_body_bytes
        self._body_limits = dict(body_limits)
        # A route path with parameters (`/v1/sync-feeds/{feed_id}/lines`) is matched as a
        # pattern; plain paths by a dictionary look-up.
        self._body_patterns = [
            (compile_path(path)[0], limit) for path, limit in body_limits.items() if "{" in path
        ]
        self._max_header_bytes = max_header_bytes
        self._idle = body_idle_seconds
        self._max_depth = max_json_depth

    def _body_limit(self, path: str) -> int:
        found = self._body_limits.get(path)
        if found is not None:
            return found
        for pattern, limit in self._body_patterns:
            if pattern.match(path):
                return limit
        return self._max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        size += sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))
        if size > self._max_header_bytes:
            refusal = _refuse(
                431,
                "headers_too_large",
                f"the request line and headers are larger than the limit of "
                f"{self._max_header_bytes} bytes",
                self._max_header_bytes,
            )
            await refusal(scope, receive, send)
            return
        limit = self._body_limit(scope["path"])
        announced = _content_length(scope)
        if announced is not None and announced > limit:
            await body_too_large(limit)(scope, receive, send)
            return
        body_complete = False
        response_started = False
        received = 0
        json_body = bytearray() if _is_json(scope) else None

        async def receive_in_time() -> Message:
            nonlocal body_complete, received
            if body_complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self._idle)
            except TimeoutError:
                raise BodyTimedOut(self._idle) from None
            if message["type"] != "http.request":
                body_complete = True
                return message
            piece = message.get("body", b"")
            received += len(piece)
            if received > limit:
                raise BodyTooLarge(limit)
            if json_body is not None:
                json_body.extend(piece)
            if not message.get("more_body", False):
                body_complete = True
                if json_body is not None and limits.nested_deeper_than(
                    bytes(json_body), self._max_depth
                ):
                    raise JsonTooDeep(self._max_depth)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive_in_time, tracking_send)
        except BodyTimedOut:
            if response_started:
                raise
            log.info("request body timed out", seconds=self._idle)
            await body_timed_out(self._idle)(scope, receive, send)


class BodyTimedOut(StarletteHTTPException):
    """An HTTPException so that FastAPI's body reading lets it through to `http_error`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(status_code=408, detail="body_timeout")
        self.seconds = seconds


def body_timed_out(seconds: float) -> JSONResponse:
    return problem_response(
        408,
        "body_timeout",
        f"no part of the request body came within {seconds} seconds",
        limit=seconds,
    )


class BodyTooLarge(StarletteHTTPException):
    """An HTTPException so that FastAPI's body reading lets it through to `http_error`; a
    route that streams its body itself (bulk import) catches it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail="too_large")
        self.limit = limit


class JsonTooDeep(StarletteHTTPException):
    """An HTTPException so that FastAPI's body reading lets it through to `http_error`."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=422, detail="nested_too_deep")
        self.limit = limit


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = bytes(value).split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def refuse_unknown_query(names: Iterable[str], allowed: Collection[str]) -> None:
    """422 naming every query parameter the operation does not know (issue 17): a typo
    (`?depatment=tax`) must not silently answer as if no filter had been asked for."""
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise InvalidInput(
            f"unknown query parameter(s): {', '.join(unknown)[:300]} (this operation takes: "
            f"{known})",
            problems=[
                FieldProblem(
                    f"query.{name[:64]}", "unknown_parameter", "not a parameter of this operation"
                )
                for name in unknown[:20]
            ],
        )


def _query_aliases(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_aliases(sub)
    return names


def _query_names(route: APIRoute) -> frozenset[str]:
    """The route's query parameter names, worked out once and kept on the route."""
    names: frozenset[str] | None = getattr(route, "_jrp_query_names", None)
    if names is None:
        names = frozenset(_query_aliases(route.dependant))
        setattr(route, "_jrp_query_names", names)  # noqa: B010 (not an attribute of APIRoute)
    return names


async def known_query_only(request: Request) -> None:
    """An app-wide dependency: the request's query names only parameters of its route."""
    route = request.scope.get("route")
    if not request.scope.get("query_string") or not isinstance(route, APIRoute):
        return
    if not route.include_in_schema:  # the documentation pages (OAuth redirect: code, state)
        return
    refuse_unknown_query(request.query_params.keys(), _query_names(route))


def domain_error_response(exc: DomainError) -> JSONResponse:
    """How a DomainError is answered: its status and its JSON (401 asks for a bearer; 503,
    e.g. the must-check audit could not be stored, and 429, a rate limit, say when to retry)."""
    headers = None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif exc.status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    elif isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return JSONResponse(
        exc.as_json(), status_code=exc.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(IntegrityError)
    async def concurrent_write(_request: Request, _exc: IntegrityError) -> JSONResponse:
        # Two writers raced for the same record; the loser's transaction was rolled back whole.
        return problem_response(409, "conflict", "the record was written concurrently; retry")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422, "invalid_input", "the request is not valid", errors=_validation_problems(exc)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return body_too_large(exc.limit)
        if isinstance(exc, BodyTimedOut):
            return body_timed_out(exc.seconds)
        if isinstance(exc, JsonTooDeep):
            message = f"the body nests JSON arrays and objects more than {exc.limit} levels deep"
            item = {"field": "body", "reason": "nested_too_deep", "message": message}
            return problem_response(
                422, "invalid_input", message, errors=[{**item, "limit": exc.limit}]
            )
        if exc.status_code == 400 and request.scope.get("route") is not None:
            # FastAPI could not read the body at all (not UTF-8, say): the body's shape.
            message = "the request body could not be read as JSON text"
            return problem_response(
                422,
                "invalid_input",
                message,
                errors=[{"field": "body", "reason": "json_invalid", "message": message}],
            )
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(
            exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None)
        )


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Alive", responses=api_examples.answer(api_examples.ALIVE))
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "alive", "service": runtime_of(request).name}

    @router.get(
        "/readyz",
        summary="Can serve: 200 `ready` or `degraded` (the bus away), 503 `not_ready`",
    )
    async def readyz(request: Request) -> JSONResponse:
        ready, report = await runtime_of(request).readiness_report()
        return JSONResponse(report, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
    async def metrics(request: Request) -> PlainTextResponse:
        body = generate_latest(runtime_of(request).metrics.registry)
        return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    hot_routes: Sequence[BaseRoute] = (),
    large_body_routers: Sequence[tuple[APIRouter, int]] = (),
) -> FastAPI:
    """`hot_routes` are served before the app's routing (see `_RequestContext`), and are
    first on its own router as well. Every request body is limited to the settings'
    `http_max_body_bytes`; `large_body_routers` come first, each with a limit of its own
    (e.g. a bulk import)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook()
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # The services export Prometheus metrics (/metrics); their traces are made by
    # `_RequestContext` with the service's own tracer (jrp_shared.tracing), which costs one
    # attribute look-up when tracing is off: FastAPI's native OpenTelemetry hooks, which look
    # the global providers up on every request, are off. FastAPI's /docs and /redoc load
    # their assets from a CDN: off, and served from the vendored assets instead
    # (`jrp_shared.api_docs`, they work offline).
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    app.state.runtime = runtime
    app.add_middleware(NulRefusal)  # innermost: the edges' limits apply to what it reads
    app.add_middleware(
        _InputEdges,
        max_header_bytes=runtime.settings.http_max_header_bytes,
        body_idle_seconds=runtime.settings.http_body_idle_seconds,
        max_json_depth=runtime.settings.json_max_depth,
        max_body_bytes=runtime.settings.http_max_body_bytes,
        body_limits={
            getattr(route, "path", ""): limit
            for router, limit in large_body_routers
            for route in router.routes
        },
    )
    app.add_middleware(_RequestContext, hot_routes=hot_routes)
    _install_error_handlers(app)
    install_error_documentation(app)
    keep_example_nulls(app)  # around it: the examples' nulls (fastapi#5559)
    app.router.routes[0:0] = hot_routes
    app.include_router(_operations_router())
    install_api_docs(app)
    for router, _ in large_body_routers:
        app.include_router(router)
    for router in routers:
        app.include_router(router)
    return app
