"""Who is signed in: the officer's token and profile in Starlette's signed session cookie
(HttpOnly, SameSite=Strict, Secure behind HTTPS). Every form carries a CSRF token bound to the
session. No server-side state, so every replica answers alike."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

SESSION_KEY = "officer"
CSRF_KEY = "csrf"

ROLE_ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class SignedIn:
    """The officer behind a request: what `GET /v1/officers/me` said at sign-in."""

    token: str
    expires_at: float
    officer_id: str
    username: str
    display_name: str
    department: str
    roles: tuple[str, ...]

    @property
    def is_office(self) -> bool:
        """The joint conference office: an administrator (DOMAIN.md §1)."""
        return ROLE_ADMINISTRATOR in self.roles

    def has(self, role: str) -> bool:
        return role in self.roles

    def as_session(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "expires_at": self.expires_at,
            "officer_id": self.officer_id,
            "username": self.username,
            "display_name": self.display_name,
            "department": self.department,
            "roles": list(self.roles),
        }


class SignInRequired(Exception):
    """No usable session: the page redirects to the sign-in form (and back afterwards)."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token (403)."""


def current(request: Request) -> SignedIn | None:
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        officer = SignedIn(
            token=str(stored["token"]),
            expires_at=float(stored["expires_at"]),
            officer_id=str(stored["officer_id"]),
            username=str(stored["username"]),
            display_name=str(stored["display_name"]),
            department=str(stored["department"]),
            roles=tuple(str(r) for r in stored["roles"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if officer.expires_at <= time.time():
        return None
    return officer


def require(request: Request) -> SignedIn:
    """FastAPI dependency of every signed-in page."""
    officer = current(request)
    if officer is None:
        request.session.pop(SESSION_KEY, None)
        raise SignInRequired
    return officer


def sign_in(request: Request, officer: SignedIn) -> None:
    request.session.clear()
    request.session[SESSION_KEY] = officer.as_session()
    request.session[CSRF_KEY] = secrets.token_urlsafe(24)


def sign_out(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return token


def check_csrf(request: Request, sent: object) -> None:
    expected = request.session.get(CSRF_KEY)
    if not isinstance(expected, str) or not isinstance(sent, str):
        raise CsrfRefused
    if not hmac.compare_digest(expected, sent):
        raise CsrfRefused
