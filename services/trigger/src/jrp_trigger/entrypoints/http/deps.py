"""Dependencies the trigger's routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_EXCHANGE, ROLE_INITIATOR, Principal
from jrp_shared.errors import Forbidden
from jrp_shared.web import current_department
from jrp_trigger.bootstrap import Trigger


def _trigger(request: Request) -> Trigger:
    trigger: Trigger = request.app.state.trigger
    return trigger


async def _initiator(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    principal.require(ROLE_INITIATOR)
    return principal


async def _submitter(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    """An initiating department, or another platform submitting other regions' entries
    (role `exchange`, DOMAIN.md §11)."""
    if ROLE_EXCHANGE not in principal.roles:
        principal.require(ROLE_INITIATOR)
    return principal


OFFICE = "credit-office"
"""The joint conference office (联席会议办公室)."""


async def _office(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    """The joint conference office: department `credit-office`, or an administrator."""
    if principal.department_code != OFFICE and ROLE_ADMINISTRATOR not in principal.roles:
        raise Forbidden("only the joint conference office (credit-office) may read this")
    return principal


TriggerDep = Annotated[Trigger, Depends(_trigger)]
Initiator = Annotated[Principal, Depends(_initiator)]
Submitter = Annotated[Principal, Depends(_submitter)]
Office = Annotated[Principal, Depends(_office)]
