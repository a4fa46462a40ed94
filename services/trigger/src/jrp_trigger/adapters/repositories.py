"""Repositories: load and store the trigger's records through the unit of work's session.
Never commit. Writes of many entries are one statement per table (bulk imports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.clock import china_date
from jrp_shared.events.payloads import (
    EntryOrigin,
    Period,
    SanctionOrderStatus,
    SubjectReference,
)
from jrp_shared.vocabulary import (
    CaseKind,
    ListColour,
    ListEntryStatus,
    RecognitionVote,
    SubjectType,
)
from jrp_trigger.adapters import orm
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import (
    EntryVersion,
    Escalation,
    ExpertDraw,
    ExpertVote,
    ListEntry,
    Repair,
    Revocation,
    Suspension,
    Vote,
    status_on,
)
from jrp_trigger.domain.recognition import Expert, ExpertPool
from jrp_trigger.domain.sync import DeletionGround

Status = ListEntryStatus


@dataclass(frozen=True)
class KnownRecord:
    """What a repeated post under an existing record id is compared with."""

    entry_id: str
    original_hash: str
    current_hash: str


@dataclass(frozen=True)
class EntrySummary:
    entry_id: str
    record_id: str
    department: str
    status: Status
    version: int
    subject: SubjectReference
    list_type: str
    colour: ListColour
    decision_date: date
    period: Period
    created_at: datetime
    updated_at: datetime
    suspension: Suspension | None = None
    repair: Repair | None = None


def _suspension(row: Any) -> Suspension | None:
    if row.suspension_case_id is None:
        return None
    return Suspension(
        CaseKind(row.suspension_case_kind), row.suspension_case_id, row.suspended_since
    )


def _repair(row: Any) -> Repair | None:
    if row.repair_id is None:
        return None
    return Repair(row.repair_id, row.repaired_by, row.repaired_at)


def _entry_columns(entry: ListEntry) -> dict[str, Any]:
    content, current = entry.content, entry.current
    suspension, repair = entry.suspension, entry.repair
    return {
        "status": str(entry.status),
        "version": current.version,
        "subject_name": content.subject.name,
        "list_type_version": current.list_type_version,
        "decision_date": content.decision_document.date,
        "period_start": content.period.start,
        "period_end": content.period.end,
        "recognition_departments": list(entry.recognition_departments),
        "warnings": list(entry.warnings),
        "updated_at": entry.updated_at,
        "in_force_since": entry.in_force_since,
        "revoked_at": entry.revocation.revoked_at if entry.revocation else None,
        "revoked_by": entry.revocation.revoked_by if entry.revocation else None,
        "revoked_by_officer": entry.revocation.revoked_by_officer if entry.revocation else None,
        "revoke_reason": entry.revocation.reason if entry.revocation else None,
        "suspension_case_kind": str(suspension.case_kind) if suspension else None,
        "suspension_case_id": suspension.case_id if suspension else None,
        "suspended_since": suspension.since if suspension else None,
        "repair_id": repair.repair_id if repair else None,
        "repaired_by": repair.repaired_by if repair else None,
        "repaired_at": repair.repaired_at if repair else None,
        **_deletion_columns(entry),
        "recognition_escalation": _escalation_json(entry.escalation),
    }


def _escalation_json(e: Escalation | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "group": e.group,
        "outside_departments": list(e.outside_departments),
        "escalated_at": e.escalated_at.isoformat(),
        "decision": None if e.decision is None else e.decision.value,
        "reason": e.reason,
        "decided_by": e.decided_by,
        "decided_at": None if e.decided_at is None else e.decided_at.isoformat(),
        "decided_by_officer": e.decided_by_officer,
    }


def _escalation(data: dict[str, Any] | None) -> Escalation | None:
    if not data:
        return None
    return Escalation(
        group=data["group"],
        outside_departments=tuple(data["outside_departments"]),
        escalated_at=datetime.fromisoformat(data["escalated_at"]),
        decision=RecognitionVote(data["decision"]) if data.get("decision") else None,
        reason=data.get("reason"),
        decided_by=data.get("decided_by"),
        decided_at=(datetime.fromisoformat(data["decided_at"]) if data.get("decided_at") else None),
        decided_by_officer=data.get("decided_by_officer"),
    )


def _deletion_columns(entry: ListEntry) -> dict[str, Any]:
    deletion = entry.deletion
    if deletion is None:
        return dict.fromkeys(
            (
                "deletion_ground",
                "deletion_arose_on",
                "deletion_due",
                "deletion_working_days",
                "deletion_due_provisional",
                "deletion_met_on",
            )
        )
    met = entry.revocation.revoked_at if entry.revocation else None
    return {
        "deletion_ground": deletion.ground,
        "deletion_arose_on": deletion.arose_on,
        "deletion_due": deletion.due,
        "deletion_working_days": deletion.working_days,
        "deletion_due_provisional": deletion.provisional,
        "deletion_met_on": china_date(met) if met is not None else None,
    }


def _deletion(row: Any) -> DeletionGround | None:
    if row.deletion_ground is None:
        return None
    return DeletionGround(
        row.deletion_ground,
        row.deletion_arose_on,
        row.deletion_due,
        row.deletion_working_days,
        bool(row.deletion_due_provisional),
    )


def _version_row(entry_id: str, v: EntryVersion) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "version": v.version,
        "list_type_version": v.list_type_version,
        "content": v.content.as_json(),
        "reason": v.reason,
        "recorded_at": v.recorded_at,
        "recorded_by": v.recorded_by,
        "recorded_by_officer": v.recorded_by_officer,
    }


def _entry_of(
    row: Any,
    versions: list[EntryVersion],
    *,
    votes: list[Vote] | None = None,
    draws: list[ExpertDraw] | None = None,
    expert_votes: list[ExpertVote] | None = None,
) -> ListEntry:
    return ListEntry(
        entry_id=row.entry_id,
        department=row.department,
        record_id=row.record_id,
        status=Status(row.status),
        colour=ListColour(row.colour),
        recognition_departments=tuple(row.recognition_departments),
        warnings=tuple(row.warnings),
        original_hash=row.original_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
        versions=versions,
        in_force_since=row.in_force_since,
        revocation=(
            Revocation(row.revoke_reason, row.revoked_by, row.revoked_at, row.revoked_by_officer)
            if row.revoked_at is not None
            else None
        ),
        votes=votes or [],
        draws=draws or [],
        expert_votes=expert_votes or [],
        escalation=_escalation(row.recognition_escalation),
        suspension=_suspension(row),
        repair=_repair(row),
        deletion=_deletion(row),
        origin=EntryOrigin.model_validate(row.origin) if row.origin else None,
    )


def current_version_columns() -> tuple[Any, ...]:
    """The columns of an entry's current version, to select joined with its row."""
    v = orm.list_entry_versions
    return (
        v.c.list_type_version.label("v_ltv"),
        v.c.content,
        v.c.reason,
        v.c.recorded_at,
        v.c.recorded_by,
        v.c.recorded_by_officer,
    )


def entry_with_current(row: Any) -> ListEntry:
    """An entry with its current version only (enough to correct or revoke it)."""
    current = EntryVersion(
        row.version,
        row.v_ltv,
        EntryContent.from_json(row.content),
        row.reason,
        row.recorded_at,
        row.recorded_by,
        row.recorded_by_officer,
    )
    return _entry_of(row, [current])


class CurrentEntry:
    """An entry's row read with its current version: what comparing a line needs (status,
    fingerprint, suspension) without parsing the content, which `entry()` does on demand (a
    line changing it)."""

    def __init__(self, row: Any) -> None:
        self._row = row
        self._entry: ListEntry | None = None
        self.entry_id: str = row.entry_id
        self.list_type: str = row.list_type
        self.fingerprint: str = row.current_hash
        self.suspension = _suspension(row)

    def status_on(self, today: date) -> Status:
        return status_on(Status(self._row.status), self._row.period_end, today)

    def entry(self) -> ListEntry:
        if self._entry is None:
            self._entry = entry_with_current(self._row)
        return self._entry


class EntryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def known_records(
        self, department: str, record_ids: Sequence[str]
    ) -> dict[str, KnownRecord]:
        """The department's entries under these record ids: one query for a whole chunk."""
        if not record_ids:
            return {}
        t = orm.list_entries
        columns = (t.c.record_id, t.c.entry_id, t.c.original_hash, t.c.current_hash)
        query = self._of_records(select(*columns), record_ids)
        rows = await self._s.execute(query.where(t.c.department == department))
        return {r.record_id: KnownRecord(r.entry_id, r.original_hash, r.current_hash) for r in rows}

    def _of_records(self, query: Select[Any], record_ids: Sequence[str]) -> Select[Any]:
        """`query` over `list_entries` narrowed to these record ids. On PostgreSQL a join on
        unnest(array) looks each id up in the (department, record_id) index: an IN list of
        500 parameters may be planned (no statistics yet, generic plan) as a scan of all the
        department's rows, each compared with every id, slower with every chunk an import
        adds. Elsewhere (the embedded SQLite of `make run`) an IN list."""
        t = orm.list_entries
        wanted = sorted(set(record_ids))
        if self._s.get_bind().dialect.name != "postgresql":
            return query.where(t.c.record_id.in_(wanted))
        ids = (
            func.unnest(literal(wanted, ARRAY(String(100))))
            .table_valued("record_id")
            .render_derived(name="ids")
        )
        return query.select_from(ids).join(t, t.c.record_id == ids.c.record_id)

    async def add_many(self, entries: Sequence[ListEntry]) -> None:
        if not entries:
            return
        rows = []
        for e in entries:
            subject = e.content.subject
            row = _entry_columns(e)
            row.update(
                entry_id=e.entry_id,
                department=e.department,
                record_id=e.record_id,
                subject_code=subject.code,
                subject_type=str(subject.subject_type),
                list_type=e.content.list_type,
                colour=str(e.colour),
                original_hash=e.original_hash,
                current_hash=e.original_hash,
                created_at=e.created_at,
                origin=None if e.origin is None else e.origin.model_dump(mode="json"),
            )
            rows.append(row)
        await self._s.execute(insert(orm.list_entries), rows)
        await self._s.execute(
            insert(orm.list_entry_versions),
            [_version_row(e.entry_id, v) for e in entries for v in e.versions],
        )

    async def update(self, entry: ListEntry) -> None:
        await self._s.execute(
            update(orm.list_entries)
            .where(orm.list_entries.c.entry_id == entry.entry_id)
            .values(current_hash=entry.content.fingerprint(), **_entry_columns(entry))
        )

    async def add_version(self, entry: ListEntry, version: EntryVersion) -> None:
        await self._s.execute(
            insert(orm.list_entry_versions).values(_version_row(entry.entry_id, version))
        )

    async def add_vote(self, entry: ListEntry, vote: Vote) -> None:
        await self._s.execute(
            insert(orm.recognition_votes).values(
                entry_id=entry.entry_id,
                entry_version=vote.entry_version,
                department=vote.department,
                vote=vote.vote.value,
                comment=vote.comment,
                voted_at=vote.voted_at,
                voted_by_officer=vote.voted_by_officer,
            )
        )

    async def add_draw(self, entry: ListEntry, draw: ExpertDraw) -> None:
        await self._s.execute(
            insert(orm.expert_draws).values(
                entry_id=entry.entry_id,
                seed=draw.seed,
                pool=list(draw.pool),
                expert_count=draw.count,
                experts=list(draw.experts),
                drawn_by=draw.drawn_by,
                drawn_at=draw.drawn_at,
                pool_group=draw.pool_group,
                pool_version=draw.pool_version,
                excluded=list(draw.excluded),
                reason=draw.reason,
            )
        )

    async def add_expert_vote(self, entry: ListEntry, vote: ExpertVote) -> None:
        await self._s.execute(
            insert(orm.expert_votes).values(
                entry_id=entry.entry_id,
                entry_version=vote.entry_version,
                expert_id=vote.expert_id,
                vote=vote.vote.value,
                comment=vote.comment,
                recorded_by=vote.recorded_by,
                voted_at=vote.voted_at,
                recorded_by_officer=vote.recorded_by_officer,
            )
        )

    async def get(self, entry_id: str, *, for_update: bool = False) -> ListEntry | None:
        """The whole entry. `for_update` locks its row first (PostgreSQL), so concurrent
        votes or corrections of one entry take turns and each sees the others' rows."""
        t = orm.list_entries
        query = select(t).where(t.c.entry_id == entry_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        return _entry_of(
            row,
            await self._versions(entry_id),
            votes=await self._votes(entry_id),
            draws=await self._draws(entry_id),
            expert_votes=await self._expert_votes(entry_id),
        )

    async def current_of(
        self, department: str, record_ids: Sequence[str]
    ) -> dict[str, CurrentEntry]:
        """The department's entries under these record ids, each with its current version
        only (what a correction or a revocation needs), their rows locked: one query for a
        whole chunk of a sync feed."""
        if not record_ids:
            return {}
        t, v = orm.list_entries, orm.list_entry_versions
        query = (
            self._of_records(select(t, *current_version_columns()), record_ids)
            .join(v, and_(v.c.entry_id == t.c.entry_id, v.c.version == t.c.version))
            .where(t.c.department == department)
            .with_for_update(of=t)
        )
        rows = await self._s.execute(query)
        return {row.record_id: CurrentEntry(row) for row in rows}

    async def update_many(self, entries: Sequence[ListEntry]) -> None:
        """`update` for many entries in one executemany."""
        if not entries:
            return
        t = orm.list_entries
        columns = [{"current_hash": e.content.fingerprint(), **_entry_columns(e)} for e in entries]
        # Bound names differ from the column names (SQLAlchemy reserves those for SET).
        rows = [
            {"b_entry_id": e.entry_id, **{f"b_{k}": value for k, value in c.items()}}
            for e, c in zip(entries, columns, strict=True)
        ]
        await self._s.execute(
            update(t)
            .where(t.c.entry_id == bindparam("b_entry_id"))
            .values({name: bindparam(f"b_{name}") for name in columns[0]}),
            rows,
        )

    async def add_versions(self, versions: Sequence[tuple[str, EntryVersion]]) -> None:
        if versions:
            await self._s.execute(
                insert(orm.list_entry_versions),
                [_version_row(entry_id, v) for entry_id, v in versions],
            )

    async def _versions(self, entry_id: str) -> list[EntryVersion]:
        v = orm.list_entry_versions
        rows = await self._s.execute(
            select(v).where(v.c.entry_id == entry_id).order_by(v.c.version)
        )
        return [
            EntryVersion(
                r.version,
                r.list_type_version,
                EntryContent.from_json(r.content),
                r.reason,
                r.recorded_at,
                r.recorded_by,
                r.recorded_by_officer,
            )
            for r in rows
        ]

    async def _votes(self, entry_id: str) -> list[Vote]:
        v = orm.recognition_votes
        rows = await self._s.execute(
            select(v).where(v.c.entry_id == entry_id).order_by(v.c.voted_at, v.c.department)
        )
        return [
            Vote(
                r.entry_version,
                r.department,
                RecognitionVote(r.vote),
                r.comment,
                r.voted_at,
                r.voted_by_officer,
            )
            for r in rows
        ]

    async def _draws(self, entry_id: str) -> list[ExpertDraw]:
        d = orm.expert_draws
        rows = await self._s.execute(select(d).where(d.c.entry_id == entry_id).order_by(d.c.id))
        return [
            ExpertDraw(
                r.seed,
                tuple(r.pool),
                r.expert_count,
                tuple(r.experts),
                r.drawn_by,
                r.drawn_at,
                pool_group=r.pool_group,
                pool_version=r.pool_version,
                excluded=tuple(r.excluded or ()),
                reason=r.reason,
            )
            for r in rows
        ]

    async def _expert_votes(self, entry_id: str) -> list[ExpertVote]:
        v = orm.expert_votes
        rows = await self._s.execute(
            select(v).where(v.c.entry_id == entry_id).order_by(v.c.voted_at, v.c.expert_id)
        )
        return [
            ExpertVote(
                r.entry_version,
                r.expert_id,
                RecognitionVote(r.vote),
                r.comment,
                r.recorded_by,
                r.voted_at,
                r.recorded_by_officer,
            )
            for r in rows
        ]

    async def search(
        self,
        *,
        department: str | None,
        subject_code: str | None,
        list_type: str | None,
        status: Status | None,
        today: date,
        limit: int,
        offset: int,
    ) -> list[EntrySummary]:
        t = orm.list_entries
        where: list[ColumnElement[bool]] = []
        if department is not None:
            where.append(t.c.department == department)
        if subject_code:
            where.append(t.c.subject_code == subject_code.strip().upper())
        if list_type:
            where.append(t.c.list_type == list_type)
        if status is Status.EXPIRED:
            where.append(and_(t.c.status == Status.IN_FORCE.value, t.c.period_end < today))
        elif status is Status.IN_FORCE:
            where.append(and_(t.c.status == Status.IN_FORCE.value, t.c.period_end >= today))
        elif status is not None:
            where.append(t.c.status == status.value)
        rows = await self._s.execute(
            select(t)
            .where(*where)
            .order_by(t.c.created_at.desc(), t.c.entry_id)
            .limit(limit)
            .offset(offset)
        )
        return [
            EntrySummary(
                entry_id=r.entry_id,
                record_id=r.record_id,
                department=r.department,
                status=status_on(Status(r.status), r.period_end, today),
                version=r.version,
                subject=SubjectReference(
                    code=r.subject_code,
                    subject_type=SubjectType(r.subject_type),
                    name=r.subject_name,
                ),
                list_type=r.list_type,
                colour=ListColour(r.colour),
                decision_date=r.decision_date,
                period=Period(start=r.period_start, end=r.period_end),
                created_at=r.created_at,
                updated_at=r.updated_at,
                suspension=_suspension(r),
                repair=_repair(r),
            )
            for r in rows
        ]


class ExpertPoolRepository:
    """The special groups' expert pools, every version kept (002 二(二)2)."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def current(self, group: str, *, for_update: bool = False) -> ExpertPool | None:
        """The latest version. `for_update` serialises changes of one group: it locks the
        latest version's row (a first version races only on the primary key)."""
        p = orm.expert_pools
        query = select(p).where(p.c.group_code == group).order_by(p.c.version.desc()).limit(1)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _pool_of(row)

    async def version(self, group: str, version: int) -> ExpertPool | None:
        p = orm.expert_pools
        row = (
            await self._s.execute(select(p).where(p.c.group_code == group, p.c.version == version))
        ).first()
        return None if row is None else _pool_of(row)

    async def add(self, pool: ExpertPool) -> None:
        await self._s.execute(
            insert(orm.expert_pools).values(
                group_code=pool.group,
                version=pool.version,
                experts=[
                    {"expert_id": e.expert_id, "name": e.name, "department": e.department}
                    for e in pool.experts
                ],
                departments=list(pool.departments),
                changed_by=pool.changed_by,
                changed_at=pool.changed_at,
            )
        )


def _pool_of(row: Any) -> ExpertPool:
    return ExpertPool(
        group=row.group_code,
        version=row.version,
        experts=tuple(Expert(e["expert_id"], e["name"], e["department"]) for e in row.experts),
        departments=tuple(row.departments),
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )


class OrderStatusRepository:
    """This service's copy of each order's latest state (from enforcement)."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def sequence_of(self, order_id: str) -> int | None:
        t = orm.order_statuses
        found: int | None = await self._s.scalar(
            select(t.c.sequence).where(t.c.order_id == order_id)
        )
        return found

    async def sequences_of(self, order_ids: Sequence[str]) -> dict[str, int]:
        t = orm.order_statuses
        rows = await self._s.execute(
            select(t.c.order_id, t.c.sequence).where(t.c.order_id.in_(order_ids))
        )
        return {r.order_id: r.sequence for r in rows}

    @staticmethod
    def _values(status: SanctionOrderStatus, now: datetime) -> dict[str, Any]:
        return {
            "sequence": status.sequence,
            "entry_id": status.entry_id,
            "department": status.department,
            "state": status.state.value,
            "payload": status.model_dump(mode="json"),
            "updated_at": now,
        }

    async def put(self, status: SanctionOrderStatus, now: datetime, *, exists: bool) -> None:
        t = orm.order_statuses
        values = self._values(status, now)
        if exists:
            await self._s.execute(update(t).where(t.c.order_id == status.order_id).values(values))
        else:
            await self._s.execute(insert(t).values(order_id=status.order_id, **values))

    async def add_all(self, statuses: Sequence[SanctionOrderStatus], now: datetime) -> None:
        """Orders never seen before, in one statement."""
        if statuses:
            await self._s.execute(
                insert(orm.order_statuses),
                [{"order_id": s.order_id, **self._values(s, now)} for s in statuses],
            )

    async def for_entry(self, entry_id: str) -> list[SanctionOrderStatus]:
        t = orm.order_statuses
        rows = await self._s.execute(
            select(t.c.payload)
            .where(t.c.entry_id == entry_id)
            .order_by(t.c.department, t.c.order_id)
        )
        return [SanctionOrderStatus.model_validate(r.payload) for r in rows]


@dataclass(frozen=True)
class DeletionRow:
    entry_id: str
    record_id: str
    department: str
    list_type: str
    ground: str
    arose_on: date
    due: date
    due_provisional: bool
    deleted_on: date | None


def _deletion_state_condition(state: str, today: date) -> ColumnElement[bool]:
    """The SQL form of `domain.sync.deletion_state(...) == state`."""
    t = orm.list_entries
    met, due = t.c.deletion_met_on, t.c.deletion_due
    conditions = {
        "pending": and_(met.is_(None), t.c.revoked_at.is_(None), due >= today),
        "overdue": and_(met.is_(None), t.c.revoked_at.is_(None), due < today),
        "on_time": and_(met.is_not(None), met <= due),
        "late": and_(met.is_not(None), met > due),
    }
    return conditions[state]


class DeletionRepository:
    """Entries with a deletion ground and where their deadline stands (法释〔2017〕7号 第十条)."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def search(
        self,
        *,
        department: str | None,
        state: str | None,
        today: date,
        limit: int,
        offset: int,
    ) -> list[DeletionRow]:
        t = orm.list_entries
        where: list[ColumnElement[bool]] = [t.c.deletion_due.is_not(None)]
        if department is not None:
            where.append(t.c.department == department)
        if state is not None:
            where.append(_deletion_state_condition(state, today))
        rows = await self._s.execute(
            select(
                t.c.entry_id,
                t.c.record_id,
                t.c.department,
                t.c.list_type,
                t.c.deletion_ground,
                t.c.deletion_arose_on,
                t.c.deletion_due,
                t.c.deletion_due_provisional,
                t.c.deletion_met_on,
            )
            .where(*where)
            .order_by(t.c.deletion_due, t.c.entry_id)
            .limit(limit)
            .offset(offset)
        )
        return [
            DeletionRow(
                r.entry_id,
                r.record_id,
                r.department,
                r.list_type,
                r.deletion_ground,
                r.deletion_arose_on,
                r.deletion_due,
                bool(r.deletion_due_provisional),
                r.deletion_met_on,
            )
            for r in rows
        ]

    async def provisional(self) -> list[tuple[str, DeletionGround]]:
        """The entries whose deletion deadline was counted without an official schedule."""
        t = orm.list_entries
        rows = await self._s.execute(
            select(
                t.c.entry_id,
                t.c.deletion_ground,
                t.c.deletion_arose_on,
                t.c.deletion_due,
                t.c.deletion_working_days,
                t.c.deletion_due_provisional,
            )
            .where(t.c.deletion_due_provisional.is_(True))
            .with_for_update()
        )
        return [(r.entry_id, ground) for r in rows if (ground := _deletion(r)) is not None]

    async def set_dues(self, grounds: Sequence[tuple[str, DeletionGround]]) -> None:
        """New due dates, one executemany."""
        if grounds:
            t = orm.list_entries
            await self._s.execute(
                update(t)
                .where(t.c.entry_id == bindparam("b_entry_id"))
                .values(
                    deletion_due=bindparam("b_due"),
                    deletion_due_provisional=bindparam("b_provisional"),
                ),
                [
                    {"b_entry_id": e, "b_due": g.due, "b_provisional": g.provisional}
                    for e, g in grounds
                ],
            )

    async def overdue_count(self, today: date) -> int:
        t = orm.list_entries
        found = await self._s.scalar(
            select(func.count())
            .select_from(t)
            .where(t.c.deletion_due.is_not(None), _deletion_state_condition("overdue", today))
        )
        return int(found or 0)
