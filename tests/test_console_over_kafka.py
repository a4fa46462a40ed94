"""The officers' console on the real mesh (PostgreSQL, Kafka): sign-in through the registry's
officer accounts, and the pages of each area (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from console_harness import create_officer, csrf_of, running_console
from test_loop_over_kafka import catalog_ready

from harness import Mesh

pytestmark = pytest.mark.integration


async def test_an_officer_signs_in_and_out(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "li.qiang", "tax", ["initiator", "reviewer"], "李强")
    async with running_console(mesh, tmp_path) as console:
        async with console.client() as anonymous:
            page = await anonymous.get("/")
            assert page.status_code == 303 and page.headers["location"].startswith("/login")
            form = await anonymous.get("/login")
            refused = await anonymous.post(
                "/login",
                data={"csrf": csrf_of(form.text), "username": "li.qiang", "password": "wrong"},
            )
            assert refused.status_code == 401 and "用户名或密码不正确" in refused.text
        async with console.signed_in("li.qiang", password) as officer:
            home = await officer.get("/")
            assert home.status_code == 200 and "李强" in home.text and "tax" in home.text
            english = await officer.get("/lang/en", params={"next": "/"})
            assert english.headers["location"] == "/"
            assert "Sign out" in (await officer.get("/")).text
            out = await officer.post("/logout", data={"csrf": csrf_of(home.text)})
            assert out.status_code == 303
            assert (await officer.get("/")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "zhang.min", "market", ["initiator"])
    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("zhang.min", password) as officer,
    ):
        refused = await officer.post("/logout", data={"csrf": "forged"})
        assert refused.status_code == 403
        assert (await officer.get("/")).status_code == 200


async def test_the_console_guards_its_edges(mesh: Mesh, tmp_path: Path) -> None:
    """Failed sign-ins are counted per caller (429 past the limit), a post's body is bounded
    (413), a sign-in never redirects off the console, the cookie is HttpOnly and SameSite."""
    await catalog_ready(mesh)
    password = await create_officer(mesh, "chen.jing", "finance", ["implementer"])
    async with running_console(mesh, tmp_path) as console, console.client() as client:
        page = await client.get("/login")
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert "default-src 'self'" in page.headers["content-security-policy"]
        csrf = csrf_of(page.text)
        too_large = await client.post("/login", data={"csrf": csrf, "username": "x" * 70_000})
        assert too_large.status_code == 413
        for attempt in range(10):  # other usernames: the registry's lockout is per username
            wrong = await client.post(
                "/login", data={"csrf": csrf, "username": f"nobody{attempt}", "password": "no"}
            )
            assert wrong.status_code == 401
        throttled = await client.post(
            "/login", data={"csrf": csrf, "username": "chen.jing", "password": password}
        )
        assert throttled.status_code == 429 and "尝试次数过多" in throttled.text
    async with running_console(mesh, tmp_path) as console, console.client() as client:
        page = await client.get("/login")
        signed_in = await client.post(
            "/login",
            data={
                "csrf": csrf_of(page.text),
                "username": "chen.jing",
                "password": password,
                "next": "//elsewhere.example/",
            },
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
