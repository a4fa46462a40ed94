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
from datetime import date

from jrp_appeals.adapters import orm
from jrp_appeals.adapters import reminders as reads
from jrp_appeals.service_layer.context import AppealsContext
from jrp_shared.events.payloads import ListTypePublished, ReminderIssued
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.reminders import sweep


async def send_reminders(
    new_uow: Callable[[], UnitOfWork], ctx: AppealsContext, *, batch: int = 200
) -> list[ReminderIssued]:
    """One sweep at today's date (China, this service's clock), the shared loop
    (`jrp_shared.reminders.sweep`) over this service's sources. Commits per batch; returns
    what this sweep sent (another replica's sweep may have sent the rest)."""

    async def list_type_of(uow: UnitOfWork, code: str, on: date) -> ListTypePublished | None:
        return await ctx.catalog.list_type_in_force(uow.session, code, on)

    today = ctx.today()
    return await sweep(
        new_uow,
        orm.reminders,
        reads.sources(today, ctx.settings.office_department),
        reads.past_due,
        list_type_of,
        today=today,
        now=ctx.now(),
        calendar=ctx.calendar,
        batch=batch,
    )
