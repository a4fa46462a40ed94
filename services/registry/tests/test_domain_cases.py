"""The case timeline's rules, without I/O."""

from jrp_registry.domain import cases
from jrp_registry.domain.cases import CaseKind, CaseState
from jrp_registry.service_layer.cases import decision_of, filing_of
from jrp_registry.testing import (
    DECIDED_AT,
    FILED_AT,
    complaint_decided,
    complaint_filed,
    objection_decided,
    objection_filed,
    repair_applied,
    repair_decided,
)

USCC = "91350100M000100Y43"


def test_an_objection_opens_then_is_decided() -> None:
    opened = cases.filed(None, filing_of(objection_filed(USCC)))
    assert (opened.kind, opened.state, opened.opened_at) == (
        CaseKind.OBJECTION,
        CaseState.OPEN,
        FILED_AT,
    )
    done = cases.decided(opened, decision_of(objection_decided(USCC)))
    assert (done.state, done.outcome, done.remedy) == (
        CaseState.DECIDED,
        "information_wrong",
        "revoke",
    )
    assert done.opened_at == FILED_AT
    assert done.decided_at == done.updated_at == DECIDED_AT
    assert done.last_event_type == "cn.jrp.appeals.objection.decided.v1"


def test_a_filing_seen_after_its_decision_never_reopens_the_case() -> None:
    done = cases.decided(None, decision_of(objection_decided(USCC)))
    assert done.state is CaseState.DECIDED and done.decision_due is None
    late = cases.filed(done, filing_of(objection_filed(USCC)))
    assert late.state is CaseState.DECIDED
    assert late.opened_at == FILED_AT  # the filing date is the earlier one
    assert late.decision_due is not None
    assert late.last_event_type == done.last_event_type


def test_a_complaint_links_its_objection() -> None:
    opened = cases.filed(None, filing_of(complaint_filed(USCC)))
    assert (opened.kind, opened.objection_id) == (CaseKind.COMPLAINT, "obj-1")
    done = cases.decided(opened, decision_of(complaint_decided(USCC)))
    assert (done.state, done.outcome, done.remedy) == (CaseState.DECIDED, "information_right", None)


def test_a_repair_is_approved_or_refused() -> None:
    opened = cases.filed(None, filing_of(repair_applied(USCC)))
    assert (opened.kind, opened.case_id, opened.entry_id) == (CaseKind.REPAIR, "rep-1", "entry-2")
    approved = cases.decided(opened, decision_of(repair_decided(USCC, approved=True)))
    refused = cases.decided(opened, decision_of(repair_decided(USCC, approved=False)))
    assert (approved.state, refused.state) == (CaseState.APPROVED, CaseState.REFUSED)
    assert approved.outcome is None
