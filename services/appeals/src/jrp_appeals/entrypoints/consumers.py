"""The appeals service's consumers: trigger's list entries, into this service's copy (a new
entry sends its repair guidance, an entry revoked or repaired its exit notice, DOMAIN.md §11),
trigger's published penalty decisions (两书同达), and the official calendar's arrival, which
makes provisional due dates final (DOMAIN.md §10), and the registry's departments, into the
copy that routes whistle-blower reports (谁主管、谁负责, docs/whistleblowers.md).

Duplicates are the shared consumer's business (inbox in the effect's transaction); the
handlers here never commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jrp_appeals.adapters.whistleblower_repository import department_copy
from jrp_appeals.service_layer import entries, exits, guidance, publicity
from jrp_appeals.service_layer.recompute import recompute_provisional
from jrp_shared.calendar import YearSchedule
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    EventPayload,
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    OrderStatuses,
    PublicityDecisionPublished,
    SanctionOrderStatus,
)
from jrp_shared.messaging.consumer import Handler
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import ListEntryStatus as Status

if TYPE_CHECKING:
    from jrp_appeals.bootstrap import Appeals


def list_entry_handlers(appeals: Appeals) -> dict[str, Handler]:
    async def in_force(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryInForce)
        now = appeals.clock()
        if await entries.take_in_force(uow, payload, now) and payload.version == 1:
            # A new entry: its repair guidance goes with it (两书同达, DOMAIN.md §11).
            await guidance.send_repair_guidance(uow, appeals.context(), payload.entry_id, now)

    async def suspended(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntrySuspended)
        await entries.take_suspended(uow, payload, appeals.clock())

    async def revoked(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryRevoked)
        now = appeals.clock()
        if await entries.take_revoked(uow, payload, now):
            await exits.notify_exit(
                uow, appeals.context(), payload.entry_id, Status.REVOKED, now, detail=payload.reason
            )

    async def repaired(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryRepaired)
        now = appeals.clock()
        if await entries.take_repaired(uow, payload, now):
            await exits.notify_exit(uow, appeals.context(), payload.entry_id, Status.REPAIRED, now)

    return {
        ListEntryInForce.event_type: in_force,
        ListEntrySuspended.event_type: suspended,
        ListEntryRevoked.event_type: revoked,
        ListEntryRepaired.event_type: repaired,
    }


def order_status_handlers(appeals: Appeals) -> dict[str, Handler]:
    """Enforcement's order statuses: which departments hold an order from which entry (who may
    object, DOMAIN.md §7). Only that is kept here."""

    async def statuses(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, OrderStatuses)
        await entries.take_order_holders(
            uow, payload.entry_id, {s.department for s in payload.statuses}, appeals.clock()
        )

    async def status(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, SanctionOrderStatus)
        await entries.take_order_holders(
            uow, payload.entry_id, {payload.department}, appeals.clock()
        )

    return {OrderStatuses.event_type: statuses, SanctionOrderStatus.event_type: status}


def publicity_handlers(appeals: Appeals) -> dict[str, Handler]:
    """Trigger's published decisions: a penalty's counterpart gets the decision with the
    repair guidance (两书同达, DOMAIN.md §11). Withdrawals are none of this service's business."""

    async def published(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, PublicityDecisionPublished)
        await publicity.take_decision_published(uow, payload, appeals.clock())

    return {PublicityDecisionPublished.event_type: published}


def add_consumers(appeals: Appeals) -> None:
    # The registry's departments: name, domains, whether they initiate, active (an older
    # event never replaces a newer one; the registry sends each department whole).
    appeals.runtime.add_consumer(
        "departments-copy", department_copy.topics, department_copy.handlers()
    )
    appeals.runtime.add_consumer(
        "list-entries", [topics.LIST_ENTRIES], list_entry_handlers(appeals)
    )
    appeals.runtime.add_consumer(
        "order-holders", [topics.ORDER_STATUS], order_status_handlers(appeals)
    )
    appeals.runtime.add_consumer("publicity", [topics.PUBLICITY], publicity_handlers(appeals))

    async def schedule_loaded(uow: UnitOfWork, schedule: YearSchedule) -> None:
        calendar = appeals.copies.calendar.calendar
        await recompute_provisional(uow, calendar, schedule, appeals.clock())

    appeals.copies.calendar.on_schedule_loaded(schedule_loaded)
