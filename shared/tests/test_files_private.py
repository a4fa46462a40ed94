"""Files the services write are their owner's only (issue 11 finding 2): the embedded bus, the
SQLite databases (with their -wal and -shm), and anything a service command creates."""

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.db import Database
from jrp_shared.events.payloads import CalendarScheduleLoaded
from jrp_shared.files import ExposedSecret, read_secret, restrict_new_files, sqlite_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def careless_umask() -> Iterator[None]:
    """The usual 022, under which files come out 0644 (what the finding saw)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def test_the_embedded_bus_file_is_owner_only_whatever_the_umask(
    tmp_path: Path, careless_umask: None
) -> None:
    path = tmp_path / "var" / "bus.sqlite3"
    bus = EmbeddedBus("ns", path)
    await bus.start()
    try:
        schedule = CalendarScheduleLoaded(
            year=2027, source="t", holidays=[date(2027, 1, 1)], adjusted_workdays=[]
        )
        await bus.publish([schedule.message("/jrp/test")])
    finally:
        await bus.stop()
    assert mode(path.parent) == 0o700
    files = [p for p in path.parent.iterdir()]
    assert path in files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


async def test_a_sqlite_database_is_owner_only_and_an_open_one_is_tightened(
    tmp_path: Path, careless_umask: None
) -> None:
    old = tmp_path / "old.db"
    old.touch(mode=0o644)  # left open by an earlier version
    for path in (tmp_path / "data" / "svc.db", old):
        db = Database(f"sqlite+aiosqlite:///{path}")
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        await db.dispose()
        written = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert written and all(mode(p) == 0o600 for p in written), [
            (p.name, oct(mode(p))) for p in written
        ]
    assert mode(tmp_path / "data") == 0o700
    assert sqlite_file("postgresql+asyncpg://u@h/db") is None
    assert sqlite_file("sqlite+aiosqlite://") is None


def test_a_service_command_creates_nothing_others_can_read(
    tmp_path: Path, careless_umask: None
) -> None:
    previous = restrict_new_files()
    try:
        (tmp_path / "logs").mkdir()
        (tmp_path / "logs" / "service.log").write_text("x")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "logs") == 0o700
    assert mode(tmp_path / "logs" / "service.log") == 0o600


def test_a_credential_file_others_may_read_is_refused(tmp_path: Path) -> None:
    token = tmp_path / "court.token"
    token.write_text("eyJ.secret.value\n")
    token.chmod(0o644)
    with pytest.raises(ExposedSecret, match="chmod 600"):
        read_secret(token)
    token.chmod(0o600)
    assert read_secret(token) == "eyJ.secret.value"
