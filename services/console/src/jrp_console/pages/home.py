"""The home page: who is signed in and what waits for them (the inboxes' counts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jrp_console.pages import Officer, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, officer: Officer) -> HTMLResponse:
    return render(request, "home.html", {"inboxes": []})
