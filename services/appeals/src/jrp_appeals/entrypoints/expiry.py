"""The background sweep that sends the exit notices of entries whose period ended
(DOMAIN.md §8, §11). Safe with several replicas: each entry's notice is claimed once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from jrp_appeals.service_layer.context import AppealsContext
from jrp_appeals.service_layer.exits import sweep_expired
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


async def run_exit_sweep(
    new_uow: Callable[[], UnitOfWork],
    context: Callable[[], AppealsContext],
    interval_seconds: float,
) -> None:
    """Sweep at start and then every `interval_seconds`, until cancelled. A failed sweep
    (e.g. the database away) is logged and tried again at the next interval."""
    while True:
        try:
            await sweep_expired(new_uow, context())
        except Exception:
            log.exception("exit-notice sweep failed; trying again next interval")
        await asyncio.sleep(interval_seconds)
