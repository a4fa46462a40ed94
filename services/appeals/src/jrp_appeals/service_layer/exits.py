"""Exit notices: when an entry ends (revoked, repaired, or its period over) the listed subject
and the linked persons it reached are told, through the channel the listing used, that the
joint measures stop and that the record is kept, no longer applied (发改财金规〔2017〕1798号,
DOMAIN.md §8, §11 "list lifecycle").

Exactly one notice per entry and recipient: the entry's `exit_notified_at` is claimed with a
conditional UPDATE in the transaction that stores the notices and their `SubjectNotified`
events, so a redelivered event, a revocation after expiry, or two replicas' sweeps find it
taken. No commit here except in the sweep, which owns its units of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from jrp_appeals.adapters.catalog_reads import list_type_of
from jrp_appeals.adapters.repositories import EntryRepository
from jrp_appeals.domain import notifications
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.service_layer.context import AppealsContext
from jrp_appeals.service_layer.notices import notify
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import ListEntryStatus

log = get_logger(__name__)


async def notify_exit(
    uow: UnitOfWork,
    ctx: AppealsContext,
    entry_id: str,
    cause: ListEntryStatus,
    at: datetime,
    *,
    detail: str | None = None,
) -> bool:
    """Send the entry's exit notice unless it went out already; true when sent now."""
    repo = EntryRepository(uow.session)
    entry = await repo.get(entry_id)
    if entry is None or not await repo.claim_exit_notice(entry_id, at):
        return False
    name = await _list_type_name(uow, ctx, entry)
    for code in notifications.exit_recipients(entry):
        await notify(
            uow,
            notifications.of_exit(
                entry,
                cause,
                str(uuid.uuid4()),
                to=code,
                at=at,
                list_type_name=name,
                detail=detail,
            ),
        )
    return True


async def _list_type_name(uow: UnitOfWork, ctx: AppealsContext, entry: EntryCopy) -> str | None:
    found = await list_type_of(
        uow.session, ctx.catalog, entry.list_type, entry.list_type_version, ctx.today()
    )
    return found.name if found is not None else None


async def sweep_expired(
    new_uow: Callable[[], UnitOfWork], ctx: AppealsContext, *, batch: int = 100
) -> list[str]:
    """Entries whose period ended before today (China) left the system by themselves
    (002 二(三)1): their exit notices go out. Commits per batch; returns the entry ids."""
    done: list[str] = []
    while True:
        async with new_uow() as uow:
            ids = await EntryRepository(uow.session).awaiting_exit_notice(ctx.today(), batch)
            for entry_id in ids:
                if await notify_exit(uow, ctx, entry_id, ListEntryStatus.EXPIRED, ctx.now()):
                    done.append(entry_id)
            await uow.commit()
        if len(ids) < batch:
            if done:
                log.info("exit notices sent for expired entries", count=len(done))
            return done
