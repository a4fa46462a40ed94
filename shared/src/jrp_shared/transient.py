"""Is a failure "the database or the broker is away" or "this request/message is bad"?

One answer for the whole mesh: consumers wait out a transient failure (never dead-letter it),
the relay retries it quietly, HTTP answers it with 503 and `Retry-After`, the must-check audit
writer reconnects. Anything else is the message's (or the code's) fault.

Transient:

- SQLAlchemy `OperationalError`, and any `DBAPIError` that invalidated its connection;
- a PostgreSQL connection error however SQLAlchemy wraps it (asyncpg's errors arrive as a plain
  `DBAPIError` whose `.orig` carries them): SQLSTATE class 08 (connection exception), 57P01
  admin shutdown ("terminating connection due to administrator command"), 57P02 crash shutdown,
  57P03 cannot connect now ("the database system is starting up / not yet accepting
  connections / shutting down"), 53300 too many connections; a server that refuses us (class
  28: wrong password or pg_hba; 3D000: no such database), a deployment fault that no message
  can cause and an operator repairs; and the conflicts that a retry resolves: 40001
  serialization failure, 40P01 deadlock;
- asyncpg's "connection is closed" (`InterfaceError`) and `ConnectionDoesNotExistError`;
- `ConnectionError`, `TimeoutError` and network `OSError`s (not a missing or unreadable file);
- a Kafka error that aiokafka marks retriable (`KafkaConnectionError`, `NodeNotReadyError`,
  `NotEnoughReplicasError`, …) and `KafkaTimeoutError`.

The cause chain (`.orig`, `__cause__`) is followed, so an error re-raised `from` one of these is
transient too.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import asyncpg
from aiokafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")

_TRANSIENT_SQLSTATE_CLASSES: Final = ("08", "28")
_TRANSIENT_SQLSTATES: Final = frozenset(
    {"57P01", "57P02", "57P03", "53300", "3D000", "40001", "40P01"}
)
_LOCAL_FILE_ERRORS: Final = (
    FileNotFoundError,
    FileExistsError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
)


class NotYetReceived(Exception):
    """What a message needs has not reached this service yet: a copy fed by another topic
    (the catalog, the calendar) is behind the topic the message came on. Topics are not
    ordered with one another, so this is a wait, like an outage: consumers wait it out with
    the same capped backoff and never dead-letter it (the lag metric shows a wait that does
    not end). Not transient for HTTP: a request is answered from what the service has."""


def _sqlstate_is_transient(sqlstate: object) -> bool:
    return isinstance(sqlstate, str) and (
        sqlstate.startswith(_TRANSIENT_SQLSTATE_CLASSES) or sqlstate in _TRANSIENT_SQLSTATES
    )


def _transient_in_itself(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return _sqlstate_is_transient(exc.sqlstate)
    if isinstance(exc, asyncpg.InterfaceError):
        return "connection is closed" in str(exc) or "connection was closed" in str(exc)
    if isinstance(exc, KafkaError):
        return isinstance(exc, KafkaTimeoutError) or bool(exc.retriable)
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OSError):
        return not isinstance(exc, _LOCAL_FILE_ERRORS)
    # The driver adapter's own error (what SQLAlchemy's `.orig` holds) carries the SQLSTATE.
    return _sqlstate_is_transient(getattr(exc, "sqlstate", None))


def is_transient(exc: BaseException) -> bool:
    """True when `exc` means a dependency is away or restarting: wait and retry, the request
    or message is not at fault."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _transient_in_itself(current):
            return True
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            pending.append(orig)
        if current.__cause__ is not None:
            pending.append(current.__cause__)
    return False


async def retry_while_transient(
    operation: Callable[[], Awaitable[T]],
    *,
    first_delay: float,
    max_delay: float,
    within: float = math.inf,
    on_retry: Callable[[BaseException, int], None] | None = None,
) -> T:
    """Run `operation` until it succeeds, waiting out transient failures: retry at once (a
    fresh connection often suffices after a restart), then after `first_delay`, doubling up to
    `max_delay`. Any other failure, or a transient one once `within` seconds have passed,
    is raised. `on_retry(exc, retries_so_far)` is told of each retry (logs, metrics)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    delay = 0.0
    retries = 0
    while True:
        try:
            return await operation()
        except Exception as exc:
            if not is_transient(exc) or loop.time() + delay > deadline:
                raise
            retries += 1
            if on_retry is not None:
                on_retry(exc, retries)
            await asyncio.sleep(delay)
            delay = min(max(delay * 2, first_delay), max_delay)
