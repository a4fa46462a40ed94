"""Authorised credit-record reads and issued credit reports (adapters/orm.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import orm
from jrp_registry.domain.credit_record import CreditRecord


@dataclass(frozen=True)
class IssuedReport:
    report_id: str
    verification_code: str
    subject_code: str
    subject_type: str
    subject_name: str
    issued_at: datetime
    issued_to: str
    purpose: str | None
    summary: dict[str, Any]
    digest: str


class CreditReads:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_read(
        self,
        record: CreditRecord,
        *,
        agent: str | None,
        what: str,
        report_id: str | None = None,
    ) -> None:
        reader = record.reader
        await self._session.execute(
            insert(orm.credit_record_reads).values(
                read_at=record.as_of,
                reader=reader.name,
                reader_kind="department" if reader.is_department else "subject",
                agent=agent,
                subject_code=record.subject_code,
                purpose=str(reader.purpose) if reader.purpose else None,
                business_reference=reader.business_reference,
                what=what,
                report_id=report_id,
                shown=record.summary(),
            )
        )

    async def reads_of(self, subject_code: str, limit: int, offset: int) -> list[dict[str, Any]]:
        t = orm.credit_record_reads
        rows = await self._session.execute(
            select(t)
            .where(t.c.subject_code == subject_code)
            .order_by(t.c.read_at.desc(), t.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [dict(r._mapping) for r in rows]

    async def add_report(self, report: IssuedReport) -> None:
        await self._session.execute(
            insert(orm.credit_reports).values(
                report_id=report.report_id,
                verification_code=report.verification_code,
                subject_code=report.subject_code,
                subject_type=report.subject_type,
                subject_name=report.subject_name,
                issued_at=report.issued_at,
                issued_to=report.issued_to,
                purpose=report.purpose,
                summary=report.summary,
                digest=report.digest,
            )
        )

    async def report(self, verification_code: str) -> IssuedReport | None:
        t = orm.credit_reports
        row = (
            await self._session.execute(select(t).where(t.c.verification_code == verification_code))
        ).first()
        if row is None:
            return None
        return IssuedReport(**row._mapping)
