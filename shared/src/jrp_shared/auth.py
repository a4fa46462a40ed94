"""Authentication: OAuth2 client credentials issuing short-lived signed JWTs.

The registry holds the private key and issues tokens (`POST /v1/oauth/token`); every service
verifies them with the public key, so every call is attributed to a department or refused
(401 without a valid token, 403 without the needed role).

Subjects are not departments (DOMAIN.md §7, §8): a subject acts through a portal client, a
department with the `portal` role that has verified the person or organisation itself (real-
name check, out of scope here). The portal exchanges its own token for a short-lived *subject
token* (`POST /v1/oauth/subject-token`) naming one subject code and the portal as the acting
party (the `act` claim of RFC 8693). A subject token only ever reaches that subject's own
entries and cases, and is refused wherever a department is required.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jrp_shared.errors import Forbidden, Unauthenticated

ALGORITHM: Final = "EdDSA"
_LEEWAY_SECONDS: Final = 30
_CACHE_SIZE: Final = 10_000

ROLE_INITIATOR: Final = "initiator"
"""May post list entries for the list types the catalog lets it initiate."""
ROLE_IMPLEMENTER: Final = "implementer"
"""Receives sanction orders and reports feedback."""
ROLE_ADMINISTRATOR: Final = "administrator"
"""The joint conference office: maintains departments, the catalog and the calendar."""
ROLE_PORTAL: Final = "portal"
"""Runs the credit portal: may obtain subject tokens for subjects it has identified."""
ROLE_SUBJECT: Final = "subject"
"""Held only by subject tokens: a subject acting on its own entries through a portal."""

_SUBJECT_PREFIX: Final = "subject:"


@dataclass(frozen=True)
class Principal:
    """Who calls: a department (`department_code`), or a subject (`subject_code`, acting
    through the portal department `agent`; `department_code` is then empty)."""

    department_code: str
    roles: frozenset[str]
    subject_code: str | None = None
    agent: str | None = None

    @property
    def is_subject(self) -> bool:
        return self.subject_code is not None

    @property
    def name(self) -> str:
        """For messages and audit rows: `subject:<code>` or the department code."""
        if self.subject_code is not None:
            return f"{_SUBJECT_PREFIX}{self.subject_code}"
        return self.department_code

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise Forbidden(f"{self.name} lacks the {role!r} role")

    def require_department(self) -> None:
        if self.is_subject:
            raise Forbidden("a subject token cannot act for a department")


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


class TokenIssuer:
    def __init__(
        self, private_key_pem: str, *, issuer: str, audience: str, ttl_seconds: int = 900
    ) -> None:
        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def issue(
        self, department_code: str, roles: frozenset[str], *, ttl_seconds: int | None = None
    ) -> tuple[str, int]:
        return self._sign(department_code, sorted(roles), ttl_seconds)

    def issue_for_subject(
        self, subject_code: str, *, agent: str, ttl_seconds: int | None = None
    ) -> tuple[str, int]:
        """A subject token: `subject_code` acting through the portal department `agent`."""
        return self._sign(
            f"{_SUBJECT_PREFIX}{subject_code}", [ROLE_SUBJECT], ttl_seconds, act={"sub": agent}
        )

    def _sign(
        self, sub: str, roles: list[str], ttl_seconds: int | None, **extra: Any
    ) -> tuple[str, int]:
        ttl = ttl_seconds or self.ttl_seconds
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "roles": roles,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            **extra,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), ttl  # type: ignore[arg-type]


class TokenVerifier:
    def __init__(self, public_key_pem: str, *, issuer: str, audience: str) -> None:
        self._key = serialization.load_pem_public_key(public_key_pem.encode())
        self._issuer = issuer
        self._audience = audience
        # A department's systems reuse one token for many calls; checking its signature once
        # (not on every must-check) keeps the hot path cheap. Expiry is still judged each time.
        self._verified: dict[str, tuple[Principal, int]] = {}

    def verify(self, token: str, *, at: datetime | None = None) -> Principal:
        if at is None:
            hit = self._verified.get(token)
            if hit is not None and time.time() <= hit[1] + _LEEWAY_SECONDS:
                return hit[0]
        principal, expires = self._verify(token, at)
        if at is None:
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str, at: datetime | None) -> tuple[Principal, int]:
        """The token's department and roles. `at`: judge expiry at that moment instead of now
        (a message's production time; the signature is checked all the same)."""
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                options={
                    "require": ["exp", "iat", "sub", "iss", "aud"],
                    "verify_exp": at is None,
                    "verify_nbf": at is None,
                },
                leeway=_LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired; request a new one") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid access token: {exc}") from exc
        if at is not None:
            moment = at.timestamp()
            if not claims["iat"] - _LEEWAY_SECONDS <= moment <= claims["exp"] + _LEEWAY_SECONDS:
                raise Unauthenticated("the access token was not valid when the message was sent")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("invalid access token: roles claim malformed")
        return _principal(str(claims["sub"]), frozenset(roles), claims.get("act")), int(
            claims["exp"]
        )


def _principal(sub: str, roles: frozenset[str], act: Any) -> Principal:
    if not sub.startswith(_SUBJECT_PREFIX):
        if ROLE_SUBJECT in roles:
            raise Unauthenticated("invalid access token: a department cannot hold the subject role")
        return Principal(department_code=sub, roles=roles)
    agent = act.get("sub") if isinstance(act, dict) else None
    if roles != {ROLE_SUBJECT} or not isinstance(agent, str) or not agent:
        raise Unauthenticated("invalid access token: malformed subject token")
    return Principal(
        department_code="", roles=roles, subject_code=sub.removeprefix(_SUBJECT_PREFIX), agent=agent
    )
