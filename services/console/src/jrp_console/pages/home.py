"""The home page: who is signed in and what waits for them (the inboxes' counts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from jrp_console.pages import Officer, inbox, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, officer: Officer) -> HTMLResponse:
    found = inbox.summaries(request, await inbox.gather(request, officer))
    return render(request, "home.html", {"inboxes": found})
