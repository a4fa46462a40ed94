"""Officer accounts (docs/security.md, "Officers"). 谁主管、谁负责 (DOMAIN.md §5): the joint
conference office (a department with the administrator role, or one of its officers holding
that role) creates, lists and deactivates officers of every department and sets their roles;
a department's own system credential (its token naming no officer) does the same for its own
officers only, never with roles beyond its own powers; another officer's token manages none
(`jrp_registry.domain.officers.manager_of`). An officer changes its own password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.adapters.officers import OfficerRepository, OfficerRow
from jrp_registry.domain.officers import PASSWORD_MAX_LENGTH
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import OfficerManager, RegistryDep
from jrp_registry.service_layer import officers as handlers
from jrp_shared.auth import Principal
from jrp_shared.errors import Forbidden, NotFound, Unauthenticated
from jrp_shared.web import current_department

router = APIRouter(prefix="/v1/officers", tags=["officers"])

Role = Annotated[str, Field(min_length=1, max_length=20)]


class OfficerRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.OFFICER))

    id: str
    username: str
    display_name: str
    department: str
    roles: list[str]
    active: bool
    credential_version: int = Field(description="grows when its tokens are revoked")
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None


class OfficerCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.OFFICER_CREATE))

    username: str = Field(min_length=2, max_length=40, description="lower-case, unique")
    display_name: str = Field(min_length=1, max_length=100)
    department: str = Field(min_length=1, max_length=32)
    roles: list[Role] = Field(
        max_length=4,
        description="among initiator, implementer, reviewer, administrator; never more than "
        "the department's powers",
    )


class OfficerCreated(OfficerRead):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.OFFICER_CREATED))

    initial_password: str
    note: str = "shown once; hand it to the officer, who changes it after the first sign-in"


class RolesBody(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.ROLES))

    roles: list[Role] = Field(max_length=4)


class PasswordChange(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.PASSWORD_CHANGE))

    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)
    new_password: str = Field(
        min_length=1,
        max_length=PASSWORD_MAX_LENGTH,
        description="12 to 128 characters, not containing the username",
    )


def _read(o: OfficerRow) -> OfficerRead:
    return OfficerRead(
        id=o.id,
        username=o.username,
        display_name=o.display_name,
        department=o.department_code,
        roles=sorted(o.roles),
        active=o.active,
        credential_version=o.credential_version,
        created_at=o.created_at,
        updated_at=o.updated_at,
        last_sign_in_at=o.last_sign_in_at,
    )


def _authorities(registry: RegistryDep) -> handlers.Authorities:
    return handlers.Authorities(
        administrators=registry.settings.administrator_departments,
        portals=registry.settings.portal_departments,
    )


@router.post("", response_model=OfficerCreated, status_code=201)
async def create_officer(
    body: OfficerCreate, by: OfficerManager, registry: RegistryDep
) -> OfficerCreated:
    """A new officer of a department, with an initial password shown once. The office, or the
    department itself (its own system credential) within its own powers."""
    async with registry.runtime.uow() as uow:
        officer, password = await handlers.create_officer(
            uow,
            username=body.username,
            display_name=body.display_name,
            department_code=body.department,
            roles=frozenset(body.roles),
            authorities=_authorities(registry),
            by=by.by,
            hashing=registry.hashing,
            manager=by,
        )
    return OfficerCreated(**_read(officer).model_dump(), initial_password=password)


@router.get("", response_model=list[OfficerRead])
async def list_officers(
    by: OfficerManager,
    registry: RegistryDep,
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> list[OfficerRead]:
    """Every officer (of one department with `department`) for the office; a department's
    own officers for the department."""
    if department is not None:
        by.require_department(department)
    scope = department if by.department is None else by.department
    async with registry.runtime.db.sessions() as session:
        return [_read(o) for o in await OfficerRepository(session).all(scope)]


@router.get("/me", response_model=OfficerRead)
async def who_am_i(
    principal: Annotated[Principal, Depends(current_department)], registry: RegistryDep
) -> OfficerRead:
    """The signed-in officer's own account (an officer token only)."""
    if principal.officer is None:
        raise Forbidden("a department's own token names no officer; sign in as an officer")
    async with registry.runtime.db.sessions() as session:
        found = await OfficerRepository(session).get(principal.officer)
    if found is None:
        raise NotFound(f"no officer {principal.officer}")
    return _read(found)


@router.post("/me/password", response_model=OfficerRead)
async def change_own_password(
    body: PasswordChange,
    principal: Annotated[Principal, Depends(current_department)],
    registry: RegistryDep,
) -> OfficerRead:
    """The officer sets its own password, proving the current one (12 to 128 characters). Its
    tokens are revoked: it signs in again. Failures count toward the sign-in lockout."""
    if principal.officer is None:
        raise Forbidden("only an officer changes its own password; sign in as an officer")
    async with registry.runtime.db.sessions() as session:
        found = await OfficerRepository(session).get(principal.officer)
    if found is None:
        raise NotFound(f"no officer {principal.officer}")
    # The same lockout as the sign-in's: guessing the current password here gains nothing.
    await registry.officer_lockout.refuse_when_spent(found.username)
    try:
        async with registry.runtime.uow() as uow:
            officer = await handlers.change_own_password(
                uow,
                principal.officer,
                current_password=body.current_password,
                new_password=body.new_password,
                hashing=registry.hashing,
            )
    except Unauthenticated:
        await registry.officer_lockout.count(found.username)
        raise
    return _read(officer)


@router.get("/{officer_id}", response_model=OfficerRead)
async def get_officer(officer_id: str, by: OfficerManager, registry: RegistryDep) -> OfficerRead:
    async with registry.runtime.db.sessions() as session:
        return _read(await handlers.managed(OfficerRepository(session), officer_id, by))


@router.put("/{officer_id}/roles", response_model=OfficerRead)
async def set_roles(
    officer_id: str, body: RolesBody, by: OfficerManager, registry: RegistryDep
) -> OfficerRead:
    """New roles (never more than the department's); the officer's tokens are revoked."""
    async with registry.runtime.uow() as uow:
        officer = await handlers.set_roles(
            uow,
            officer_id,
            frozenset(body.roles),
            authorities=_authorities(registry),
            by=by.by,
            manager=by,
        )
    return _read(officer)


@router.post("/{officer_id}/deactivation", response_model=OfficerRead)
async def deactivate(officer_id: str, by: OfficerManager, registry: RegistryDep) -> OfficerRead:
    """The officer may no longer sign in, and every service refuses its tokens at once."""
    async with registry.runtime.uow() as uow:
        officer = await handlers.deactivate(uow, officer_id, by=by.by, manager=by)
    return _read(officer)


@router.post("/{officer_id}/password-reset", response_model=OfficerCreated)
async def reset_password(
    officer_id: str, by: OfficerManager, registry: RegistryDep
) -> OfficerCreated:
    """A new initial password, shown once (a forgotten password); the tokens are revoked."""
    async with registry.runtime.uow() as uow:
        officer, password = await handlers.reset_password(
            uow, officer_id, by=by.by, hashing=registry.hashing, manager=by
        )
    return OfficerCreated(**_read(officer).model_dump(), initial_password=password)
