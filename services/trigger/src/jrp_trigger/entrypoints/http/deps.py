"""Dependencies the trigger's routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jrp_shared.auth import ROLE_INITIATOR, Principal
from jrp_shared.web import current_department
from jrp_trigger.bootstrap import Trigger


def _trigger(request: Request) -> Trigger:
    trigger: Trigger = request.app.state.trigger
    return trigger


async def _initiator(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    principal.require(ROLE_INITIATOR)
    return principal


TriggerDep = Annotated[Trigger, Depends(_trigger)]
Initiator = Annotated[Principal, Depends(_initiator)]
