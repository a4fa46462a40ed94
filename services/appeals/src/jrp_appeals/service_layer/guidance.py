"""The repair guidance (信用修复告知书) delivered with a new entry (两书同达, 国办发〔2025〕22号,
DOMAIN.md §11): when trigger's first version of an entry of a repairable list type arrives, the
listed subject is told its tier, the first day it may ask for repair, the day publication ends
at the latest, the conditions, where to apply and each stage's working days.

Once per entry and subject: a guidance already sent is looked up first, and a unique index
(`notifications_one_repair_guidance`) stops whatever races past. No commit here: the consumer
stores the inbox row, the copy, the notice and its `SubjectNotified` together.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters.catalog_reads import list_type_of
from jrp_appeals.adapters.repositories import EntryRepository, NotificationRepository
from jrp_appeals.domain import notifications, repairs
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.repairs import RepairGuidance
from jrp_appeals.service_layer.context import AppealsContext
from jrp_appeals.service_layer.notices import notify
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


async def guidance_of(
    session: AsyncSession, catalog: CatalogCopy, entry: EntryCopy
) -> RepairGuidance | None:
    """The entry's repair guidance from its list type's rules (none: not repairable, or the
    catalog copy does not know the list type yet)."""
    found = await list_type_of(
        session, catalog, entry.list_type, entry.list_type_version, entry.period_start
    )
    if found is None:
        return None
    return repairs.guidance(entry, found.repair)


async def send_repair_guidance(
    uow: UnitOfWork, ctx: AppealsContext, entry_id: str, at: datetime
) -> bool:
    """Tell the listed subject how to repair the new entry; true when sent now."""
    entry = await EntryRepository(uow.session).get(entry_id)
    if entry is None:
        return False
    found = await list_type_of(
        uow.session, ctx.catalog, entry.list_type, entry.list_type_version, ctx.today()
    )
    if found is None:
        # Repair rules are catalog data, never guessed (DOMAIN.md §11).
        log.warning("repair guidance not sent: list type not in the catalog copy", entry=entry_id)
        return False
    guidance = repairs.guidance(entry, found.repair)
    if guidance is None:
        return False
    sent = NotificationRepository(uow.session)
    if await sent.sent(notifications.REPAIR_GUIDANCE, entry.entry_id):
        return False
    await notify(
        uow,
        notifications.of_repair_guidance(
            entry,
            guidance,
            str(uuid.uuid4()),
            to=entry.subject_code,
            at=at,
            list_type_name=found.name,
        ),
    )
    return True
