"""Which cases wait for an officer and what the decision forms send (jrp_console.domain.cases;
docs/due-process.md, DOMAIN.md §5, §7, §8)."""

from __future__ import annotations

from datetime import UTC, datetime

from jrp_console.domain import cases

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_inboxes_follow_the_roles() -> None:
    assert cases.inboxes_for(["reviewer"]) == ["objections", "repairs", "recognition"]
    assert cases.inboxes_for(["initiator"]) == ["recognition"]
    assert cases.works(["reviewer"], "objections") and not cases.works(["initiator"], "repairs")
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
    assert (
        cases.objection_decision(
            {"outcome": "information_wrong", "reasons": "错", "remedy": "revoke"}
        )["remedy"]
        == "revoke"
    )
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


def test_every_word_named_by_a_value_is_defined() -> None:
    """The templates name some words by a value (`named('cases.state.', state)`): each value the
    services or these rules give has its words in both languages."""
    from jrp_console import i18n
    from jrp_shared.vocabulary import (
        CaseState,
        FeedbackOutcome,
        ListEntryStatus,
        OrderState,
        RepairState,
        TargetRole,
    )

    kinds = ("objections", "complaints", "repairs", "recognition")
    keys = [f"cases.inbox.{name}" for name in cases.INBOXES]
    keys += [
        f"cases.{part}.{kind}"
        for part in ("title", "decide", "submit", "decided")
        for kind in kinds
    ]
    keys += ["cases.title.orders"]
    states = [*CaseState, *RepairState, *ListEntryStatus, *OrderState]
    keys += [f"cases.state.{s.value}" for s in states]
    outcomes = (*cases.OBJECTION_OUTCOMES, *cases.REPAIR_OUTCOMES, *cases.VOTES)
    keys += [f"cases.outcome.{o}" for o in outcomes]
    keys += [f"cases.feedback.{o.value}" for o in FeedbackOutcome]
    keys += [f"cases.feedback.{o}" for o in cases.FEEDBACK_OUTCOMES]
    keys += [f"cases.remedy.{r}" for r in cases.REMEDIES]
    keys += [f"cases.target_role.{r.value}" for r in TargetRole]
    keys += [f"cases.step.{s}" for s in ("decision", "receipt", "feedback", "vote")]
    keys += [f"cases.problem.{p}" for p in ("unknown_outcome", "reason_required", "no_measure")]
    missing = [key for key in keys if key not in i18n.MESSAGES]
    assert not missing
