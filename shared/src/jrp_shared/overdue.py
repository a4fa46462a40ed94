"""When an implementing department is late with an order (DOMAIN.md §5 steps 3-5): one rule,
used by enforcement (which flags and lists overdue orders) and by trigger (which shows the
initiator who is late), judged against today in China and only after the due day has passed."""

from __future__ import annotations

from datetime import date

from jrp_shared.vocabulary import OrderState

OPEN_STATES = frozenset({OrderState.ISSUED, OrderState.RECEIVED})
"""Orders still waiting for (complete) feedback; a lifted order is never overdue."""


def receipt_overdue(state: OrderState, receipt_due: date, today: date) -> bool:
    return state is OrderState.ISSUED and today > receipt_due


def feedback_overdue(state: OrderState, feedback_due: date, today: date) -> bool:
    return state in OPEN_STATES and today > feedback_due
