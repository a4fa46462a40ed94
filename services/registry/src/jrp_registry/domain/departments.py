"""Departments as authenticated clients: roles from their powers, hashed client secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def roles_of(*, initiates: bool, implements: bool, administers: bool) -> frozenset[str]:
    roles = set()
    if initiates:
        roles.add(ROLE_INITIATOR)
    if implements:
        roles.add(ROLE_IMPLEMENTER)
    if administers:
        roles.add(ROLE_ADMINISTRATOR)
    return frozenset(roles)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_hex, digest_hex = stored.split("$", 2)
    digest = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)
