"""A service's own copy of the registry's departments, kept from `departments.v1`.

The registry publishes each department whole (DepartmentPublished) whenever it changes; a
service that decides from who a department is keeps it in its own database: trigger (an
exchange record's deciding department and district, whether a sender is an exchange partner,
DOMAIN.md §11; docs/exchange.md) and appeals (whom a whistle-blower report goes to, 谁主管、
谁负责, DOMAIN.md §9; docs/whistleblowers.md). This module is that copy's table, event handler
and reads, the same in each service, on PostgreSQL and on SQLite (the embedded default).

One row per department: the whole payload as JSON, with its `credential_version` and the
event's time (`updated_at`) beside it, so that an older event never replaces a newer one
(events may repeat or arrive late): an event is taken when its credential version is higher
than the stored one, or equal with a time no earlier — the rule of
`jrp_shared.auth.CredentialStates.learn`, with the event's time to order the changes that keep
the version (a new name, new domains).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.db import UtcDateTime
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import DepartmentPublished, EventPayload
from jrp_shared.messaging.consumer import Handler
from jrp_shared.messaging.uow import UnitOfWork


def department_copy_table(metadata: MetaData) -> Table:
    """The `departments_copy` table of a service's metadata (its migration creates the same)."""
    return Table(
        "departments_copy",
        metadata,
        Column("code", String(32), primary_key=True),
        Column("credential_version", Integer, nullable=False),
        Column("active", Boolean, nullable=False),
        Column("payload", JSON, nullable=False, comment="DepartmentPublished, whole"),
        Column(
            "updated_at",
            UtcDateTime(),
            nullable=False,
            comment="the event's time: an older event never replaces a newer one",
        ),
        comment="the registry's departments (departments.v1)",
    )


class DepartmentCopy:
    """The department copy of one service: its handler for `departments.v1` and its reads.
    Holds no state but the table: build it wherever the table is at hand."""

    topics = (topics.DEPARTMENTS,)

    def __init__(self, table: Table) -> None:
        self.table = table

    def handlers(self) -> dict[str, Handler]:
        return {DepartmentPublished.event_type: self._on_published}

    async def _on_published(
        self, uow: UnitOfWork, envelope: Envelope, payload: EventPayload
    ) -> None:
        assert isinstance(payload, DepartmentPublished)
        await self.learn(uow.session, payload, envelope.time)

    async def learn(
        self, session: AsyncSession, department: DepartmentPublished, at: datetime
    ) -> bool:
        """Store `department` as published at `at`, unless the copy holds a newer state of it
        (a higher credential version, or the same with a later time). True when stored.

        One INSERT … ON CONFLICT DO UPDATE … WHERE, so two consumers taking events of the
        same department at once cannot interleave a read and a write."""
        t = self.table
        values = {
            "code": department.code,
            "credential_version": department.credential_version,
            "active": department.active,
            "payload": department.model_dump(mode="json"),
            # One time zone for every row: SQLite compares the stored text.
            "updated_at": at.astimezone(UTC),
        }
        dialect = (await session.connection()).dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = insert(t).values(**values)
        newer = upsert.excluded
        statement = upsert.on_conflict_do_update(
            index_elements=[t.c.code],
            set_={k: v for k, v in values.items() if k != "code"},
            where=or_(
                t.c.credential_version < newer.credential_version,
                and_(
                    t.c.credential_version == newer.credential_version,
                    t.c.updated_at <= newer.updated_at,
                ),
            ),
        ).returning(t.c.code)
        return (await session.scalar(statement)) is not None

    async def get(self, session: AsyncSession, code: str) -> DepartmentPublished | None:
        found = await session.scalar(select(self.table.c.payload).where(self.table.c.code == code))
        return None if found is None else DepartmentPublished.model_validate(found)

    async def get_many(
        self, session: AsyncSession, codes: Iterable[str]
    ) -> dict[str, DepartmentPublished]:
        """Those of `codes` the copy knows, by code (unknown ones are left out)."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        t = self.table
        rows = await session.scalars(select(t.c.payload).where(t.c.code.in_(wanted)))
        found = (DepartmentPublished.model_validate(r) for r in rows)
        return {d.code: d for d in found}

    async def all(
        self, session: AsyncSession, *, active_only: bool = False
    ) -> list[DepartmentPublished]:
        """Every department the copy knows (only the active ones with `active_only`), by code."""
        t = self.table
        query = select(t.c.payload).order_by(t.c.code)
        if active_only:
            query = query.where(t.c.active.is_(True))
        return [DepartmentPublished.model_validate(r) for r in await session.scalars(query)]

    async def active(self, session: AsyncSession) -> list[DepartmentPublished]:
        return await self.all(session, active_only=True)

    async def by_domain(self, session: AsyncSession, domain: str) -> list[DepartmentPublished]:
        """The active departments with `domain` among theirs, by code (the domains are inside
        the payload: filtered here, the same on both databases; the registry has tens)."""
        return [d for d in await self.active(session) if domain in d.domains]

    async def is_exchange_partner(self, session: AsyncSession, code: str) -> bool:
        """Whether the registry says `code` is another credit platform (DOMAIN.md §11); an
        unknown department is not (an inactive one's tokens are refused before this)."""
        found = await self.get(session, code)
        return found is not None and found.exchanges
