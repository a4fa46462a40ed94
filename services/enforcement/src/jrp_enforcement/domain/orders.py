"""A sanction order at one implementing department: respond, execute, feedback (DOMAIN.md §5
steps 3-5), its suspension while a case is verified (§7), and its end (§7 revocation, §8
expiry and repair).

States: issued → received → fed_back; suspended from any of those (only a re-issue, which
starts over at issued, or a lift leaves it); lifted from any of them. Every change makes a new
order value with `sequence` one higher (what the trigger service keeps the latest of); a
report that changes nothing returns None, so a repeated report is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from jrp_enforcement.domain.planning import PlannedOrder
from jrp_shared import overdue
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import MeasureFeedback, OrderedMeasure
from jrp_shared.vocabulary import (
    CaseKind,
    FeedbackOutcome,
    LiftReason,
    ListColour,
    OrderState,
    TargetRole,
)

CLOCK_SKEW = timedelta(minutes=5)
"""How far a department system's clock may run ahead of ours before its times are refused."""

OPEN_STATES = overdue.OPEN_STATES
"""Orders still waiting for receipt or feedback (their deadlines still matter)."""


@dataclass(frozen=True)
class Deadlines:
    """Receipt and feedback due dates, in working days after the issue date (DOMAIN.md §10)."""

    receipt_due: date
    feedback_due: date
    provisional: bool


def deadlines_after(
    calendar: WorkingDayCalendar, issued_on: date, receipt_days: int, feedback_days: int
) -> Deadlines:
    """Due dates `receipt_days` / `feedback_days` working days after the issue date (the
    list type's `receipt_deadline_working_days` / `feedback_deadline_working_days`);
    provisional when either reaches a year without an official schedule (DOMAIN.md §10)."""
    receipt = calendar.add_working_days(issued_on, receipt_days)
    feedback = calendar.add_working_days(issued_on, feedback_days)
    return Deadlines(receipt.due, feedback.due, receipt.provisional or feedback.provisional)


@dataclass(frozen=True)
class FeedbackRecord:
    """The latest report on one measure of an order."""

    measure: str
    outcome: FeedbackOutcome
    reason: str | None
    business_reference: str | None
    executed_at: datetime
    reported_at: datetime

    def same_report_as(self, report: MeasureFeedback) -> bool:
        return (
            self.outcome == report.outcome
            and self.reason == report.reason
            and self.business_reference == report.business_reference
            and self.executed_at == report.executed_at
        )


@dataclass(frozen=True)
class Suspension:
    """Why and since when an order's measures must not be applied (DOMAIN.md §7)."""

    case_kind: CaseKind
    case_id: str
    since: datetime


@dataclass(frozen=True)
class EntryFacts:
    """What an order copies from its entry."""

    entry_id: str
    entry_version: int
    listed_subject_code: str
    list_type: str
    colour: ListColour


@dataclass(frozen=True)
class SanctionOrder:
    order_id: str
    revision: int
    sequence: int
    entry_id: str
    entry_version: int
    department: str
    listed_subject_code: str
    target_code: str
    target_role: TargetRole
    list_type: str
    colour: ListColour
    measures: tuple[OrderedMeasure, ...]
    state: OrderState
    issued_at: datetime
    receipt_due: date
    feedback_due: date
    deadlines_provisional: bool
    received_at: datetime | None = None
    receipt_note: str | None = None
    received_by_officer: str | None = None
    """The officer of `department` who acknowledged receipt (or whose feedback implied it), if it
    signed in as one (docs/security.md, "Officers"); None for the department system's own token."""
    fed_back_at: datetime | None = None
    fed_back_by_officer: str | None = None
    """The officer of `department` whose report completed the feedback, if it signed in as one."""
    lifted_at: datetime | None = None
    lift_reason: LiftReason | None = None
    suspension: Suspension | None = None
    """Set while suspended (and kept on a suspended order that is then lifted)."""
    feedback: Mapping[str, FeedbackRecord] = field(default_factory=dict)

    @property
    def measure_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.measures)


@dataclass(frozen=True)
class Change:
    """An order after a change, and what to record about it in its history."""

    order: SanctionOrder
    kind: str
    detail: dict[str, Any]


def issue(
    planned: PlannedOrder, entry: EntryFacts, deadlines: Deadlines, at: datetime
) -> SanctionOrder:
    return SanctionOrder(
        order_id=planned.order_id,
        revision=1,
        sequence=1,
        entry_id=entry.entry_id,
        entry_version=entry.entry_version,
        department=planned.department,
        listed_subject_code=entry.listed_subject_code,
        target_code=planned.target.code,
        target_role=planned.target.role,
        list_type=entry.list_type,
        colour=entry.colour,
        measures=planned.measures,
        state=OrderState.ISSUED,
        issued_at=at,
        receipt_due=deadlines.receipt_due,
        feedback_due=deadlines.feedback_due,
        deadlines_provisional=deadlines.provisional,
    )


def reissue(
    order: SanctionOrder,
    planned: PlannedOrder,
    entry: EntryFacts,
    deadlines: Deadlines,
    at: datetime,
) -> SanctionOrder:
    """A corrected (or resumed) entry replaces the order with a new revision. The department
    must acknowledge and report on the new revision, so receipt and feedback start over, and
    a suspension ends: the fresh order carries none."""
    fresh = issue(planned, entry, deadlines, at)
    return replace(fresh, revision=order.revision + 1, sequence=order.sequence + 1)


def lift(order: SanctionOrder, reason: LiftReason, at: datetime) -> SanctionOrder | None:
    """Stop the order's measures (DOMAIN.md §7, §8); None if it was already lifted."""
    if order.state is OrderState.LIFTED:
        return None
    return replace(
        order,
        sequence=order.sequence + 1,
        state=OrderState.LIFTED,
        lifted_at=at,
        lift_reason=reason,
    )


def suspend(
    order: SanctionOrder, case_kind: CaseKind, case_id: str, at: datetime
) -> SanctionOrder | None:
    """Stop the order's measures while an objection or complaint is verified (暂不执行,
    000 (二十四), DOMAIN.md §7); None if it is already suspended or lifted. Nothing is
    overdue meanwhile (suspended is not an open state)."""
    if order.state in (OrderState.SUSPENDED, OrderState.LIFTED):
        return None
    return replace(
        order,
        sequence=order.sequence + 1,
        state=OrderState.SUSPENDED,
        suspension=Suspension(case_kind, case_id, at),
    )


def _refuse_if_closed(order: SanctionOrder) -> None:
    """No report on a lifted order, nor on a suspended one: its measures must not be
    applied now (DOMAIN.md §7), so there is nothing to acknowledge or execute."""
    if order.state is OrderState.LIFTED:
        reason = order.lift_reason.value if order.lift_reason else "unknown"
        raise Conflict(f"order {order.order_id} was lifted ({reason}); nothing to report on it")
    if order.state is OrderState.SUSPENDED:
        pending = (
            f"{order.suspension.case_kind.value} {order.suspension.case_id}"
            if order.suspension
            else "a case"
        )
        raise Conflict(
            f"order {order.order_id} is suspended pending {pending}: "
            "its measures must not be applied now"
        )


def _time_problem(name: str, value: datetime, now: datetime) -> FieldProblem | None:
    if value.tzinfo is None:
        return FieldProblem(name, "timezone_required", f"{name} needs a UTC offset")
    if value > now + CLOCK_SKEW:
        return FieldProblem(name, "in_future", f"{name} {value.isoformat()} is in the future")
    return None


def acknowledge(
    order: SanctionOrder,
    received_at: datetime,
    note: str | None,
    now: datetime,
    officer: str | None = None,
) -> Change | None:
    """The department confirms receipt (respond). The first receipt counts; a repeated one,
    or one after feedback already implied it, changes nothing. `officer`: the one of its
    officers who did, recorded for audit (DOMAIN.md §5: 谁主管、谁负责)."""
    _refuse_if_closed(order)
    problem = _time_problem("received_at", received_at, now)
    if problem is not None:
        raise InvalidInput(problem.message, problems=[problem])
    if order.state is not OrderState.ISSUED:
        return None
    changed = replace(
        order,
        sequence=order.sequence + 1,
        state=OrderState.RECEIVED,
        received_at=received_at,
        receipt_note=note,
        received_by_officer=officer,
    )
    detail: dict[str, Any] = {"received_at": received_at.isoformat(), "note": note}
    if officer is not None:
        detail["officer"] = officer
    return Change(changed, "received", detail)


def _feedback_problems(
    order: SanctionOrder, reports: Sequence[MeasureFeedback], now: datetime
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    codes = set(order.measure_codes)
    for i, report in enumerate(reports):
        where = f"measures.{i}"
        if report.measure not in codes:
            problems.append(
                FieldProblem(
                    f"{where}.measure",
                    "measure_not_in_order",
                    f"measure {report.measure!r} is not in order {order.order_id} "
                    f"(it has: {', '.join(order.measure_codes)})",
                )
            )
        elif report.measure in seen:
            problems.append(
                FieldProblem(
                    f"{where}.measure",
                    "repeated_measure",
                    f"measure {report.measure!r} is reported twice",
                )
            )
        seen.add(report.measure)
        if report.outcome is FeedbackOutcome.FAILED and not (report.reason or "").strip():
            problems.append(
                FieldProblem(
                    f"{where}.reason", "reason_required", "a failed measure needs a reason"
                )
            )
        time_problem = _time_problem(f"{where}.executed_at", report.executed_at, now)
        if time_problem is not None:
            problems.append(time_problem)
    return problems


def record_feedback(
    order: SanctionOrder,
    reports: Sequence[MeasureFeedback],
    now: datetime,
    officer: str | None = None,
) -> Change | None:
    """The department reports how it handled measures (000 (十九)). The latest report per
    measure counts; feedback implies receipt; the order is fed back once every measure has
    feedback. None when every report repeats what is already recorded. `officer`: the one of
    its officers who reported (recorded as `fed_back_by_officer` by the report completing it,
    and as `received_by_officer` when it implies receipt)."""
    _refuse_if_closed(order)
    problems = _feedback_problems(order, reports, now)
    if problems:
        raise InvalidInput(
            f"feedback on order {order.order_id} refused: {len(problems)} problem(s)",
            problems=problems,
        )
    news = [
        r
        for r in reports
        if r.measure not in order.feedback or not order.feedback[r.measure].same_report_as(r)
    ]
    if not news:
        return None
    feedback = dict(order.feedback)
    for report in news:
        feedback[report.measure] = FeedbackRecord(
            measure=report.measure,
            outcome=report.outcome,
            reason=report.reason,
            business_reference=report.business_reference,
            executed_at=report.executed_at,
            reported_at=now,
        )
    complete = all(code in feedback for code in order.measure_codes)
    was_fed_back = order.state is OrderState.FED_BACK
    changed = replace(
        order,
        sequence=order.sequence + 1,
        state=OrderState.FED_BACK if complete else OrderState.RECEIVED,
        received_at=order.received_at or now,
        received_by_officer=(
            order.received_by_officer if order.received_at is not None else officer
        ),
        fed_back_at=order.fed_back_at if was_fed_back else (now if complete else None),
        fed_back_by_officer=(
            order.fed_back_by_officer if was_fed_back else (officer if complete else None)
        ),
        feedback=feedback,
    )
    detail: dict[str, Any] = {
        "measures": [r.model_dump(mode="json") for r in news],
        "receipt_implied": order.received_at is None,
    }
    if officer is not None:
        detail["officer"] = officer
    kind = "fed_back" if complete and not was_fed_back else "feedback"
    return Change(changed, kind, detail)


def recompute_deadlines(order: SanctionOrder, deadlines: Deadlines) -> Change | None:
    """New due dates once a year's official schedule is known (DOMAIN.md §10)."""
    if order.state not in OPEN_STATES:
        return None
    if (order.receipt_due, order.feedback_due, order.deadlines_provisional) == (
        deadlines.receipt_due,
        deadlines.feedback_due,
        deadlines.provisional,
    ):
        return None
    changed = replace(
        order,
        sequence=order.sequence + 1,
        receipt_due=deadlines.receipt_due,
        feedback_due=deadlines.feedback_due,
        deadlines_provisional=deadlines.provisional,
    )
    detail = {
        "receipt_due": [order.receipt_due.isoformat(), deadlines.receipt_due.isoformat()],
        "feedback_due": [order.feedback_due.isoformat(), deadlines.feedback_due.isoformat()],
        "provisional": deadlines.provisional,
    }
    return Change(changed, "deadlines_recomputed", detail)


def receipt_overdue(order: SanctionOrder, today: date) -> bool:
    """Not yet received and past the receipt due date; a lifted or suspended order is never
    overdue."""
    return overdue.receipt_overdue(order.state, order.receipt_due, today)


def feedback_overdue(order: SanctionOrder, today: date) -> bool:
    """Not yet fully fed back and past the feedback due date; never once lifted, nor while
    suspended."""
    return overdue.feedback_overdue(order.state, order.feedback_due, today)
