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
from jrp_shared.events.payloads import DepartmentReminded, ReminderIssued
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.reminders import sweep
from jrp_shared.vocabulary import OverdueKind

KINDS = (OverdueKind.RECEIPT, OverdueKind.FEEDBACK)


async def send_reminders(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, *, batch: int = 200
) -> list[ReminderIssued]:
    """One sweep at today's date (China, this service's clock), the shared loop
    (`jrp_shared.reminders.sweep`): every order late with its receipt or feedback gets its
    reminder once, and its escalation once the list type's
    `escalation.escalate_after_working_days` have passed after the due day. Commits per batch;
    returns what this sweep sent."""
    return await sweep(
        new_uow,
        orm.reminders,
        KINDS,
        reads.past_due,
        ctx.cached_catalog.list_type_in_force,
        today=ctx.today(),
        now=ctx.now(),
        calendar=ctx.calendar,
        batch=batch,
    )


def forward_reminder(uow: UnitOfWork, reminder: ReminderIssued) -> None:
    """A reminder or escalation (this service's or appeals') also goes to the department's own
    sanction topic, where its system reads its orders (`DepartmentReminded`); the consumer's
    inbox makes a redelivered one harmless."""
    uow.emit(DepartmentReminded.model_validate(reminder.model_dump()))
