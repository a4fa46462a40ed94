"""Receipts and execution feedback from implementing departments (DOMAIN.md §5 steps 3 and 5),
one use case each for both entrypoints: HTTP and the department-reports topic.

They do not commit (the caller does: the route, or the consumer with its inbox rows). Every
change is recorded in the order's history and sent to trigger as the order's new status; a
report that repeats what is recorded changes nothing and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jrp_enforcement.adapters.repositories import OrderRepository
from jrp_enforcement.domain import orders as order_rules
from jrp_enforcement.domain.orders import Change, SanctionOrder
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.errors import Forbidden, InvalidInput, NotFound
from jrp_shared.events.payloads import MeasureFeedback
from jrp_shared.messaging.uow import UnitOfWork


async def _own_order(
    repo: OrderRepository, order_id: str, department: str, subject_code: str | None
) -> SanctionOrder:
    order = await repo.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"no sanction order {order_id}")
    if order.department != department:
        raise Forbidden(f"order {order_id} is not addressed to department {department}")
    if subject_code is not None and subject_code != order.listed_subject_code:
        raise InvalidInput.for_field(
            "subject_code",
            "subject_mismatch",
            f"order {order_id} is about another listed subject",
        )
    return order


async def _store(
    uow: UnitOfWork, ctx: OrdersContext, repo: OrderRepository, change: Change, by: str
) -> SanctionOrder:
    await repo.save(change.order)
    await repo.record(change.order.order_id, ctx.now(), change.kind, by, change.detail)
    ctx.statuses.changed(uow, [change.order])
    ctx.changes.announce(uow, [change.order.entry_id])
    return change.order


async def acknowledge_receipt(
    uow: UnitOfWork,
    ctx: OrdersContext,
    *,
    order_id: str,
    department: str,
    received_at: datetime | None,
    note: str | None,
    subject_code: str | None = None,
    officer: str | None = None,
) -> SanctionOrder:
    """The department confirms it received the order; returns the order as it now stands.
    `officer`: the one of its officers who did (None on the department-reports topic)."""
    repo = OrderRepository(uow.session)
    order = await _own_order(repo, order_id, department, subject_code)
    now = ctx.now()
    change = order_rules.acknowledge(order, received_at or now, note, now, officer)
    return order if change is None else await _store(uow, ctx, repo, change, department)


async def report_feedback(
    uow: UnitOfWork,
    ctx: OrdersContext,
    *,
    order_id: str,
    department: str,
    measures: Sequence[MeasureFeedback],
    subject_code: str | None = None,
    officer: str | None = None,
) -> SanctionOrder:
    """The department reports how it applied the order's measures (`officer` as above)."""
    repo = OrderRepository(uow.session)
    order = await _own_order(repo, order_id, department, subject_code)
    change = order_rules.record_feedback(order, measures, ctx.now(), officer)
    return order if change is None else await _store(uow, ctx, repo, change, department)
