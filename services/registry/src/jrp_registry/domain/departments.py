"""Departments as authenticated clients: roles from their powers, hashed client secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from jrp_shared.auth import (
    ROLE_ADMINISTRATOR,
    ROLE_EXCHANGE,
    ROLE_IMPLEMENTER,
    ROLE_INITIATOR,
    ROLE_PORTAL,
)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def roles_of(
    *,
    initiates: bool,
    implements: bool,
    administers: bool,
    portal: bool,
    exchanges: bool = False,
) -> frozenset[str]:
    """`exchanges`: another credit platform (the department flag `exchanges`), which
    acknowledges exchange records and submits other regions' entries (DOMAIN.md §11)."""
    roles = set()
    if exchanges:
        roles.add(ROLE_EXCHANGE)
    if initiates:
        roles.add(ROLE_INITIATOR)
    if implements:
        roles.add(ROLE_IMPLEMENTER)
    if administers:
        roles.add(ROLE_ADMINISTRATOR)
    if portal:
        roles.add(ROLE_PORTAL)
    return frozenset(roles)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


_DUMMY_HASH = f"scrypt${'00' * 16}${'00' * 64}"
"""Checked against when a client id is unknown, inactive or has no secret: the answer takes
as long as for a known client, so its timing does not tell which client ids exist."""


def secret_matches(secret: str, stored: str | None) -> bool:
    """Whether `secret` hashes to `stored`. Always runs the hash (a dummy one without a usable
    stored hash), so every answer costs the same. CPU-bound (~50 ms): call it off the event
    loop. A damaged stored hash refuses the client; it never raises."""
    parts = (stored or "").split("$")
    usable = len(parts) == 3 and parts[0] == "scrypt"
    try:
        salt = bytes.fromhex(parts[1]) if usable else b""
    except ValueError:
        usable = False
    if not usable:
        parts = _DUMMY_HASH.split("$")
        salt = bytes.fromhex(parts[1])
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return usable and hmac.compare_digest(digest.hex(), parts[2])
