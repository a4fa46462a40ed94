"""Event handlers of the order lifecycle: list entries from trigger (in force, revoked,
suspended, repaired), and receipts and feedback posted by department systems onto
department-reports.v1 (the same use cases as HTTP; the department is the one whose token
signed the message)."""

from __future__ import annotations

from collections.abc import Sequence

from jrp_enforcement.service_layer import entries, reports
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    EventPayload,
    ExecutionFeedbackReported,
    ListEntryInForce,
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    ReceiptAcknowledged,
)
from jrp_shared.messaging.consumer import Handler, Prepare
from jrp_shared.messaging.inbound import department_of
from jrp_shared.messaging.uow import UnitOfWork


def list_entry_handlers(ctx: OrdersContext) -> dict[str, Handler]:
    async def in_force(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryInForce)
        await entries.take_entry_in_force(uow, ctx, payload)

    async def revoked(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryRevoked)
        await entries.take_entry_revoked(uow, ctx, payload)

    async def suspended(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntrySuspended)
        await entries.take_entry_suspended(uow, ctx, payload)

    async def repaired(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntryRepaired)
        await entries.take_entry_repaired(uow, ctx, payload)

    return {
        ListEntryInForce.event_type: in_force,
        ListEntryRevoked.event_type: revoked,
        ListEntrySuspended.event_type: suspended,
        ListEntryRepaired.event_type: repaired,
    }


def read_entries_ahead(ctx: OrdersContext) -> Prepare:
    """Before a poll of list entries: read and lock every entry it names in one query, and
    find (one query) which of its subjects have entries of list types with conditional
    measures (only those may need their other entries re-planned, DOMAIN.md §6)."""

    async def prepare(uow: UnitOfWork, payloads: Sequence[EventPayload]) -> None:
        ids = [p.entry_id for p in payloads if isinstance(p, _ENTRY_EVENTS)]
        entries_repo = ctx.repositories(uow)[0]
        await entries_repo.read_ahead(ids)
        codes = [p.subject.code for p in payloads if isinstance(p, ListEntryInForce)]
        if codes:
            measures = await ctx.cached_catalog.measures_in_force(uow, ctx.today())
            affected = {code for m in measures if m.conditions for code in m.list_types}
            await entries_repo.look_up_subjects(codes, sorted(affected))

    return prepare


_ENTRY_EVENTS = (ListEntryInForce, ListEntryRevoked, ListEntrySuspended, ListEntryRepaired)


def report_handlers(ctx: OrdersContext) -> dict[str, Handler]:
    async def receipt(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ReceiptAcknowledged)
        await reports.acknowledge_receipt(
            uow,
            ctx,
            order_id=payload.order_id,
            department=department_of(envelope),
            received_at=payload.received_at,
            note=payload.note,
            subject_code=payload.subject_code,
        )

    async def feedback(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ExecutionFeedbackReported)
        await reports.report_feedback(
            uow,
            ctx,
            order_id=payload.order_id,
            department=department_of(envelope),
            measures=payload.measures,
            subject_code=payload.subject_code,
        )

    return {ReceiptAcknowledged.event_type: receipt, ExecutionFeedbackReported.event_type: feedback}
