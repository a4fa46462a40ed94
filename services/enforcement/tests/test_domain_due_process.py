"""Due process without I/O: orders suspended while an objection or complaint is verified, the
entry rules for suspension, resumption and repair, and the must-check answer for a suspended
entry (DOMAIN.md §6, §7, §8)."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from jrp_enforcement.adapters.check_index import EntryBuilder
from jrp_enforcement.domain import orders
from jrp_enforcement.domain.checks import CheckIndex, Entry, Measure, Order, answer
from jrp_enforcement.domain.entries import (
    Outcome,
    StoredEntry,
    may_repair,
    may_suspend,
    on_in_force,
)
from jrp_enforcement.domain.orders import (
    Deadlines,
    EntryFacts,
    SanctionOrder,
    Suspension,
)
from jrp_enforcement.domain.planning import PlannedOrder, Target
from jrp_enforcement.domain.statistics import OrderCounts
from jrp_enforcement.entrypoints.http.checks import _answer
from jrp_shared.errors import Conflict
from jrp_shared.events.payloads import MeasureFeedback, OrderedMeasure
from jrp_shared.vocabulary import (
    CaseKind,
    LiftReason,
    ListColour,
    ListEntryStatus,
    MeasureKind,
    OrderState,
    SubjectType,
    TargetRole,
)

ENTERPRISE = "91350100M000100Y43"
PERSON = "11010519491231002X"
RED_CO = "91110000802100433B"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
END = date(2029, 11, 19)
DEADLINES = Deadlines(date(2026, 11, 26), date(2026, 12, 21), provisional=False)
FACTS = EntryFacts("entry-1", 1, ENTERPRISE, "black.tax.major-violation", ListColour.BLACK)
PLAN = PlannedOrder(
    order_id="o-1",
    department="finance",
    target=Target(TargetRole.SUBJECT, ENTERPRISE, SubjectType.LEGAL_PERSON, "x"),
    measures=(
        OrderedMeasure(
            code="finance.a",
            version=1,
            content="…",
            content_en="…",
            kind=MeasureKind.PUNISHMENT,
            mandatory=True,
            legal_basis="…",
        ),
    ),
)
INVOICES = Measure("tax.no-new-invoice-quota", 1, "punishment", True, "发票", "Invoices", "法")
MONITORING = Measure("tax.key-monitoring", 1, "punishment", False, "监控", "Monitoring", "法")
EXIT_BAN = Measure("tax.legal-rep-restriction", 1, "punishment", True, "限制", "Ban", "法")
GREEN_CHANNEL = Measure("tax.green-channel", 1, "reward", False, "绿色通道", "Green", "法")
TAX_ORDERS = (Order("tax", 0, (INVOICES, MONITORING)), Order("tax", 1, (EXIT_BAN,)))


def _entry(
    entry_id: str = "entry-1",
    *,
    colour: str = "black",
    subject: str = ENTERPRISE,
    end: date = END,
    orders: tuple[Order, ...] = (),
) -> Entry:
    return Entry(
        entry_id=entry_id,
        list_type=f"{colour}.tax.x",
        colour=colour,
        subject_code=subject,
        subject_type="legal_person",
        subject_name="福州示例科技有限公司",
        initiating_department="tax",
        legal_basis="《中华人民共和国税收征收管理法》",
        decision_number="闽税稽罚〔2026〕12号",
        decision_date=date(2026, 11, 20),
        period_start=date(2026, 11, 20),
        period_end=end,
        targets=(subject, "subject", PERSON, "legal_representative"),
        orders=orders,
    )


def new_order() -> SanctionOrder:
    return orders.issue(PLAN, FACTS, DEADLINES, NOW)


def report(measure: str) -> MeasureFeedback:
    return MeasureFeedback.model_validate(
        {"measure": measure, "outcome": "applied", "executed_at": NOW}
    )


def suspended_order() -> SanctionOrder:
    found = orders.suspend(new_order(), CaseKind.OBJECTION, "obj-1", NOW)
    assert found is not None
    return found


# --- orders -------------------------------------------------------------------------------


def test_an_order_is_suspended_once_and_a_lifted_one_not_at_all() -> None:
    order = orders.acknowledge(new_order(), NOW, None, NOW)
    assert order is not None
    suspended = orders.suspend(order.order, CaseKind.COMPLAINT, "cmp-1", NOW)
    assert suspended is not None
    assert (suspended.state, suspended.sequence) == (OrderState.SUSPENDED, 3)
    assert suspended.suspension == Suspension(CaseKind.COMPLAINT, "cmp-1", NOW)
    assert suspended.received_at == NOW  # what happened before is kept
    assert orders.suspend(suspended, CaseKind.COMPLAINT, "cmp-1", NOW) is None
    lifted = orders.lift(new_order(), LiftReason.REVOKED, NOW)
    assert lifted is not None
    assert orders.suspend(lifted, CaseKind.OBJECTION, "obj-1", NOW) is None


def test_a_suspended_order_is_never_overdue() -> None:
    order = suspended_order()
    long_after = DEADLINES.feedback_due + timedelta(days=365)
    assert not orders.receipt_overdue(order, long_after)
    assert not orders.feedback_overdue(order, long_after)
    assert orders.recompute_deadlines(order, DEADLINES) is None


@pytest.mark.parametrize("kind", ["receipt", "feedback"])
def test_reports_on_a_suspended_order_are_refused(kind: str) -> None:
    order = suspended_order()
    with pytest.raises(Conflict) as refused:
        if kind == "receipt":
            orders.acknowledge(order, NOW, None, NOW)
        else:
            orders.record_feedback(order, [report("finance.a")], NOW)
    assert str(refused.value.message) == (
        "order o-1 is suspended pending objection obj-1: its measures must not be applied now"
    )


def test_a_reissue_ends_the_suspension_and_a_lift_keeps_it_on_record() -> None:
    order = suspended_order()
    again = orders.reissue(order, PLAN, FACTS, DEADLINES, NOW + timedelta(days=30))
    assert (again.state, again.revision, again.sequence) == (OrderState.ISSUED, 2, 3)
    assert again.suspension is None and again.received_at is None
    lifted = orders.lift(order, LiftReason.REVOKED, NOW)
    assert lifted is not None and lifted.state is OrderState.LIFTED
    assert lifted.suspension == order.suspension


def test_orders_suspended_before_feedback_do_not_count_against_the_department() -> None:
    counts = OrderCounts(
        department="finance",
        list_type="black.tax.major-violation",
        issued=10,
        received=6,
        fed_back=4,
        overdue=0,
        lifted=1,
        lifted_before_feedback=1,
        suspended=3,
        suspended_before_feedback=1,
    )
    assert counts.feedback_rate == 0.5  # 4 / (10 - 1 - 1)


# --- entries ------------------------------------------------------------------------------


def _stored(version: int, status: ListEntryStatus) -> StoredEntry:
    return StoredEntry("entry-1", version, status, END)


@pytest.mark.parametrize(
    ("stored", "version", "suspends"),
    [
        (_stored(1, ListEntryStatus.IN_FORCE), 1, True),
        (_stored(1, ListEntryStatus.IN_FORCE), 2, True),  # about a version not here yet
        (_stored(2, ListEntryStatus.IN_FORCE), 1, False),  # about an older version
        (_stored(1, ListEntryStatus.SUSPENDED), 1, False),  # a repeat
        (_stored(1, ListEntryStatus.REVOKED), 1, False),
        (_stored(1, ListEntryStatus.EXPIRED), 1, False),
        (None, 1, False),
    ],
)
def test_which_suspensions_are_taken(
    stored: StoredEntry | None, version: int, suspends: bool
) -> None:
    assert may_suspend(stored, version) is suspends


def test_a_newer_version_resumes_a_suspended_entry_and_repair_is_final() -> None:
    suspended = _stored(1, ListEntryStatus.SUSPENDED)
    assert on_in_force(suspended, 2, END, TODAY) is Outcome.IN_FORCE
    assert on_in_force(suspended, 1, END, TODAY) is Outcome.IGNORE
    assert on_in_force(suspended, 2, TODAY - timedelta(days=1), TODAY) is Outcome.EXPIRED
    repaired = _stored(1, ListEntryStatus.REPAIRED)
    assert on_in_force(repaired, 2, END, TODAY) is Outcome.IGNORE
    assert may_repair(_stored(1, ListEntryStatus.IN_FORCE))
    assert may_repair(suspended)
    assert not may_repair(repaired)
    assert not may_repair(_stored(1, ListEntryStatus.EXPIRED))
    assert not may_repair(None)


# --- the must-check -----------------------------------------------------------------------


def _suspended(entry: Entry, kind: str = "objection") -> Entry:
    return entry._replace(suspended=kind)


def test_a_suspended_entry_is_shown_with_no_measure_and_lists_nothing() -> None:
    result = answer(ENTERPRISE, "tax", TODAY, (_suspended(_entry(orders=TAX_ORDERS)),))
    assert (result.listed, result.rewarded, result.suspended) == (False, False, True)
    [hit] = result.hits
    assert hit.suspended == "objection" and hit.measures == () and hit.roles == ("subject",)
    assert result.mandatory == result.recommended == result.rewards == ()
    assert result.summary()["suspended"] == ["entry-1"]
    person = answer(PERSON, "tax", TODAY, (_suspended(_entry(orders=TAX_ORDERS)),))
    assert person.suspended and person.mandatory == () and not person.listed


def test_another_entry_in_force_still_counts_beside_a_suspended_one() -> None:
    other = _entry("entry-2", orders=(Order("tax", 0, (INVOICES,)),))
    result = answer(ENTERPRISE, "tax", TODAY, (_suspended(_entry(orders=TAX_ORDERS)), other))
    assert (result.listed, result.suspended) == (True, True)
    assert [d.measure for d in result.mandatory] == [INVOICES]
    assert result.mandatory[0].entry_ids == ("entry-2",)
    assert result.summary()["suspended"] == ["entry-1"]
    red = _entry("red-1", colour="red", subject=RED_CO, orders=(Order("tax", 0, (GREEN_CHANNEL,)),))
    assert not answer(RED_CO, "tax", TODAY, (_suspended(red, "complaint"),)).rewarded


def test_an_entry_in_force_answers_as_before() -> None:
    result = answer(ENTERPRISE, "tax", TODAY, (_entry(orders=TAX_ORDERS),))
    assert result.suspended is False and "suspended" not in result.summary()
    assert result.hits[0].suspended is None


def test_a_suspended_entry_stays_while_its_period_is_stopped() -> None:
    ended = _entry(end=TODAY - timedelta(days=5), orders=TAX_ORDERS)
    assert answer(ENTERPRISE, "tax", TODAY, (_suspended(ended),)).suspended
    assert answer(ENTERPRISE, "tax", TODAY, (ended,)).hits == ()
    index = CheckIndex()
    index.put(_suspended(ended))
    index.put(ended._replace(entry_id="entry-2"))
    assert index.prune(TODAY) == 1
    assert [e.entry_id for e in index.lookup(ENTERPRISE)] == ["entry-1"]


def test_the_json_of_a_suspended_entry() -> None:
    result = answer(ENTERPRISE, "tax", TODAY, (_suspended(_entry(orders=TAX_ORDERS)),))
    body: dict[str, Any] = _answer("c-1", result, {})
    assert (body["listed"], body["rewarded"], body["suspended"]) == (False, False, True)
    [entry] = body["entries"]
    assert (entry["status"], entry["note"], entry["measures"]) == (
        "suspended",
        "suspended pending objection",
        [],
    )
    assert body["mandatory_measures"] == body["recommended_measures"] == []
    complaint = answer(ENTERPRISE, "tax", TODAY, (_suspended(_entry(), "complaint"),))
    assert _answer("c-2", complaint, {})["entries"][0]["note"] == "suspended pending complaint"
    in_force = _answer("c-3", answer(ENTERPRISE, "tax", TODAY, (_entry(orders=TAX_ORDERS),)), {})
    assert in_force["suspended"] is False
    assert (in_force["entries"][0]["status"], in_force["entries"][0]["note"]) == ("in_force", None)


class _EntryRow(NamedTuple):
    """A row of the index's entries query (see check_index._entries_query)."""

    entry_id: str
    list_type: str
    colour: str
    subject_code: str
    initiating_department: str
    period_start: date
    period_end: date
    payload: str
    suspension_case_kind: str | None


def test_a_suspended_row_becomes_an_entry_without_orders_and_a_shared_marker() -> None:
    builder = EntryBuilder()
    built = []
    for entry_id in ("s-1", "s-2"):
        row = _EntryRow(
            entry_id,
            "black.tax.major-violation",
            "black",
            ENTERPRISE,
            "tax",
            date(2026, 11, 20),
            END,
            '{"legal_basis": "征管法", "decision_document": {"number": "1", "date": "2026-11-20"}}',
            "".join(["objec", "tion"]),  # equal, not identical: the builder shares one
        )
        targets = [(entry_id, ENTERPRISE, "subject", "legal_person", "公司")]
        measures = json.dumps([INVOICES._asdict()], ensure_ascii=False)
        rows = [(entry_id, "tax", ENTERPRISE, "subject", measures)]
        built.append(builder.build(row, targets, rows))
    first, second = built
    assert first.suspended == "objection" and first.orders == ()
    assert first.suspended is second.suspended
