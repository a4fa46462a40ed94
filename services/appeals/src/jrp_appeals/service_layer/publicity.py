"""两书同达: a published penalty decision reaches its counterpart together with the credit
repair guidance (DOMAIN.md §11, 国办发〔2025〕22号), once per decision whatever its versions."""

from __future__ import annotations

import uuid
from datetime import datetime

from jrp_appeals.adapters.repositories import NotificationRepository
from jrp_appeals.domain import notifications
from jrp_appeals.service_layer.notices import notify
from jrp_shared.events.payloads import PublicityDecisionPublished
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import PublicityKind


async def take_decision_published(
    uow: UnitOfWork, event: PublicityDecisionPublished, now: datetime
) -> bool:
    """Notify the counterpart of a penalty decision that carries repair guidance, unless it
    was told already (an earlier version, or a redelivery). True when a notice went out."""
    if event.kind is not PublicityKind.PENALTY or not event.repair_guidance:
        return False
    about = notifications.PENALTY_DECISION
    if await NotificationRepository(uow.session).sent(about, event.decision_id):
        return False
    await notify(
        uow,
        notifications.of_penalty_decision(
            decision_id=event.decision_id,
            decision_number=event.decision_number,
            department=event.department,
            repair_guidance=event.repair_guidance,
            notification_id=str(uuid.uuid4()),
            to=event.counterpart.code,
            at=now,
        ),
    )
    return True
