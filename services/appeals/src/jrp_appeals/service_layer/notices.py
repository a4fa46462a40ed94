"""Telling the subject: a notification record and `SubjectNotified` in the same transaction
as the decision (DOMAIN.md §7, §8)."""

from __future__ import annotations

from jrp_appeals.adapters.repositories import NotificationRepository
from jrp_appeals.domain.notifications import Notification
from jrp_shared.events.payloads import SubjectNotified
from jrp_shared.messaging.uow import UnitOfWork


async def notify(uow: UnitOfWork, notification: Notification) -> None:
    await NotificationRepository(uow.session).add(notification)
    uow.emit(
        SubjectNotified(
            notification_id=notification.notification_id,
            subject_code=notification.subject_code,
            about=notification.about,
            case_id=notification.case_id,
            entry_id=notification.entry_id,
            title=notification.title,
            body=notification.body,
            created_at=notification.created_at,
        )
    )
