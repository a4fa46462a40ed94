"""Which cases wait for an officer, and what a decision form sends (plain rules, no I/O).

Who decides what (docs/due-process.md; services/appeals/README.md, services/enforcement/README.md,
services/trigger/README.md):

* an objection: the information provider, the entry's initiating department (DOMAIN.md §7);
* a complaint: the joint conference office (an `administrator`, DOMAIN.md §7);
* a credit repair: the deciding authority (`repair.department`), once the credit portal has
  forwarded it (stage `decision`, DOMAIN.md §8, §11);
* a sanction order: its implementing department (role `implementer`) acknowledges receipt, then
  reports feedback per measure (DOMAIN.md §5 steps 3-5);
* a recognition meeting: each convened department votes on the current version (DOMAIN.md §5
  step 2, 002 二(二)2), its pending departments named by trigger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

INBOXES: tuple[str, ...] = ("objections", "complaints", "repairs", "orders", "recognition")

# The roles whose officers work each inbox (the service still decides; this only chooses
# which lists and forms an officer is shown): `reviewer` decides objections and repairs
# (docs/security.md "Officers"), the office (`administrator`) complaints, `implementer` handles
# orders, a convened department's initiators or reviewers vote.
_ROLES: dict[str, frozenset[str]] = {
    "objections": frozenset({"reviewer"}),
    "complaints": frozenset({"administrator"}),
    "repairs": frozenset({"reviewer"}),
    "orders": frozenset({"implementer"}),
    "recognition": frozenset({"initiator", "reviewer"}),
}

OBJECTION_OUTCOMES: tuple[str, ...] = ("information_right", "information_wrong")
REMEDIES: tuple[str, ...] = ("revoke",)
REPAIR_OUTCOMES: tuple[str, ...] = ("approve", "refuse")
VOTES: tuple[str, ...] = ("approve", "reject")
FEEDBACK_OUTCOMES: tuple[str, ...] = ("applied", "not_applicable", "failed")


def inboxes_for(roles: Iterable[str]) -> list[str]:
    """The inboxes an officer with these roles works, in the console's order."""
    held = set(roles)
    return [name for name in INBOXES if held & _ROLES[name]]


def works(roles: Iterable[str], inbox: str) -> bool:
    """Whether an officer with these roles works this inbox (and sees its forms)."""
    return bool(set(roles) & _ROLES[inbox])


def objection_to_decide(case: Mapping[str, Any], department: str) -> bool:
    """Open, and the officer's department provided the information (DOMAIN.md §7)."""
    return case.get("state") == "open" and case.get("provider") == department


def complaint_to_decide(case: Mapping[str, Any]) -> bool:
    """Open complaints: the office decides every one (DOMAIN.md §7)."""
    return case.get("state") == "open"


def repair_to_decide(repair: Mapping[str, Any], department: str) -> bool:
    """Pending, forwarded by the portal (stage `decision`), and this department decides it."""
    return (
        repair.get("state") == "pending"
        and repair.get("stage") == "decision"
        and repair.get("department") == department
    )


def order_step(order: Mapping[str, Any]) -> str | None:
    """What the implementing department owes next: `receipt`, `feedback`, or None."""
    state = order.get("state")
    if state == "issued":
        return "receipt"
    if state == "received":
        return "feedback"
    return None


def order_due(order: Mapping[str, Any]) -> Any:
    """The due day of the step owed (receipt or feedback), None when nothing is owed."""
    step = order_step(order)
    if step is None:
        return None
    return order.get("receipt_due") if step == "receipt" else order.get("feedback_due")


def order_overdue(order: Mapping[str, Any]) -> bool:
    step = order_step(order)
    if step == "receipt":
        return bool(order.get("receipt_overdue"))
    if step == "feedback":
        return bool(order.get("feedback_overdue"))
    return False


def awaits_vote(entry: Mapping[str, Any], department: str) -> bool:
    """Awaiting recognition, and this department has not voted on the current version."""
    recognition = entry.get("recognition") or {}
    return entry.get("status") == "awaiting_recognition" and department in (
        recognition.get("pending") or []
    )


def objection_decision(form: Mapping[str, Any]) -> dict[str, Any]:
    """The body of `POST /v1/objections/{id}/decision` (and a complaint's) from the form; the
    service judges whether the remedy fits the outcome (422 otherwise)."""
    body: dict[str, Any] = {
        "outcome": str(form.get("outcome") or ""),
        "reasons": str(form.get("reasons") or "").strip(),
    }
    remedy = str(form.get("remedy") or "")
    if remedy:
        body["remedy"] = remedy
    return body


def repair_decision(form: Mapping[str, Any]) -> dict[str, Any]:
    """`{approved, reasons}`: reasons are required by appeals when refused (DOMAIN.md §8)."""
    return {
        "approved": form.get("outcome") == "approve",
        "reasons": str(form.get("reasons") or "").strip(),
    }


def recognition_vote(form: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"vote": str(form.get("outcome") or "")}
    comment = str(form.get("reasons") or "").strip()
    if comment:
        body["comment"] = comment
    return body


@dataclass(frozen=True)
class FeedbackProblem:
    measure: str
    reason: str


def measure_feedback(
    form: Mapping[str, Any], measures: Iterable[str], now: datetime
) -> tuple[list[dict[str, Any]], list[FeedbackProblem]]:
    """Per-measure feedback from fields `outcome-<code>`, `reason-<code>`,
    `reference-<code>` (000 (十九)): measures left without an outcome are not reported; a
    failed measure needs its reason. `executed_at` is now (the moment the officer reports)."""
    sent: list[dict[str, Any]] = []
    problems: list[FeedbackProblem] = []
    for code in measures:
        outcome = str(form.get(f"outcome-{code}") or "")
        if not outcome:
            continue
        if outcome not in FEEDBACK_OUTCOMES:
            problems.append(FeedbackProblem(code, "unknown_outcome"))
            continue
        reason = str(form.get(f"reason-{code}") or "").strip()
        if outcome == "failed" and not reason:
            problems.append(FeedbackProblem(code, "reason_required"))
            continue
        item: dict[str, Any] = {
            "measure": code,
            "outcome": outcome,
            "executed_at": now.isoformat(),
        }
        if reason:
            item["reason"] = reason
        reference = str(form.get(f"reference-{code}") or "").strip()
        if reference:
            item["business_reference"] = reference
        sent.append(item)
    if not sent and not problems:
        problems.append(FeedbackProblem("", "no_measure"))
    return sent, problems
