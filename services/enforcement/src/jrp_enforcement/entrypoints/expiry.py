"""The background sweep that lets entries expire when their period ends (DOMAIN.md §8), and
once a day reviews the eligibility (DOMAIN.md §6) and the warning list (DOMAIN.md §11) that
change with time alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from jrp_enforcement.service_layer.context import OrdersContext
from jrp_enforcement.service_layer.entries import expire_entries, review_eligibility
from jrp_enforcement.service_layer.warning_list import review_warning_list
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork

log = get_logger(__name__)


async def run_expiry(
    new_uow: Callable[[], UnitOfWork], ctx: OrdersContext, interval_seconds: float
) -> None:
    """Sweep at start and then every `interval_seconds`, until cancelled. A failed sweep
    (e.g. the database away) is logged and tried again at the next interval."""
    reviewed_on = None
    while True:
        try:
            await expire_entries(new_uow, ctx)
        except Exception:
            log.exception("expiry sweep failed; trying again next interval")
        today = ctx.today()
        if today != reviewed_on:
            try:
                count = await review_eligibility(new_uow, ctx)
                reviewed_on = today
                log.info("eligibility reviewed", entries=count)
            except Exception:
                log.exception("eligibility review failed; trying again next interval")
            if ctx.warnings is not None:
                try:
                    moved = await review_warning_list(new_uow, ctx.warnings, ctx.changes.announce)
                    log.info("warning list reviewed", moved=moved)
                except Exception:
                    log.exception("warning list review failed; trying again tomorrow")
        await asyncio.sleep(interval_seconds)
