"""The trigger's consumers: department systems' submissions, enforcement's order states,
appeals' due-process cases (DOMAIN.md §7, §8) and the supervision reminders (§5 step 5).

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

from jrp_shared.auth import ROLE_INITIATOR
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    ComplaintDecided,
    ComplaintFiled,
    EventPayload,
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
from jrp_trigger.service_layer import due_process, handlers, supervision

if TYPE_CHECKING:
    from jrp_trigger.bootstrap import Trigger


def add_consumers(trigger: Trigger) -> None:
    async def on_submission(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ListEntrySubmission)
        ctx = trigger.submissions_by(department_of(envelope))
        await handlers.submit_entry(uow, payload, ctx)

    async def on_order_status(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, SanctionOrderStatus)
        await handlers.record_order_status(uow, payload, trigger.clock())

    trigger.runtime.add_consumer(
        "submissions",
        [topics.LIST_ENTRY_SUBMISSIONS],
        {ListEntrySubmission.event_type: on_submission},
        inbound_role=ROLE_INITIATOR,
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
        await due_process.repair_decided(uow, payload)

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
