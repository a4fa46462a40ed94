"""Files the services write are readable by their owner only (issue 11 finding 2).

The embedded bus, SQLite databases, logs and credentials hold personal data and tokens'
effects; at 0644 any local account could read them. Two layers: every command of a service
starts with an owner-only umask (`restrict_new_files`, called by `jrp_shared.cli`), so nothing
it creates is readable by others, SQLite's `-wal`/`-shm` companions and spool files included;
and the files the services know they keep are created (or tightened, when an older version
left them open) at 0600 in 0700 directories, whatever the umask of whoever embeds them.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Final

from sqlalchemy.engine import make_url

OWNER_ONLY_UMASK: Final = 0o077
FILE_MODE: Final = 0o600
DIRECTORY_MODE: Final = 0o700


def restrict_new_files() -> int:
    """Owner-only permissions for every file and directory this process creates from now on;
    returns the previous umask."""
    return os.umask(OWNER_ONLY_UMASK)


def private_directory(path: Path) -> Path:
    """`path` created at 0700 when missing (a directory that exists is left as it is: it may be
    shared, like /tmp)."""
    if not path.exists():
        path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        path.chmod(DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` exists at 0600 (created empty when missing, in a 0700 directory when that is
    missing too). SQLite gives a database's `-wal` and `-shm` files the database's mode."""
    private_directory(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)
    path.chmod(FILE_MODE)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            companion.chmod(FILE_MODE)
    return path


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL, or None (another database, or in memory)."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class ExposedSecret(Exception):
    """A credential file others may read: refused, as ssh refuses an open private key."""


def read_secret(path: Path) -> str:
    """The stripped text of a credential file (a token, a client secret) that only its owner
    may read; one readable by the group or others is refused with how to fix it."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ExposedSecret(
            f"{path} holds a credential and is readable by others (mode {mode:o}): chmod 600 {path}"
        )
    return path.read_text().strip()
