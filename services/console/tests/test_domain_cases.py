"""Which cases wait for an officer and what the decision forms send (jrp_console.domain.cases;
docs/due-process.md, DOMAIN.md §5, §7, §8)."""

from __future__ import annotations

from datetime import UTC, datetime

from jrp_console.domain import cases

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_inboxes_follow_the_roles() -> None:
    assert cases.inboxes_for(["initiator"]) == ["objections", "repairs", "recognition"]
    assert cases.inboxes_for(["implementer"]) == ["orders"]
    assert cases.inboxes_for(["administrator"]) == ["complaints"]
    assert cases.inboxes_for(["portal"]) == []


def test_the_provider_decides_an_open_objection() -> None:
    case = {"state": "open", "provider": "tax"}
    assert cases.objection_to_decide(case, "tax")
    assert not cases.objection_to_decide(case, "finance")
    assert not cases.objection_to_decide({**case, "state": "decided"}, "tax")


def test_a_repair_waits_for_its_authority_once_forwarded() -> None:
    repair = {"state": "pending", "stage": "decision", "department": "tax"}
    assert cases.repair_to_decide(repair, "tax")
    assert not cases.repair_to_decide({**repair, "stage": "forward"}, "tax")
    assert not cases.repair_to_decide(repair, "market")
    assert not cases.repair_to_decide({**repair, "state": "approved"}, "tax")


def test_an_order_owes_receipt_then_feedback() -> None:
    order = {
        "state": "issued",
        "receipt_due": "2026-12-01",
        "feedback_due": "2026-12-20",
        "receipt_overdue": True,
        "feedback_overdue": False,
    }
    assert cases.order_step(order) == "receipt"
    assert cases.order_due(order) == "2026-12-01" and cases.order_overdue(order)
    received = {**order, "state": "received"}
    assert cases.order_step(received) == "feedback"
    assert cases.order_due(received) == "2026-12-20" and not cases.order_overdue(received)
    for done in ("fed_back", "suspended", "lifted"):
        assert cases.order_step({**order, "state": done}) is None
        assert cases.order_due({**order, "state": done}) is None


def test_a_convened_department_votes_once_per_version() -> None:
    entry = {"status": "awaiting_recognition", "recognition": {"pending": ["tax", "customs"]}}
    assert cases.awaits_vote(entry, "tax")
    assert not cases.awaits_vote(entry, "finance")
    assert not cases.awaits_vote({**entry, "status": "in_force"}, "tax")
    assert not cases.awaits_vote({"status": "awaiting_recognition", "recognition": None}, "tax")


def test_decision_bodies() -> None:
    assert cases.objection_decision(
        {"outcome": "information_right", "reasons": " 核查属实 ", "remedy": ""}
    ) == {"outcome": "information_right", "reasons": "核查属实"}
    assert cases.objection_decision(
        {"outcome": "information_wrong", "reasons": "错", "remedy": "revoke"}
    )["remedy"] == "revoke"
    assert cases.repair_decision({"outcome": "approve", "reasons": ""}) == {
        "approved": True,
        "reasons": "",
    }
    assert cases.repair_decision({"outcome": "refuse", "reasons": "材料不全"})["approved"] is False
    assert cases.recognition_vote({"outcome": "reject", "reasons": ""}) == {"vote": "reject"}


def test_feedback_per_measure() -> None:
    form = {
        "outcome-M1": "applied",
        "reference-M1": "闽财-9",
        "outcome-M2": "failed",
        "reason-M2": "",
        "outcome-M3": "",
    }
    sent, problems = cases.measure_feedback(form, ["M1", "M2", "M3"], NOW)
    assert sent == [
        {
            "measure": "M1",
            "outcome": "applied",
            "executed_at": NOW.isoformat(),
            "business_reference": "闽财-9",
        }
    ]
    assert problems == [cases.FeedbackProblem("M2", "reason_required")]
    sent, problems = cases.measure_feedback({"outcome-M1": "done"}, ["M1"], NOW)
    assert sent == [] and problems == [cases.FeedbackProblem("M1", "unknown_outcome")]
    sent, problems = cases.measure_feedback({}, ["M1"], NOW)
    assert sent == [] and problems == [cases.FeedbackProblem("", "no_measure")]
