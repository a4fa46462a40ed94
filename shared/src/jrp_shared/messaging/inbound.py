"""Events that department systems post straight onto a topic (list entries, receipts, feedback).

The same payloads as the HTTP API, so the same rules apply; what HTTP gets from the bearer
token, a message gets from its `authorization` header: the department's access token. The
envelope's `source` must be `/departments/<code>` of that very department. Anything else is
dead-lettered with the reason, never taken.

Time on the bus is the receiver's. The token must be valid when the message is taken, by
this service's clock; the message's own `ce_time` is the sender's word and counts for nothing
(a token that expired three days earlier, sent with a back-dated `ce_time`, once put an entry
in force: issue 11 finding 1). A message may wait in its topic (a consumer restarting, a
backlog), so one moment the sender cannot set counts too: when the broker stamped the record
as it stored it (`LogAppendTime`, which the inbound topics are created with:
`topics.BROKER_TIMESTAMPED`), the token may instead have been valid then, if that was at most
`grace` ago. A producer's own record timestamp (`CreateTime`) is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from jrp_shared.auth import Principal, TokenVerifier
from jrp_shared.bus.base import Message, Record
from jrp_shared.errors import DomainError, Unauthenticated
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
    """Checks an inbound record's token and role (one of `role`, when several are given);
    returns why it is refused, or None."""

    def __init__(
        self,
        verifier: TokenVerifier,
        role: str | tuple[str, ...],
        *,
        grace: timedelta = timedelta(0),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._verifier = verifier
        self._roles = (role,) if isinstance(role, str) else role
        self._grace = grace
        self._clock = clock

    def _principal(self, token: str, record: Record) -> Principal:
        """Valid now, or else when the broker stored the message if that is within the
        grace; the refusal is why it is not valid now."""
        try:
            return self._verifier.verify(token)
        except Unauthenticated as now:
            stored = record.appended_at
            if stored is None or not timedelta(0) <= self._clock() - stored <= self._grace:
                raise
            try:
                return self._verifier.verify(token, at=stored)
            except Unauthenticated as exc:
                raise Unauthenticated(
                    f"{now.message}; nor was it valid when the broker stored the message "
                    f"({stored.isoformat()})"
                ) from exc

    def __call__(self, record: Record, envelope: Envelope) -> str | None:
        token = next((v for k, v in record.headers if k.lower() == AUTHORIZATION_HEADER), None)
        if token is None:
            return f"no {AUTHORIZATION_HEADER} header (Bearer access token) on the message"
        text = token.decode("utf-8", errors="replace")
        if not text.lower().startswith("bearer "):
            return f"the {AUTHORIZATION_HEADER} header must be 'Bearer <token>'"
        try:
            principal = self._principal(text[7:].strip(), record)
            if not any(role in principal.roles for role in self._roles):
                # The one role, or any of several (a topic both departments and exchange
                # partners post to): the refusal names them.
                principal.require(" or ".join(self._roles))
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
