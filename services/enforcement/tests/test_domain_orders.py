"""An order's lifecycle rules: receipt, feedback, re-issue, lift, overdue, deadlines, and
what an entry event does (DOMAIN.md §5, §7, §8, §10)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from jrp_enforcement.domain import orders
from jrp_enforcement.domain.access import department_scope
from jrp_enforcement.domain.entries import Outcome, StoredEntry, on_in_force
from jrp_enforcement.domain.orders import Deadlines, EntryFacts, SanctionOrder
from jrp_enforcement.domain.planning import PlannedOrder, Target
from jrp_enforcement.domain.statistics import OrderCounts
from jrp_shared.auth import Principal
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.clock import china_date
from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.events.payloads import MeasureFeedback, OrderedMeasure
from jrp_shared.vocabulary import (
    FeedbackOutcome,
    LiftReason,
    ListColour,
    ListEntryStatus,
    MeasureKind,
    OrderState,
    SubjectType,
    TargetRole,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
DEADLINES = Deadlines(date(2026, 11, 26), date(2026, 12, 21), provisional=False)
FACTS = EntryFacts(
    "entry-1", 1, "91350100M000100Y43", "black.tax.major-violation", ListColour.BLACK
)


def ordered(code: str, mandatory: bool = True) -> OrderedMeasure:
    return OrderedMeasure(
        code=code,
        version=1,
        content="…",
        content_en="…",
        kind=MeasureKind.PUNISHMENT,
        mandatory=mandatory,
        legal_basis="…",
    )


PLAN = PlannedOrder(
    order_id="o-1",
    department="finance",
    target=Target(TargetRole.SUBJECT, FACTS.listed_subject_code, SubjectType.LEGAL_PERSON, "x"),
    measures=(ordered("finance.a"), ordered("finance.b", mandatory=False)),
)


def new_order() -> SanctionOrder:
    return orders.issue(PLAN, FACTS, DEADLINES, NOW)


def report(
    measure: str, outcome: FeedbackOutcome = FeedbackOutcome.APPLIED, **more: object
) -> MeasureFeedback:
    return MeasureFeedback.model_validate(
        {"measure": measure, "outcome": outcome, "executed_at": NOW, **more}
    )


def test_a_receipt_counts_once() -> None:
    order = new_order()
    assert (order.revision, order.sequence, order.state) == (1, 1, OrderState.ISSUED)
    change = orders.acknowledge(order, NOW, "已接收", NOW)
    assert change is not None and change.kind == "received"
    assert change.order.state is OrderState.RECEIVED and change.order.sequence == 2
    assert (
        orders.acknowledge(
            change.order, NOW + timedelta(hours=1), "again", NOW + timedelta(hours=2)
        )
        is None
    )


def test_receipt_times_must_be_zoned_and_not_in_the_future() -> None:
    with pytest.raises(InvalidInput) as late:
        orders.acknowledge(new_order(), NOW + timedelta(hours=1), None, NOW)
    assert late.value.problems[0].reason == "in_future"
    with pytest.raises(InvalidInput) as naive:
        orders.acknowledge(new_order(), NOW.replace(tzinfo=None), None, NOW)
    assert naive.value.problems[0].reason == "timezone_required"


def test_feedback_implies_receipt_and_completes_the_order_once_every_measure_has_it() -> None:
    partial = orders.record_feedback(new_order(), [report("finance.a")], NOW)
    assert partial is not None and partial.kind == "feedback"
    assert partial.order.state is OrderState.RECEIVED and partial.order.received_at == NOW
    assert partial.detail["receipt_implied"] is True
    done = orders.record_feedback(
        partial.order, [report("finance.b", FeedbackOutcome.NOT_APPLICABLE)], NOW
    )
    assert done is not None and done.kind == "fed_back"
    assert done.order.state is OrderState.FED_BACK and done.order.fed_back_at == NOW
    assert done.order.sequence == 3


def test_a_repeated_report_changes_nothing_but_a_new_outcome_does() -> None:
    both = [report("finance.a"), report("finance.b")]
    done = orders.record_feedback(new_order(), both, NOW)
    assert done is not None
    assert orders.record_feedback(done.order, both, NOW) is None
    failed = report("finance.a", FeedbackOutcome.FAILED, reason="系统故障")
    update = orders.record_feedback(done.order, [failed], NOW + timedelta(minutes=1))
    assert update is not None and update.kind == "feedback"
    assert update.order.state is OrderState.FED_BACK
    assert update.order.fed_back_at == NOW  # first completion stays the fed-back time
    assert update.order.feedback["finance.a"].outcome is FeedbackOutcome.FAILED


def test_bad_feedback_is_refused_naming_every_problem() -> None:
    with pytest.raises(InvalidInput) as refused:
        orders.record_feedback(
            new_order(),
            [
                report("finance.nope"),
                report("finance.a", FeedbackOutcome.FAILED),
                report("finance.a"),
                report("finance.b", executed_at=NOW + timedelta(days=1)),
            ],
            NOW,
        )
    assert [(p.field, p.reason) for p in refused.value.problems] == [
        ("measures.0.measure", "measure_not_in_order"),
        ("measures.1.reason", "reason_required"),
        ("measures.2.measure", "repeated_measure"),
        ("measures.3.executed_at", "in_future"),
    ]


def test_a_lifted_order_takes_no_reports_and_is_never_overdue() -> None:
    lifted = orders.lift(new_order(), LiftReason.REVOKED, NOW)
    assert lifted is not None and lifted.state is OrderState.LIFTED and lifted.sequence == 2
    assert orders.lift(lifted, LiftReason.EXPIRED, NOW) is None
    with pytest.raises(Conflict):
        orders.acknowledge(lifted, NOW, None, NOW)
    with pytest.raises(Conflict):
        orders.record_feedback(lifted, [report("finance.a")], NOW)
    far = date(2030, 1, 1)
    assert not orders.receipt_overdue(lifted, far) and not orders.feedback_overdue(lifted, far)


def test_overdue_is_strictly_after_the_due_day() -> None:
    order = new_order()
    assert not orders.receipt_overdue(order, DEADLINES.receipt_due)
    assert orders.receipt_overdue(order, DEADLINES.receipt_due + timedelta(days=1))
    received = orders.acknowledge(order, NOW, None, NOW)
    assert received is not None
    after_feedback_due = DEADLINES.feedback_due + timedelta(days=1)
    assert not orders.receipt_overdue(received.order, after_feedback_due)
    assert orders.feedback_overdue(received.order, after_feedback_due)
    done = orders.record_feedback(received.order, [report("finance.a"), report("finance.b")], NOW)
    assert done is not None and not orders.feedback_overdue(done.order, after_feedback_due)


def test_a_reissue_is_a_new_revision_that_needs_a_new_receipt_and_feedback() -> None:
    done = orders.record_feedback(new_order(), [report("finance.a"), report("finance.b")], NOW)
    assert done is not None
    later = NOW + timedelta(days=2)
    again = orders.reissue(done.order, PLAN, FACTS, DEADLINES, later)
    assert (again.revision, again.sequence, again.state) == (2, done.order.sequence + 1, "issued")
    assert again.received_at is None and again.fed_back_at is None and not again.feedback
    assert again.issued_at == later
    lifted = orders.lift(again, LiftReason.EXPIRED, later)
    assert lifted is not None
    back = orders.reissue(lifted, PLAN, FACTS, DEADLINES, later)
    assert back.state is OrderState.ISSUED and back.lifted_at is None and back.revision == 3


def test_deadlines_count_working_days_and_are_provisional_in_unscheduled_years() -> None:
    calendar = WorkingDayCalendar()
    known = orders.deadlines_after(calendar, date(2026, 9, 29), 3, 20)
    # 2026: National Day and Mid-Autumn, Oct 1-8 off, Sep 28 and Oct 10 adjusted working days.
    assert known.receipt_due == date(2026, 10, 9) and known.provisional is False
    unknown = orders.deadlines_after(calendar, date(2027, 3, 1), 3, 20)
    assert unknown.provisional is True and unknown.receipt_due == date(2027, 3, 4)


def test_recomputed_deadlines_change_only_open_orders_that_differ() -> None:
    order = new_order()
    assert orders.recompute_deadlines(order, DEADLINES) is None
    later = Deadlines(date(2026, 11, 27), date(2026, 12, 22), provisional=False)
    change = orders.recompute_deadlines(order, later)
    assert change is not None and change.order.receipt_due == later.receipt_due
    assert change.detail["receipt_due"] == ["2026-11-26", "2026-11-27"]
    lifted = orders.lift(order, LiftReason.REVOKED, NOW)
    assert lifted is not None and orders.recompute_deadlines(lifted, later) is None


def test_entry_versions_newer_only_and_revoked_is_final() -> None:
    today = date(2026, 11, 23)
    stored = StoredEntry("e", 2, ListEntryStatus.IN_FORCE, date(2029, 1, 1))
    assert on_in_force(None, 1, date(2029, 1, 1), today) is Outcome.IN_FORCE
    assert on_in_force(stored, 2, date(2029, 1, 1), today) is Outcome.IGNORE
    assert on_in_force(stored, 1, date(2029, 1, 1), today) is Outcome.IGNORE
    assert on_in_force(stored, 3, date(2029, 1, 1), today) is Outcome.IN_FORCE
    assert on_in_force(None, 1, today, today) is Outcome.IN_FORCE  # the last day still counts
    assert on_in_force(None, 1, date(2026, 11, 22), today) is Outcome.EXPIRED
    expired = StoredEntry("e", 2, ListEntryStatus.EXPIRED, date(2026, 11, 1))
    assert on_in_force(expired, 3, date(2027, 11, 1), today) is Outcome.IN_FORCE  # extended
    revoked = StoredEntry("e", 2, ListEntryStatus.REVOKED, date(2029, 1, 1))
    assert on_in_force(revoked, 3, date(2029, 1, 1), today) is Outcome.IGNORE


def test_today_is_the_date_in_china() -> None:
    assert china_date(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == date(2026, 11, 23)
    assert china_date(datetime(2026, 11, 22, 15, 59, tzinfo=UTC)) == date(2026, 11, 22)


def test_a_department_reads_its_own_orders_and_the_office_any() -> None:
    finance = Principal("finance", frozenset({"implementer"}))
    office = Principal("credit-office", frozenset({"administrator"}))
    assert department_scope(finance, None) == "finance"
    assert department_scope(finance, "finance") == "finance"
    with pytest.raises(Forbidden):
        department_scope(finance, "tax")
    assert department_scope(office, None) is None
    assert department_scope(office, "tax") == "tax"


def test_the_feedback_rate_leaves_out_orders_lifted_before_feedback() -> None:
    counts = OrderCounts(
        "finance",
        "t",
        issued=10,
        received=8,
        fed_back=6,
        overdue=1,
        lifted=3,
        lifted_before_feedback=2,
    )
    assert counts.feedback_rate == 0.75
    assert OrderCounts("f", "t", 1, 0, 0, 0, 1, 1).feedback_rate is None


def test_the_officers_who_received_and_completed_the_feedback_are_kept() -> None:
    """Issue 16 (docs/security.md, "Officers"): the receipt and the completing feedback name
    the officer; a later report keeps them; the system's own report names none."""
    received = orders.acknowledge(new_order(), NOW, None, NOW, "officer-aaaaaaaaaaaa")
    assert received is not None
    assert received.order.received_by_officer == "officer-aaaaaaaaaaaa"
    assert received.detail["officer"] == "officer-aaaaaaaaaaaa"
    codes = received.order.measure_codes
    done = orders.record_feedback(
        received.order, [report(c) for c in codes], NOW, "officer-bbbbbbbbbbbb"
    )
    assert done is not None and done.kind == "fed_back"
    assert done.order.received_by_officer == "officer-aaaaaaaaaaaa"
    assert done.order.fed_back_by_officer == "officer-bbbbbbbbbbbb"
    later = orders.record_feedback(
        done.order,
        [report(codes[0], FeedbackOutcome.FAILED, reason="系统故障")],
        NOW + timedelta(minutes=1),
    )
    assert later is not None and "officer" not in later.detail
    assert later.order.fed_back_by_officer == "officer-bbbbbbbbbbbb"
    implied = orders.record_feedback(new_order(), [report(codes[0])], NOW, "officer-cccccccccccc")
    assert implied is not None
    assert implied.order.received_by_officer == "officer-cccccccccccc"
    assert implied.order.fed_back_by_officer is None  # not complete yet
