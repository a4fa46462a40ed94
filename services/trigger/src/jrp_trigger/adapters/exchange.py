"""Exchange records and the department copy in the trigger's database (docs/exchange.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.db import insert_rows
from jrp_shared.department_copy import DepartmentCopy
from jrp_shared.events.payloads import ExchangeRecordPushed
from jrp_shared.vocabulary import ExchangeOperation, ListEntryStatus
from jrp_trigger.adapters import orm
from jrp_trigger.domain.exchange import RecordState


@dataclass(frozen=True)
class StoredRecord:
    record_id: str
    entry_id: str
    entry_version: int
    operation: ExchangeOperation
    payload: dict[str, Any]
    occurred_at: datetime
    push_due: date
    provisional: bool
    attempts: int
    last_pushed_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    accepted: bool | None
    error_code: str | None
    error_message: str | None


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        record_id=row.record_id,
        entry_id=row.entry_id,
        entry_version=row.entry_version,
        operation=ExchangeOperation(row.operation),
        payload=row.payload,
        occurred_at=row.occurred_at,
        push_due=row.push_due,
        provisional=row.provisional,
        attempts=row.attempts,
        last_pushed_at=row.last_pushed_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        accepted=row.accepted,
        error_code=row.error_code,
        error_message=row.error_message,
    )


def _not_accepted() -> ColumnElement[bool]:
    t = orm.exchange_records
    return or_(t.c.accepted.is_(None), t.c.accepted == false())


def state_condition(state: RecordState, today: date) -> ColumnElement[bool]:
    """The records a `?status=` filter lists (refused ones past due are listed as refused
    and as overdue)."""
    t = orm.exchange_records
    match state:
        case RecordState.PENDING:
            return and_(t.c.acknowledged_at.is_(None), t.c.push_due >= today)
        case RecordState.ACKNOWLEDGED:
            return t.c.accepted == true()
        case RecordState.REFUSED:
            return t.c.accepted == false()
        case RecordState.OVERDUE:
            return and_(_not_accepted(), t.c.push_due < today)


class ExchangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        await insert_rows(self._s, orm.exchange_records, list(rows))

    async def get(self, record_id: str, *, for_update: bool = False) -> StoredRecord | None:
        t = orm.exchange_records
        query = select(t).where(t.c.record_id == record_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _record(row)

    async def search(
        self, *, state: RecordState | None, today: date, limit: int, offset: int
    ) -> list[StoredRecord]:
        t = orm.exchange_records
        query = select(t).order_by(t.c.push_due, t.c.occurred_at, t.c.record_id)
        if state is not None:
            query = query.where(state_condition(state, today))
        rows = await self._s.execute(query.limit(limit).offset(offset))
        return [_record(row) for row in rows]

    async def acknowledge(
        self,
        record_id: str,
        *,
        at: datetime,
        by: str,
        accepted: bool,
        error_code: str | None,
        error_message: str | None,
    ) -> None:
        t = orm.exchange_records
        await self._s.execute(
            update(t)
            .where(t.c.record_id == record_id)
            .values(
                acknowledged_at=at,
                acknowledged_by=by,
                accepted=accepted,
                error_code=error_code,
                error_message=error_message,
            )
        )

    async def unacknowledged(
        self, *, max_attempts: int, pushed_before: datetime, limit: int
    ) -> list[StoredRecord]:
        """Records never acknowledged, with attempts left, last pushed before the earliest
        moment any of them can be due again (each is then checked against its own backoff);
        locked, skipping those another replica is pushing."""
        t = orm.exchange_records
        query = (
            select(t)
            .where(
                t.c.acknowledged_at.is_(None),
                t.c.attempts < max_attempts,
                t.c.last_pushed_at <= pushed_before,
            )
            .order_by(t.c.last_pushed_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_record(row) for row in await self._s.execute(query)]

    async def pushed_again(self, pushes: Iterable[tuple[str, int, datetime]]) -> None:
        t = orm.exchange_records
        for record_id, attempts, at in pushes:
            await self._s.execute(
                update(t)
                .where(t.c.record_id == record_id)
                .values(attempts=attempts, last_pushed_at=at)
            )

    async def overdue_count(self, today: date) -> int:
        t = orm.exchange_records
        found = await self._s.scalar(
            select(func.count()).select_from(t).where(_not_accepted(), t.c.push_due < today)
        )
        return int(found or 0)

    async def provisional(self) -> list[tuple[str, datetime]]:
        t = orm.exchange_records
        rows = await self._s.execute(
            select(t.c.record_id, t.c.occurred_at).where(t.c.provisional == true())
        )
        return [(row.record_id, row.occurred_at) for row in rows]

    async def set_due(self, record_id: str, due: date, provisional: bool) -> None:
        t = orm.exchange_records
        await self._s.execute(
            update(t)
            .where(t.c.record_id == record_id)
            .values(push_due=due, provisional=provisional)
        )

    async def exits_due(self, today: date, limit: int) -> list[str]:
        """Entries whose period ended before `today` (China), in force (never suspended,
        revoked or repaired), known to the other platforms (an exchange record of them exists:
        entries recorded before the exchange, or while it was off, were never pushed), without
        an exit record yet; locked, skipping those another replica is handling."""
        e, r = orm.list_entries, orm.exchange_records
        known = exists().where(r.c.entry_id == e.c.entry_id)
        recorded = exists().where(
            r.c.entry_id == e.c.entry_id, r.c.operation == ExchangeOperation.EXIT.value
        )
        query = (
            select(e.c.entry_id)
            .where(
                e.c.status == ListEntryStatus.IN_FORCE.value,
                e.c.period_end < today,
                e.c.in_force_since.is_not(None),
                e.c.origin.is_(None),
                known,
                ~recorded,
            )
            .order_by(e.c.period_end, e.c.entry_id)
            .limit(limit)
            .with_for_update(of=e, skip_locked=True)
        )
        return list(await self._s.scalars(query))


department_copy = DepartmentCopy(orm.departments_copy)
"""The trigger's department copy (jrp_shared.department_copy)."""


def record_row(record: ExchangeRecordPushed, provisional: bool) -> dict[str, Any]:
    """The stored row of a new record (attempt 1, just pushed)."""
    return {
        "record_id": record.record_id,
        "entry_id": record.entry_id,
        "entry_version": record.entry_version,
        "operation": record.operation.value,
        "payload": record.model_dump(mode="json"),
        "occurred_at": record.occurred_at,
        "push_due": record.push_due,
        "provisional": provisional,
        "attempts": 1,
        "last_pushed_at": record.pushed_at,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "accepted": None,
        "error_code": None,
        "error_message": None,
    }
