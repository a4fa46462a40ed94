"""Following list-entries.v1 into the registry's projection (issue 13): the public lookup reads
it, and every listed subject becomes known to the registry (docs/public-lookup.md). The
consumer runs this in its unit of work together with the inbox row (no commit here), so a
redelivered event changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from jrp_registry.adapters.entries import EntryRepository
from jrp_registry.adapters.repositories import SubjectRepository
from jrp_registry.domain import subjects
from jrp_registry.domain.entries import Status, StoredEntry, takes
from jrp_shared.events.payloads import (
    EventPayload,
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
)
from jrp_shared.messaging.uow import UnitOfWork

ENTRY_EVENTS: tuple[type[EventPayload], ...] = (
    ListEntryInForce,
    ListEntrySuspended,
    ListEntryRevoked,
    ListEntryRepaired,
)

_STATUS: dict[type[EventPayload], Status] = {
    ListEntryInForce: Status.IN_FORCE,
    ListEntrySuspended: Status.SUSPENDED,
    ListEntryRevoked: Status.REVOKED,
    ListEntryRepaired: Status.REPAIRED,
}


def _in_force(event: ListEntryInForce) -> StoredEntry:
    return StoredEntry(
        entry_id=event.entry_id,
        version=event.version,
        status=Status.IN_FORCE,
        subject_code=event.subject.code,
        subject_type=event.subject.subject_type,
        subject_name=event.subject.name,
        list_type=event.list_type,
        colour=event.colour,
        disclosure_class=event.disclosure_class,
        initiating_department=event.initiating_department,
        period_start=event.period.start,
        period_end=event.period.end,
        payload=event.model_dump(mode="json"),
        updated_at=datetime.now(UTC),
    )


async def record_entry_event(uow: UnitOfWork, event: EventPayload) -> None:
    if not isinstance(
        event, ListEntryInForce | ListEntrySuspended | ListEntryRevoked | ListEntryRepaired
    ):
        raise TypeError(f"not a list-entries event: {event.event_type}")
    repo = EntryRepository(uow.session)
    stored = await repo.get(event.entry_id)
    status = _STATUS[type(event)]
    if not takes(stored, event.version, status):
        return
    if isinstance(event, ListEntryInForce):
        await repo.put(_in_force(event), new=stored is None)
        listed = subjects.listed(
            code=event.subject.code,
            subject_type=event.subject.subject_type,
            name=event.subject.name,
        )
        await SubjectRepository(uow.session).note_listed(listed)
        return
    assert stored is not None  # takes() refuses an unknown entry that is not in force
    await repo.put(
        replace(stored, version=event.version, status=status, updated_at=datetime.now(UTC)),
        new=False,
    )
