"""The public credit lookup (信用中国 kind): no token, rate-limited per caller address
(issue 13 part 1; DOMAIN.md §3, §12; docs/public-lookup.md). Chinese values, English field
names, `Content-Language: zh-CN`.

Who may call: anyone (谁主管、谁负责: the registry answers for what it publishes, and publishes
only entries of disclosure class `public`, DOMAIN.md §3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.domain.subjects import Subject
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import PublicCaller, RegistryDep
from jrp_registry.entrypoints.http.public_decisions import PublicDecisionRead
from jrp_registry.service_layer import public
from jrp_shared.clock import china_date
from jrp_shared.errors import NotFound
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.openapi import responses_for
from jrp_shared.vocabulary import LinkedPersonRole, ListColour, PerformanceState, SubjectType

router = APIRouter(prefix="/v1/public", tags=["public"], responses=responses_for(429))

LANGUAGE = {"Content-Language": "zh-CN"}
NOT_PUBLIC = "no public credit record for this code"
"""One answer for an unknown code and for a person with nothing public: the lookup never
confirms that a person exists (DOMAIN.md §12)."""


class Named(BaseModel):
    code: str
    name: str


class DocumentRead(BaseModel):
    number: str
    date: date


class PeriodRead(BaseModel):
    start: date
    end: date


class MeasureRead(BaseModel):
    content: str = Field(description="what the measure does, in plain words (the catalog's)")
    implementing_department: Named
    mandatory: bool


class EnforcementBasisRead(BaseModel):
    issuer: str
    number: str


class CourtCaseRead(BaseModel):
    """The court's record (法释〔2017〕7号 第六条; DOMAIN.md §11)."""

    court: str
    case_number: str
    filing_date: date
    enforcement_basis: EnforcementBasisRead
    obligation: str
    performance: PerformanceState
    performed_part: str | None


class PublicEntryRead(BaseModel):
    entry_id: str
    list_type: Named
    colour: ListColour
    grounds: str
    legal_basis: str
    deciding_department: Named
    decision_document: DocumentRead
    period: PeriodRead
    publication_ends: date = Field(description="the last day the lookup shows this entry")
    measures: list[MeasureRead]
    court_case: CourtCaseRead | None = None
    legal_representative: str | None = Field(
        default=None, description="the organisation's legal representative, by name only"
    )


class PublicSubjectRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.PUBLIC_SUBJECT))

    code: str = Field(description="a natural person's resident ID is masked")
    name: str
    subject_type: SubjectType
    division_code: str
    entries: list[PublicEntryRead]
    publicity_decisions: list[PublicDecisionRead] = Field(
        default_factory=list,
        description="double-publicity decisions (双公示) within their publication period "
        "(DOMAIN.md §12; docs/double-publicity.md)",
    )


class PublicFoundRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.PUBLIC_FOUND))

    code: str = Field(description="a natural person's resident ID is masked")
    name: str
    subject_type: SubjectType
    public_entries: int = Field(description="red and black list entries public today")


def _shown_code(code: str, subject_type: SubjectType) -> str:
    return mask_resident_id(code) if subject_type is SubjectType.NATURAL_PERSON else code


def _named(code: str, names: dict[str, str]) -> Named:
    return Named(code=code, name=names.get(code, code))


def _entry_read(
    found: public.PublicEntry, subject: Subject, departments: dict[str, str]
) -> PublicEntryRead:
    record = found.record
    case = record.court_case
    representative = next(
        (p.name for p in record.linked_persons if p.role is LinkedPersonRole.LEGAL_REPRESENTATIVE),
        None,
    ) or next(
        (p.name for p in subject.linked_persons if p.role is LinkedPersonRole.LEGAL_REPRESENTATIVE),
        None,
    )
    return PublicEntryRead(
        entry_id=record.entry_id,
        list_type=Named(code=found.list_type.code, name=found.list_type.name),
        colour=record.colour,
        grounds=record.grounds,
        legal_basis=record.legal_basis,
        deciding_department=_named(record.initiating_department, departments),
        decision_document=DocumentRead(
            number=record.decision_document.number, date=record.decision_document.date
        ),
        period=PeriodRead(start=record.period.start, end=record.period.end),
        publication_ends=found.publication_ends,
        measures=[
            MeasureRead(
                content=m.content,
                implementing_department=_named(m.implementing_department, departments),
                mandatory=m.mandatory,
            )
            for m in found.measures
        ],
        court_case=CourtCaseRead(
            court=case.court,
            case_number=case.case_number,
            filing_date=case.filing_date,
            enforcement_basis=EnforcementBasisRead(
                issuer=case.enforcement_basis.issuer, number=case.enforcement_basis.number
            ),
            obligation=case.obligation,
            performance=case.performance,
            performed_part=case.performed_part,
        )
        if case is not None
        else None,
        legal_representative=representative
        if subject.subject_type is not SubjectType.NATURAL_PERSON
        else None,
    )


@router.get("/subjects/{code}", response_model=PublicSubjectRead)
async def public_subject(
    code: Annotated[str, Path(max_length=40, description="USCC or resident ID")],
    _caller: PublicCaller,
    registry: RegistryDep,
    response: Response,
) -> PublicSubjectRead:
    """A subject's basic registration data and its red and black list entries public today
    (docs/public-lookup.md). 404, the same for every code, when there is nothing to show."""
    today = china_date(registry.clock())
    async with registry.runtime.db.sessions() as session:
        found = await public.public_subject(session, code, today)
    if found is None:
        raise NotFound(NOT_PUBLIC)
    subject = found.subject
    response.headers.update(LANGUAGE)
    return PublicSubjectRead(
        code=_shown_code(subject.code, subject.subject_type),
        name=subject.name,
        subject_type=subject.subject_type,
        division_code=subject.division_code,
        entries=[_entry_read(e, subject, found.department_names) for e in found.entries],
        publicity_decisions=[PublicDecisionRead.of(d) for d in found.publicity_decisions],
    )


@router.get("/subjects", response_model=list[PublicFoundRead])
async def public_search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=50,
            description="a name (traditional or simplified characters, in order, or pinyin / "
            "initials), or a complete USCC; 4+ digits of anything else are refused",
        ),
    ],
    _caller: PublicCaller,
    registry: RegistryDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> list[PublicFoundRead]:
    """Organisations by name, with their count of public entries; natural persons only when a
    list that publishes persons has them (the court's list), their ID masked."""
    today = china_date(registry.clock())
    async with registry.runtime.db.sessions() as session:
        found = await public.public_search(session, q, limit, offset, today)
    response.headers.update(LANGUAGE)
    return [
        PublicFoundRead(
            code=_shown_code(f.code, f.subject_type),
            name=f.name,
            subject_type=f.subject_type,
            public_entries=f.public_entries,
        )
        for f in found
    ]
