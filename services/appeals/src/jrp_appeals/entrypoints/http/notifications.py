"""What subjects were told (DOMAIN.md §7, §8): a subject reads its own; the joint conference
office reads any subject's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jrp_appeals.adapters.repositories import NotificationRepository
from jrp_appeals.entrypoints.http.deps import AppealsDep, Caller
from jrp_appeals.entrypoints.http.schemas import NotificationRead
from jrp_appeals.entrypoints.http.views import notification_read
from jrp_shared.errors import Forbidden
from jrp_shared.web import Offset

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("", response_model=list[NotificationRead])
async def list_notifications(
    by: Caller,
    appeals: AppealsDep,
    subject_code: Annotated[
        str | None, Query(max_length=18, description="the office only; a subject sees its own")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[NotificationRead]:
    """Newest first."""
    if by.subject_code is not None:
        if subject_code not in (None, by.subject_code):
            raise Forbidden("a subject reads only its own notifications")
        subject_code = by.subject_code
    elif not by.administrator:
        raise Forbidden("notifications are read by the subject or the joint conference office")
    async with appeals.runtime.db.sessions() as session:
        found = await NotificationRepository(session).search(
            subject_code, limit=limit, offset=offset
        )
    return [notification_read(n) for n in found]
