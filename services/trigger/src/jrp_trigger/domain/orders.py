"""How an implementing department stands with one order (DOMAIN.md §5 steps 3-5): whether its
receipt or its feedback is late, judged against today in China."""

from __future__ import annotations

from datetime import date

from jrp_shared.events.payloads import SanctionOrderStatus
from jrp_shared.vocabulary import OrderState


def receipt_overdue(order: SanctionOrderStatus, today: date) -> bool:
    return order.state is OrderState.ISSUED and today > order.receipt_due


def feedback_overdue(order: SanctionOrderStatus, today: date) -> bool:
    return order.state in (OrderState.ISSUED, OrderState.RECEIVED) and today > order.feedback_due
