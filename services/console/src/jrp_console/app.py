"""The console's ASGI app: pages (server-rendered, Jinja2), its static files, health probes.

Every page reads and writes through the four services' published APIs (`upstream`) with the
signed-in officer's token; the console holds no data of its own. Its pages load nothing from
outside the mesh: the Content-Security-Policy allows this origin only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jrp_console import i18n, session
from jrp_console.config import ConsoleSettings
from jrp_console.pages import (
    Console,
    auth,
    cases,
    check,
    dashboard,
    entries,
    home,
    inbox,
    lang_of,
    orders,
    reference,
    render,
)
from jrp_console.upstream import Unauthorised, Upstream, UpstreamError
from jrp_shared.files import private_file
from jrp_shared.tracing import Tracing, responded

STATIC = Path(__file__).resolve().parent / "static"

# Each area of pages: (router, the body limit of its posts or None for the form limit).
ROUTERS: list[tuple[APIRouter, bool]] = [
    (auth.router, False),
    (home.router, False),
    (inbox.router, False),
    (cases.router, False),
    (orders.router, False),
    (check.router, False),
    (entries.router, True),
    (dashboard.router, False),
    (reference.router, False),
]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def session_secret(settings: ConsoleSettings) -> str:
    """The cookie-signing secret: the file's text, created (0600) with a random one."""
    path = settings.session_secret_file
    if not path.exists() or not path.read_text().strip():
        import secrets

        private_file(path)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


class _Edges:
    """Security headers on every answer; a post's body bounded (413): forms by
    `max_form_bytes`, paths under /entries/bulk by `max_upload_bytes`."""

    def __init__(self, app: ASGIApp, settings: ConsoleSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = (
            self.settings.max_upload_bytes
            if path.startswith("/entries/bulk")
            else self.settings.max_form_bytes
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = JSONResponse(
                {"error": "body_too_large", "message": f"at most {limit} bytes"}, 413
            )
            await response(scope, receive, send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if path != "/healthz" and not path.startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, bounded, headed)
        except _TooLarge:
            response = JSONResponse(
                {"error": "body_too_large", "message": f"at most {limit} bytes"}, 413
            )
            await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class _Traced:
    """With tracing on, a SERVER span per request (continuing the browser's or a proxy's
    `traceparent`, if any), named by the route template once routed, never by the path; the
    calls to the services made while it is current are its children (`Upstream`)."""

    def __init__(self, app: ASGIApp, tracing: Tracing) -> None:
        self.app = app
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.tracing.enabled:
            await self.app(scope, receive, send)
            return
        status = 500

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.tracing.serving(scope["method"], scope.get("headers", ())) as span:
            try:
                await self.app(scope, receive, noted)
            finally:
                template = getattr(scope.get("route"), "path", None)
                if template is None and scope["path"].startswith("/static/"):
                    template = "/static"
                responded(span, status, route=(scope["method"], template or "unmatched"))


def create_app(
    settings: ConsoleSettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """`transports`: the services in-process (tests); otherwise their URLs in the settings."""
    settings = settings or ConsoleSettings()
    tracing = Tracing.configured(
        settings.otel_service_name,
        endpoint=settings.otel_exporter_otlp_endpoint,
        sample_ratio=settings.otel_traces_sample_ratio,
    )
    upstream = Upstream(settings, transports, tracing)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await upstream.close()
            tracing.shutdown()

    app = FastAPI(
        title="Officers' console",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.console = Console(settings, upstream)
    app.state.tracing = tracing
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="jrp_console",
        max_age=settings.session_max_age_seconds,
        same_site="strict",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(_Edges, settings=settings)
    app.add_middleware(_Traced, tracing=tracing)  # outermost: a refused post is traced too
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.exception_handler(session.SignInRequired)
    async def sign_in_required(request: Request, _exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/login?next={httpx.QueryParams({'n': target})['n']}", 303)

    @app.exception_handler(session.CsrfRefused)
    async def csrf_refused(request: Request, _exc: Exception) -> HTMLResponse:
        return _error_page(request, 403, i18n.t(lang_of(request), "error.csrf"))

    @app.exception_handler(Unauthorised)
    async def unauthorised(request: Request, _exc: Exception) -> Response:
        session.sign_out(request)
        request.session["flash"] = [
            {"kind": "error", "message": i18n.t(lang_of(request), "login.expired")}
        ]
        return RedirectResponse("/login", 303)

    @app.exception_handler(UpstreamError)
    async def upstream_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, UpstreamError)
        lang = lang_of(request)
        if exc.status == 403:
            message = f"{i18n.t(lang, 'error.forbidden')} ({exc.message})"
        elif exc.status == 404:
            message = i18n.t(lang, "error.not_found")
        elif exc.status >= 500:
            message = i18n.t(lang, "error.upstream")
        else:
            message = exc.message
        status = exc.status if exc.status < 500 else 502
        return _error_page(request, status, message)

    @app.exception_handler(httpx.TransportError)
    async def unreachable(request: Request, _exc: Exception) -> HTMLResponse:
        return _error_page(request, 503, i18n.t(lang_of(request), "error.upstream"))

    for router, _large in ROUTERS:
        app.include_router(router)
    return app


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)
