"""Sign-in (the registry's officer token), sign-out and the language switch."""

from __future__ import annotations

import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jrp_console import i18n, session
from jrp_console.pages import console_of, form_of, lang_of, redirect, render
from jrp_console.upstream import UpstreamError
from jrp_shared.errors import TooManyRequests

router = APIRouter()


def _local(target: str | None) -> str:
    """Only a path of the console itself (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> HTMLResponse | RedirectResponse:
    await form_of(request)
    console = console_of(request)
    lang = lang_of(request)
    address = request.client.host if request.client else "unknown"

    def refused(key: str, status: int) -> HTMLResponse:
        return render(
            request,
            "login.html",
            {"next": _local(next), "error": i18n.t(lang, key), "username": username},
            status_code=status,
        )

    try:
        await console.sign_in_failures.refuse_when_spent(address)
    except TooManyRequests:
        return refused("login.locked", 429)
    try:
        answer = (
            await console.upstream.request(
                "registry",
                "POST",
                "/v1/oauth/officer-token",
                token=None,
                data={"username": username, "password": password},
            )
        ).json()
        token = answer["access_token"]
        me = await console.upstream.get("registry", "/v1/officers/me", token=token)
    except UpstreamError as exc:
        if exc.status == 429:
            return refused("login.locked", 429)
        if exc.status not in (400, 401, 422):
            raise
        await console.sign_in_failures.count(address)
        return refused("login.refused", 401)
    session.sign_in(
        request,
        session.SignedIn(
            token=token,
            expires_at=time.time() + int(answer.get("expires_in", 900)),
            officer_id=me["id"],
            username=me["username"],
            display_name=me["display_name"],
            department=me["department"],
            roles=tuple(me["roles"]),
        ),
    )
    return redirect(_local(next))


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    await form_of(request)
    session.sign_out(request)
    return redirect("/login")


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str | None = None) -> RedirectResponse:
    request.session["lang"] = i18n.language(code)
    return redirect(_local(next))
