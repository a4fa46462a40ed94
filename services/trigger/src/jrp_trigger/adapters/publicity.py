"""Double-publicity decisions in PostgreSQL (DOMAIN.md §9, §12). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.vocabulary import PublicationEnd, PublicityKind
from jrp_trigger.adapters import orm
from jrp_trigger.domain.publicity import DecisionState, PublicityDecisionSubmission, WithheldReason


@dataclass(frozen=True)
class StoredDecision:
    decision_id: str
    department: str
    record_id: str
    version: int
    kind: PublicityKind
    state: DecisionState
    withheld_reason: WithheldReason | None
    submission: PublicityDecisionSubmission
    fingerprint: str
    publication_due: date
    due_provisional: bool
    publication_months: int
    publication_ends: date
    repair_from: date | None
    repair_guidance: str | None
    warnings: tuple[str, ...]
    published_at: datetime | None
    late: bool | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: PublicationEnd | None
    withdrawal_note: str | None
    created_at: datetime
    updated_at: datetime
    published_by_officer: str | None = None
    """The officer of `department` who published it (posting it published, or the publication
    request), when it signed in as one (docs/security.md, "Officers")."""
    withdrawn_by_officer: str | None = None
    """The officer of `withdrawn_by` who withdrew it, when it signed in as one."""

    def row(self) -> dict[str, Any]:
        """The table's columns."""
        return {
            "decision_id": self.decision_id,
            "department": self.department,
            "record_id": self.record_id,
            "version": self.version,
            "kind": self.kind.value,
            "state": self.state.value,
            "withheld_reason": None if self.withheld_reason is None else self.withheld_reason.value,
            "counterpart_code": self.submission.counterpart.code,
            "severity": None
            if self.submission.penalty is None
            else self.submission.penalty.severity.value,
            "decision_date": self.submission.decision_date,
            "publication_due": self.publication_due,
            "due_provisional": self.due_provisional,
            "publication_months": self.publication_months,
            "publication_ends": self.publication_ends,
            "repair_from": self.repair_from,
            "repair_guidance": self.repair_guidance,
            "content": self.submission.content(),
            "fingerprint": self.fingerprint,
            "warnings": list(self.warnings),
            "published_at": self.published_at,
            "late": self.late,
            "withdrawn_at": self.withdrawn_at,
            "withdrawn_by": self.withdrawn_by,
            "withdrawn_by_officer": self.withdrawn_by_officer,
            "published_by_officer": self.published_by_officer,
            "withdrawal_reason": None
            if self.withdrawal_reason is None
            else self.withdrawal_reason.value,
            "withdrawal_note": self.withdrawal_note,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _stored(r: Row[Any]) -> StoredDecision:
    content = dict(r.content)
    submission = PublicityDecisionSubmission.model_validate(content)
    return StoredDecision(
        decision_id=r.decision_id,
        department=r.department,
        record_id=r.record_id,
        version=r.version,
        kind=PublicityKind(r.kind),
        state=DecisionState(r.state),
        withheld_reason=None if r.withheld_reason is None else WithheldReason(r.withheld_reason),
        submission=submission,
        fingerprint=r.fingerprint,
        publication_due=r.publication_due,
        due_provisional=bool(r.due_provisional),
        publication_months=r.publication_months,
        publication_ends=r.publication_ends,
        repair_from=r.repair_from,
        repair_guidance=r.repair_guidance,
        warnings=tuple(r.warnings or ()),
        published_at=r.published_at,
        late=r.late,
        withdrawn_at=r.withdrawn_at,
        withdrawn_by=r.withdrawn_by,
        withdrawal_reason=None
        if r.withdrawal_reason is None
        else PublicationEnd(r.withdrawal_reason),
        withdrawal_note=r.withdrawal_note,
        created_at=r.created_at,
        updated_at=r.updated_at,
        published_by_officer=r.published_by_officer,
        withdrawn_by_officer=r.withdrawn_by_officer,
    )


class PublicityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, decision_id: str, *, for_update: bool = False) -> StoredDecision | None:
        t = orm.publicity_decisions
        query = select(t).where(t.c.decision_id == decision_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _stored(row)

    async def by_record(self, department: str, record_id: str) -> StoredDecision | None:
        t = orm.publicity_decisions
        row = (
            await self._s.execute(
                select(t)
                .where(t.c.department == department, t.c.record_id == record_id)
                .with_for_update()
            )
        ).first()
        return None if row is None else _stored(row)

    async def add(self, decision: StoredDecision, recorded_by: str) -> None:
        await self._s.execute(insert(orm.publicity_decisions).values(decision.row()))
        await self._add_version(decision, recorded_by)

    async def save(self, decision: StoredDecision, *, new_version: bool, recorded_by: str) -> None:
        t = orm.publicity_decisions
        values = decision.row()
        del values["decision_id"]
        await self._s.execute(
            update(t).where(t.c.decision_id == decision.decision_id).values(values)
        )
        if new_version:
            await self._add_version(decision, recorded_by)

    async def _add_version(self, decision: StoredDecision, recorded_by: str) -> None:
        await self._s.execute(
            insert(orm.publicity_decision_versions).values(
                decision_id=decision.decision_id,
                version=decision.version,
                content=decision.submission.content(),
                recorded_at=decision.updated_at,
                recorded_by=recorded_by,
            )
        )

    async def search(
        self,
        *,
        department: str | None,
        kind: PublicityKind | None,
        state: DecisionState | None,
        limit: int,
        offset: int,
    ) -> list[StoredDecision]:
        t = orm.publicity_decisions
        where: list[ColumnElement[bool]] = []
        if department is not None:
            where.append(t.c.department == department)
        if kind is not None:
            where.append(t.c.kind == kind.value)
        if state is not None:
            where.append(t.c.state == state.value)
        rows = await self._s.execute(
            select(t)
            .where(*where)
            .order_by(t.c.decision_date.desc(), t.c.decision_id)
            .limit(limit)
            .offset(offset)
        )
        return [_stored(r) for r in rows]

    def _overdue_now(self, today: date) -> ColumnElement[bool]:
        t = orm.publicity_decisions
        return and_(t.c.state == DecisionState.PENDING.value, t.c.publication_due < today)

    async def overdue_or_late(
        self, *, department: str | None, today: date, limit: int, offset: int
    ) -> list[StoredDecision]:
        """Unpublished past their due date (now), and published after it; earliest due first."""
        t = orm.publicity_decisions
        where: list[ColumnElement[bool]] = [or_(self._overdue_now(today), t.c.late.is_(True))]
        if department is not None:
            where.append(t.c.department == department)
        rows = await self._s.execute(
            select(t)
            .where(*where)
            .order_by(t.c.publication_due, t.c.decision_id)
            .limit(limit)
            .offset(offset)
        )
        return [_stored(r) for r in rows]

    async def overdue_count(self, today: date) -> int:
        t = orm.publicity_decisions
        found = await self._s.scalar(
            select(func.count()).select_from(t).where(self._overdue_now(today))
        )
        return int(found or 0)

    async def provisional(self) -> list[StoredDecision]:
        t = orm.publicity_decisions
        rows = await self._s.execute(
            select(t).where(t.c.due_provisional.is_(True)).with_for_update()
        )
        return [_stored(r) for r in rows]

    async def set_dues(self, decisions: Sequence[StoredDecision]) -> None:
        t = orm.publicity_decisions
        for d in decisions:
            await self._s.execute(
                update(t)
                .where(t.c.decision_id == d.decision_id)
                .values(publication_due=d.publication_due, due_provisional=d.due_provisional)
            )
