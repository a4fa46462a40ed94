"""The appeals rules without I/O: the entry copy's versions, who sees what, case decisions,
expert draws, repair eligibility (DOMAIN.md §3, §7, §8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest

from jrp_appeals.domain import cases, entries, hearings, repairs, visibility
from jrp_appeals.domain.cases import Case, DecisionRequest
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.repairs import Evidence
from jrp_appeals.domain.visibility import Parties, Viewer
from jrp_appeals.testing import ENTERPRISE, LEGAL_REPRESENTATIVE, OTHER_ENTERPRISE, PERSON
from jrp_shared.calendar import Deadline, WorkingDayCalendar
from jrp_shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from jrp_shared.events.payloads import (
    CaseParty,
    CorrectedEntry,
    DecisionDocument,
    Period,
    RepairRules,
    SubjectReference,
)
from jrp_shared.vocabulary import (
    CaseKind,
    CaseState,
    DisclosureClass,
    ListColour,
    ListEntryStatus,
    ObjectionOutcome,
    PartyKind,
    Remedy,
    RepairRoute,
    SubjectType,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
TAX_RULES = RepairRules(
    repairable=True,
    earliest_after_months=12,
    evidence_required=["完税凭证", "信用承诺书"],
    public_interest_service_route=True,
)
EVIDENCE = (Evidence("完税凭证", "a"), Evidence("信用承诺书", "b"))
CALENDAR = WorkingDayCalendar()


def entry(**changes: Any) -> EntryCopy:
    fields: dict[str, Any] = {
        "entry_id": "entry-1",
        "version": 1,
        "subject_code": ENTERPRISE,
        "subject_type": SubjectType.LEGAL_PERSON,
        "subject_name": "福州示例科技",
        "linked_person_codes": (LEGAL_REPRESENTATIVE,),
        "list_type": "black.tax.major-violation",
        "list_type_version": 1,
        "colour": ListColour.BLACK,
        "initiating_department": "tax",
        "period_start": date(2025, 8, 31),
        "period_end": date(2028, 8, 30),
        "status": ListEntryStatus.IN_FORCE,
        "updated_at": NOW,
    }
    fields.update(changes)
    return EntryCopy(**fields)


def objection(on: EntryCopy | None = None) -> Case:
    return cases.open_case(
        case_id="case-1",
        kind=CaseKind.OBJECTION,
        entry=on or entry(),
        filed_by=CaseParty(kind=PartyKind.SUBJECT, code=ENTERPRISE, agent="credit-office"),
        grounds="已缴清",
        evidence_references=(),
        suspends=True,
        now=NOW,
        due=Deadline(date(2026, 12, 18), False),
        working_days=20,
    )


# --- the entry copy -------------------------------------------------------------------------


def test_versions_move_forward_and_final_states_stay() -> None:
    Status = ListEntryStatus
    assert entries.takes(None, 1, Status.IN_FORCE)
    assert not entries.takes(None, 1, Status.REVOKED)
    in_force = entry()
    assert not entries.takes(in_force, 1, Status.IN_FORCE)
    assert entries.takes(in_force, 1, Status.SUSPENDED)
    suspended = replace(in_force, status=Status.SUSPENDED)
    assert not entries.takes(suspended, 1, Status.IN_FORCE)
    assert not entries.takes(suspended, 1, Status.SUSPENDED)
    assert entries.takes(suspended, 2, Status.IN_FORCE)
    assert entries.takes(suspended, 1, Status.REVOKED)
    for final in (Status.REVOKED, Status.REPAIRED):
        done = replace(in_force, status=final)
        assert not entries.takes(done, 2, Status.IN_FORCE)
        assert not entries.takes(done, 1, Status.SUSPENDED)


def test_an_entry_expires_after_its_last_day_unless_suspended() -> None:
    e = entry(period_end=TODAY)
    assert e.in_force_on(TODAY)
    assert e.status_on(date(2026, 11, 21)) is ListEntryStatus.EXPIRED
    assert replace(e, status=ListEntryStatus.SUSPENDED).in_force_on(date(2027, 1, 1))


# --- visibility -----------------------------------------------------------------------------


def subject(code: str) -> Viewer:
    return Viewer(department="", subject_code=code, agent="credit-office")


OFFICE = Viewer(department="credit-office", administrator=True)
TAX = Viewer(department="tax")
FINANCE = Viewer(department="finance", implementer=True)
MARKET = Viewer(department="market")


def test_a_subject_reaches_its_own_and_its_linked_persons_entries_only() -> None:
    e = entry()
    assert visibility.may_see_entry(subject(ENTERPRISE), e)
    assert visibility.may_see_entry(subject(LEGAL_REPRESENTATIVE), e)
    assert not visibility.may_see_entry(subject(OTHER_ENTERPRISE), e)
    with pytest.raises(NotFound):
        visibility.require_entry(subject(OTHER_ENTERPRISE), e, "entry-1")
    with pytest.raises(NotFound):
        visibility.require_entry(subject(ENTERPRISE), None, "entry-1")


def test_departments_see_the_cases_they_are_party_to() -> None:
    by_subject = Parties(entry(), PartyKind.SUBJECT, ENTERPRISE)
    by_finance = Parties(entry(), PartyKind.DEPARTMENT, "finance")
    assert visibility.may_see(OFFICE, by_subject)
    assert visibility.may_see(TAX, by_subject)
    assert not visibility.may_see(FINANCE, by_subject)
    assert visibility.may_see(FINANCE, by_finance)
    assert not visibility.may_see(MARKET, by_finance)
    assert not visibility.may_see(subject(PERSON), by_finance)


def test_who_may_decide() -> None:
    parties = Parties(entry(), PartyKind.SUBJECT, ENTERPRISE)
    visibility.require_provider(TAX, parties, "objection")
    for viewer in (OFFICE, subject(ENTERPRISE)):
        with pytest.raises(Forbidden):
            visibility.require_provider(viewer, parties, "objection")
    with pytest.raises(NotFound):
        visibility.require_provider(MARKET, parties, "objection")
    visibility.require_office(OFFICE, parties, "complaint")
    with pytest.raises(Forbidden):
        visibility.require_office(TAX, parties, "complaint")
    with pytest.raises(Forbidden):
        visibility.require_subject_of(TAX, entry(), "complaint")
    assert visibility.require_subject_of(subject(LEGAL_REPRESENTATIVE), entry(), "c") == (
        LEGAL_REPRESENTATIVE
    )


# --- cases ----------------------------------------------------------------------------------


def corrected(**changes: Any) -> CorrectedEntry:
    fields: dict[str, Any] = {
        "subject": SubjectReference(
            code=ENTERPRISE, subject_type=SubjectType.LEGAL_PERSON, name="福州示例科技"
        ),
        "list_type": "black.tax.major-violation",
        "grounds": "逃避追缴欠税",
        "legal_basis": "税收征收管理法",
        "decision_document": DecisionDocument(number="闽税〔2026〕1号", date=TODAY),
        "period": Period(start=TODAY, end=date(2028, 11, 19)),
        "disclosure_class": DisclosureClass.PUBLIC,
    }
    fields.update(changes)
    return CorrectedEntry(**fields)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (DecisionRequest(ObjectionOutcome.INFORMATION_RIGHT, "r", Remedy.REVOKE), "body.remedy"),
        (
            DecisionRequest(ObjectionOutcome.INFORMATION_RIGHT, "r", correction=corrected()),
            "body.correction",
        ),
        (DecisionRequest(ObjectionOutcome.INFORMATION_WRONG, "r"), "body.remedy"),
        (
            DecisionRequest(ObjectionOutcome.INFORMATION_WRONG, "r", Remedy.CORRECT),
            "body.correction",
        ),
        (
            DecisionRequest(ObjectionOutcome.INFORMATION_WRONG, "r", Remedy.REVOKE, corrected()),
            "body.correction",
        ),
        (
            DecisionRequest(
                ObjectionOutcome.INFORMATION_WRONG,
                "r",
                Remedy.CORRECT,
                corrected(list_type="black.market.serious-illegal-dishonest"),
            ),
            "body.correction.list_type",
        ),
    ],
)
def test_decisions_that_do_not_fit_the_outcome(request_: DecisionRequest, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        cases.decide(objection(), request_, entry(), by="tax", now=NOW)
    assert refused.value.problems[0].field == field


def test_wrong_information_records_the_restoration_duty_once() -> None:
    case = objection()
    request = DecisionRequest(
        ObjectionOutcome.INFORMATION_WRONG, "错误", Remedy.CORRECT, corrected()
    )
    cases.decide(case, request, entry(), by="tax", now=NOW)
    assert case.state is CaseState.DECIDED
    assert case.restoration is not None and case.restoration.department == "tax"
    assert [a.action for a in case.history] == ["filed", "decided"]
    with pytest.raises(Conflict):
        cases.decide(case, request, entry(), by="tax", now=NOW)


def test_one_open_case_per_entry_and_the_complaint_window() -> None:
    with pytest.raises(Conflict) as open_case:
        cases.require_no_open_case((CaseKind.COMPLAINT, "c-9"), "entry-1")
    assert open_case.value.problems[0].context["case_id"] == "c-9"
    with pytest.raises(Conflict):
        cases.decided_on(objection())
    cases.require_within_window(date(2026, 12, 1), date(2026, 12, 1))
    with pytest.raises(Conflict) as closed:
        cases.require_within_window(date(2026, 12, 1), date(2026, 12, 2))
    assert closed.value.problems[0].context["closes_on"] == "2026-12-01"


def test_an_open_case_is_overdue_after_its_due_date() -> None:
    case = objection()
    assert not case.overdue(date(2026, 12, 18))
    assert case.overdue(date(2026, 12, 19))


def test_an_expert_draw_is_reproducible_and_only_while_open() -> None:
    complaint = objection()
    draw = hearings.draw_for(complaint, pool=["a", "b", "c", "d"], count=2, seed=7, by="o", now=NOW)
    again = hearings.draw_for(
        complaint, pool=["d", "c", "b", "a"], count=2, seed=7, by="o", now=NOW
    )
    assert draw.experts == again.experts
    complaint.state = CaseState.DECIDED
    with pytest.raises(Conflict):
        hearings.draw_for(complaint, pool=["a"], count=1, seed=1, by="o", now=NOW)


# --- repair ---------------------------------------------------------------------------------


def eligible(e: EntryCopy, rules: RepairRules = TAX_RULES, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "applicant": ENTERPRISE,
        "route": RepairRoute.CORRECTION,
        "evidence": EVIDENCE,
        "today": TODAY,
    }
    fields.update(changes)
    repairs.check_eligible(e, rules, **fields)


def reason_of(error: pytest.ExceptionInfo[Conflict] | pytest.ExceptionInfo[InvalidInput]) -> str:
    return error.value.problems[0].reason


def test_repair_after_the_minimum_period_with_the_evidence() -> None:
    # 2025-08-31 + 12 months = 2026-08-31, before today.
    eligible(entry())


def test_repair_too_early_gives_the_earliest_date() -> None:
    e = entry(period_start=date(2026, 2, 28))
    with pytest.raises(Conflict) as early:
        eligible(e, today=date(2027, 2, 27))
    assert reason_of(early) == "too_early"
    assert early.value.problems[0].context["earliest"] == "2027-02-28"
    eligible(e, today=date(2027, 2, 28))


def test_repair_not_repairable_or_not_black() -> None:
    with pytest.raises(Conflict) as not_repairable:
        eligible(entry(), RepairRules(repairable=False))
    assert reason_of(not_repairable) == "not_repairable"
    with pytest.raises(Conflict) as red:
        eligible(entry(colour=ListColour.RED))
    assert reason_of(red) == "not_a_black_list"
    with pytest.raises(Conflict) as revoked:
        eligible(entry(status=ListEntryStatus.REVOKED))
    assert reason_of(revoked) == "not_in_force"


def test_repair_lists_the_missing_evidence() -> None:
    with pytest.raises(InvalidInput) as missing:
        eligible(entry(), evidence=(Evidence("信用承诺书", "b"),))
    assert reason_of(missing) == "missing_evidence"
    assert missing.value.problems[0].context["missing"] == ["完税凭证"]


def test_public_interest_service_is_for_individuals_where_allowed() -> None:
    route = RepairRoute.PUBLIC_INTEREST_SERVICE
    with pytest.raises(InvalidInput) as company:
        eligible(entry(), route=route)
    assert reason_of(company) == "individuals_only"
    eligible(entry(), route=route, applicant=LEGAL_REPRESENTATIVE)
    person = entry(
        subject_code=PERSON, subject_type=SubjectType.NATURAL_PERSON, linked_person_codes=()
    )
    eligible(person, route=route, applicant=PERSON)
    closed = TAX_RULES.model_copy(update={"public_interest_service_route": False})
    with pytest.raises(InvalidInput) as not_allowed:
        eligible(person, closed, route=route, applicant=PERSON)
    assert reason_of(not_allowed) == "route_not_allowed"


def test_a_refusal_needs_reasons_and_a_repair_is_decided_once() -> None:
    e = entry()
    repair = repairs.apply(
        repair_id="r-1",
        entry=e,
        applicant=ENTERPRISE,
        agent="credit-office",
        route=RepairRoute.CORRECTION,
        evidence=EVIDENCE,
        commitment=repairs.CreditCommitment("承诺", TODAY),
        now=NOW,
        today=TODAY,
        rules=TAX_RULES,
        calendar=CALENDAR,
    )
    repairs.forward(repair, by="credit-office", now=NOW, today=TODAY, calendar=CALENDAR)
    decide = partial(repairs.decide, repair, e, by="tax", now=NOW, today=TODAY, calendar=CALENDAR)
    with pytest.raises(InvalidInput):
        decide(approved=False, reasons=" ")
    decide(approved=True, reasons="")
    with pytest.raises(Conflict):
        decide(approved=False, reasons="x")


def test_only_an_implementer_holding_an_order_from_the_entry_may_object() -> None:
    """DOMAIN.md §7: the subject, its linked persons, a department applying the entry."""
    e = entry()
    visibility.require_may_object(FINANCE, e, holds_order=True)
    visibility.require_may_object(subject(ENTERPRISE), e, holds_order=False)
    with pytest.raises(Forbidden, match="holds no order"):
        visibility.require_may_object(FINANCE, e, holds_order=False)
    with pytest.raises(Forbidden):
        visibility.require_may_object(MARKET, e, holds_order=True)
