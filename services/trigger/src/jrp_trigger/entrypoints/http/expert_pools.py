"""The special groups' expert pools (002 二(二)2), kept by the joint conference office: every
change a new version, the earlier ones kept, so a draw is re-verified against the version it
used."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from jrp_shared.auth import ROLE_ADMINISTRATOR
from jrp_shared.errors import NotFound
from jrp_shared.web import Department
from jrp_trigger.adapters.repositories import ExpertPoolRepository
from jrp_trigger.domain.recognition import Expert
from jrp_trigger.entrypoints.http.deps import TriggerDep
from jrp_trigger.entrypoints.http.schemas import ExpertPoolPut, ExpertPoolRead
from jrp_trigger.entrypoints.http.views import pool_read
from jrp_trigger.service_layer import recognition

router = APIRouter(prefix="/v1/expert-pools", tags=["recognition"])

Group = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$", description="a domain code")
]


@router.put("/{group}", response_model=ExpertPoolRead)
async def put_pool(
    group: Group, body: ExpertPoolPut, by: Department, trigger: TriggerDep
) -> ExpertPoolRead:
    """Replace the group's pool (the office, `administrator`): a new version when anything
    changed, the same version when nothing did."""
    by.require(ROLE_ADMINISTRATOR)
    async with trigger.runtime.uow() as uow:
        pool = await recognition.put_pool(
            uow,
            group,
            experts=[Expert(e.id, e.name, e.department) for e in body.experts],
            departments=body.departments,
            by=by.department_code,
            clock=trigger.clock,
        )
    return pool_read(pool)


@router.get("/{group}", response_model=ExpertPoolRead)
async def get_pool(group: Group, by: Department, trigger: TriggerDep) -> ExpertPoolRead:
    """The group's current pool; any department may read it."""
    async with trigger.runtime.db.sessions() as session:
        pool = await ExpertPoolRepository(session).current(group)
    if pool is None:
        raise NotFound(f"special group {group!r} has no expert pool")
    return pool_read(pool)


@router.get("/{group}/versions/{version}", response_model=ExpertPoolRead)
async def get_pool_version(
    group: Group,
    version: Annotated[int, Path(ge=1, le=2_147_483_647)],
    by: Department,
    trigger: TriggerDep,
) -> ExpertPoolRead:
    """One past version of the pool: what a draw recorded with that version chose from."""
    async with trigger.runtime.db.sessions() as session:
        pool = await ExpertPoolRepository(session).version(group, version)
    if pool is None:
        raise NotFound(f"special group {group!r} has no expert pool version {version}")
    return pool_read(pool)
