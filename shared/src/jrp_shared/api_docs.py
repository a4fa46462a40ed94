"""The API documentation pages, served from the service itself: they work offline.

FastAPI's own `/docs` and `/redoc` load Swagger UI and ReDoc from a CDN, and so are blank on
a government network without internet (issue 16). Here the same pages (FastAPI's
`get_swagger_ui_html` / `get_redoc_html`) point at assets vendored into this package
(`static/docs/`, fetched by `deploy/local/vendor-docs-assets.sh`, versions and SHA-256 in its
VERSIONS.md), served at `/static/docs/` with a long cache lifetime. Every service gets them
through `jrp_shared.web.create_service_app`.

The pages are public, like the OpenAPI document they render: no token is needed to read the
documentation; calling an operation from Swagger UI still needs one (its Authorize button).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSETS_DIR: Final = Path(__file__).parent / "static" / "docs"
STATIC_PATH: Final = "/static/docs"
DOCS_PATH: Final = "/docs"
OAUTH2_REDIRECT_PATH: Final = "/docs/oauth2-redirect"
REDOC_PATH: Final = "/redoc"

SWAGGER_JS: Final = "swagger-ui-bundle.js"
SWAGGER_CSS: Final = "swagger-ui.css"
FAVICON: Final = "favicon-32x32.png"
REDOC_JS: Final = "redoc.standalone.js"
ASSETS: Final = (SWAGGER_JS, SWAGGER_CSS, FAVICON, REDOC_JS)

ASSET_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
"""The assets' URLs carry their content's digest (`?v=`): a browser keeps them a year, and a
refresh of the vendored files changes the URLs the pages refer to."""

SWAGGER_UI_PARAMETERS: Final = {
    # Swagger UI otherwise sends the document to its public online validator for a badge.
    "validatorUrl": None,
    "persistAuthorization": False,
}


@cache
def _asset_version(name: str) -> str:
    return hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    """The relative URL of a vendored asset, its digest as a cache breaker."""
    return f"{STATIC_PATH}/{name}?v={_asset_version(name)}"


class _LongCache:
    """The static files with `Cache-Control` for a year and `nosniff`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", ASSET_CACHE_CONTROL.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class _AssetsMount(Mount):
    """The assets' mount, named as the route of its requests: their metrics count under
    `/static/docs`, and (like `jrp_shared.web.QuietRoute`) their successes write no
    access-log line — one page view fetches several."""

    quiet = True

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.FULL:
            child_scope["route"] = self
        return match, child_scope


def _pages_router(title: str, openapi_url: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH, response_class=HTMLResponse)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — Swagger UI",
            swagger_js_url=asset_url(SWAGGER_JS),
            swagger_css_url=asset_url(SWAGGER_CSS),
            swagger_favicon_url=asset_url(FAVICON),
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            swagger_ui_parameters=dict(SWAGGER_UI_PARAMETERS),
        )

    @router.get(OAUTH2_REDIRECT_PATH, response_class=HTMLResponse)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get(REDOC_PATH, response_class=HTMLResponse)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — ReDoc",
            redoc_js_url=asset_url(REDOC_JS),
            redoc_favicon_url=asset_url(FAVICON),
            with_google_fonts=False,
        )

    return router


def install_api_docs(app: FastAPI) -> None:
    """`/docs`, `/docs/oauth2-redirect`, `/redoc` and `/static/docs/` on an app built with
    `docs_url=None, redoc_url=None` (FastAPI's CDN pages off)."""
    openapi_url = app.openapi_url or "/openapi.json"
    app.include_router(_pages_router(app.title, openapi_url))
    assets = _LongCache(StaticFiles(directory=ASSETS_DIR))
    app.router.routes.append(_AssetsMount(STATIC_PATH, app=assets, name="docs-assets"))
