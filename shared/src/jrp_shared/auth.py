"""Department authentication: OAuth2 client credentials issuing short-lived signed JWTs.

The registry holds the private key and issues tokens (`POST /v1/oauth/token`); every service
verifies them with the public key, so every call is attributed to a department or refused
(401 without a valid token, 403 without the needed role).
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


@dataclass(frozen=True)
class Principal:
    department_code: str
    roles: frozenset[str]

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise Forbidden(f"department {self.department_code} lacks the {role!r} role")


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
        ttl = ttl_seconds or self.ttl_seconds
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": department_code,
            "roles": sorted(roles),
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
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
        principal = Principal(department_code=str(claims["sub"]), roles=frozenset(roles))
        return principal, int(claims["exp"])
