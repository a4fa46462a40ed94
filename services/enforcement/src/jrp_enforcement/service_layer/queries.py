"""Reads for department systems without Kafka and for supervision (DOMAIN.md §5 step 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_enforcement.adapters.repositories import HistoryItem, OrderFilter, OrderRepository
from jrp_enforcement.domain import orders as order_rules
from jrp_enforcement.domain.orders import SanctionOrder
from jrp_enforcement.domain.statistics import OrderCounts


@dataclass(frozen=True)
class OrderView:
    order: SanctionOrder
    message: dict[str, Any]
    """The order as last sent to its department (SanctionOrderIssued)."""
    receipt_overdue: bool
    feedback_overdue: bool


def _views(
    orders: list[SanctionOrder], messages: dict[str, dict[str, Any]], today: date
) -> list[OrderView]:
    return [
        OrderView(
            order=o,
            message=messages[o.order_id],
            receipt_overdue=order_rules.receipt_overdue(o, today),
            feedback_overdue=order_rules.feedback_overdue(o, today),
        )
        for o in orders
    ]


async def list_orders(session: AsyncSession, where: OrderFilter, today: date) -> list[OrderView]:
    repo = OrderRepository(session)
    orders = await repo.search(where, today)
    messages = await repo.issued_messages([o.order_id for o in orders])
    return _views(orders, messages, today)


async def get_order(
    session: AsyncSession, order_id: str, today: date
) -> tuple[OrderView, list[HistoryItem]] | None:
    repo = OrderRepository(session)
    order = await repo.get(order_id)
    if order is None:
        return None
    messages = await repo.issued_messages([order_id])
    return _views([order], messages, today)[0], await repo.history(order_id)


async def statistics(
    session: AsyncSession, today: date, department: str | None, list_type: str | None
) -> list[OrderCounts]:
    return await OrderRepository(session).counts(today, department, list_type)
