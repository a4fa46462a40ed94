"""Credit repair: an early exit for a subject that corrected its behaviour (DOMAIN.md §8, §11;
000 (二十三), 004 三(四)).

The list type's repair rules in the catalog decide what may be asked: only black lists are
repaired, and only where `repairable`; not before the minimum disclosure period
(`earliest_after_months` from the period's start, 国办发〔2025〕22号); with every kind of
evidence the rules require; through public-interest service only for individuals and where the
list type allows it (000 (二十三)). The department that decided (the initiating department)
reviews and grants or refuses, with reasons when it refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from jrp_appeals.domain.cases import Action
from jrp_appeals.domain.deadlines import add_months, is_overdue
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.visibility import Parties
from jrp_shared.calendar import Deadline
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import RepairRules
from jrp_shared.vocabulary import CaseState, ListColour, PartyKind, RepairRoute, RepairState


@dataclass(frozen=True)
class Evidence:
    kind: str
    reference: str


@dataclass(frozen=True)
class CreditCommitment:
    """The public credit commitment repair requires (DOMAIN.md §11)."""

    text: str
    signed_on: date


@dataclass(frozen=True)
class RepairDecision:
    approved: bool
    reasons: str
    decided_by: str
    decided_at: datetime


@dataclass
class Repair:
    repair_id: str
    entry_id: str
    subject_code: str
    applicant: str
    agent: str | None
    department: str
    route: RepairRoute
    evidence: tuple[Evidence, ...]
    commitment: CreditCommitment
    applied_at: datetime
    decision_due: date
    due_provisional: bool
    working_days: int
    state: RepairState = RepairState.PENDING
    decision: RepairDecision | None = None
    history: list[Action] = field(default_factory=list)

    def overdue(self, today: date) -> bool:
        case_state = CaseState.OPEN if self.state is RepairState.PENDING else CaseState.DECIDED
        return is_overdue(case_state, self.decision_due, today)

    def parties(self, entry: EntryCopy) -> Parties:
        return Parties(entry, PartyKind.SUBJECT, self.applicant)


def _refused(reason: str, message: str, **context: object) -> Conflict:
    return Conflict(message, problems=[FieldProblem("body.entry_id", reason, message, context)])


def earliest_repair(entry: EntryCopy, rules: RepairRules) -> date:
    """The first day repair may be asked: the period's start plus the minimum disclosure
    period in calendar months (the start itself when the rules set none)."""
    return add_months(entry.period_start, rules.earliest_after_months or 0)


def check_eligible(
    entry: EntryCopy,
    rules: RepairRules,
    *,
    applicant: str,
    route: RepairRoute,
    evidence: Sequence[Evidence],
    today: date,
) -> None:
    """Refuse, with what to do about it, an application the rules do not allow: 409 for what
    the subject cannot change now (list, rules, timing), 422 for what it can (route,
    evidence)."""
    if not entry.in_force_on(today):
        status = entry.status_on(today)
        raise _refused("not_in_force", f"entry {entry.entry_id} is {status}", status=status)
    if entry.colour is not ListColour.BLACK:
        raise _refused("not_a_black_list", "only black-list entries are repaired")
    if not rules.repairable:
        raise _refused("not_repairable", f"list type {entry.list_type} allows no credit repair")
    earliest = earliest_repair(entry, rules)
    if today < earliest:
        raise _refused(
            "too_early",
            f"repair may be asked from {earliest.isoformat()} (the minimum disclosure period)",
            earliest=earliest.isoformat(),
        )
    if route is RepairRoute.PUBLIC_INTEREST_SERVICE:
        if not rules.public_interest_service_route:
            raise InvalidInput.for_field(
                "body.route",
                "route_not_allowed",
                f"list type {entry.list_type} has no public-interest service route",
            )
        if not entry.is_natural_person(applicant):
            raise InvalidInput.for_field(
                "body.route",
                "individuals_only",
                "public-interest service is a route for individuals (000 (二十三))",
            )
    supplied = {e.kind for e in evidence}
    missing = [kind for kind in rules.evidence_required if kind not in supplied]
    if missing:
        raise InvalidInput.for_field(
            "body.evidence",
            "missing_evidence",
            f"evidence missing: {', '.join(missing)}",
            missing=missing,
        )


def require_no_pending(entry_id: str, pending_id: str | None) -> None:
    if pending_id is not None:
        raise _refused(
            "repair_pending",
            f"entry {entry_id} already has a pending repair {pending_id}",
            repair_id=pending_id,
        )


def apply(
    *,
    repair_id: str,
    entry: EntryCopy,
    applicant: str,
    agent: str | None,
    route: RepairRoute,
    evidence: tuple[Evidence, ...],
    commitment: CreditCommitment,
    now: datetime,
    due: Deadline,
    working_days: int,
) -> Repair:
    repair = Repair(
        repair_id=repair_id,
        entry_id=entry.entry_id,
        subject_code=entry.subject_code,
        applicant=applicant,
        agent=agent,
        department=entry.initiating_department,
        route=route,
        evidence=evidence,
        commitment=commitment,
        applied_at=now,
        decision_due=due.due,
        due_provisional=due.provisional,
        working_days=working_days,
    )
    repair.history.append(Action(now, f"subject:{applicant}", "applied", {"route": str(route)}))
    return repair


def decide(
    repair: Repair,
    entry: EntryCopy,
    *,
    approved: bool,
    reasons: str,
    by: str,
    now: datetime,
    today: date,
) -> RepairDecision:
    """Grant (the entry ends early, no measure may apply any more) or refuse with reasons."""
    if repair.state is not RepairState.PENDING:
        raise Conflict(f"repair {repair.repair_id} is already decided ({repair.state})")
    if not approved and not reasons.strip():
        raise InvalidInput.for_field("body.reasons", "missing", "a refusal must give its reasons")
    if approved and not entry.in_force_on(today):
        raise Conflict(
            f"entry {entry.entry_id} is {entry.status_on(today)}: nothing left to repair"
        )
    decision = RepairDecision(approved, reasons.strip(), by, now)
    repair.decision = decision
    repair.state = RepairState.APPROVED if approved else RepairState.REFUSED
    repair.history.append(Action(now, by, "decided", {"approved": approved}))
    return decision
