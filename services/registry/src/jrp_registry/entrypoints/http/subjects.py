"""Subjects: register, update, fetch, search (DOMAIN.md §2, §3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.adapters.repositories import SubjectRepository
from jrp_registry.domain.subjects import LinkedPerson, Subject
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import RegistryDep
from jrp_registry.service_layer import handlers
from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import NotFound
from jrp_shared.identifiers import ResidentId, mask_resident_id
from jrp_shared.vocabulary import LinkedPersonRole, SubjectType
from jrp_shared.web import Department, Offset

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])


class LinkedPersonIn(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True, extra="forbid")

    role: LinkedPersonRole
    name: str = Field(min_length=1, max_length=100)
    resident_id: ResidentId


class SubjectCreate(BaseModel):
    model_config = ConfigDict(
        hide_input_in_errors=True,
        extra="forbid",
        json_schema_extra=examples.shown(examples.SUBJECT_CREATE, examples.PERSON_CREATE),
    )

    code: str = Field(
        min_length=1,
        max_length=40,
        description="USCC for organisations and individual businesses, resident ID for persons",
    )
    subject_type: SubjectType
    name: str = Field(min_length=1, max_length=300)
    division_code: str | None = Field(
        default=None, description="GB/T 2260; defaults to the one inside the identifier"
    )
    linked_persons: list[LinkedPersonIn] = Field(default_factory=list, max_length=50)


class SubjectUpdate(BaseModel):
    model_config = ConfigDict(
        hide_input_in_errors=True,
        extra="forbid",
        json_schema_extra=examples.shown(examples.SUBJECT_UPDATE),
    )

    name: str = Field(min_length=1, max_length=300)
    division_code: str | None = None
    linked_persons: list[LinkedPersonIn] = Field(default_factory=list, max_length=50)


class LinkedPersonRead(BaseModel):
    role: LinkedPersonRole
    name: str
    resident_id_masked: str = Field(description="DOMAIN.md §2: never shown in clear")


class SubjectRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.SUBJECT_READ))

    code: str
    subject_type: SubjectType
    name: str
    division_code: str
    revision: int
    linked_persons: list[LinkedPersonRead]
    warnings: list[str]

    @classmethod
    def of(cls, subject: Subject, *, mask_code: bool = False) -> SubjectRead:
        person = subject.subject_type is SubjectType.NATURAL_PERSON
        return cls(
            code=mask_resident_id(subject.code) if (mask_code and person) else subject.code,
            subject_type=subject.subject_type,
            name=subject.name,
            division_code=subject.division_code,
            revision=subject.revision,
            linked_persons=_people_read(subject.linked_persons),
            warnings=list(subject.warnings),
        )


def _people_read(people: Sequence[LinkedPerson]) -> list[LinkedPersonRead]:
    return [
        LinkedPersonRead(
            role=p.role, name=p.name, resident_id_masked=mask_resident_id(p.resident_id)
        )
        for p in people
    ]


def _people(items: list[LinkedPersonIn]) -> handlers.People:
    return [(p.role, p.name, p.resident_id) for p in items]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubjectRead)
async def register_subject(
    body: SubjectCreate, by: Department, registry: RegistryDep
) -> SubjectRead:
    async with registry.runtime.uow() as uow:
        subject = await handlers.register_subject(
            uow,
            code=body.code,
            subject_type=body.subject_type,
            name=body.name,
            division_code=body.division_code,
            linked_persons=_people(body.linked_persons),
            by=by.department_code,
            organisation_code_policy=registry.settings.organisation_code_policy,
        )
    return SubjectRead.of(subject)


@router.put("/{code}", response_model=SubjectRead)
async def update_subject(
    code: str, body: SubjectUpdate, by: Department, registry: RegistryDep
) -> SubjectRead:
    async with registry.runtime.uow() as uow:
        subject = await handlers.update_subject(
            uow,
            code,
            name=body.name,
            division_code=body.division_code,
            linked_persons=_people(body.linked_persons),
            by=by.department_code,
            office=ROLE_ADMINISTRATOR in by.roles,
            registration_authorities=registry.settings.registration_authorities,
        )
    return SubjectRead.of(subject)


class SubjectRevisionRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.SUBJECT_REVISION))

    revision: int
    name: str
    division_code: str
    linked_persons: list[LinkedPersonRead]
    recorded_at: datetime
    recorded_by: str = Field(description="the department that wrote this revision")


@router.get("/{code}/history", response_model=list[SubjectRevisionRead])
async def subject_history(
    code: str, _by: Department, registry: RegistryDep
) -> list[SubjectRevisionRead]:
    """Every revision of a subject, oldest first, with who wrote it."""
    async with registry.runtime.uow() as uow:
        history = await handlers.subject_history(uow, code)
    return [
        SubjectRevisionRead(
            revision=r.revision,
            name=r.name,
            division_code=r.division_code,
            linked_persons=_people_read(r.linked_persons),
            recorded_at=r.recorded_at,
            recorded_by=r.recorded_by,
        )
        for r in history
    ]


@router.get("/{code}", response_model=SubjectRead)
async def get_subject(code: str, _by: Department, registry: RegistryDep) -> SubjectRead:
    async with registry.runtime.db.sessions() as session:
        subject = await SubjectRepository(session).get(code.strip().upper())
    if subject is None:
        raise NotFound(f"no subject {mask_resident_id(code) if len(code) == 18 else code}")
    return SubjectRead.of(subject)


@router.get("", response_model=list[SubjectRead])
async def search_subjects(
    _by: Department,
    registry: RegistryDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="a whole code, a USCC prefix or a name part; a natural person is "
            "found by the whole resident ID only (DOMAIN.md §2)",
        ),
    ] = None,
    subject_type: SubjectType | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[SubjectRead]:
    async with registry.runtime.db.sessions() as session:
        found = await SubjectRepository(session).search(q, subject_type, limit, offset)
    # A search by name must not reveal persons' resident IDs (DOMAIN.md §2).
    return [SubjectRead.of(s, mask_code=q is None or s.code != q.strip().upper()) for s in found]
