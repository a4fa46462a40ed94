"""The four services as the console reaches them: their published HTTP APIs, called with the
signed-in officer's bearer token. Nothing else: the console keeps no copy of their data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import httpx

from jrp_console.config import ConsoleSettings
from jrp_shared.tracing import Tracing, responded

Service = Literal["registry", "trigger", "enforcement", "appeals"]
SERVICES: tuple[Service, ...] = ("registry", "trigger", "enforcement", "appeals")


class UpstreamError(Exception):
    """A service refused or failed a call: its status and its error body (shown to the
    officer as the service worded it)."""

    def __init__(self, service: str, status: int, body: Any) -> None:
        self.service = service
        self.status = status
        self.body = body
        super().__init__(f"{service} answered {status}")

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            # RFC 9457 problem details (jrp_shared.problems): `detail` in words, `code`
            text = self.body.get("detail") or self.body.get("code")
            if isinstance(text, str):
                return text
        return f"{self.service}: HTTP {self.status}"

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Field-level problems of a 422 (the problem's `errors`: `[{field, reason,
        message}]`), for the form to show."""
        if isinstance(self.body, dict):
            found = self.body.get("errors")
            if isinstance(found, list):
                return [p for p in found if isinstance(p, dict)]
        return []


class Unauthorised(UpstreamError):
    """401: the officer's token expired or was revoked; the console asks to sign in again."""


class Upstream:
    """One pooled HTTP client per service. `transports` replaces the network in tests (the
    services served in-process); in production each URL is a service's address. With
    `tracing` on, each call is a CLIENT span and carries its W3C `traceparent`, so the
    service's SERVER span joins the page's trace."""

    def __init__(
        self,
        settings: ConsoleSettings,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        self.tracing = tracing or Tracing(settings.otel_service_name)
        urls = {
            "registry": settings.registry_url,
            "trigger": settings.trigger_url,
            "enforcement": settings.enforcement_url,
            "appeals": settings.appeals_url,
        }
        self._clients = {
            name: httpx.AsyncClient(
                base_url=url,
                timeout=settings.upstream_timeout_seconds,
                transport=(transports or {}).get(name),
            )
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def request(
        self,
        service: Service,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The raw answer (for a PDF or CSV to pass on); raises on 4xx/5xx."""
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        query = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        with self.tracing.calling(service, method) as (span, context):
            sent.update(context)
            response = await self._clients[service].request(
                method, path, params=query, json=json, data=data, content=content, headers=sent
            )
            responded(span, response.status_code)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text[:500]
            error = Unauthorised if response.status_code == 401 else UpstreamError
            raise error(service, response.status_code, body)
        return response

    async def get(self, service: Service, path: str, *, token: str | None, **params: Any) -> Any:
        """The JSON of a GET."""
        return (await self.request(service, "GET", path, token=token, params=params)).json()

    async def post(
        self, service: Service, path: str, *, token: str | None, json: Any = None
    ) -> Any:
        """The JSON of a POST with a JSON body (None for an empty answer)."""
        response = await self.request(service, "POST", path, token=token, json=json)
        return response.json() if response.content else None
