"""Alembic, the same way for every service: env.py calls `run_env(metadata)`; the CLI calls
`upgrade(...)`. The URL comes from the service's settings, never from alembic.ini."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from jrp_shared.db import create_engine, is_sqlite


def _config(script_location: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(script_location: Path, url: str, revision: str = "head") -> None:
    """Migrate a database to `revision`. Synchronous: call it before the event loop runs,
    or through `asyncio.to_thread`."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_config(script_location, url), revision)


def make_revision(script_location: Path, url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the models and `url`'s schema."""
    command.revision(_config(script_location, url), message=message, autogenerate=True)


def run_env(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url not set: migrate through jrp_shared.migrations.upgrade"

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite(url),  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())
