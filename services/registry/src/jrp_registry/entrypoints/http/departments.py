"""Departments: who they are, what they lead, whether they initiate and/or implement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict

from jrp_registry.adapters.repositories import DepartmentRepository
from jrp_registry.config import RegistrySettings
from jrp_registry.domain import departments as rules
from jrp_registry.domain.catalog import DepartmentDefinition
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import Administrator, RegistryDep
from jrp_registry.service_layer import handlers
from jrp_shared.errors import InvalidInput, NotFound
from jrp_shared.web import Department

router = APIRouter(prefix="/v1/departments", tags=["departments"])


class DepartmentRead(DepartmentDefinition):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.DEPARTMENT_READ))

    active: bool
    roles: list[str]


class ClientSecret(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.CLIENT_SECRET))

    client_id: str
    client_secret: str
    note: str = "shown once; store it in the department system's secret store"


def _read(d: DepartmentDefinition, active: bool, settings: RegistrySettings) -> DepartmentRead:
    roles = rules.roles_of(
        initiates=d.initiates,
        implements=d.implements,
        administers=d.code in settings.administrator_departments,
        portal=d.code in settings.portal_departments,
        exchanges=d.exchanges,
    )
    return DepartmentRead(**d.model_dump(), active=active, roles=sorted(roles))


@router.get("", response_model=list[DepartmentRead])
async def list_departments(_by: Department, registry: RegistryDep) -> list[DepartmentRead]:
    settings = registry.settings
    async with registry.runtime.db.sessions() as session:
        return [_read(d, a, settings) for d, a in await DepartmentRepository(session).all()]


@router.get("/{code}", response_model=DepartmentRead)
async def get_department(code: str, _by: Department, registry: RegistryDep) -> DepartmentRead:
    async with registry.runtime.db.sessions() as session:
        found = await DepartmentRepository(session).get(code)
    if found is None:
        raise NotFound(f"no department {code}")
    return _read(found[0], found[1], registry.settings)


@router.put("/{code}", response_model=DepartmentRead)
async def put_department(
    code: str,
    body: Annotated[
        DepartmentDefinition,
        Body(openapi_examples=examples.body("the tax service", examples.DEPARTMENT)),
    ],
    by: Administrator,
    registry: RegistryDep,
) -> DepartmentRead:
    if body.code != code:
        raise InvalidInput.for_field("body.code", "mismatch", "body code differs from the path")
    async with registry.runtime.uow() as uow:
        await handlers.save_department(uow, body, by.department_code)
    return _read(body, True, registry.settings)


@router.post("/{code}/credentials", response_model=ClientSecret, status_code=201)
async def rotate_credentials(code: str, by: Administrator, registry: RegistryDep) -> ClientSecret:
    secret = rules.new_client_secret()
    async with registry.runtime.uow() as uow:
        await handlers.set_client_secret(uow, code, secret, by.department_code)
    return ClientSecret(client_id=code, client_secret=secret)
