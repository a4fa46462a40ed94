"""Dependencies the appeals routes share: the wired service and who calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from jrp_appeals.bootstrap import Appeals
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.service_layer.context import Listing
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_PORTAL, Principal
from jrp_shared.web import Offset, current_party


def _appeals(request: Request) -> Appeals:
    appeals: Appeals = request.app.state.appeals
    return appeals


def viewer_of(principal: Principal) -> Viewer:
    return Viewer(
        department=principal.department_code,
        subject_code=principal.subject_code,
        agent=principal.agent,
        administrator=not principal.is_subject and ROLE_ADMINISTRATOR in principal.roles,
        implementer=not principal.is_subject and ROLE_IMPLEMENTER in principal.roles,
        portal=not principal.is_subject and ROLE_PORTAL in principal.roles,
        officer=principal.officer,
    )


async def _caller(principal: Annotated[Principal, Depends(current_party)]) -> Viewer:
    return viewer_of(principal)


AppealsDep = Annotated[Appeals, Depends(_appeals)]
Caller = Annotated[Viewer, Depends(_caller)]
"""A subject (through the portal) or a department; each route decides what each may do."""


def _listing(
    overdue: Annotated[
        bool,
        Query(description="past the due date only (a repair: of the stage it stands at)"),
    ] = False,
    entry_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Listing:
    return Listing(overdue=overdue, entry_id=entry_id, limit=limit, offset=offset)


ListingDep = Annotated[Listing, Depends(_listing)]
"""The query parameters every listing of cases and repairs takes."""
