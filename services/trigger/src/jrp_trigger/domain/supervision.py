"""Supervision reports (DOMAIN.md §5 step 5, §9; 000 (二十七), 001 (十二), 004 四(四)).

Plain rules, no I/O: the reporting period (a month or a bounded date range, China dates), when
an order was received, fed back or overdue as of the end of the period, how figures add up per
department and in total, when a department's monthly report is due (the 20th of the following
month, 004 四(四)) and whether it is submitted (at least one typical case of trustworthiness and
one of dishonesty), and the rules of nominating, withdrawing and selecting typical cases.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from jrp_shared.clock import china_date
from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.overdue import feedback_overdue, receipt_overdue
from jrp_shared.vocabulary import FeedbackOutcome, OrderState, OverdueKind, ReminderLevel

REPORT_DAY = 20
"""Departments report monthly by the 20th (004 四(四), DOMAIN.md §9)."""

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
EARLIEST = date(2000, 1, 1)

DUE_PROCESS_KINDS = (
    OverdueKind.OBJECTION,
    OverdueKind.COMPLAINT,
    OverdueKind.OBJECTION_APPEAL,
    OverdueKind.REPAIR,
)


class TypicalCaseKind(StrEnum):
    """The two typical cases a monthly report must carry (004 四(四))."""

    TRUSTWORTHINESS = "trustworthiness"
    DISHONESTY = "dishonesty"


class ReportStatus(StrEnum):
    PENDING = "pending"
    """Not yet submitted and the 20th has not passed."""
    SUBMITTED = "submitted"
    """At least one typical case of each kind nominated (`late` if after the 20th)."""
    OVERDUE = "overdue"
    """The 20th (China date) has passed without one of each kind."""


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    month: str | None = None
    """`YYYY-MM` for a monthly report."""

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The day figures are judged on: the end of the period, or today if it has not ended."""
        return min(self.end, today)

    def months(self) -> list[str]:
        """Every `YYYY-MM` the period touches."""
        found: list[str] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def parse_month(text: str, today: date, *, field_name: str = "month") -> Period:
    """`YYYY-MM` → the month's period; a month that has not started yet is refused."""
    match = _MONTH.match(text)
    if match is None:
        raise InvalidInput.for_field(
            field_name, "month_format", f"{field_name} must be YYYY-MM, e.g. 2026-10"
        )
    year, month = int(match[1]), int(match[2])
    if year < EARLIEST.year:
        raise InvalidInput.for_field(
            field_name, "month_too_early", f"{field_name} must be {EARLIEST:%Y-%m} or later"
        )
    start = date(year, month, 1)
    if start < EARLIEST:
        raise InvalidInput.for_field(
            field_name, "month_too_early", f"{field_name} must be {EARLIEST:%Y-%m} or later"
        )
    if start > today:
        raise InvalidInput.for_field(
            field_name,
            "month_in_future",
            f"{field_name} {text} has not started yet (today is {today} in China)",
        )
    return Period(start, month_end(start), month=text)


def date_range(start: date, end: date, today: date, *, max_days: int) -> Period:
    """`from`..`to` inclusive, at most `max_days` days, starting no later than today."""
    if end < start:
        raise InvalidInput.for_field("to", "range_reversed", "to must not be before from")
    if (end - start).days + 1 > max_days:
        raise InvalidInput.for_field(
            "to",
            "range_too_long",
            f"a report covers at most {max_days} days; ask for a shorter range or month by month",
            max_days=max_days,
        )
    if start < EARLIEST:
        raise InvalidInput.for_field("from", "range_too_early", f"from must be {EARLIEST} or later")
    if start > today:
        raise InvalidInput.for_field(
            "from", "range_in_future", f"from must not be after today ({today} in China)"
        )
    return Period(start, end)


def month_end(first: date) -> date:
    following = (
        date(first.year + 1, 1, 1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return following - timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def report_due(month: str) -> date:
    """The 20th of the month after `month` (004 四(四)): 2026-12 → 2027-01-20."""
    year, number = int(month[:4]), int(month[5:7])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return date(year, number, REPORT_DAY)


def latest_month_due(today: date) -> str:
    """The latest month whose report was due before `today`: on 2026-11-21 that is 2026-10,
    on 2026-11-20 (still due that day) 2026-09."""
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    if today.day <= REPORT_DAY:
        previous = (previous - timedelta(days=1)).replace(day=1)
    return month_of(previous)


# --- typical cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nomination:
    """What a department's report holds for a month: when each kind was first nominated
    (cases withdrawn are left out)."""

    trustworthiness_on: date | None = None
    dishonesty_on: date | None = None


@dataclass(frozen=True)
class DepartmentReport:
    department: str
    month: str
    due: date
    status: ReportStatus
    submitted_on: date | None
    """The day the second kind was nominated (the report is complete from then)."""
    late: bool
    trustworthiness: int
    dishonesty: int


def report_status(
    department: str, month: str, nomination: Nomination, counts: Counter[str], today: date
) -> DepartmentReport:
    """Submitted once one case of each kind is nominated; overdue the day after the 20th of
    the following month without that (004 四(四), DOMAIN.md §9)."""
    due = report_due(month)
    trust, dishonesty = nomination.trustworthiness_on, nomination.dishonesty_on
    submitted_on = max(trust, dishonesty) if trust is not None and dishonesty is not None else None
    if submitted_on is not None:
        status = ReportStatus.SUBMITTED
    elif today > due:
        status = ReportStatus.OVERDUE
    else:
        status = ReportStatus.PENDING
    return DepartmentReport(
        department=department,
        month=month,
        due=due,
        status=status,
        submitted_on=submitted_on,
        late=submitted_on is not None and submitted_on > due,
        trustworthiness=counts[TypicalCaseKind.TRUSTWORTHINESS],
        dishonesty=counts[TypicalCaseKind.DISHONESTY],
    )


def check_nomination_month(month: str, today: date) -> Period:
    """A case is nominated for a month that has started (the report of a past month may be
    completed late, and shows as late)."""
    return parse_month(month, today)


@dataclass(frozen=True)
class TypicalCaseState:
    case_id: str
    department: str
    withdrawn: bool
    selected: bool


def check_withdrawal(case: TypicalCaseState, by: str) -> None:
    if case.department != by:
        raise Forbidden(f"{by} may withdraw its own typical cases only")
    if case.withdrawn:
        raise Conflict(f"typical case {case.case_id} is already withdrawn")
    if case.selected:
        raise Conflict(
            f"typical case {case.case_id} was selected by the office and is in the report; "
            "ask the office (credit-office) to drop it"
        )


def check_selection(case: TypicalCaseState) -> None:
    if case.withdrawn:
        raise Conflict(
            f"typical case {case.case_id} was withdrawn by {case.department}; select another"
        )


# --- order figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What a report needs from one sanction order's latest status (order-status.v1)."""

    department: str
    state: OrderState
    issued_on: date
    receipt_due: date
    feedback_due: date
    received_on: date | None
    lifted_on: date | None
    outcomes: tuple[tuple[FeedbackOutcome | None, date | None], ...]
    """Each measure's outcome and the day it was executed (if given)."""


def fed_back_on(order: OrderFacts) -> date | None:
    """The day the order's feedback was complete: every measure has an outcome (the latest
    execution day, or the receipt day when none is given)."""
    if not order.outcomes or any(outcome is None for outcome, _ in order.outcomes):
        return None
    days = [day for _, day in order.outcomes if day is not None]
    if days:
        return max(days)
    return order.received_on or order.issued_on


def state_on(order: OrderFacts, day: date) -> OrderState:
    """The order's state on `day`, rebuilt from its latest status: a later receipt or feedback
    did not exist yet (a suspension has no date in the status and stays as it is)."""
    done = fed_back_on(order)
    if done is not None and done <= day:
        return OrderState.FED_BACK
    if order.lifted_on is not None and order.lifted_on <= day:
        return OrderState.LIFTED
    if order.state is OrderState.SUSPENDED:
        return OrderState.SUSPENDED
    if order.received_on is not None and order.received_on <= day:
        return OrderState.RECEIVED
    return OrderState.ISSUED


@dataclass
class OrderFigures:
    issued: int = 0
    received: int = 0
    fed_back: int = 0
    receipt_overdue: int = 0
    feedback_overdue: int = 0
    measures: Counter[str] = field(default_factory=Counter)

    @property
    def feedback_rate(self) -> float | None:
        """Orders fed back by the end of the period over orders issued in it (000 (二十七):
        statistics of who has responded); None when none was issued."""
        return rate(self.fed_back, self.issued)

    def add_order(self, order: OrderFacts, as_of: date) -> None:
        """One order issued in the period, judged as of `as_of` with `jrp_shared.overdue`."""
        state = state_on(order, as_of)
        self.issued += 1
        if order.received_on is not None and order.received_on <= as_of:
            self.received += 1
        if state is OrderState.FED_BACK:
            self.fed_back += 1
        if receipt_overdue(state, order.receipt_due, as_of):
            self.receipt_overdue += 1
        if feedback_overdue(state, order.feedback_due, as_of):
            self.feedback_overdue += 1
        for outcome, executed in order.outcomes:
            if outcome is not None and (executed is None or executed <= as_of):
                self.measures[outcome.value] += 1

    def merge(self, other: OrderFigures) -> None:
        self.issued += other.issued
        self.received += other.received
        self.fed_back += other.fed_back
        self.receipt_overdue += other.receipt_overdue
        self.feedback_overdue += other.feedback_overdue
        self.measures.update(other.measures)


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


# --- due-process figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    kind: OverdueKind
    department: str
    filed_on: date
    decision_due: date
    decided_on: date | None


def decided_on_time(case: CaseFacts) -> bool:
    """Decided on or before its due day (20 working days for an objection, DOMAIN.md §7; the
    list type's days for a repair, §8)."""
    return case.decided_on is not None and case.decided_on <= case.decision_due


def case_overdue(case: CaseFacts, as_of: date) -> bool:
    """Filed by `as_of`, still undecided on it, and its due day has passed."""
    undecided = case.decided_on is None or case.decided_on > as_of
    return case.filed_on <= as_of and undecided and as_of > case.decision_due


@dataclass
class CaseFigures:
    filed: int = 0
    decided: int = 0
    decided_on_time: int = 0
    decided_late: int = 0
    overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.decided_on_time, self.decided)

    def add_case(self, case: CaseFacts, period: Period, as_of: date) -> None:
        if period.contains(case.filed_on):
            self.filed += 1
        if period.contains(case.decided_on):
            self.decided += 1
            if decided_on_time(case):
                self.decided_on_time += 1
            else:
                self.decided_late += 1
        if case_overdue(case, as_of):
            self.overdue += 1

    def merge(self, other: CaseFigures) -> None:
        self.filed += other.filed
        self.decided += other.decided
        self.decided_on_time += other.decided_on_time
        self.decided_late += other.decided_late
        self.overdue += other.overdue


# --- one department's figures, and the total ----------------------------------------------------


@dataclass
class Figures:
    entries_by_colour: Counter[str] = field(default_factory=Counter)
    entries_by_list_type: Counter[str] = field(default_factory=Counter)
    orders: OrderFigures = field(default_factory=OrderFigures)
    cases: dict[OverdueKind, CaseFigures] = field(
        default_factory=lambda: {kind: CaseFigures() for kind in DUE_PROCESS_KINDS}
    )
    reminders: Counter[str] = field(default_factory=Counter)

    @property
    def entries_initiated(self) -> int:
        return sum(self.entries_by_colour.values())

    def add_entries(self, colour: str, list_type: str, count: int) -> None:
        self.entries_by_colour[colour] += count
        self.entries_by_list_type[list_type] += count

    def add_reminders(self, level: ReminderLevel, count: int) -> None:
        self.reminders[level.value] += count

    def merge(self, other: Figures) -> None:
        self.entries_by_colour.update(other.entries_by_colour)
        self.entries_by_list_type.update(other.entries_by_list_type)
        self.orders.merge(other.orders)
        for kind, figures in other.cases.items():
            self.cases[kind].merge(figures)
        self.reminders.update(other.reminders)


def china_day(moment: datetime | None) -> date | None:
    return None if moment is None else china_date(moment)
