"""The difference a sync feed line makes (issue 12 part 2) and the deletion deadline in
working days (法释〔2017〕7号 第十条; DOMAIN.md §10, §11), without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import Conflict, InvalidInput
from jrp_shared.events.payloads import DeletionRules
from jrp_shared.vocabulary import ListEntryStatus as Status
from jrp_trigger.domain import sync
from jrp_trigger.domain.sync import Action, DeletionState, FeedStatus, LineOp

LIST = "black.judicial.dishonest-judgment-debtor"
RULES = DeletionRules(deadline_working_days=3, grounds=["performed", "revoked_judgment"])


def known(status: Status, fingerprint: str = "a", list_type: str = LIST) -> sync.Known:
    return sync.Known("e-1", status, list_type, fingerprint, None)


def upsert(
    k: sync.Known | None, fingerprint: str = "a", line_list_type: str = LIST
) -> sync.Decision:
    return sync.decide(
        LineOp.UPSERT,
        k,
        feed_list_type=LIST,
        line_list_type=line_list_type,
        fingerprint=fingerprint,
    )


def delete(k: sync.Known | None) -> sync.Decision:
    return sync.decide(LineOp.DELETE, k, feed_list_type=LIST, line_list_type=None, fingerprint=None)


def test_an_unknown_record_is_initiated_and_a_changed_one_corrected() -> None:
    assert upsert(None).action is Action.INITIATE
    assert upsert(known(Status.IN_FORCE), "b").action is Action.CORRECT
    assert upsert(known(Status.AWAITING_RECOGNITION), "b").action is Action.CORRECT
    assert upsert(known(Status.IN_FORCE), "a").action is Action.UNCHANGED


@pytest.mark.parametrize(
    "status", [Status.REVOKED, Status.REJECTED, Status.EXPIRED, Status.REPAIRED]
)
def test_a_closed_record_is_refused_a_change(status: Status) -> None:
    decision = upsert(known(status), "b")
    assert decision.action is Action.REJECT
    assert decision.problem is not None and decision.problem.reason == "record_closed"
    # the same content again asks nothing: a snapshot sent twice is taken the same way
    assert upsert(known(status), "a").action is Action.UNCHANGED


def test_a_suspended_record_is_refused_with_the_suspension() -> None:
    k = sync.Known("e-1", Status.SUSPENDED, LIST, "a", "pending objection o-1")
    decision = upsert(k, "b")
    assert decision.problem is not None
    assert decision.problem.reason == "entry_suspended"
    assert decision.problem.message == "pending objection o-1"
    assert upsert(k, "a").action is Action.UNCHANGED


def test_another_list_type_is_refused() -> None:
    decision = upsert(None, line_list_type="black.tax.major-violation")
    assert decision.problem is not None and decision.problem.reason == "feed_list_type_mismatch"
    decision = delete(known(Status.IN_FORCE, list_type="black.tax.major-violation"))
    assert decision.problem is not None and decision.problem.reason == "feed_list_type_mismatch"


def test_deletions() -> None:
    assert delete(known(Status.IN_FORCE)).action is Action.REVOKE
    assert delete(known(Status.SUSPENDED)).action is Action.REVOKE
    assert delete(known(Status.AWAITING_RECOGNITION)).action is Action.REVOKE
    assert delete(known(Status.REVOKED)).action is Action.UNCHANGED
    unknown = delete(None)
    assert unknown.problem is not None and unknown.problem.reason == "unknown_record"
    expired = delete(known(Status.EXPIRED))
    assert expired.problem is not None and expired.problem.reason == "record_closed"


def test_a_completed_feed_takes_no_lines_and_lines_have_no_gap() -> None:
    sync.require_open(FeedStatus.OPEN)
    with pytest.raises(Conflict):
        sync.require_open(FeedStatus.COMPLETED)
    with pytest.raises(Conflict):
        sync.require_open(FeedStatus.COMPLETING)
    assert sync.first_line(None, 10) == 11
    assert sync.first_line(1, 10) == 1
    with pytest.raises(InvalidInput) as refused:
        sync.first_line(12, 10)
    assert refused.value.problems[0].reason == "line_gap"


def test_time_left() -> None:
    assert sync.seconds_left(expected_lines=None, received=5, rate=10.0) is None
    assert sync.seconds_left(expected_lines=100, received=50, rate=None) is None
    assert sync.seconds_left(expected_lines=100, received=50, rate=10.0) == 5.0
    assert sync.seconds_left(expected_lines=100, received=150, rate=10.0) == 0.0


def test_the_deletion_is_due_three_working_days_after_the_ground() -> None:
    calendar = WorkingDayCalendar()
    # National Day 2026: the holidays (at least the statutory Oct 1-3) are not working days
    ground = sync.deletion_ground(
        RULES, "performed", date(2026, 9, 30), today=date(2026, 10, 1), calendar=calendar
    )
    assert ground.due == calendar.add_working_days(date(2026, 9, 30), 3).due
    assert ground.due >= date(2026, 10, 7)  # the holidays are not counted
    friday = sync.deletion_ground(
        RULES, "performed", date(2026, 3, 6), today=date(2026, 3, 6), calendar=calendar
    )
    assert friday.due == date(2026, 3, 11)


def test_a_deletion_ground_must_be_the_list_types_and_not_in_the_future() -> None:
    calendar = WorkingDayCalendar()
    with pytest.raises(InvalidInput) as refused:
        sync.deletion_ground(
            RULES, "paid", date(2026, 3, 7), today=date(2026, 3, 6), calendar=calendar
        )
    assert {p.reason for p in refused.value.problems} == {
        "unknown_deletion_ground",
        "arose_on_in_future",
    }
    with pytest.raises(InvalidInput) as none:
        sync.deletion_ground(
            None, "performed", date(2026, 3, 6), today=date(2026, 3, 6), calendar=calendar
        )
    assert none.value.problems[0].reason == "no_deletion_rules"


def test_on_time_late_pending_overdue() -> None:
    calendar = WorkingDayCalendar()
    due = date(2026, 3, 11)  # a Wednesday
    assert sync.deletion_state(due, None, date(2026, 3, 11)) is DeletionState.PENDING
    assert sync.deletion_state(due, None, date(2026, 3, 12)) is DeletionState.OVERDUE
    assert sync.deletion_state(due, date(2026, 3, 11), date(2026, 4, 1)) is DeletionState.ON_TIME
    assert sync.deletion_state(due, date(2026, 3, 16), date(2026, 4, 1)) is DeletionState.LATE
    # Thursday, Friday, (weekend), Monday: three working days late
    assert sync.working_days_late(due, date(2026, 3, 16), date(2026, 4, 1), calendar) == 3
    assert sync.working_days_late(due, None, date(2026, 3, 14), calendar) == 2
    assert sync.working_days_late(due, date(2026, 3, 10), date(2026, 4, 1), calendar) == 0
