"""The trigger's consumers: department systems' submissions (and other platforms' entries,
with their origin), enforcement's order states, appeals' due-process cases (DOMAIN.md §7, §8),
the supervision reminders (§5 step 5), the upper-level platform's acknowledgements of exchange
records and the registry's departments (DOMAIN.md §11; docs/exchange.md).

A submission on `list-entry-submissions.v1` goes through the same use case as
`POST /v1/list-entries`, for the department whose token signed the message; a refusal
(a jrp_shared DomainError) is dead-lettered at once with its reason by the shared consumer.
Appeals' events are trusted for being on an internal topic; a corrected entry the rules refuse
is dead-lettered the same way ("refused: ...") and the entry stays suspended. Every case,
appeal and repair is also kept as a supervision fact for the monthly reports, in the same
transaction (docs/supervision.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jrp_shared.auth import ROLE_EXCHANGE, ROLE_INITIATOR
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    ComplaintDecided,
    ComplaintFiled,
    EventPayload,
    ExchangeRecordAcknowledged,
    ListEntrySubmission,
    ObjectionAppealDecided,
    ObjectionAppealFiled,
    ObjectionDecided,
    ObjectionFiled,
    OrderStatuses,
    ReminderIssued,
    RepairApplied,
    RepairDecided,
    SanctionOrderStatus,
)
from jrp_shared.messaging.inbound import department_of
from jrp_shared.messaging.uow import UnitOfWork
from jrp_trigger.adapters.exchange import department_copy
from jrp_trigger.service_layer import due_process, exchange, handlers, supervision

if TYPE_CHECKING:
    from jrp_trigger.bootstrap import Trigger


def add_consumers(trigger: Trigger) -> None:
    async def on_submission(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntrySubmission)
        department = department_of(envelope)
        # The token had the initiator or the exchange role; the registry's department copy
        # says which kind of sender it is (an exchange partner must send `origin`).
        partner = await exchange.is_exchange_partner(uow.session, department)
        ctx = trigger.submissions_by(department, exchange_partner=partner)
        await handlers.submit_entry(uow, payload, ctx)

    async def on_order_status(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, SanctionOrderStatus)
        await handlers.record_order_status(uow, payload, trigger.clock())

    trigger.runtime.add_consumer(
        "submissions",
        [topics.LIST_ENTRY_SUBMISSIONS],
        {ListEntrySubmission.event_type: on_submission},
        inbound_role=(ROLE_INITIATOR, ROLE_EXCHANGE),
    )

    async def on_acknowledged(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ExchangeRecordAcknowledged)
        await exchange.acknowledge(uow, payload, by=department_of(envelope), now=trigger.clock())

    trigger.runtime.add_consumer(
        "exchange-acks",
        [topics.EXCHANGE_ACKS],
        {ExchangeRecordAcknowledged.event_type: on_acknowledged},
        inbound_role=ROLE_EXCHANGE,
    )

    trigger.runtime.add_consumer(
        "departments-copy", department_copy.topics, department_copy.handlers()
    )

    async def on_order_statuses(
        uow: UnitOfWork, _envelope: Envelope, payload: EventPayload
    ) -> None:
        assert isinstance(payload, OrderStatuses)
        await handlers.record_order_statuses(uow, payload.statuses, trigger.clock())

    trigger.runtime.add_consumer(
        "order-status",
        [topics.ORDER_STATUS],
        {
            SanctionOrderStatus.event_type: on_order_status,
            OrderStatuses.event_type: on_order_statuses,
        },
    )

    async def on_case_filed(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ObjectionFiled | ComplaintFiled)
        await supervision.record_filed(uow, payload)
        await due_process.case_filed(uow, payload)

    async def on_case_decided(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ObjectionDecided | ComplaintDecided)
        await supervision.record_decided(uow, payload)
        await due_process.case_decided(uow, payload, trigger.submissions_by)

    async def on_repair_decided(
        uow: UnitOfWork, _envelope: Envelope, payload: EventPayload
    ) -> None:
        assert isinstance(payload, RepairDecided)
        await supervision.record_decided(uow, payload)
        await due_process.repair_decided(uow, payload, trigger.exchange)

    async def on_supervision_fact(
        uow: UnitOfWork, _envelope: Envelope, payload: EventPayload
    ) -> None:
        """Facts that only the reports need (the entry does not change)."""
        if isinstance(payload, RepairApplied | ObjectionAppealFiled):
            await supervision.record_filed(uow, payload)
        else:
            assert isinstance(payload, ObjectionAppealDecided)
            await supervision.record_decided(uow, payload)

    trigger.runtime.add_consumer(
        "appeals",
        [topics.APPEALS],
        {
            ObjectionFiled.event_type: on_case_filed,
            ComplaintFiled.event_type: on_case_filed,
            ObjectionDecided.event_type: on_case_decided,
            ComplaintDecided.event_type: on_case_decided,
            RepairDecided.event_type: on_repair_decided,
            RepairApplied.event_type: on_supervision_fact,
            ObjectionAppealFiled.event_type: on_supervision_fact,
            ObjectionAppealDecided.event_type: on_supervision_fact,
        },
    )

    async def on_reminder(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ReminderIssued)
        await supervision.record_reminder(uow, payload)

    trigger.runtime.add_consumer(
        "supervision", [topics.SUPERVISION], {ReminderIssued.event_type: on_reminder}
    )
