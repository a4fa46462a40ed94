"""Dependencies the registry's routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jrp_registry.bootstrap import Registry
from jrp_registry.domain.officers import Manager, manager_of
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_PORTAL, Principal
from jrp_shared.web import current_department


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


async def _administrator(
    principal: Annotated[Principal, Depends(current_department)],
) -> Principal:
    principal.require(ROLE_ADMINISTRATOR)
    return principal


async def _officer_manager(
    principal: Annotated[Principal, Depends(current_department)],
) -> Manager:
    return manager_of(principal)


async def _portal(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    # A subject token is refused by `current_department` (403) before the role is looked at.
    principal.require(ROLE_PORTAL)
    return principal


async def _public_caller(request: Request) -> None:
    """Anyone may call a public route, without a token; each caller address is rate-limited
    (docs/public-lookup.md, "Limits")."""
    registry: Registry = request.app.state.registry
    await registry.public_throttle.admit(request.client.host if request.client else "unknown")


RegistryDep = Annotated[Registry, Depends(_registry)]
PublicCaller = Annotated[None, Depends(_public_caller)]
Administrator = Annotated[Principal, Depends(_administrator)]
Portal = Annotated[Principal, Depends(_portal)]
OfficerManager = Annotated[Manager, Depends(_officer_manager)]
"""The office (every department's officers) or a department's own system credential (its own)."""
