"""The officers' console over the cross-service mesh (tests/harness.py): the console app in
this process, reaching the four in-process services through their ASGI apps (their published
HTTP APIs, no network), and, for the browser tests, served on a real loopback port."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from harness import Mesh
from jrp_console.app import create_app
from jrp_console.config import ConsoleSettings

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def create_officer(
    mesh: Mesh, username: str, department: str, roles: list[str], display_name: str = ""
) -> str:
    """An officer account made by the office through the registry's API; its password."""
    response = await mesh.registry.client.post(
        "/v1/officers",
        headers=mesh.registry.as_office(),
        json={
            "username": username,
            "display_name": display_name or username,
            "department": department,
            "roles": roles,
        },
    )
    assert response.status_code == 201, response.text
    password: str = response.json()["initial_password"]
    return password


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class ConsoleUnderTest:
    app: FastAPI
    settings: ConsoleSettings
    url: str | None = None
    """The console's loopback address when served on a port (browser tests), else None."""

    def client(self) -> httpx.AsyncClient:
        """A fresh browser-like client (its own cookie jar), not following redirects."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://console"
        )

    @asynccontextmanager
    async def signed_in(self, username: str, password: str) -> AsyncIterator[httpx.AsyncClient]:
        """A client whose session is the officer's (through the sign-in form)."""
        async with self.client() as client:
            page = await client.get("/login")
            response = await client.post(
                "/login",
                data={"csrf": csrf_of(page.text), "username": username, "password": password},
            )
            assert response.status_code == 303, response.text
            yield client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def running_console(
    mesh: Mesh, var: Path, *, serve: bool = False
) -> AsyncIterator[ConsoleUnderTest]:
    """The console on the mesh; with `serve`, also listening on a loopback port (for a real
    browser), in this event loop (so a browser test drives it from a thread)."""
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "registry": httpx.ASGITransport(app=mesh.registry.app),
        **{name: httpx.ASGITransport(app=service.app) for name, service in mesh.followers.items()},
    }
    settings = ConsoleSettings(
        session_secret_file=var / "console-session-secret",
        calendar_refresh_seconds=3600,
        log_json=False,
    )
    app = create_app(settings, transports=transports)
    under_test = ConsoleUnderTest(app, settings)
    if not serve:
        yield under_test
        return
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    under_test.url = f"http://127.0.0.1:{port}"
    try:
        yield under_test
    finally:
        server.should_exit = True
        await task
