"""Credit repair: an early exit for a subject that corrected its behaviour (DOMAIN.md §8, §11;
000 (二十三), 004 三(四); 国办发〔2025〕22号; NDRC Order No. 36, in force 2026-04-01).

The list type's repair rules in the catalog decide what may be asked: only black lists are
repaired, and only where `repairable`; not before the tier's minimum disclosure period
(`min_disclosure_months` from the period's start); with every kind of evidence the rules
require; through public-interest service only for individuals and where the list type allows
it (000 (二十三)). The rules' `decided_by` decides (the initiating department unless a
department is named) and grants or refuses, with reasons when it refuses.

Three stages, each with its own deadline in working days on the calendar (DOMAIN.md §10, §11):

1. `forward` — the credit portal receives the application and forwards it to the deciding
   authority within `portal_forward_working_days` (10) of receiving it;
2. `decision` — the authority decides within `authority_decision_working_days` (3) of the
   forwarding;
3. `push` — the result is pushed to the other platforms within `result_push_working_days` (3)
   of the decision. There is no upper-level platform yet (issue 15): the push is the
   `RepairDecided` event (and trigger's `ListEntryRepaired` that follows a grant) stored in the
   outbox in the decision's transaction, so the push is marked done at that commit.

Until the portal forwards, `decision_due` is the latest the decision can be due (the forwarding
deadline plus the authority's days); forwarding sets it from the forwarding date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from jrp_appeals.domain.cases import Action
from jrp_appeals.domain.deadlines import WorkingDays, add_months, due_after
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.visibility import Parties
from jrp_shared.clock import china_date
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import RepairRules
from jrp_shared.vocabulary import (
    DishonestySeverity,
    ListColour,
    PartyKind,
    RepairRoute,
    RepairState,
)

INITIATING_DEPARTMENT = "initiating_department"
"""`RepairRules.decided_by` naming the department that listed (000 (二十三))."""

CONDITIONS = (
    "失信行为已纠正",
    "已履行法定义务（行政处罚决定等）",
    "已作出公开信用承诺",
)
"""What repair requires besides the minimum period (DOMAIN.md §11, 国办发〔2025〕22号): the conduct
corrected, the obligations met, a public credit commitment."""


class RepairStage(StrEnum):
    """Where a repair stands (DOMAIN.md §11): waiting for the portal to forward it, for the
    authority's decision, for the result's push, or done."""

    FORWARD = "forward"
    DECISION = "decision"
    PUSH = "push"
    DONE = "done"


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
    decided_by_officer: str | None = None
    """The officer of `decided_by` who decided, if it signed in as one."""


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
    tier: DishonestySeverity | None
    forward_due: date
    forward_due_provisional: bool
    forward_working_days: int
    decision_due: date
    due_provisional: bool
    working_days: int
    """The authority's working days from forwarding to decision."""
    push_working_days: int
    forwarded_at: datetime | None = None
    forwarded_by: str | None = None
    push_due: date | None = None
    push_due_provisional: bool = False
    pushed_at: datetime | None = None
    state: RepairState = RepairState.PENDING
    decision: RepairDecision | None = None
    history: list[Action] = field(default_factory=list)

    @property
    def stage(self) -> RepairStage:
        if self.state is RepairState.PENDING:
            return RepairStage.FORWARD if self.forwarded_at is None else RepairStage.DECISION
        return RepairStage.PUSH if self.pushed_at is None else RepairStage.DONE

    def stage_due(self) -> date | None:
        """The due date of the stage the repair stands at (none when done)."""
        return {
            RepairStage.FORWARD: self.forward_due,
            RepairStage.DECISION: self.decision_due,
            RepairStage.PUSH: self.push_due,
            RepairStage.DONE: None,
        }[self.stage]

    def overdue_stage(self, today: date) -> RepairStage | None:
        """The stage that is late today (its due date itself is still in time)."""
        due = self.stage_due()
        return self.stage if due is not None and today > due else None

    def overdue(self, today: date) -> bool:
        return self.overdue_stage(today) is not None

    def parties(self, entry: EntryCopy) -> Parties:
        return Parties(entry, PartyKind.SUBJECT, self.applicant)


@dataclass(frozen=True)
class OverdueGroup:
    """Late repairs of one stage at one deciding department (the oldest due first)."""

    stage: RepairStage
    department: str
    count: int
    oldest_due: date
    repair_ids: tuple[str, ...]


def _refused(reason: str, message: str, **context: object) -> Conflict:
    return Conflict(message, problems=[FieldProblem("body.entry_id", reason, message, context)])


def earliest_repair(entry: EntryCopy, rules: RepairRules) -> date:
    """The first day repair may be asked: the period's start plus the tier's minimum
    disclosure period in calendar months (the start itself when the rules set none)."""
    return add_months(entry.period_start, rules.min_disclosure_months or 0)


def publication_ends_by(entry: EntryCopy, rules: RepairRules) -> date:
    """The last day the entry is published at the latest: the period's last day, or the day
    before the tier's maximum from the start, whichever comes first (publication stops by
    itself at the maximum, DOMAIN.md §11)."""
    if rules.max_disclosure_months is None:
        return entry.period_end
    cap = add_months(entry.period_start, rules.max_disclosure_months) - timedelta(days=1)
    return min(entry.period_end, cap)


def deciding_department(entry: EntryCopy, rules: RepairRules) -> str:
    """Who decides a repair (DOMAIN.md §11: the sector authority; 000 (二十三): the department
    that listed unless the catalog names another)."""
    if rules.decided_by == INITIATING_DEPARTMENT:
        return entry.initiating_department
    return rules.decided_by


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
    if entry.colour is ListColour.WATCH:
        # A watch list (重点关注名单, DOMAIN.md §11) has no repair: the entry leaves when its
        # period ends (at most 2 years) or when the department revokes it.
        raise _refused(
            "not_a_black_list",
            "only black-list entries are repaired; a watch-list entry leaves when its period "
            "ends, or ask the initiating department to revoke a wrong one (an objection)",
        )
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
    rules: RepairRules,
    applicant: str,
    agent: str | None,
    route: RepairRoute,
    evidence: tuple[Evidence, ...],
    commitment: CreditCommitment,
    now: datetime,
    today: date,
    calendar: WorkingDays,
) -> Repair:
    """Received by the credit portal today: it forwards within the rules' working days; the
    decision is due at the latest the authority's days after that (DOMAIN.md §11)."""
    forward = due_after(calendar, today, rules.portal_forward_working_days)
    latest = due_after(calendar, forward.due, rules.authority_decision_working_days)
    repair = Repair(
        repair_id=repair_id,
        entry_id=entry.entry_id,
        subject_code=entry.subject_code,
        applicant=applicant,
        agent=agent,
        department=deciding_department(entry, rules),
        route=route,
        evidence=evidence,
        commitment=commitment,
        applied_at=now,
        tier=rules.tier,
        forward_due=forward.due,
        forward_due_provisional=forward.provisional,
        forward_working_days=rules.portal_forward_working_days,
        decision_due=latest.due,
        due_provisional=forward.provisional or latest.provisional,
        working_days=rules.authority_decision_working_days,
        push_working_days=rules.result_push_working_days,
    )
    repair.history.append(Action(now, f"subject:{applicant}", "applied", {"route": str(route)}))
    return repair


def forward(repair: Repair, *, by: str, now: datetime, today: date, calendar: WorkingDays) -> None:
    """Stage 1 done: the portal forwarded the application to the deciding authority, which
    decides within its working days from today (DOMAIN.md §11)."""
    if repair.state is not RepairState.PENDING:
        raise Conflict(f"repair {repair.repair_id} is already decided ({repair.state})")
    if repair.forwarded_at is not None:
        raise Conflict(
            f"repair {repair.repair_id} was forwarded already",
            problems=[
                FieldProblem(
                    "path.repair_id",
                    "already_forwarded",
                    "the portal forwards an application once",
                    {"forwarded_at": repair.forwarded_at.isoformat()},
                )
            ],
        )
    due = due_after(calendar, today, repair.working_days)
    repair.forwarded_at, repair.forwarded_by = now, by
    repair.decision_due, repair.due_provisional = due.due, due.provisional
    late = today > repair.forward_due
    repair.history.append(
        Action(now, by, "forwarded", {"decision_due": due.due.isoformat(), "late": late})
    )


def recompute_dues(repair: Repair, calendar: WorkingDays) -> date:
    """The pending repair's due dates on a calendar that now knows the year (DOMAIN.md §10);
    returns the decision due date it replaces."""
    before = repair.decision_due
    if repair.forwarded_at is None:
        forwarded = due_after(calendar, china_date(repair.applied_at), repair.forward_working_days)
        repair.forward_due, repair.forward_due_provisional = forwarded.due, forwarded.provisional
        start = forwarded.due
    else:
        start = china_date(repair.forwarded_at)
    due = due_after(calendar, start, repair.working_days)
    repair.decision_due = due.due
    repair.due_provisional = due.provisional or (
        repair.forwarded_at is None and repair.forward_due_provisional
    )
    return before


def decide(
    repair: Repair,
    entry: EntryCopy,
    *,
    approved: bool,
    reasons: str,
    by: str,
    now: datetime,
    today: date,
    calendar: WorkingDays,
    officer: str | None = None,
) -> RepairDecision:
    """Stage 2: grant (the entry ends early, no measure may apply any more) or refuse with
    reasons; stage 3's deadline starts (the result pushed to the other platforms)."""
    if repair.state is not RepairState.PENDING:
        raise Conflict(f"repair {repair.repair_id} is already decided ({repair.state})")
    if repair.forwarded_at is None:
        raise Conflict(
            f"repair {repair.repair_id} has not been forwarded by the credit portal yet",
            problems=[
                FieldProblem(
                    "path.repair_id",
                    "not_forwarded",
                    "the credit portal forwards the application first: "
                    f"POST /v1/repairs/{repair.repair_id}/forwarding",
                    {"forward_due": repair.forward_due.isoformat()},
                )
            ],
        )
    if not approved and not reasons.strip():
        raise InvalidInput.for_field("body.reasons", "missing", "a refusal must give its reasons")
    if approved and not entry.in_force_on(today):
        raise Conflict(
            f"entry {entry.entry_id} is {entry.status_on(today)}: nothing left to repair"
        )
    decision = RepairDecision(approved, reasons.strip(), by, now, officer)
    repair.decision = decision
    repair.state = RepairState.APPROVED if approved else RepairState.REFUSED
    push = due_after(calendar, today, repair.push_working_days)
    repair.push_due, repair.push_due_provisional = push.due, push.provisional
    detail: dict[str, object] = {"approved": approved}
    if officer is not None:
        detail["officer"] = officer
    repair.history.append(Action(now, by, "decided", detail))
    return decision


def pushed(repair: Repair, at: datetime) -> None:
    """Stage 3 done: the result left for the other platforms. Today that is the decision's
    commit, whose outbox carries `RepairDecided` (issue 15 will add the upper-level platform)."""
    if repair.pushed_at is None:
        repair.pushed_at = at
        repair.history.append(Action(at, "appeals", "pushed", {"via": "outbox"}))


# --- the repair guidance (两书同达, DOMAIN.md §11) ---------------------------------------------


@dataclass(frozen=True)
class RepairGuidance:
    """What the subject is told when the entry is made: its tier, the first day repair may be
    asked, the last day it is published at the latest, the conditions, the evidence, where to
    apply and who decides, and each stage's working days (国办发〔2025〕22号, DOMAIN.md §11)."""

    tier: DishonestySeverity | None
    repair_from: date
    published_until: date
    conditions: tuple[str, ...]
    evidence_required: tuple[str, ...]
    apply_to: str
    decided_by: str
    portal_forward_working_days: int
    authority_decision_working_days: int
    result_push_working_days: int


APPLY_TO = "信用中国网站（信用修复申请，POST /v1/repairs）"
"""Where a subject applies: the credit portal, which forwards to the deciding authority."""


def guidance(entry: EntryCopy, rules: RepairRules) -> RepairGuidance | None:
    """The entry's repair guidance, none when the entry cannot be repaired (red lists, list
    types without repair such as the court's list)."""
    if entry.colour is not ListColour.BLACK or not rules.repairable:
        return None
    return RepairGuidance(
        tier=rules.tier,
        repair_from=earliest_repair(entry, rules),
        published_until=publication_ends_by(entry, rules),
        conditions=CONDITIONS,
        evidence_required=tuple(rules.evidence_required),
        apply_to=APPLY_TO,
        decided_by=deciding_department(entry, rules),
        portal_forward_working_days=rules.portal_forward_working_days,
        authority_decision_working_days=rules.authority_decision_working_days,
        result_push_working_days=rules.result_push_working_days,
    )
