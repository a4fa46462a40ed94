"""Taking trigger's list-entry events into this service's copy (DOMAIN.md §5, §7, §8).

No commit here: the consumer stores the inbox row and the effect in one transaction and
commits them together, so a redelivered event changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from jrp_appeals.adapters.repositories import (
    CaseRepository,
    EntryRepository,
    OrderHolderRepository,
)
from jrp_appeals.domain import cases, entries
from jrp_appeals.domain.entries import EntryCopy
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
)
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import ListEntryStatus

Status = ListEntryStatus

ACTOR = "appeals"
"""Who the history names when this service itself changed a case."""


async def take_in_force(uow: UnitOfWork, event: ListEntryInForce, now: datetime) -> bool:
    """A new entry, a corrected version, or the version that resumes it after a case."""
    repo = EntryRepository(uow.session)
    stored = await repo.get(event.entry_id, for_update=True)
    if not entries.takes(stored, event.version, Status.IN_FORCE):
        return False
    entry = EntryCopy(
        entry_id=event.entry_id,
        version=event.version,
        subject_code=event.subject.code,
        subject_type=event.subject.subject_type,
        subject_name=event.subject.name,
        linked_person_codes=tuple(p.resident_id for p in event.linked_persons),
        list_type=event.list_type,
        list_type_version=event.list_type_version,
        colour=event.colour,
        initiating_department=event.initiating_department,
        period_start=event.period.start,
        period_end=event.period.end,
        status=Status.IN_FORCE,
        updated_at=now,
    )
    await repo.save(entry, exists=stored is not None)
    await _corrections_met(uow, event.entry_id, event.version, Status.IN_FORCE, now)
    return True


async def _corrections_met(
    uow: UnitOfWork, entry_id: str, version: int, status: Status, now: datetime
) -> None:
    """Trigger reported the entry corrected (a newer version) or ended: a correction owed
    after an upheld request or appeal under the list type's own review is met
    (法释〔2017〕7号 第十二条; docs/due-process.md)."""
    repo = CaseRepository(uow.session)
    for case_id in await repo.awaiting_correction(entry_id):
        case = await repo.get(case_id, for_update=True)
        assert case is not None
        if cases.correction_met(case, version, status, now, ACTOR):
            await repo.save(case)


async def take_status(
    uow: UnitOfWork, entry_id: str, version: int, status: Status, now: datetime
) -> bool:
    """Suspended, revoked or repaired: only the status moves (and the version it names)."""
    repo = EntryRepository(uow.session)
    stored = await repo.get(entry_id, for_update=True)
    if stored is None or not entries.takes(stored, version, status):
        return False
    await repo.save(replace(stored, version=version, status=status, updated_at=now), exists=True)
    await _corrections_met(uow, entry_id, version, status, now)
    return True


async def take_suspended(uow: UnitOfWork, event: ListEntrySuspended, now: datetime) -> bool:
    return await take_status(uow, event.entry_id, event.version, Status.SUSPENDED, now)


async def take_revoked(uow: UnitOfWork, event: ListEntryRevoked, now: datetime) -> bool:
    return await take_status(uow, event.entry_id, event.version, Status.REVOKED, now)


async def take_repaired(uow: UnitOfWork, event: ListEntryRepaired, now: datetime) -> bool:
    return await take_status(uow, event.entry_id, event.version, Status.REPAIRED, now)


async def take_order_holders(
    uow: UnitOfWork, entry_id: str, departments: set[str], now: datetime
) -> None:
    """Departments that hold an order from the entry: they may object to it (DOMAIN.md §7)."""
    await OrderHolderRepository(uow.session).add(entry_id, departments, now)
