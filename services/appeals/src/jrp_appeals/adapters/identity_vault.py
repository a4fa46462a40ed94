"""The whistle-blowers' identities, sealed with AES-256-GCM (the `cryptography` package).

The reporter's identity is kept strictly confidential (DOMAIN.md §9; 000 (十七), 003 三(四)3):
it is stored only sealed, with the id of the key that sealed it, bound to its report number
(the associated data: a sealed identity copied onto another report does not open). Keys rotate:
a new key id becomes the current one and seals from then on; the old keys stay listed so the
identities they sealed still open (re-sealing them under the new key is a later chore).

Keys come from files, like every secret in the mesh (`JRP_APPEALS_WHISTLEBLOWER_IDENTITY_KEY_FILES`,
a JSON object key id → file holding 32 random bytes, as hex or base64, or raw). Without any,
the process draws a random key of its own (development only: identities sealed by one process
cannot be opened by the next).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12
EPHEMERAL_KEY_ID = "ephemeral"


class IdentityKeyError(ValueError):
    """A key file missing, unreadable or of the wrong size (its content is never shown)."""


class IdentityUnreadable(Exception):
    """A sealed identity that no listed key opens (a key withdrawn, or the data damaged)."""


def _decode_key(raw: bytes) -> bytes:
    text = raw.strip()
    if len(text) == KEY_BYTES:
        return text
    for decode in (binascii.unhexlify, base64.b64decode, base64.urlsafe_b64decode):
        try:
            key = decode(text)
        except (binascii.Error, ValueError):
            continue
        if len(key) == KEY_BYTES:
            return key
    raise IdentityKeyError(f"a key must be {KEY_BYTES} bytes (raw, hex or base64)")


def read_key_file(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IdentityKeyError(f"key file {path} cannot be read: {type(exc).__name__}") from None
    try:
        return _decode_key(raw)
    except IdentityKeyError as exc:
        raise IdentityKeyError(f"{path}: {exc}") from None


@dataclass(frozen=True)
class IdentityVault:
    keys: Mapping[str, bytes] = field(repr=False)
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise IdentityKeyError(f"the current key id {self.current!r} has no key")
        for key_id, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise IdentityKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes")

    @classmethod
    def from_files(cls, files: Mapping[str, Path], current: str | None) -> IdentityVault:
        """The keys from their files; `current` seals (default: the only key)."""
        if not files:
            return cls.ephemeral()
        keys = {key_id: read_key_file(path) for key_id, path in files.items()}
        if current is None:
            if len(keys) != 1:
                raise IdentityKeyError("several identity keys: name the current one")
            current = next(iter(keys))
        return cls(keys, current)

    @classmethod
    def ephemeral(cls) -> IdentityVault:
        """A random key for this process alone (development without configured keys)."""
        return cls({EPHEMERAL_KEY_ID: secrets.token_bytes(KEY_BYTES)}, EPHEMERAL_KEY_ID)

    def seal(self, identity: Mapping[str, str | None], *, bound_to: str) -> tuple[str, bytes]:
        """(key id, nonce + ciphertext) of the identity, bound to `bound_to` (the number)."""
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(dict(identity), ensure_ascii=False, sort_keys=True).encode()
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain, bound_to.encode())
        return self.current, nonce + sealed

    def open(self, key_id: str, sealed: bytes, *, bound_to: str) -> dict[str, str | None]:
        key = self.keys.get(key_id)
        if key is None:
            raise IdentityUnreadable(f"key {key_id!r} is not configured any more")
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            plain = AESGCM(key).decrypt(nonce, body, bound_to.encode())
        except InvalidTag:
            raise IdentityUnreadable("the sealed identity does not open with its key") from None
        found: dict[str, str | None] = json.loads(plain)
        return found
