"""Supervision figures per implementing department and list type (DOMAIN.md §5 step 5:
monitoring reports and statistics track who has responded, 002 二(二)1, 000 (二十七))."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrderCounts:
    """Counts over orders (not revisions: a re-issued order counts once, in its latest
    revision's state)."""

    department: str
    list_type: str
    issued: int
    received: int
    fed_back: int
    overdue: int
    lifted: int
    lifted_before_feedback: int
    suspended: int = 0
    """Suspended while an objection or complaint is verified (DOMAIN.md §7); never overdue."""
    suspended_before_feedback: int = 0

    @property
    def feedback_rate(self) -> float | None:
        """Fed back / issued, leaving out orders lifted or suspended before they were fully
        fed back: a department can no longer (or not now) be asked to report on them, so
        they count neither for nor against it. None when nothing is left to measure."""
        expected = self.issued - self.lifted_before_feedback - self.suspended_before_feedback
        if expected <= 0:
            return None
        return round(self.fed_back / expected, 4)
