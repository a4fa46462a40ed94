"""Keyed pseudonyms for resident IDs in message keys and `ce_subject` headers.

A resident ID is personal data (DOMAIN.md §2): it must never be readable in what every
Kafka client, `kcat` session and broker tool shows — the message key and the headers. Yet the
key is what keeps one subject's events in order (one partition per subject). A keyed
pseudonym does both: `p-` + the first 32 hex digits (128 bits) of HMAC-SHA256(secret, ID) is
stable for one secret, so one subject keeps one partition, and without the platform secret
nobody can test guesses (a bare hash of an 18-digit ID with a known birth date and region is
found by trying the few thousand that fit).

Only what looks like a resident ID is replaced: 17 digits and a digit or `X`, whatever its
check character. USCCs are public registers' codes and stay readable (one that happens to be
all digits is pseudonymised too, which is harmless). The body of an event still carries the
subject's code: a consumer that needs the subject reads it from there, never from the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from jrp_shared.bus.base import Message

MIN_SECRET_BYTES: Final = 32
PSEUDONYM_PREFIX: Final = "p-"
_HEX_DIGITS: Final = 32
_RESIDENT_ID_SHAPE: Final = re.compile(r"\d{17}[\dXx]")
_SUBJECT_HEADER: Final = "ce_subject"


def looks_like_resident_id(value: str) -> bool:
    return _RESIDENT_ID_SHAPE.fullmatch(value) is not None


class PseudonymSecretError(ValueError):
    """The secret file is missing, unreadable or too short (its content is never shown)."""


@dataclass(frozen=True)
class SubjectPseudonyms:
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise PseudonymSecretError(
                f"the pseudonym secret has {len(self.secret)} bytes; at least "
                f"{MIN_SECRET_BYTES} are needed"
            )

    @classmethod
    def from_file(cls, path: Path) -> SubjectPseudonyms:
        try:
            secret = path.read_bytes().strip()
        except OSError as exc:
            raise PseudonymSecretError(
                f"pseudonym secret file {path} cannot be read: {type(exc).__name__}"
            ) from None
        try:
            return cls(secret)
        except PseudonymSecretError as exc:
            raise PseudonymSecretError(f"{path}: {exc}") from None

    @classmethod
    def ephemeral(cls) -> SubjectPseudonyms:
        """A random secret for this process alone (development without a configured one)."""
        return cls(secrets.token_bytes(MIN_SECRET_BYTES))

    def of(self, value: str) -> str:
        """The pseudonym of a resident ID (upper-cased first: `x` and `X` are one ID)."""
        digest = hmac.new(self.secret, value.upper().encode(), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:_HEX_DIGITS]

    def key(self, value: str | None) -> str | None:
        """A message key or `ce_subject` as it may travel: a resident ID replaced by its
        pseudonym, anything else unchanged."""
        if value is None or not looks_like_resident_id(value):
            return value
        return self.of(value)

    def _header(self, raw: bytes) -> bytes:
        text = raw.decode(errors="replace")
        return self.of(text).encode() if looks_like_resident_id(text) else raw

    def message(self, message: Message) -> Message:
        """`message` with its key and `ce_subject` header made safe to put on a topic."""
        headers = tuple(
            (name, self._header(raw) if name == _SUBJECT_HEADER else raw)
            for name, raw in message.headers
        )
        key = self.key(message.key)
        if key == message.key and headers == message.headers:
            return message
        return replace(message, key=key, headers=headers)
