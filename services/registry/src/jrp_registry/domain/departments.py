"""Departments as authenticated clients: roles from their powers, hashed client secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, ROLE_PORTAL

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def roles_of(
    *, initiates: bool, implements: bool, administers: bool, portal: bool
) -> frozenset[str]:
    roles = set()
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


def secret_matches(secret: str, stored: str | None) -> bool:
    parts = (stored or "").split("$")
    if len(parts) != 3 or parts[0] != "scrypt":
        return False
    try:
        salt = bytes.fromhex(parts[1])
    except ValueError:
        return False  # a damaged stored hash refuses the client; it never raises
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return hmac.compare_digest(digest.hex(), parts[2])
