"""Repositories of the order lifecycle: load and store through the unit of work's session.
Never commit. `lock=True` takes row locks (PostgreSQL `FOR UPDATE`; SQLite, one writer at a
time, needs none), so the consumer, the expiry sweep and HTTP reports change one order at a
time; locks are always taken entry first, then its orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.eligibility import PastEntry
from jrp_enforcement.domain.entries import StoredEntry
from jrp_enforcement.domain.orders import OPEN_STATES, FeedbackRecord, SanctionOrder, Suspension
from jrp_enforcement.domain.planning import Target
from jrp_enforcement.domain.statistics import OrderCounts
from jrp_shared.clock import china_date
from jrp_shared.db import JsonText, UtcDateTime, insert_rows
from jrp_shared.events.payloads import ListEntryInForce, OrderedMeasure
from jrp_shared.vocabulary import (
    CaseKind,
    FeedbackOutcome,
    LiftReason,
    ListColour,
    ListEntryStatus,
    OrderState,
    TargetRole,
)

ISSUE_CHANGES = ("issued", "reissued")
"""History changes whose detail holds the order message as sent (`detail["message"]`)."""


def _required(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


NOT_SUSPENDED: dict[str, Any] = {
    "suspension_case_kind": None,
    "suspension_case_id": None,
    "suspended_since": None,
}
"""An entry's suspension columns outside a suspension: every other change clears them."""


class WriteBehind:
    """The new rows one unit of work adds (entries, targets, orders, their feedback and
    history), kept until it commits or until something reads them, then written with one
    COPY per table: a poll of list entries costs a handful of statements, not several per
    entry. Updates are not kept: they go to the database at once, after a flush (every
    change of an existing row is preceded by a read that flushes)."""

    _TABLES = (
        orm.list_entries,
        orm.entry_targets,
        orm.entry_history,
        orm.entry_target_history,
        orm.sanction_orders,
        orm.measure_feedback,
        orm.order_history,
    )

    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in self._TABLES}
        self._entries: set[str] = set()
        self.stored_ahead: dict[str, StoredEntry | None] = {}
        """Entries read (and locked) for a whole poll; each is handed out once."""
        self.subjects_looked_up: set[str] = set()
        self.subjects_with_conditional: set[str] = set()
        """Of the subjects of a poll's entries, those with a stored entry (any status) of a
        list type with conditional measures: the others need no query to re-plan them."""

    def add(self, table: Table, rows: Sequence[dict[str, Any]], entry_ids: Sequence[str]) -> None:
        self._rows[table.name].extend(rows)
        self._entries.update(entry_ids)

    def holds(self, entry_id: str) -> bool:
        return entry_id in self._entries

    def new_entries(self) -> list[dict[str, Any]]:
        """The `list_entries` rows kept, not yet written (new entries of this unit of work)."""
        return list(self._rows[orm.list_entries.name])

    @property
    def empty(self) -> bool:
        return not self._entries and not any(self._rows.values())

    async def before_read(self, entry_id: str | None = None) -> None:
        """Make kept rows visible before a read that may need them (of `entry_id`, or any)."""
        if self.holds(entry_id) if entry_id is not None else not self.empty:
            await self.flush()

    async def flush(self) -> None:
        """Write everything kept, parents first (targets and orders refer to entries)."""
        for table in self._TABLES:
            rows, self._rows[table.name] = self._rows[table.name], []
            if table is orm.list_entries:
                # Written now: no longer found in memory, so looked for in the database.
                self.subjects_with_conditional.update(r["subject_code"] for r in rows)
            await insert_rows(self._s, table, rows)
        self._entries.clear()


class EntryRepository:
    def __init__(self, session: AsyncSession, writes: WriteBehind | None = None) -> None:
        self._s = session
        self._writes = writes

    async def _flushed(self, entry_id: str | None = None) -> None:
        if self._writes is not None:
            await self._writes.before_read(entry_id)

    async def read_ahead(self, entry_ids: Sequence[str]) -> None:
        """Read and lock these entries in one query, for the next `get(lock=True)` of each
        (a poll of list entries would otherwise read them one round trip at a time)."""
        w = self._writes
        if w is None or not entry_ids:
            return
        t = orm.list_entries
        wanted = sorted(set(entry_ids) - w.stored_ahead.keys())
        rows = await self._s.execute(
            select(t.c.entry_id, t.c.version, t.c.status, t.c.period_end)
            .where(t.c.entry_id.in_(wanted))
            .order_by(t.c.entry_id)
            .with_for_update()
        )
        found = {
            r.entry_id: StoredEntry(r.entry_id, r.version, ListEntryStatus(r.status), r.period_end)
            for r in rows
        }
        w.stored_ahead.update({entry_id: found.get(entry_id) for entry_id in wanted})

    async def get(self, entry_id: str, *, lock: bool = False) -> StoredEntry | None:
        w = self._writes
        if lock and w is not None and entry_id in w.stored_ahead:
            ahead = w.stored_ahead.pop(entry_id)
            if not w.holds(entry_id):  # nothing of it written since it was read
                return ahead
        await self._flushed(entry_id)
        t = orm.list_entries
        query = select(t.c.entry_id, t.c.version, t.c.status, t.c.period_end).where(
            t.c.entry_id == entry_id
        )
        row = (await self._s.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return None
        return StoredEntry(row.entry_id, row.version, ListEntryStatus(row.status), row.period_end)

    async def payloads(self, entry_ids: Sequence[str]) -> dict[str, ListEntryInForce]:
        await self._flushed()
        t = orm.list_entries
        rows = await self._s.execute(
            select(t.c.entry_id, t.c.payload).where(t.c.entry_id.in_(entry_ids))
        )
        return {r.entry_id: ListEntryInForce.model_validate(r.payload) for r in rows}

    async def put(
        self,
        entry: ListEntryInForce,
        status: ListEntryStatus,
        now: datetime,
        *,
        exists: bool,
        end_reason: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "version": entry.version,
            "subject_code": entry.subject.code,
            "list_type": entry.list_type,
            "colour": entry.colour.value,
            "initiating_department": entry.initiating_department,
            "period_start": entry.period.start,
            "period_end": entry.period.end,
            "status": status.value,
            "payload": entry.model_dump(mode="json"),
            "updated_at": now,
            "ended_at": now if end_reason else None,
            "end_reason": end_reason,
            **NOT_SUSPENDED,  # a new version resumes a suspended entry (DOMAIN.md §7)
        }
        t = orm.list_entries
        # The history keeps every stored version as received (for checks as of a past
        # instant); the document is the same value as the entry's, encoded once.
        history = {
            "entry_id": entry.entry_id,
            "at": now,
            "version": entry.version,
            "status": status.value,
            "suspension_case_kind": None,
            "payload": values["payload"],
        }
        if exists:
            await self._flushed(entry.entry_id)
            await self._s.execute(update(t).where(t.c.entry_id == entry.entry_id).values(values))
        elif self._writes is not None:
            row = {"entry_id": entry.entry_id, "received_at": now, **values}
            self._writes.add(t, [row], [entry.entry_id])
        else:
            await self._s.execute(
                insert(t).values(entry_id=entry.entry_id, received_at=now, **values)
            )
        # Kept with the entry's rows: a later change of the entry in this unit of work flushes
        # them first, so its history rows stay in order.
        if self._writes is not None:
            self._writes.add(orm.entry_history, [history], [entry.entry_id])
        else:
            await self._s.execute(insert(orm.entry_history).values(history))

    async def _record_states(self, entry_ids: Sequence[str], at: datetime) -> None:
        """Append the entries' new state (status, suspension) to their history, from the
        rows just updated: one INSERT ... SELECT."""
        t, h = orm.list_entries, orm.entry_history
        await self._s.execute(
            insert(h).from_select(
                ["entry_id", "at", "version", "status", "suspension_case_kind"],
                select(
                    t.c.entry_id,
                    literal(at, UtcDateTime()),
                    t.c.version,
                    t.c.status,
                    t.c.suspension_case_kind,
                ).where(t.c.entry_id.in_(entry_ids)),
            )
        )

    async def end(
        self,
        entry_id: str,
        status: ListEntryStatus,
        at: datetime,
        reason: str,
        *,
        received_at: datetime | None = None,
    ) -> None:
        await self.end_all([entry_id], status, at, reason, received_at=received_at)

    async def end_all(
        self,
        entry_ids: Sequence[str],
        status: ListEntryStatus,
        at: datetime,
        reason: str,
        *,
        received_at: datetime | None = None,
    ) -> None:
        """End the entries at `at`; their history says when this service learnt it
        (`received_at`, `at` if not given)."""
        if not entry_ids:
            return
        await self._flushed()
        t = orm.list_entries
        await self._s.execute(
            update(t)
            .where(t.c.entry_id.in_(entry_ids))
            .values(
                status=status.value, ended_at=at, end_reason=reason, updated_at=at, **NOT_SUSPENDED
            )
        )
        await self._record_states(entry_ids, received_at or at)

    async def suspend(
        self, entry_id: str, case_kind: CaseKind, case_id: str, since: datetime, now: datetime
    ) -> None:
        await self._flushed(entry_id)
        t = orm.list_entries
        await self._s.execute(
            update(t)
            .where(t.c.entry_id == entry_id)
            .values(
                status=ListEntryStatus.SUSPENDED.value,
                suspension_case_kind=case_kind.value,
                suspension_case_id=case_id,
                suspended_since=since,
                updated_at=now,
            )
        )
        await self._record_states([entry_id], now)

    async def replace_targets(
        self,
        entry_id: str,
        targets: Sequence[Target],
        *,
        existing: bool = True,
        version: int | None = None,
    ) -> None:
        """Store the entry's targets; `existing=False` (a new entry) skips the delete. With
        the entry's `version`, they are also kept in its history (entry_target_history)."""
        t = orm.entry_targets
        if existing:
            await self._flushed(entry_id)
            await self._s.execute(delete(t).where(t.c.entry_id == entry_id))
        rows = [
            {
                "entry_id": entry_id,
                "code": target.code,
                "role": target.role.value,
                "subject_type": target.subject_type.value,
                "name": target.name,
            }
            for target in targets
        ]
        kept = [{**row, "version": version} for row in rows] if version is not None else []
        if self._writes is not None:
            self._writes.add(t, rows, [entry_id])
            self._writes.add(orm.entry_target_history, kept, [entry_id])
        elif rows:
            await self._s.execute(insert(t), rows)
            if kept:
                await self._s.execute(insert(orm.entry_target_history), kept)

    def _kept(self, codes: Sequence[str]) -> list[dict[str, Any]]:
        w = self._writes
        wanted = set(codes)
        return [] if w is None else [r for r in w.new_entries() if r["subject_code"] in wanted]

    async def records(self, codes: Sequence[str]) -> dict[str, list[PastEntry]]:
        """The subjects' records: every entry this service holds that lists them, whatever
        its status (DOMAIN.md §6, domain/eligibility.py). One indexed query; the new rows this
        unit of work keeps back are read from memory, so nothing is flushed early."""
        if not codes:
            return {}
        t = orm.list_entries
        columns = (
            t.c.entry_id,
            t.c.subject_code,
            t.c.list_type,
            t.c.colour,
            t.c.status,
            t.c.period_start,
            t.c.period_end,
            t.c.ended_at,
        )
        stored = await self._s.execute(
            select(*columns).where(t.c.subject_code.in_(sorted(set(codes))))
        )
        rows: list[Any] = [dict(r._mapping) for r in stored]
        found: dict[str, dict[str, PastEntry]] = {}
        for r in [*rows, *self._kept(codes)]:
            status = ListEntryStatus(r["status"])
            ended = r["ended_at"]
            decided = status in (ListEntryStatus.REPAIRED, ListEntryStatus.REVOKED)
            found.setdefault(r["subject_code"], {})[r["entry_id"]] = PastEntry(
                r["entry_id"],
                r["list_type"],
                ListColour(r["colour"]),
                status,
                r["period_start"],
                r["period_end"],
                china_date(ended) if decided and ended is not None else None,
            )
        return {code: list(entries.values()) for code, entries in found.items()}

    async def look_up_subjects(self, codes: Sequence[str], list_types: Sequence[str]) -> None:
        """Before a poll: which of these subjects have any stored entry of these list types
        (one query), so that re-planning the others costs none (`ongoing_of_subject`)."""
        w = self._writes
        if w is None or not codes or not list_types:
            return
        t = orm.list_entries
        wanted = sorted(set(codes) - w.subjects_looked_up)
        found = await self._s.scalars(
            select(t.c.subject_code)
            .distinct()
            .where(t.c.subject_code.in_(wanted), t.c.list_type.in_(sorted(set(list_types))))
        )
        w.subjects_with_conditional.update(found)
        w.subjects_looked_up.update(wanted)

    def _known_without(self, code: str) -> bool:
        w = self._writes
        return (
            w is not None
            and code in w.subjects_looked_up
            and code not in w.subjects_with_conditional
        )

    async def ongoing_of_subject(
        self, code: str, list_types: Sequence[str], *, excluding: str
    ) -> list[ListEntryInForce]:
        """The subject's entries in force of these list types, but `excluding` (those whose
        orders a change of its record may change; DOMAIN.md §6). No query for a subject the
        poll's look-up found without any entry of them (its new ones are in memory)."""
        if not list_types:
            return []
        found: list[ListEntryInForce] = []
        if not self._known_without(code):
            t = orm.list_entries
            rows = await self._s.scalars(
                select(t.c.payload).where(
                    t.c.subject_code == code,
                    t.c.status == ListEntryStatus.IN_FORCE.value,
                    t.c.list_type.in_(sorted(set(list_types))),
                    t.c.entry_id != excluding,
                )
            )
            found = [ListEntryInForce.model_validate(p) for p in rows]
        found += [
            ListEntryInForce.model_validate(r["payload"])
            for r in self._kept([code])
            if r["status"] == ListEntryStatus.IN_FORCE.value
            and r["list_type"] in list_types
            and r["entry_id"] != excluding
        ]
        return sorted(found, key=lambda e: e.entry_id)

    async def in_force_of_list_types(
        self, list_types: Sequence[str], after: str, limit: int
    ) -> list[ListEntryInForce]:
        """Entries in force of these list types, by id after `after` (a sweep's next page)."""
        t = orm.list_entries
        await self._flushed()
        rows = await self._s.scalars(
            select(t.c.payload)
            .where(
                t.c.status == ListEntryStatus.IN_FORCE.value,
                t.c.list_type.in_(sorted(set(list_types))),
                t.c.entry_id > after,
            )
            .order_by(t.c.entry_id)
            .limit(limit)
        )
        return [ListEntryInForce.model_validate(p) for p in rows]

    async def identity_of(self, entry_id: str) -> tuple[str, ListColour, str] | None:
        """The entry's subject code, colour and list type."""
        await self._flushed(entry_id)
        t = orm.list_entries
        row = (
            await self._s.execute(
                select(t.c.subject_code, t.c.colour, t.c.list_type).where(t.c.entry_id == entry_id)
            )
        ).first()
        return None if row is None else (row.subject_code, ListColour(row.colour), row.list_type)

    async def due_for_expiry(self, today: date, limit: int) -> list[str]:
        """Entries in force whose period ended before `today`, locked; a second sweeper
        skips them rather than waiting. Never a suspended entry: its period is not running
        (DOMAIN.md §7, 002 二(三)2); its resumption moves the end later."""
        t = orm.list_entries
        await self._flushed()
        rows = await self._s.scalars(
            select(t.c.entry_id)
            .where(t.c.status == ListEntryStatus.IN_FORCE.value, t.c.period_end < today)
            .order_by(t.c.period_end, t.c.entry_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows)


@dataclass(frozen=True)
class OrderFilter:
    department: str | None = None
    state: OrderState | None = None
    overdue: bool | None = None
    entry_id: str | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class HistoryRow:
    """A change to append to an order's history."""

    order_id: str
    at: datetime
    change: str
    by: str
    detail: dict[str, Any] | JsonText
    """The detail, or its JSON already encoded (an issue's detail holds the message as
    sent, stored from the same bytes as the message's outbox row)."""


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    change: str
    by: str
    detail: dict[str, Any]


def _overdue_condition(today: date) -> Any:
    """The SQL form of `orders.receipt_overdue or orders.feedback_overdue`."""
    t = orm.sanction_orders
    open_states = [s.value for s in OPEN_STATES]
    return or_(
        and_(t.c.state == OrderState.ISSUED.value, t.c.receipt_due < today),
        and_(t.c.state.in_(open_states), t.c.feedback_due < today),
    )


class OrderRepository:
    def __init__(self, session: AsyncSession, writes: WriteBehind | None = None) -> None:
        self._s = session
        self._writes = writes

    async def _flushed(self, entry_id: str | None = None) -> None:
        if self._writes is not None:
            await self._writes.before_read(entry_id)

    # --- loading -------------------------------------------------------------------------------

    async def _load(self, query: Select[Any], entry_id: str | None = None) -> list[SanctionOrder]:
        await self._flushed(entry_id)
        rows = (await self._s.execute(query)).all()
        feedback = await self._feedback([r.order_id for r in rows])
        return [self._order(r._mapping, feedback.get(r.order_id, {})) for r in rows]

    async def _feedback(self, order_ids: list[str]) -> dict[str, dict[str, FeedbackRecord]]:
        if not order_ids:
            return {}
        f = orm.measure_feedback
        out: dict[str, dict[str, FeedbackRecord]] = {}
        for r in await self._s.execute(select(f).where(f.c.order_id.in_(order_ids))):
            out.setdefault(r.order_id, {})[r.measure] = FeedbackRecord(
                measure=r.measure,
                outcome=FeedbackOutcome(r.outcome),
                reason=r.reason,
                business_reference=r.business_reference,
                executed_at=_required(r.executed_at),
                reported_at=_required(r.reported_at),
            )
        return out

    @staticmethod
    def _order(row: Any, feedback: dict[str, FeedbackRecord]) -> SanctionOrder:
        return SanctionOrder(
            order_id=row["order_id"],
            revision=row["revision"],
            sequence=row["sequence"],
            entry_id=row["entry_id"],
            entry_version=row["entry_version"],
            department=row["department"],
            listed_subject_code=row["listed_subject_code"],
            target_code=row["target_code"],
            target_role=TargetRole(row["target_role"]),
            list_type=row["list_type"],
            colour=ListColour(row["colour"]),
            measures=tuple(OrderedMeasure.model_validate(m) for m in row["measures"]),
            state=OrderState(row["state"]),
            issued_at=_required(row["issued_at"]),
            receipt_due=row["receipt_due"],
            feedback_due=row["feedback_due"],
            deadlines_provisional=row["deadlines_provisional"],
            received_at=row["received_at"],
            receipt_note=row["receipt_note"],
            received_by_officer=row["received_by_officer"],
            fed_back_at=row["fed_back_at"],
            fed_back_by_officer=row["fed_back_by_officer"],
            lifted_at=row["lifted_at"],
            lift_reason=LiftReason(row["lift_reason"]) if row["lift_reason"] else None,
            suspension=(
                Suspension(
                    CaseKind(row["suspension_case_kind"]),
                    row["suspension_case_id"],
                    _required(row["suspended_at"]),
                )
                if row["suspension_case_kind"]
                else None
            ),
            feedback=feedback,
        )

    async def get(self, order_id: str, *, lock: bool = False) -> SanctionOrder | None:
        t = orm.sanction_orders
        query = select(t).where(t.c.order_id == order_id)
        found = await self._load(query.with_for_update() if lock else query)
        return found[0] if found else None

    async def for_entry(self, entry_id: str, *, lock: bool = False) -> list[SanctionOrder]:
        t = orm.sanction_orders
        query = select(t).where(t.c.entry_id == entry_id).order_by(t.c.order_id)
        return await self._load(query.with_for_update() if lock else query, entry_id)

    async def for_entries(
        self, entry_ids: Sequence[str], *, lock: bool = False
    ) -> list[SanctionOrder]:
        """The orders of several entries, entry by entry in the order given, then by id."""
        if not entry_ids:
            return []
        t = orm.sanction_orders
        query = select(t).where(t.c.entry_id.in_(entry_ids))
        found = await self._load(query.with_for_update() if lock else query)
        position = {entry_id: i for i, entry_id in enumerate(entry_ids)}
        return sorted(found, key=lambda o: (position[o.entry_id], o.order_id))

    async def open_with_provisional_deadlines(self) -> list[SanctionOrder]:
        t = orm.sanction_orders
        return await self._load(
            select(t)
            .where(
                t.c.deadlines_provisional.is_(True),
                t.c.state.in_([s.value for s in OPEN_STATES]),
            )
            .order_by(t.c.order_id)
            .with_for_update()
        )

    async def search(self, where: OrderFilter, today: date) -> list[SanctionOrder]:
        t = orm.sanction_orders
        query = select(t)
        if where.department is not None:
            query = query.where(t.c.department == where.department)
        if where.state is not None:
            query = query.where(t.c.state == where.state.value)
        if where.entry_id is not None:
            query = query.where(t.c.entry_id == where.entry_id)
        if where.overdue is not None:
            overdue = _overdue_condition(today)
            query = query.where(overdue if where.overdue else ~overdue)
        query = (
            query.order_by(t.c.issued_at.desc(), t.c.order_id)
            .limit(where.limit)
            .offset(where.offset)
        )
        return await self._load(query)

    # --- storing -------------------------------------------------------------------------------

    @staticmethod
    def _row(order: SanctionOrder) -> dict[str, Any]:
        suspension = order.suspension
        return {
            "revision": order.revision,
            "sequence": order.sequence,
            "entry_id": order.entry_id,
            "entry_version": order.entry_version,
            "department": order.department,
            "listed_subject_code": order.listed_subject_code,
            "target_code": order.target_code,
            "target_role": order.target_role.value,
            "list_type": order.list_type,
            "colour": order.colour.value,
            "measures": [m.model_dump(mode="json") for m in order.measures],
            "state": order.state.value,
            "issued_at": order.issued_at,
            "receipt_due": order.receipt_due,
            "feedback_due": order.feedback_due,
            "deadlines_provisional": order.deadlines_provisional,
            "received_at": order.received_at,
            "receipt_note": order.receipt_note,
            "received_by_officer": order.received_by_officer,
            "fed_back_at": order.fed_back_at,
            "fed_back_by_officer": order.fed_back_by_officer,
            "lifted_at": order.lifted_at,
            "lift_reason": order.lift_reason.value if order.lift_reason else None,
            "suspended_at": suspension.since if suspension else None,
            "suspension_case_kind": suspension.case_kind.value if suspension else None,
            "suspension_case_id": suspension.case_id if suspension else None,
        }

    async def add(self, order: SanctionOrder) -> None:
        await self.add_all([order])

    async def add_all(self, orders: Sequence[SanctionOrder]) -> None:
        """Insert new orders (and any feedback they carry), one statement for them all."""
        if not orders:
            return
        rows = [{"order_id": order.order_id, **self._row(order)} for order in orders]
        if self._writes is not None:
            self._writes.add(orm.sanction_orders, rows, [o.entry_id for o in orders])
        else:
            await insert_rows(self._s, orm.sanction_orders, rows)
        await self._insert_feedback(orders)

    async def save(self, order: SanctionOrder) -> None:
        await self.save_all([order])

    async def save_all(self, orders: Sequence[SanctionOrder]) -> None:
        """Store changed orders and replace their feedback: one UPDATE for them all (each
        row its own values), one DELETE and one INSERT of feedback."""
        if not orders:
            return
        await self._flushed()
        t, f = orm.sanction_orders, orm.measure_feedback
        # One statement for them all (executemany: one round trip on asyncpg), each row its
        # own values.
        await self._s.execute(
            update(t).where(t.c.order_id == bindparam("changed_order_id")),
            [{"changed_order_id": order.order_id, **self._row(order)} for order in orders],
        )
        await self._s.execute(delete(f).where(f.c.order_id.in_([o.order_id for o in orders])))
        await self._insert_feedback(orders)

    async def _insert_feedback(self, orders: Sequence[SanctionOrder]) -> None:
        rows = [
            {
                "order_id": order.order_id,
                "measure": r.measure,
                "outcome": r.outcome.value,
                "reason": r.reason,
                "business_reference": r.business_reference,
                "executed_at": r.executed_at,
                "reported_at": r.reported_at,
            }
            for order in orders
            for r in order.feedback.values()
        ]
        if rows and self._writes is not None:
            self._writes.add(orm.measure_feedback, rows, [])
        elif rows:
            await self._s.execute(insert(orm.measure_feedback), rows)

    # --- history -------------------------------------------------------------------------------

    async def record(
        self, order_id: str, at: datetime, change: str, by: str, detail: dict[str, Any]
    ) -> None:
        await self.record_all([HistoryRow(order_id, at, change, by, detail)])

    async def record_all(self, rows: Sequence[HistoryRow]) -> None:
        """Append history rows in one statement (in order: ids follow the sequence)."""
        values = [
            {"order_id": r.order_id, "at": r.at, "change": r.change, "by": r.by, "detail": r.detail}
            for r in rows
        ]
        if self._writes is not None:
            self._writes.add(orm.order_history, values, [])
        else:
            await insert_rows(self._s, orm.order_history, values)

    async def history(self, order_id: str) -> list[HistoryItem]:
        await self._flushed()
        h = orm.order_history
        rows = await self._s.execute(select(h).where(h.c.order_id == order_id).order_by(h.c.id))
        return [HistoryItem(_required(r.at), r.change, r.by, r.detail) for r in rows]

    async def issued_messages(self, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each order's message as last sent to its department (the latest issue)."""
        if not order_ids:
            return {}
        await self._flushed()
        h = orm.order_history
        latest = (
            select(func.max(h.c.id))
            .where(h.c.order_id.in_(order_ids), h.c.change.in_(ISSUE_CHANGES))
            .group_by(h.c.order_id)
        )
        rows = await self._s.execute(select(h.c.order_id, h.c.detail).where(h.c.id.in_(latest)))
        return {r.order_id: r.detail["message"] for r in rows}

    # --- statistics ----------------------------------------------------------------------------

    async def counts(
        self, today: date, department: str | None, list_type: str | None
    ) -> list[OrderCounts]:
        t = orm.sanction_orders

        def count_if(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        lifted = t.c.state == OrderState.LIFTED.value
        suspended = t.c.state == OrderState.SUSPENDED.value
        query = select(
            t.c.department,
            t.c.list_type,
            func.count().label("issued"),
            count_if(t.c.received_at.is_not(None)).label("received"),
            count_if(t.c.fed_back_at.is_not(None)).label("fed_back"),
            count_if(_overdue_condition(today)).label("overdue"),
            count_if(lifted).label("lifted"),
            count_if(and_(lifted, t.c.fed_back_at.is_(None))).label("lifted_before_feedback"),
            count_if(suspended).label("suspended"),
            count_if(and_(suspended, t.c.fed_back_at.is_(None))).label("suspended_before_feedback"),
        ).group_by(t.c.department, t.c.list_type)
        if department is not None:
            query = query.where(t.c.department == department)
        if list_type is not None:
            query = query.where(t.c.list_type == list_type)
        rows = await self._s.execute(query.order_by(t.c.department, t.c.list_type))
        return [
            OrderCounts(
                department=r.department,
                list_type=r.list_type,
                issued=int(r.issued),
                received=int(r.received),
                fed_back=int(r.fed_back),
                overdue=int(r.overdue),
                lifted=int(r.lifted),
                lifted_before_feedback=int(r.lifted_before_feedback),
                suspended=int(r.suspended),
                suspended_before_feedback=int(r.suspended_before_feedback),
            )
            for r in rows
        ]
