"""Events that department systems post straight onto a topic (list entries, receipts, feedback).

The same payloads as the HTTP API, so the same rules apply; what HTTP gets from the bearer
token, a message gets from its `authorization` header: the department's access token. The
envelope's `source` must be `/departments/<code>` of that very department, and the token must
have been valid when the message was produced (its `ce_time`): messages wait in topics, so a
token that expired since is still good for what it signed while valid. Anything else is
dead-lettered with the reason, never taken.
"""

from __future__ import annotations

from typing import Final

from jrp_shared.auth import TokenVerifier
from jrp_shared.bus.base import Message, Record
from jrp_shared.errors import DomainError
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import EventPayload

AUTHORIZATION_HEADER: Final = "authorization"
_SOURCE_PREFIX: Final = "/departments/"


def department_source(department_code: str) -> str:
    return f"{_SOURCE_PREFIX}{department_code}"


def department_of(envelope: Envelope) -> str:
    """The posting department of an authenticated inbound event."""
    if not envelope.source.startswith(_SOURCE_PREFIX):
        raise ValueError(f"not a department's event: source {envelope.source!r}")
    return envelope.source.removeprefix(_SOURCE_PREFIX)


class DepartmentAuthenticator:
    """Checks an inbound record's token and role; returns why it is refused, or None."""

    def __init__(self, verifier: TokenVerifier, role: str) -> None:
        self._verifier = verifier
        self._role = role

    def __call__(self, record: Record, envelope: Envelope) -> str | None:
        token = next((v for k, v in record.headers if k.lower() == AUTHORIZATION_HEADER), None)
        if token is None:
            return f"no {AUTHORIZATION_HEADER} header (Bearer access token) on the message"
        text = token.decode("utf-8", errors="replace")
        if not text.lower().startswith("bearer "):
            return f"the {AUTHORIZATION_HEADER} header must be 'Bearer <token>'"
        try:
            principal = self._verifier.verify(text[7:].strip(), at=envelope.time)
            principal.require(self._role)
        except DomainError as exc:
            return exc.message
        expected = department_source(principal.department_code)
        if envelope.source != expected:
            return (
                f"ce_source is {envelope.source!r} but the token is department "
                f"{principal.department_code!r} (expected {expected!r})"
            )
        return None


def inbound_message(payload: EventPayload, department_code: str, token: str) -> Message:
    """The message a department system posts (what a client library or `kcat -P` would send)."""
    return payload.message(
        department_source(department_code),
        headers=((AUTHORIZATION_HEADER, f"Bearer {token}".encode()),),
    )
