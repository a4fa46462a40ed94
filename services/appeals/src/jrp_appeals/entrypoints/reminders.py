"""The reminder sweep's loop (docs/due-process.md, "Reminders and escalation")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from jrp_appeals.service_layer.context import AppealsContext
from jrp_appeals.service_layer.reminders import send_reminders
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


async def run_reminders(
    new_uow: Callable[[], UnitOfWork],
    context: Callable[[], AppealsContext],
    interval_seconds: float,
) -> None:
    """Sweep at start and then every `interval_seconds`, until cancelled; a failed sweep (the
    database away) is logged and tried again at the next interval."""
    while True:
        try:
            await send_reminders(new_uow, context())
        except Exception:
            log.exception("reminder sweep failed; trying again next interval")
        await asyncio.sleep(interval_seconds)
