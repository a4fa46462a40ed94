"""Which failures mean "a dependency is away" (wait) rather than "this input is bad" (refuse):
real asyncpg, SQLAlchemy and aiokafka exceptions, raised the way they reach our code. The
refusals of a starting server come from a stand-in that speaks the PostgreSQL wire protocol's
startup phase (what a server in crash recovery answers), so no server is needed."""

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from jrp_shared.db import Database
from jrp_shared.transient import is_transient

_SSL_REQUEST = 80877103


def _error_response(sqlstate: str, message: str) -> bytes:
    fields = (("S", "FATAL"), ("V", "FATAL"), ("C", sqlstate), ("M", message))
    body = b"".join(k.encode() + v.encode() + b"\0" for k, v in fields) + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


@asynccontextmanager
async def _refusing_server(sqlstate: str, message: str) -> AsyncIterator[int]:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # SSLRequest (answered "no"), then the startup message
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            body = await reader.readexactly(length - 4)
            if struct.unpack("!i", body[:4])[0] != _SSL_REQUEST:
                break
            writer.write(b"N")
            await writer.drain()
        writer.write(_error_response(sqlstate, message))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _connect_error(url: str) -> Exception:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return exc
    finally:
        await db.dispose()
    raise AssertionError("the connection was expected to fail")


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [
        ("57P03", "the database system is starting up"),
        ("57P03", "the database system is not yet accepting connections"),
        ("57P03", "the database system is shutting down"),
        ("57P01", "terminating connection due to administrator command"),
        ("53300", "sorry, too many clients already"),
        ("28P01", 'password authentication failed for user "jrp"'),
    ],
)
async def test_a_server_that_refuses_connections_is_transient(sqlstate: str, message: str) -> None:
    async with _refusing_server(sqlstate, message) as port:
        exc = await _connect_error(f"postgresql+asyncpg://jrp:jrp@127.0.0.1:{port}/jrp")
        # What issue 10 found: SQLAlchemy wraps it as a plain DBAPIError, not OperationalError.
        assert isinstance(exc, DBAPIError)
        assert not isinstance(exc, OperationalError)
        assert message in str(exc)
        assert is_transient(exc)


async def test_a_closed_port_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    exc = await _connect_error(f"postgresql+asyncpg://jrp:jrp@127.0.0.1:{closed}/jrp")
    assert isinstance(exc, OSError)
    assert is_transient(exc)


def test_a_connection_lost_mid_statement_is_transient() -> None:
    lost = asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    assert is_transient(DBAPIError("INSERT INTO effects …", {}, lost))
    closed = asyncpg.InterfaceError("cannot call Connection.execute(): connection is closed")
    assert is_transient(DBAPIError("SELECT 1", {}, closed))
    invalidated = DBAPIError("SELECT 1", {}, ValueError("gone"), connection_invalidated=True)
    assert is_transient(invalidated)
    assert is_transient(asyncpg.CrashShutdownError("terminating connection"))
    assert is_transient(asyncpg.DeadlockDetectedError("deadlock detected"))


def test_a_failure_caused_by_an_outage_is_transient() -> None:
    try:
        try:
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        except asyncpg.PostgresError as exc:
            raise RuntimeError("could not load the list entry") from exc
    except RuntimeError as outer:
        assert is_transient(outer)


def test_bad_data_and_bugs_are_not_transient() -> None:
    duplicate = asyncpg.UniqueViolationError('duplicate key value violates "inbox_pkey"')
    assert not is_transient(IntegrityError("INSERT INTO inbox …", {}, duplicate))
    assert not is_transient(DBAPIError("SELECT 1/0", {}, asyncpg.DivisionByZeroError("/ 0")))
    busy = asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
    assert not is_transient(DBAPIError("SELECT 1", {}, busy))
    assert not is_transient(ValueError("year must be a number"))
    assert not is_transient(AttributeError("'NoneType' object has no attribute 'code'"))
    assert not is_transient(FileNotFoundError("keys/public.pem"))


def test_a_broker_that_is_away_is_transient_a_message_too_large_is_not() -> None:
    assert is_transient(KafkaConnectionError("Unable to bootstrap from 127.0.0.1:19092"))
    assert is_transient(KafkaTimeoutError())
    assert not is_transient(MessageSizeTooLargeError())
    assert is_transient(ConnectionResetError(104, "Connection reset by peer"))
    assert is_transient(TimeoutError())
