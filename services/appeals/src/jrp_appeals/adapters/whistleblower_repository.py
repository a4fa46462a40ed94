"""Whistle-blower reports and the departments copy through the unit of work's session. Never
commit. A report's history and disclosures are append-only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters import orm
from jrp_appeals.domain.whistleblowers import (
    Action,
    Attachment,
    AttachmentInfo,
    Decision,
    Disclosure,
    Report,
    ReportedSubject,
    ReportOutcome,
    ReportState,
    Reward,
)
from jrp_shared.department_copy import DepartmentCopy

department_copy = DepartmentCopy(orm.departments_copy)
"""This service's department copy (jrp_shared.department_copy): routes the reports."""


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def next_sequence(self, year: int) -> int:
        """The year's next report number, one statement (concurrent submissions take turns on
        the year's row)."""
        t = orm.whistleblower_numbers
        dialect = self._s.get_bind().dialect.name
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(t)
        found = await self._s.scalar(
            upsert.values(year=year, last=1)
            .on_conflict_do_update(index_elements=[t.c.year], set_={"last": t.c.last + 1})
            .returning(t.c.last)
        )
        assert found is not None
        return int(found)

    async def add(self, report: Report, attachments: Sequence[Attachment], action: Action) -> None:
        d = report.decision
        await self._s.execute(
            insert(orm.whistleblower_reports).values(
                report_id=report.report_id,
                number=report.number,
                query_code_hash=report.query_code_hash,
                subject_code=report.subject.code,
                subject_name=report.subject.name,
                domain=report.domain,
                facts=report.facts,
                occurred_on=report.occurred_on,
                place=report.place,
                anonymous=report.anonymous,
                identity_key_id=report.identity_key_id,
                identity_sealed=report.identity_sealed,
                submitted_at=report.submitted_at,
                due=report.due,
                due_provisional=report.due_provisional,
                working_days=report.working_days,
                state=report.state.value,
                outcome=d.outcome.value if d else None,
            )
        )
        await self._set_routes(report.report_id, report.routed_to)
        if attachments:
            await self._s.execute(
                insert(orm.whistleblower_attachments),
                [
                    {
                        "report_id": report.report_id,
                        "position": i,
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": len(a.data),
                        "sha256": a.sha256,
                        "content": a.data,
                    }
                    for i, a in enumerate(attachments)
                ],
            )
        await self.record(report.report_id, action)

    async def _set_routes(self, report_id: str, departments: Sequence[str]) -> None:
        await self._s.execute(
            insert(orm.whistleblower_routes),
            [{"report_id": report_id, "department": d} for d in departments],
        )

    async def reroute(self, report_id: str, departments: Sequence[str]) -> None:
        t = orm.whistleblower_routes
        await self._s.execute(t.delete().where(t.c.report_id == report_id))
        await self._set_routes(report_id, departments)

    async def record(self, report_id: str, action: Action) -> None:
        await self._s.execute(
            insert(orm.whistleblower_actions).values(
                report_id=report_id,
                at=action.at,
                actor=action.actor,
                action=action.action,
                detail=action.detail,
            )
        )

    async def get(self, number: str, *, for_update: bool = False) -> Report | None:
        t = orm.whistleblower_reports
        query = select(t).where(t.c.number == number)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        if row is None:
            return None
        routes = await self._routes([row.report_id])
        return _report(row, routes.get(row.report_id, ()))

    async def _routes(self, report_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        t = orm.whistleblower_routes
        rows = await self._s.execute(
            select(t.c.report_id, t.c.department)
            .where(t.c.report_id.in_(report_ids))
            .order_by(t.c.department)
        )
        found: dict[str, list[str]] = {}
        for r in rows:
            found.setdefault(r.report_id, []).append(r.department)
        return {k: tuple(v) for k, v in found.items()}

    async def listing(
        self,
        *,
        department: str | None,
        state: ReportState | None,
        overdue_on: date | None,
        limit: int,
        offset: int,
    ) -> list[Report]:
        """Newest first. `department`: only those routed to it (None: all, the office);
        `overdue_on`: only undecided ones past their due date on that day."""
        t, r = orm.whistleblower_reports, orm.whistleblower_routes
        query = select(t)
        if department is not None:
            routed = select(r.c.report_id).where(r.c.department == department)
            query = query.where(t.c.report_id.in_(routed))
        if state is not None:
            query = query.where(t.c.state == state.value)
        if overdue_on is not None:
            query = query.where(and_(t.c.state != ReportState.DECIDED.value, t.c.due < overdue_on))
        rows = (
            await self._s.execute(
                query.order_by(t.c.submitted_at.desc(), t.c.number.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        routes = await self._routes([row.report_id for row in rows])
        return [_report(row, routes.get(row.report_id, ())) for row in rows]

    async def accept(
        self, report_id: str, by: str, at: datetime, officer: str | None = None
    ) -> None:
        t = orm.whistleblower_reports
        await self._s.execute(
            update(t)
            .where(t.c.report_id == report_id)
            .values(
                state=ReportState.ACCEPTED.value,
                accepted_by=by,
                accepted_at=at,
                accepted_by_officer=officer,
            )
        )

    async def back_to_received(self, report_id: str) -> None:
        t = orm.whistleblower_reports
        await self._s.execute(
            update(t)
            .where(t.c.report_id == report_id)
            .values(
                state=ReportState.RECEIVED.value,
                accepted_by=None,
                accepted_at=None,
                accepted_by_officer=None,
            )
        )

    async def decide(
        self,
        report_id: str,
        decision: Decision,
        by: str,
        at: datetime,
        officer: str | None = None,
    ) -> None:
        t = orm.whistleblower_reports
        reward = decision.reward
        await self._s.execute(
            update(t)
            .where(t.c.report_id == report_id)
            .values(
                state=ReportState.DECIDED.value,
                outcome=decision.outcome.value,
                reasons=decision.reasons,
                entry_id=decision.entry_id,
                reward_amount=reward.amount if reward else None,
                reward_description=reward.description if reward else None,
                decided_by=by,
                decided_at=at,
                decided_by_officer=officer,
            )
        )

    async def history(self, report_id: str) -> list[Action]:
        t = orm.whistleblower_actions
        rows = await self._s.execute(select(t).where(t.c.report_id == report_id).order_by(t.c.id))
        return [Action(r.at, r.actor, r.action, dict(r.detail)) for r in rows]

    async def attachments(self, report_id: str) -> list[AttachmentInfo]:
        t = orm.whistleblower_attachments
        rows = await self._s.execute(
            select(t.c.position, t.c.filename, t.c.content_type, t.c.size, t.c.sha256)
            .where(t.c.report_id == report_id)
            .order_by(t.c.position)
        )
        return [
            AttachmentInfo(r.position, r.filename, r.content_type, r.size, r.sha256) for r in rows
        ]

    async def attachment(self, report_id: str, position: int) -> tuple[str, str, bytes] | None:
        """(filename, content type, content) of one attachment."""
        t = orm.whistleblower_attachments
        row = (
            await self._s.execute(
                select(t.c.filename, t.c.content_type, t.c.content).where(
                    t.c.report_id == report_id, t.c.position == position
                )
            )
        ).first()
        return None if row is None else (row.filename, row.content_type, bytes(row.content))

    async def add_disclosure(self, report_id: str, disclosure: Disclosure) -> None:
        await self._s.execute(
            insert(orm.whistleblower_disclosures).values(
                report_id=report_id,
                disclosed_by=disclosure.by,
                disclosed_by_officer=disclosure.officer,
                disclosed_at=disclosure.at,
                reason=disclosure.reason,
            )
        )

    async def disclosures(self, report_id: str) -> list[Disclosure]:
        t = orm.whistleblower_disclosures
        rows = await self._s.execute(select(t).where(t.c.report_id == report_id).order_by(t.c.id))
        return [
            Disclosure(r.disclosed_by, r.disclosed_at, r.reason, r.disclosed_by_officer)
            for r in rows
        ]

    async def count_overdue(self, department: str | None, today: date) -> int:
        t, r = orm.whistleblower_reports, orm.whistleblower_routes
        query = (
            select(func.count())
            .select_from(t)
            .where(
                or_(
                    t.c.state == ReportState.RECEIVED.value, t.c.state == ReportState.ACCEPTED.value
                ),
                t.c.due < today,
            )
        )
        if department is not None:
            query = query.where(
                t.c.report_id.in_(select(r.c.report_id).where(r.c.department == department))
            )
        return int(await self._s.scalar(query) or 0)


def _report(row: Row[Any], routed_to: tuple[str, ...]) -> Report:
    decision = None
    if row.outcome is not None:
        reward = None
        if row.reward_amount is not None:
            reward = Reward(Decimal(row.reward_amount), row.reward_description or "")
        decision = Decision(ReportOutcome(row.outcome), row.reasons or "", row.entry_id, reward)
    return Report(
        report_id=row.report_id,
        number=row.number,
        query_code_hash=row.query_code_hash,
        subject=ReportedSubject(row.subject_code, row.subject_name),
        domain=row.domain,
        facts=row.facts,
        occurred_on=row.occurred_on,
        place=row.place,
        anonymous=row.anonymous,
        identity_key_id=row.identity_key_id,
        identity_sealed=bytes(row.identity_sealed) if row.identity_sealed is not None else None,
        submitted_at=row.submitted_at,
        due=row.due,
        due_provisional=row.due_provisional,
        working_days=row.working_days,
        state=ReportState(row.state),
        routed_to=routed_to,
        accepted_by=row.accepted_by,
        accepted_at=row.accepted_at,
        decision=decision,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        accepted_by_officer=row.accepted_by_officer,
        decided_by_officer=row.decided_by_officer,
    )
