"""The reminder sweep's loop and the supervision consumer (docs/loop.md, "Reminders and
escalation"): thin entrypoints over `service_layer.reminders`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from jrp_enforcement.service_layer.context import OrdersContext
from jrp_enforcement.service_layer.reminders import forward_reminder, send_reminders
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import EventPayload, ReminderIssued
from jrp_shared.logging import get_logger
from jrp_shared.messaging.consumer import Handler
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


async def run_reminders(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, interval_seconds: float
) -> None:
    """Sweep at start and then every `interval_seconds`, until cancelled; a failed sweep (the
    database away) is logged and tried again at the next interval."""
    while True:
        try:
            await send_reminders(new_uow, ctx)
        except Exception:
            log.exception("reminder sweep failed; trying again next interval")
        await asyncio.sleep(interval_seconds)


def supervision_handlers() -> dict[str, Handler]:
    async def reminded(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
        assert isinstance(payload, ReminderIssued)
        forward_reminder(uow, payload)

    return {ReminderIssued.event_type: reminded}
