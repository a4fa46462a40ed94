"""Objections and complaints: one state machine, open → decided (DOMAIN.md §7).

An objection goes to the information provider, which must verify and answer within 20 working
days (000 (二十四), 004 三(五)); a complaint about its answer goes to the joint conference
office (002 二(三)2), with the same outcomes. While either is open the entry's measures are
suspended where its list type says so (§7 and §11: not for the court's list). Information found
wrong is revoked or corrected, and the provider owes the subject the restoration of its
reputation; information found right stays, and the period resumes from the decision.

A list type with its own `objection_review` (the court's list, 法释〔2017〕7号 第十二条) replaces
the 20 working days by its own calendar-day review, tracks the correction after an upheld
request and opens an appeal to the higher court after a dismissed one (`domain/review.py`).

Every action is kept in the case's history (who, when, what): the record of due process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jrp_appeals.domain import review
from jrp_appeals.domain.deadlines import WorkingDays, is_overdue
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.review import Appeal, CorrectionDuty
from jrp_appeals.domain.visibility import Parties
from jrp_shared.calendar import Deadline
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import CaseParty, CorrectedEntry, ObjectionReview
from jrp_shared.vocabulary import (
    CaseKind,
    CaseState,
    ListEntryStatus,
    ObjectionOutcome,
    PartyKind,
    Remedy,
)


@dataclass(frozen=True)
class Action:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    outcome: ObjectionOutcome
    remedy: Remedy | None
    correction: CorrectedEntry | None
    reasons: str
    decided_by: str
    decided_at: datetime
    decided_by_officer: str | None = None
    """The officer of `decided_by` who decided, if it signed in as one."""


@dataclass(frozen=True)
class Restoration:
    """The provider's duty to restore the subject's reputation after wrong information."""

    department: str
    recorded_at: datetime


@dataclass
class Case:
    case_id: str
    kind: CaseKind
    entry_id: str
    entry_version: int
    subject_code: str
    list_type: str
    provider: str
    filed_by: CaseParty
    grounds: str
    evidence_references: tuple[str, ...]
    suspends: bool
    filed_at: datetime
    decision_due: date
    due_provisional: bool
    working_days: int
    state: CaseState = CaseState.OPEN
    objection_id: str | None = None
    decision: Decision | None = None
    restoration: Restoration | None = None
    history: list[Action] = field(default_factory=list)
    review: ObjectionReview | None = None
    """The list type's own review as it was at filing (the court's list); None: §7's rule."""
    correction_duty: CorrectionDuty | None = None
    appeal_window_ends: date | None = None
    appeal: Appeal | None = None

    def overdue(self, today: date) -> bool:
        """Late with the decision, with the correction after an upheld request or appeal, or
        (the higher court) with the appeal's decision."""
        return (
            is_overdue(self.state, self.decision_due, today)
            or (self.correction_duty is not None and self.correction_duty.overdue(today))
            or (self.appeal is not None and self.appeal.overdue(today))
        )

    def parties(self, entry: EntryCopy) -> Parties:
        return Parties(entry, self.filed_by.kind, self.filed_by.code)

    @property
    def filing_subject(self) -> str | None:
        """The subject's code when a subject (the listed one or a linked person) filed."""
        return self.filed_by.code if self.filed_by.kind is PartyKind.SUBJECT else None

    def record(self, at: datetime, actor: str, action: str, **detail: Any) -> Action:
        done = Action(at, actor, action, detail)
        self.history.append(done)
        return done


def require_no_open_case(open_case: tuple[CaseKind, str] | None, entry_id: str) -> None:
    """One open case per entry (docs/due-process.md): a second would race the first's
    suspension and decision."""
    if open_case is not None:
        kind, case_id = open_case
        raise Conflict(
            f"entry {entry_id} already has an open {kind} {case_id}; it must be decided first",
            problems=[
                FieldProblem(
                    "body.entry_id",
                    "open_case",
                    f"open {kind} {case_id}",
                    {"case_kind": str(kind), "case_id": case_id},
                )
            ],
        )


def require_in_force(entry: EntryCopy, today: date) -> None:
    status = entry.status_on(today)
    if not entry.in_force_on(today):
        raise Conflict(
            f"entry {entry.entry_id} is {status}, no longer in force",
            problems=[
                FieldProblem(
                    "body.entry_id", "not_in_force", f"the entry is {status}", {"status": status}
                )
            ],
        )


def open_case(
    *,
    case_id: str,
    kind: CaseKind,
    entry: EntryCopy,
    filed_by: CaseParty,
    grounds: str,
    evidence_references: tuple[str, ...],
    suspends: bool,
    now: datetime,
    due: Deadline,
    working_days: int,
    objection_id: str | None = None,
    review: ObjectionReview | None = None,
) -> Case:
    case = Case(
        case_id=case_id,
        kind=kind,
        entry_id=entry.entry_id,
        entry_version=entry.version,
        subject_code=entry.subject_code,
        list_type=entry.list_type,
        provider=entry.initiating_department,
        filed_by=filed_by,
        grounds=grounds,
        evidence_references=evidence_references,
        suspends=suspends,
        filed_at=now,
        decision_due=due.due,
        due_provisional=due.provisional,
        working_days=working_days,
        objection_id=objection_id,
        review=review,
    )
    actor = f"{filed_by.kind}:{filed_by.code}"
    case.record(now, actor, "filed", suspends=suspends, decision_due=due.due.isoformat())
    return case


@dataclass(frozen=True)
class DecisionRequest:
    outcome: ObjectionOutcome
    reasons: str
    remedy: Remedy | None = None
    correction: CorrectedEntry | None = None


def _invalid(field_name: str, reason: str, message: str, **context: Any) -> InvalidInput:
    return InvalidInput.for_field(f"body.{field_name}", reason, message, **context)


def check_decision(request: DecisionRequest, entry: EntryCopy) -> None:
    """Wrong information needs a remedy (a correction needs the corrected entry, about the
    same subject and list: who and which list cannot change); right information has none."""
    if request.outcome is ObjectionOutcome.INFORMATION_RIGHT:
        if request.remedy is not None:
            raise _invalid("remedy", "not_allowed", "information found right has no remedy")
        if request.correction is not None:
            raise _invalid("correction", "not_allowed", "information found right is not corrected")
        return
    if request.remedy is None:
        raise _invalid(
            "remedy", "missing", "information found wrong needs a remedy: revoke|correct"
        )
    review.check_remedy(request.remedy, request.correction, entry)


def decide(
    case: Case,
    request: DecisionRequest,
    entry: EntryCopy,
    *,
    by: str,
    now: datetime,
    officer: str | None = None,
) -> Decision:
    """Record the answer; a case is decided once."""
    if case.state is not CaseState.OPEN:
        raise Conflict(f"{case.kind} {case.case_id} is already decided")
    check_decision(request, entry)
    decision = Decision(
        outcome=request.outcome,
        remedy=request.remedy,
        correction=request.correction,
        reasons=request.reasons,
        decided_by=by,
        decided_at=now,
        decided_by_officer=officer,
    )
    case.decision = decision
    case.state = CaseState.DECIDED
    if request.outcome is ObjectionOutcome.INFORMATION_WRONG:
        # The provider answers for the damage, whoever decided (000 (二十四)).
        case.restoration = Restoration(case.provider, now)
    case.record(
        now,
        by,
        "decided",
        outcome=str(request.outcome),
        remedy=str(request.remedy) if request.remedy else None,
        **({"officer": officer} if officer is not None else {}),
    )
    return decision


def decided_on(objection: Case) -> datetime:
    """When the objection was answered; a complaint is about that answer (002 二(三)2)."""
    if objection.decision is None:
        raise Conflict(
            f"objection {objection.case_id} is not decided yet; a complaint is about its answer"
        )
    return objection.decision.decided_at


def require_within_window(closes: date, today: date) -> None:
    """Complaints are possible until the window's last day, inclusive."""
    if today > closes:
        raise Conflict(
            f"the complaint window closed on {closes.isoformat()}",
            problems=[
                FieldProblem(
                    "objection_id",
                    "complaint_window_closed",
                    f"complaints were possible until {closes.isoformat()}",
                    {"closes_on": closes.isoformat()},
                )
            ],
        )


def require_no_complaint(objection: Case, complaint_id: str | None) -> None:
    """One complaint per objection."""
    if complaint_id is not None:
        raise Conflict(
            f"objection {objection.case_id} already has complaint {complaint_id}",
            problems=[
                FieldProblem(
                    "objection_id",
                    "complaint_exists",
                    f"complaint {complaint_id}",
                    {"complaint_id": complaint_id},
                )
            ],
        )


def filer(kind: PartyKind, code: str, agent: str | None = None) -> CaseParty:
    return CaseParty(kind=kind, code=code, agent=agent)


def after_review_decision(
    case: Case,
    *,
    upheld: bool,
    entry_version: int,
    calendar: WorkingDays,
    decided_on: date,
    at: datetime,
    by: str,
) -> None:
    """What follows a decision under the list type's own review (法释〔2017〕7号 第十二条):
    upheld (an objection found the information wrong, or the higher court upheld the appeal) →
    the listing department must correct within the correction working days; a dismissed
    objection → the appeal window opens. Nothing follows under the provincial rule."""
    rules = case.review
    if rules is None:
        return
    if upheld:
        due = review.correction_due(rules, calendar, decided_on)
        case.correction_duty = CorrectionDuty(due.due, due.provisional, entry_version)
        case.record(at, by, "correction_due", due=due.due.isoformat(), provisional=due.provisional)
    elif case.appeal is None:
        case.appeal_window_ends = review.appeal_window_end(rules, decided_on)
        case.record(at, by, "appeal_window_open", until=case.appeal_window_ends.isoformat())


def correction_met(
    case: Case, version: int, status: ListEntryStatus, at: datetime, actor: str
) -> bool:
    """Trigger reported the entry corrected (a newer version) or ended: the duty is met.
    Returns whether this changed the case."""
    duty = case.correction_duty
    if duty is None or duty.met_at is not None or not duty.met_by(version, status):
        return False
    duty.met_at = at
    case.record(at, actor, "correction_met", version=version, status=str(status))
    return True


def correction_started_at(case: Case) -> datetime | None:
    """The decision that opened the correction duty: the higher court's upheld appeal, else the
    objection's own decision."""
    appeal = case.appeal
    if appeal is not None and appeal.decision is not None:
        return appeal.decision.decided_at
    return case.decision.decided_at if case.decision else None


def recompute_correction(
    case: Case, calendar: WorkingDays, decided_on: date, year: int, at: datetime
) -> date | None:
    """A provisional correction due date made final by the year's official schedule
    (DOMAIN.md §10); returns the provisional date it replaces."""
    duty, rules = case.correction_duty, case.review
    if duty is None or rules is None or not duty.provisional:
        return None
    due = review.correction_due(rules, calendar, decided_on)
    before = duty.due
    duty.due, duty.provisional = due.due, due.provisional
    case.record(
        at,
        "appeals",
        "correction_due_recomputed",
        year=year,
        before=before.isoformat(),
        after=due.due.isoformat(),
    )
    return before
