"""Reminders and escalation for objections, complaints, objection appeals and repair stages
past their decision due day (DOMAIN.md §5 step 5, §7, §8, §11; 000 (二十七);
docs/due-process.md, "Reminders and escalation").

The same rule as enforcement's orders (`jrp_shared.reminders`): the department that must decide
is reminded on the first working day after the due day — the information provider for an
objection, the joint conference office for a complaint and for the credit portal's forwarding
of a repair, the higher court for an objection appeal, the deciding department for a repair —
and, still not decided the list type's `escalation.escalate_after_working_days` working days
after the due day, the same event goes out with level `escalation` (for the office). Enforcement
forwards each to the department's sanction topic. Each is sent once, whatever the replicas.
"""

from __future__ import annotations

from collections.abc import Callable

from jrp_appeals.adapters import orm
from jrp_appeals.adapters import reminders as reads
from jrp_appeals.service_layer.context import AppealsContext
from jrp_shared.events.payloads import EscalationRules, ReminderIssued
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.reminders import Reminder, record_new, reminders_due

log = get_logger(__name__)


async def send_reminders(
    new_uow: Callable[[], UnitOfWork], ctx: AppealsContext, *, batch: int = 200
) -> list[ReminderIssued]:
    """One sweep at today's date (China, this service's clock). Commits per batch; returns
    what this sweep sent (another replica's sweep may have sent the rest)."""
    sent: list[ReminderIssued] = []
    today, now = ctx.today(), ctx.now()
    periods: dict[str, int] = {}
    for source in reads.sources(today, ctx.settings.office_department):
        after = ""
        while True:
            async with new_uow() as uow:
                page = await reads.past_due(uow.session, source, today, after, batch)
                due: list[Reminder] = []
                for item in page:
                    if item.list_type not in periods:
                        list_type = await ctx.catalog.list_type_in_force(
                            uow.session, item.list_type, today
                        )
                        rules = list_type.escalation if list_type else EscalationRules()
                        periods[item.list_type] = rules.escalate_after_working_days
                    due += reminders_due(
                        item,
                        today=today,
                        calendar=ctx.calendar,
                        escalate_after_working_days=periods[item.list_type],
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
