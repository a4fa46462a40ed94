"""A service's own copy of the measures catalog, kept from the registry's catalog events.

The catalog is the only legal basis for any measure (DOMAIN.md §4), and every service decides
from it: trigger (who may initiate what, periods), enforcement (which department applies which
measure), appeals (suspension and repair rules). Each keeps its own copy in its own database,
fed from `catalog.v1`; this module is that copy's tables, event handlers and reads, the same
in each service. Every version is kept, so "in force on date D" can be answered for any D.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared import api_examples
from jrp_shared.calendar_copy import CalendarCopy, deadline_router, follow_calendar
from jrp_shared.db import UtcDateTime
from jrp_shared.errors import NotFound
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import EventPayload, ListTypePublished, MeasurePublished
from jrp_shared.messaging.consumer import Handler
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.web import Department, runtime_of

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class CatalogCopyTables:
    list_types: Table
    measures: Table
    changes_received: Table


def catalog_copy_tables(metadata: MetaData) -> CatalogCopyTables:
    def versions(name: str) -> Table:
        return Table(
            name,
            metadata,
            Column("code", String(100), nullable=False),
            Column("version", Integer, nullable=False),
            Column("effective_from", Date, nullable=False),
            Column("payload", JSON, nullable=False),
            PrimaryKeyConstraint("code", "version", name=f"{name}_pkey"),
        )

    return CatalogCopyTables(
        list_types=versions("catalog_list_types"),
        measures=versions("catalog_measures"),
        changes_received=Table(
            "catalog_changes_received",
            metadata,
            Column("id", _BIGINT, primary_key=True, autoincrement=True),
            Column("event_id", String(64), nullable=False),
            Column("kind", String(20), nullable=False),
            Column("code", String(100), nullable=False),
            Column("version", Integer, nullable=False),
            Column("received_at", UtcDateTime(), nullable=False),
        ),
    )


CatalogHook = Callable[[UnitOfWork], None]


class CatalogCopy:
    def __init__(self, tables: CatalogCopyTables) -> None:
        self.tables = tables
        self._hooks: list[CatalogHook] = []

    def on_change(self, hook: CatalogHook) -> None:
        """Run `hook` in the transaction that stores a catalog event (e.g. to tell every
        replica that reads kept in memory are stale)."""
        self._hooks.append(hook)

    def handlers(self) -> dict[str, Handler]:
        return {
            ListTypePublished.event_type: self._on_published,
            MeasurePublished.event_type: self._on_published,
        }

    topics = (topics.CATALOG,)

    async def _on_published(
        self, uow: UnitOfWork, envelope: Envelope, payload: EventPayload
    ) -> None:
        assert isinstance(payload, ListTypePublished | MeasurePublished)
        kind, table = (
            ("list_type", self.tables.list_types)
            if isinstance(payload, ListTypePublished)
            else ("measure", self.tables.measures)
        )
        session = uow.session
        existing = await session.scalar(
            select(table.c.version).where(
                table.c.code == payload.code, table.c.version == payload.version
            )
        )
        if existing is None:
            await session.execute(
                insert(table).values(
                    code=payload.code,
                    version=payload.version,
                    effective_from=payload.effective_from,
                    payload=payload.model_dump(mode="json"),
                )
            )
        # The audit trail of what this service learnt and when: one row per event taken.
        await session.execute(
            insert(self.tables.changes_received).values(
                event_id=envelope.id,
                kind=kind,
                code=payload.code,
                version=payload.version,
                received_at=datetime.now(UTC),
            )
        )
        for hook in self._hooks:
            hook(uow)

    async def _in_force(
        self, session: AsyncSession, table: Table, on: date, code: str | None = None
    ) -> list[dict[str, Any]]:
        """Per code, the version in force on `on`: of those in force by then, the latest
        effective date, then the highest version (the registry's `version_on`): a past catalog
        edition loaded later has a higher version number and an older date."""
        rank = (
            func.row_number()
            .over(
                partition_by=table.c.code,
                order_by=(table.c.effective_from.desc(), table.c.version.desc()),
            )
            .label("rank")
        )
        ranked = select(table.c.code, table.c.payload, rank).where(table.c.effective_from <= on)
        if code is not None:
            ranked = ranked.where(table.c.code == code)
        sub = ranked.subquery()
        rows = await session.execute(
            select(sub.c.payload).where(sub.c.rank == 1).order_by(sub.c.code)
        )
        return [dict(r.payload) for r in rows]

    async def list_types_in_force(self, session: AsyncSession, on: date) -> list[ListTypePublished]:
        rows = await self._in_force(session, self.tables.list_types, on)
        return [ListTypePublished.model_validate(r) for r in rows]

    async def list_type_in_force(
        self, session: AsyncSession, code: str, on: date
    ) -> ListTypePublished | None:
        rows = await self._in_force(session, self.tables.list_types, on, code)
        return ListTypePublished.model_validate(rows[0]) if rows else None

    async def measures_in_force(self, session: AsyncSession, on: date) -> list[MeasurePublished]:
        rows = await self._in_force(session, self.tables.measures, on)
        return [MeasurePublished.model_validate(r) for r in rows]

    def router(self) -> APIRouter:
        """Read-only view of this service's copy, same paths as the registry's catalog."""
        router = APIRouter(prefix="/v1/catalog", tags=["catalog (this service's copy)"])

        @router.get(
            "/list-types",
            response_model=list[ListTypePublished],
            responses=api_examples.answer([api_examples.LIST_TYPE]),
        )
        async def list_types(
            request: Request, _by: Department, on: Annotated[date | None, Query()] = None
        ) -> list[ListTypePublished]:
            async with runtime_of(request).db.sessions() as session:
                return await self.list_types_in_force(session, on or date.today())

        @router.get(
            "/list-types/{code}",
            response_model=ListTypePublished,
            responses=api_examples.answer(api_examples.LIST_TYPE),
        )
        async def list_type(
            request: Request, code: str, _by: Department, on: Annotated[date | None, Query()] = None
        ) -> ListTypePublished:
            async with runtime_of(request).db.sessions() as session:
                found = await self.list_type_in_force(session, code, on or date.today())
            if found is None:
                raise NotFound(f"no list type {code!r} in force in this service's catalog copy")
            return found

        @router.get(
            "/measures",
            response_model=list[MeasurePublished],
            responses=api_examples.answer([api_examples.MEASURE]),
        )
        async def measures(
            request: Request, _by: Department, on: Annotated[date | None, Query()] = None
        ) -> list[MeasurePublished]:
            async with runtime_of(request).db.sessions() as session:
                return await self.measures_in_force(session, on or date.today())

        return router


class RegistryCopies:
    """The catalog and calendar copies a service keeps from the registry's events, wired into
    its runtime: consumers, read routes, and the start-up restore of the calendar."""

    def __init__(
        self, runtime: ServiceRuntime, catalog_tables: CatalogCopyTables, calendar_table: Table
    ) -> None:
        self.catalog = CatalogCopy(catalog_tables)
        self.calendar = CalendarCopy(calendar_table)
        self._db = runtime.db
        runtime.add_consumer("catalog-copy", self.catalog.topics, self.catalog.handlers())
        runtime.add_consumer("calendar-copy", self.calendar.topics, self.calendar.handlers())
        bus, calendar = runtime.bus, self.calendar.calendar
        runtime.add_task(
            "calendar-follower",
            lambda: follow_calendar(bus, calendar, name=f"{runtime.name}.calendar-follower"),
        )

    def routers(self) -> list[APIRouter]:
        return [self.catalog.router(), deadline_router(lambda _request: self.calendar.calendar)]

    async def restore(self) -> None:
        await self.calendar.restore(self._db)
