"""Authorised credit queries, credit reports and their public verification (DOMAIN.md §3,
000 (四); docs/public-lookup.md "Authorised query and credit report")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.adapters.credit_entries import entries_of
from jrp_registry.adapters.credit_reports import CreditReads
from jrp_registry.domain.credit_record import CreditRecord, RecordedEntry
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import PublicCaller, RegistryDep
from jrp_registry.service_layer import credit
from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import NotFound
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.openapi import responses_for
from jrp_shared.vocabulary import CheckPurpose, DisclosureClass, ListEntryStatus, SubjectType
from jrp_shared.web import Offset, Party

router = APIRouter(prefix="/v1/subjects", tags=["credit record"])
public_router = APIRouter(prefix="/v1/public", tags=["public lookup"], responses=responses_for(429))

Purpose = Annotated[
    CheckPurpose | None,
    Query(description="a department's lawful purpose: the decision it reads the record for"),
]
BusinessReference = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="the matter the department decides"),
]


class RecordedEntryRead(BaseModel):
    entry_id: str
    version: int
    status: ListEntryStatus
    status_zh: str
    list_type: str
    list_type_name: str
    colour: str
    disclosure_class: DisclosureClass
    grounds: str
    legal_basis: str
    initiating_department: str
    department_name: str
    decision_number: str
    decision_date: date
    period_start: date
    period_end: date
    role: str

    @classmethod
    def of(cls, e: RecordedEntry) -> RecordedEntryRead:
        return cls(status_zh=e.status_zh, **e.__dict__)


class RecordedDecisionRead(BaseModel):
    decision_id: str
    version: int
    kind: str
    kind_zh: str
    department: str
    department_name: str
    decision_number: str
    decision_date: date
    content: str
    publication_ends: date


class CreditRecordRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.CREDIT_RECORD))

    subject_code: str = Field(description="a natural person's resident ID masked")
    subject_type: SubjectType
    subject_name: str
    as_of: datetime
    reader: str
    purpose: CheckPurpose | None
    entries: list[RecordedEntryRead]
    withheld: int = Field(description="government-sharing entries a subject does not see")
    decisions: list[RecordedDecisionRead] = Field(
        description="double-publicity decisions within their publication period (DOMAIN.md §12)"
    )

    @classmethod
    def of(cls, record: CreditRecord) -> CreditRecordRead:
        return cls(
            subject_code=record.displayed_code,
            subject_type=record.subject_type,
            subject_name=record.subject_name,
            as_of=record.as_of,
            reader=record.reader.name if record.reader.is_department else "subject",
            purpose=record.reader.purpose,
            entries=[RecordedEntryRead.of(e) for e in record.entries],
            withheld=record.withheld,
            decisions=[
                RecordedDecisionRead(kind_zh=d.kind_zh, **d.__dict__) for d in record.decisions
            ],
        )


@router.get("/{code}/credit-record", response_model=CreditRecordRead)
async def credit_record(
    code: str,
    party: Party,
    registry: RegistryDep,
    purpose: Purpose = None,
    business_reference: BusinessReference = None,
) -> CreditRecordRead:
    """The full credit record: the subject itself (subject token) sees public and
    authorised-query entries; a department with a lawful purpose sees government-sharing ones
    too. Every read is recorded."""
    async with registry.runtime.uow() as uow:
        record = await credit.read_record(
            uow,
            entries_of,
            principal=party,
            code=code,
            purpose=purpose,
            business_reference=business_reference,
            at=registry.clock(),
        )
    return CreditRecordRead.of(record)


@router.get(
    "/{code}/credit-report",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the credit report"}},
)
async def credit_report(
    code: str,
    party: Party,
    registry: RegistryDep,
    purpose: Purpose = None,
    business_reference: BusinessReference = None,
) -> Response:
    """The credit record as a PDF with the platform's seal line, the date and a verification
    code (`GET /v1/public/credit-reports/{code}` answers what it stated)."""
    async with registry.runtime.uow() as uow:
        report = await credit.issue_report(
            uow,
            entries_of,
            principal=party,
            code=code,
            purpose=purpose,
            business_reference=business_reference,
            at=registry.clock(),
        )
    return Response(
        report.document,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{report.issued.report_id}.pdf"',
            "X-Report-Id": report.issued.report_id,
            "X-Verification-Code": report.issued.verification_code,
        },
    )


class CreditReadRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.CREDIT_READ))

    read_at: datetime
    reader: str
    reader_kind: str
    agent: str | None
    purpose: str | None
    business_reference: str | None
    what: str
    report_id: str | None
    shown: dict[str, Any]


@router.get("/{code}/credit-record/reads", response_model=list[CreditReadRead])
async def credit_record_reads(
    code: str,
    party: Party,
    registry: RegistryDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[CreditReadRead]:
    """Who read this subject's full record, newest first: the subject itself (who looked at
    me) or the joint conference office."""
    code = code.strip().upper()
    own = party.subject_code == code
    if not own and not (not party.is_subject and ROLE_ADMINISTRATOR in party.roles):
        raise NotFound("no such record")
    async with registry.runtime.db.sessions() as session:
        rows = await CreditReads(session).reads_of(code, limit, offset)
    return [
        CreditReadRead(**{k: v for k, v in r.items() if k in CreditReadRead.model_fields})
        for r in rows
    ]


class ReportVerification(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.REPORT_VERIFICATION))

    report_id: str
    issued_at: datetime
    subject_name: str
    subject_code: str = Field(description="a natural person's resident ID masked")
    entries: int = Field(description="how many entries the report listed")
    entry_ids: list[str]
    decision_ids: list[str] = Field(description="the double-publicity decisions it listed")
    digest: str = Field(description="SHA-256 of the PDF as issued: compare with the file")
    issuer: str = "守信联合激励和失信联合惩戒平台"


@public_router.get("/credit-reports/{verification_code}", response_model=ReportVerification)
async def verify_credit_report(
    verification_code: Annotated[str, Path(max_length=40)],
    _caller: PublicCaller,
    registry: RegistryDep,
) -> ReportVerification:
    """No token: whoever is handed a report checks that the platform issued it and what it
    stated (not the record of today: the record as it was when the report was made)."""
    async with registry.runtime.db.sessions() as session:
        found = await credit.verify_report(session, verification_code)
    entries = found.summary.get("entries", [])
    person = found.subject_type == SubjectType.NATURAL_PERSON
    return ReportVerification(
        report_id=found.report_id,
        issued_at=found.issued_at,
        subject_name=found.subject_name,
        subject_code=mask_resident_id(found.subject_code) if person else found.subject_code,
        entries=len(entries),
        entry_ids=[e["entry_id"] for e in entries],
        decision_ids=[d["decision_id"] for d in found.summary.get("decisions", [])],
        digest=found.digest,
    )
