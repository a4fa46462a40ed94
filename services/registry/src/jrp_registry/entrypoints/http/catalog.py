"""The measures catalog: list types and measures, versioned with effective dates (DOMAIN.md §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from jrp_registry.adapters.repositories import CatalogRepository
from jrp_registry.domain.catalog import (
    DomainDefinition,
    ListTypeDefinition,
    MeasureDefinition,
)
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import Administrator, RegistryDep
from jrp_registry.service_layer import handlers
from jrp_shared.errors import InvalidInput, NotFound
from jrp_shared.events.payloads import ListTypePublished, MeasurePublished
from jrp_shared.vocabulary import ListColour, MeasureKind
from jrp_shared.web import Department

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])

OnDate = Annotated[
    date | None, Query(description="the catalog in force on this date (default: today)")
]


class VersionSummary(BaseModel):
    version: int
    effective_from: date


class ListTypeDetail(ListTypePublished):
    """A list type as in force, with its measures in force and its version history."""

    model_config = ConfigDict(json_schema_extra=examples.shown(examples.TAX_LIST_TYPE_DETAIL))

    measures: list[MeasurePublished]
    versions: list[VersionSummary]


class ListTypeChange(ListTypeDefinition):
    model_config = ConfigDict(
        json_schema_extra=examples.shown(examples.changed(examples.TAX_LIST_TYPE))
    )

    effective_from: date


class MeasureChange(MeasureDefinition):
    model_config = ConfigDict(
        json_schema_extra=examples.shown(examples.changed(examples.INVOICE_MEASURE))
    )

    effective_from: date


@router.get(
    "/domains", response_model=list[DomainDefinition], responses=examples.answer(examples.DOMAINS)
)
async def list_domains(_by: Department, registry: RegistryDep) -> list[DomainDefinition]:
    async with registry.runtime.db.sessions() as session:
        return await CatalogRepository(session).domains()


@router.get(
    "/list-types",
    response_model=list[ListTypePublished],
    responses=examples.answer([examples.published(examples.TAX_LIST_TYPE)]),
)
async def list_list_types(
    _by: Department,
    registry: RegistryDep,
    on: OnDate = None,
    colour: ListColour | None = None,
    domain: str | None = None,
) -> list[ListTypePublished]:
    async with registry.runtime.db.sessions() as session:
        versions = await CatalogRepository(session).list_types.in_force(on or date.today())
    return [
        handlers.list_type_payload(v)
        for v in versions
        if (colour is None or v.definition.colour is colour)
        and (domain is None or v.definition.domain == domain)
    ]


@router.get("/list-types/{code}", response_model=ListTypeDetail)
async def get_list_type(
    code: str, _by: Department, registry: RegistryDep, on: OnDate = None
) -> ListTypeDetail:
    day = on or date.today()
    async with registry.runtime.db.sessions() as session:
        repo = CatalogRepository(session)
        found = await repo.list_types.in_force(day, code)
        if not found:
            raise NotFound(f"no list type {code!r} in force on {day}")
        measures = [m for m in await repo.measures.in_force(day) if code in m.definition.list_types]
        history = await repo.list_types.history(code)
    return ListTypeDetail(
        **handlers.list_type_payload(found[0]).model_dump(),
        measures=[handlers.measure_payload(m) for m in measures],
        versions=[
            VersionSummary(version=v.version, effective_from=v.effective_from) for v in history
        ],
    )


@router.put(
    "/list-types/{code}",
    response_model=ListTypePublished,
    responses=examples.answer(examples.published(examples.TAX_LIST_TYPE, 2, examples.NEXT_EDITION)),
)
async def put_list_type(
    code: str, body: ListTypeChange, by: Administrator, registry: RegistryDep
) -> ListTypePublished:
    """A new version of a list type, in force from `effective_from` (published as an event)."""
    if body.code != code:
        raise InvalidInput.for_field("body.code", "mismatch", "body code differs from the path")
    definition = ListTypeDefinition(**body.model_dump(exclude={"effective_from"}))
    async with registry.runtime.uow() as uow:
        version = await handlers.publish_list_type(
            uow, definition, body.effective_from, by.department_code
        )
    return handlers.list_type_payload(version)


@router.get(
    "/measures",
    response_model=list[MeasurePublished],
    responses=examples.answer(
        [examples.published(examples.GRADE_MEASURE), examples.published(examples.INVOICE_MEASURE)]
    ),
)
async def list_measures(
    _by: Department,
    registry: RegistryDep,
    on: OnDate = None,
    list_type: str | None = None,
    department: str | None = Query(default=None, description="implementing department"),
    kind: MeasureKind | None = None,
    mandatory: bool | None = None,
) -> list[MeasurePublished]:
    async with registry.runtime.db.sessions() as session:
        versions = await CatalogRepository(session).measures.in_force(on or date.today())
    return [
        handlers.measure_payload(v)
        for v in versions
        if (list_type is None or list_type in v.definition.list_types)
        and (department is None or v.definition.implementing_department == department)
        and (kind is None or v.definition.kind is kind)
        and (mandatory is None or v.definition.mandatory is mandatory)
    ]


@router.get(
    "/measures/{code}",
    response_model=MeasurePublished,
    responses=examples.answer(examples.published(examples.INVOICE_MEASURE)),
)
async def get_measure(
    code: str, _by: Department, registry: RegistryDep, on: OnDate = None
) -> MeasurePublished:
    day = on or date.today()
    async with registry.runtime.db.sessions() as session:
        found = await CatalogRepository(session).measures.in_force(day, code)
    if not found:
        raise NotFound(f"no measure {code!r} in force on {day}")
    return handlers.measure_payload(found[0])


@router.put(
    "/measures/{code}",
    response_model=MeasurePublished,
    responses=examples.answer(
        examples.published(examples.INVOICE_MEASURE, 2, examples.NEXT_EDITION)
    ),
)
async def put_measure(
    code: str, body: MeasureChange, by: Administrator, registry: RegistryDep
) -> MeasurePublished:
    if body.code != code:
        raise InvalidInput.for_field("body.code", "mismatch", "body code differs from the path")
    definition = MeasureDefinition(**body.model_dump(exclude={"effective_from"}))
    async with registry.runtime.uow() as uow:
        version = await handlers.publish_measure(
            uow, definition, body.effective_from, by.department_code
        )
    return handlers.measure_payload(version)
