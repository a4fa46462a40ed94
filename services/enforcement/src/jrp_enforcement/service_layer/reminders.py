"""Reminders and escalation for orders past their receipt or feedback due day (DOMAIN.md §5
step 5, 000 (二十七); docs/loop.md, "Reminders and escalation"), and their forwarding to the
departments' own sanction topics.

The sweep runs on every replica: each unit of work stores what it sends in `reminders` (unique
per order, revision, kind, level and due day) and emits only what it stored, in the same
transaction, so nothing is sent twice whichever replica or sweep gets there first.
"""

from __future__ import annotations

from collections.abc import Callable

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters import reminders as reads
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.events.payloads import DepartmentReminded, EscalationRules, ReminderIssued
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.reminders import Reminder, record_new, reminders_due
from jrp_shared.vocabulary import OverdueKind

log = get_logger(__name__)

KINDS = (OverdueKind.RECEIPT, OverdueKind.FEEDBACK)


async def send_reminders(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, *, batch: int = 200
) -> list[ReminderIssued]:
    """One sweep at today's date (China, this service's clock): every order late with its
    receipt or feedback gets its reminder once, and its escalation once the list type's
    `escalation.escalate_after_working_days` have passed after the due day. Commits per batch;
    returns what this sweep sent."""
    sent: list[ReminderIssued] = []
    today, now = ctx.today(), ctx.now()
    for kind in KINDS:
        after = ""
        while True:
            async with new_uow() as uow:
                page = await reads.past_due(uow.session, kind, today, after, batch)
                due: list[Reminder] = []
                for item in page:
                    list_type = await ctx.cached_catalog.list_type_in_force(
                        uow, item.list_type, today
                    )
                    rules = list_type.escalation if list_type else EscalationRules()
                    due += reminders_due(
                        item,
                        today=today,
                        calendar=ctx.calendar,
                        escalate_after_working_days=rules.escalate_after_working_days,
                        now=now,
                    )
                new = await record_new(uow.session, orm.reminders, due)
                for reminder in new:
                    uow.emit(reminder)
                await uow.commit()
            sent += new
            if len(page) < batch:
                break
            after = page[-1].item_id
    if sent:
        log.info("reminders sent", count=len(sent))
    return sent


def forward_reminder(uow: UnitOfWork, reminder: ReminderIssued) -> None:
    """A reminder or escalation (this service's or appeals') also goes to the department's own
    sanction topic, where its system reads its orders (`DepartmentReminded`); the consumer's
    inbox makes a redelivered one harmless."""
    uow.emit(DepartmentReminded.model_validate(reminder.model_dump()))
