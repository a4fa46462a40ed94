"""Authorised credit queries and credit reports (DOMAIN.md §3, 000 (四); issue 13).

A subject (its subject token) or a department with a lawful purpose reads the full record; the
read is recorded in the same transaction that answers it, so no record is shown unrecorded. A
credit report is the same record as a PDF, kept with its verification code and digest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import credit_report_pdf
from jrp_registry.adapters.credit_entries import decisions_of
from jrp_registry.adapters.credit_reports import CreditReads, IssuedReport
from jrp_registry.adapters.repositories import SubjectRepository
from jrp_registry.domain import credit_record
from jrp_registry.domain.credit_record import CreditRecord, RecordedEntry
from jrp_shared.auth import Principal
from jrp_shared.clock import china_date
from jrp_shared.errors import NotFound
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import CheckPurpose

EntriesOf = Callable[[AsyncSession, str, datetime], Awaitable[list[RecordedEntry]]]
"""Every list entry reaching a subject, as the registry's projection holds it."""


def _shown(code: str) -> str:
    return mask_resident_id(code) if len(code) == 18 else code


async def read_record(
    uow: UnitOfWork,
    entries_of: EntriesOf,
    *,
    principal: Principal,
    code: str,
    purpose: CheckPurpose | None,
    business_reference: str | None,
    at: datetime,
) -> CreditRecord:
    """The record, its read recorded and committed before it is answered."""
    record = await _read(
        uow,
        entries_of,
        principal=principal,
        code=code,
        purpose=purpose,
        business_reference=business_reference,
        at=at,
    )
    await uow.commit()
    return record


async def _read(
    uow: UnitOfWork,
    entries_of: EntriesOf,
    *,
    principal: Principal,
    code: str,
    purpose: CheckPurpose | None,
    business_reference: str | None,
    at: datetime,
    what: str = "record",
    report_id: str | None = None,
) -> CreditRecord:
    code = code.strip().upper()
    reader = credit_record.reader_for(
        caller=principal.name,
        subject_code_of_token=principal.subject_code,
        asked_code=code,
        purpose=purpose,
        business_reference=business_reference,
    )
    subject = await SubjectRepository(uow.session).get(code)
    if subject is None:
        raise NotFound(f"no subject {_shown(code)}")
    today = china_date(at)
    entries = [
        replace(e, status=credit_record.status_on(e.status, e.period_end, today))
        for e in await entries_of(uow.session, code, at)
    ]
    record = credit_record.credit_record(
        decisions=await decisions_of(uow.session, code, today),
        subject_code=subject.code,
        subject_type=subject.subject_type,
        subject_name=subject.name,
        entries=entries,
        reader=reader,
        at=at,
    )
    await CreditReads(uow.session).record_read(
        record, agent=principal.agent, what=what, report_id=report_id
    )
    return record


@dataclass(frozen=True)
class Report:
    record: CreditRecord
    issued: IssuedReport
    document: bytes


async def issue_report(
    uow: UnitOfWork,
    entries_of: EntriesOf,
    *,
    principal: Principal,
    code: str,
    purpose: CheckPurpose | None,
    business_reference: str | None,
    at: datetime,
) -> Report:
    """Read the record (recorded as a report read), render it, keep the report's code and
    digest; all in the caller's transaction."""
    report_id = credit_record.report_id()
    record = await _read(
        uow,
        entries_of,
        principal=principal,
        code=code,
        purpose=purpose,
        business_reference=business_reference,
        at=at,
        what="report",
        report_id=report_id,
    )
    verification_code = credit_record.new_verification_code()
    document = await anyio.to_thread.run_sync(
        lambda: credit_report_pdf.render(
            record, report_id=report_id, verification_code=verification_code, issued_at=at
        )
    )
    issued = IssuedReport(
        report_id=report_id,
        verification_code=verification_code,
        subject_code=record.subject_code,
        subject_type=str(record.subject_type),
        subject_name=record.subject_name,
        issued_at=at,
        issued_to=principal.name,
        purpose=str(purpose) if purpose else None,
        summary=record.summary(),
        digest=credit_record.digest(document),
    )
    await CreditReads(uow.session).add_report(issued)
    await uow.commit()
    return Report(record, issued, document)


async def verify_report(session: AsyncSession, raw_code: str) -> IssuedReport:
    """What a report with this verification code stated; NotFound when the platform issued
    none (the same answer for a well-formed code that was never issued)."""
    found = await CreditReads(session).report(credit_record.normalise_verification_code(raw_code))
    if found is None:
        raise NotFound("no credit report was issued with this verification code")
    return found
