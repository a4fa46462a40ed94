"""A list type's own review of objections, in place of the provincial rule (DOMAIN.md §7, §11).

The court's list of dishonest judgment debtors (法释〔2017〕7号 第十二条) answers a correction
request (an objection) within 15 **calendar** days, and where it is right corrects the entry
within 3 **working** days; a subject whose request was dismissed may appeal to the higher court
within 10 calendar days of the decision, and the higher court decides within 15 calendar days.
The listing stays in force throughout (the list type's `suspend_during_objection: false`).
The numbers are the list type's `objection_review` (catalog data, DOMAIN.md §11), carried by
each case as it was when the case was filed.

Calendar-day counts start the day after the event's date in China: a request filed on 1 March
with 15 review days is due on 16 March. The correction count is in working days on the calendar
(DOMAIN.md §10) and may be provisional. Every due date is still in time on the day itself.

State machine of a reviewed objection (docs/due-process.md "The court list's own review"):

    open ─ decided information_wrong (upheld) ─→ correction due ─→ correction met
         └ decided information_right (dismissed) ─→ appeal window
               └ appeal filed (within the window) ─→ appeal open
                     ├ upheld ─→ correction due ─→ correction met
                     └ dismissed (final)

A correction is met when trigger reports the entry in a newer version than the one decided
on (a correction) or revoked or repaired (`list-entries.v1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from jrp_appeals.domain.deadlines import WorkingDays
from jrp_appeals.domain.entries import EntryCopy
from jrp_shared.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import CaseParty, CorrectedEntry, ObjectionReview
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseState,
    ListEntryStatus,
    ObjectionOutcome,
    Remedy,
)


def review_due(rules: ObjectionReview, filed_on: date) -> date:
    """The review's due date: `review_days` calendar days after filing (第十二条: 15 days)."""
    return filed_on + timedelta(days=rules.review_days)


def correction_due(
    rules: ObjectionReview, calendar: WorkingDays, decided_on: date
) -> CorrectionDue:
    """The correction's due date: `correction_working_days` working days after the decision
    that upheld the request (第十二条: 3 working days), on the working-day calendar."""
    deadline = calendar.add_working_days(decided_on, rules.correction_working_days)
    return CorrectionDue(deadline.due, deadline.provisional)


def appeal_window_end(rules: ObjectionReview, decided_on: date) -> date:
    """The last day to appeal a dismissal: `appeal_window_days` calendar days after it
    (第十二条: 10 days), inclusive."""
    return decided_on + timedelta(days=rules.appeal_window_days)


def appeal_decision_due(rules: ObjectionReview, appealed_on: date) -> date:
    """The higher court's due date: `appeal_decision_days` calendar days after the appeal
    (第十二条: 15 days)."""
    return appealed_on + timedelta(days=rules.appeal_decision_days)


@dataclass(frozen=True)
class CorrectionDue:
    due: date
    provisional: bool


@dataclass
class CorrectionDuty:
    """The listing department's duty to correct or revoke the entry after an upheld request
    or appeal: due by `due`, judged against the entry's version when it was decided."""

    due: date
    provisional: bool
    entry_version: int
    met_at: datetime | None = None

    def overdue(self, today: date) -> bool:
        return self.met_at is None and today > self.due

    def met_by(self, version: int, status: ListEntryStatus) -> bool:
        """A newer version (the corrected entry) or the entry's end meets the duty."""
        if status in (ListEntryStatus.REVOKED, ListEntryStatus.REPAIRED):
            return version >= self.entry_version
        return version > self.entry_version


@dataclass(frozen=True)
class AppealDecision:
    outcome: AppealOutcome
    remedy: Remedy | None
    correction: CorrectedEntry | None
    reasons: str
    decided_by: str
    decided_at: datetime
    decided_by_officer: str | None = None
    """The officer of `decided_by` (the higher court) who decided, when it signed in as one
    (docs/security.md, "Officers")."""


@dataclass
class Appeal:
    """An appeal to the higher court against a dismissed objection (one per objection)."""

    appeal_id: str
    objection_id: str
    department: str
    filed_by: CaseParty
    grounds: str
    evidence_references: tuple[str, ...]
    filed_at: datetime
    decision_due: date
    state: CaseState = CaseState.OPEN
    decision: AppealDecision | None = None

    def overdue(self, today: date) -> bool:
        return self.state is CaseState.OPEN and today > self.decision_due


def _problem(path: str, reason: str, message: str, **context: Any) -> list[FieldProblem]:
    return [FieldProblem(path, reason, message, {k: str(v) for k, v in context.items()})]


def require_review(rules: ObjectionReview | None, list_type: str) -> ObjectionReview:
    """Appeals exist only where the list type has its own review (the court's list)."""
    if rules is None:
        raise Conflict(
            f"list type {list_type!r} has no review of its own: a dismissed objection goes to "
            "the joint conference office as a complaint (POST /v1/objections/{id}/complaint)",
            problems=_problem(
                "objection_id",
                "no_objection_review",
                "the list type has no appeal to a higher department",
                list_type=list_type,
            ),
        )
    return rules


def require_appeal_department(rules: ObjectionReview, list_type: str) -> str:
    if rules.appeal_department is None:
        raise Conflict(
            f"list type {list_type!r} names no appeal department; the catalog must name one",
            problems=_problem(
                "objection_id",
                "no_appeal_department",
                "the list type names no department that decides appeals",
                list_type=list_type,
            ),
        )
    return rules.appeal_department


def require_dismissed(state: CaseState, outcome: ObjectionOutcome | None, case_id: str) -> None:
    """Only a decided objection whose request was dismissed (information right) is appealed;
    an upheld one is corrected."""
    if state is not CaseState.DECIDED or outcome is None:
        raise Conflict(
            f"objection {case_id} is not decided yet; an appeal is about its decision",
            problems=_problem("objection_id", "not_decided", "the objection is still open"),
        )
    if outcome is not ObjectionOutcome.INFORMATION_RIGHT:
        raise Conflict(
            f"objection {case_id} was upheld: the entry is corrected, there is nothing to appeal",
            problems=_problem(
                "objection_id", "not_dismissed", "only a dismissed objection is appealed"
            ),
        )


def require_within_appeal_window(window_end: date, today: date) -> None:
    """Until the window's last day, inclusive."""
    if today > window_end:
        raise Conflict(
            f"the appeal window closed on {window_end.isoformat()}",
            problems=_problem(
                "objection_id",
                "appeal_window_closed",
                f"an appeal was possible until {window_end.isoformat()}",
                closes_on=window_end.isoformat(),
            ),
        )


def require_no_appeal(existing: Appeal | None, case_id: str) -> None:
    if existing is not None:
        raise Conflict(
            f"objection {case_id} already has appeal {existing.appeal_id}",
            problems=_problem(
                "objection_id",
                "appeal_exists",
                f"appeal {existing.appeal_id}",
                appeal_id=existing.appeal_id,
            ),
        )


def require_appeal_decider(department: str, appeal_department: str, *, is_subject: bool) -> None:
    """Only the higher court the list type names decides the appeal (第十二条)."""
    if is_subject or department != appeal_department:
        raise Forbidden(f"only the appeal department {appeal_department!r} decides the appeal")


@dataclass(frozen=True)
class AppealDecisionRequest:
    outcome: AppealOutcome
    reasons: str
    remedy: Remedy | None = None
    correction: CorrectedEntry | None = None


def _invalid(name: str, reason: str, message: str, **context: Any) -> InvalidInput:
    return InvalidInput.for_field(f"body.{name}", reason, message, **context)


def check_appeal_decision(request: AppealDecisionRequest, entry: EntryCopy) -> None:
    """Upheld needs what the listing court must do (revoke, or correct with the corrected
    entry about the same subject and list); dismissed has neither."""
    if request.outcome is AppealOutcome.DISMISSED:
        if request.remedy is not None or request.correction is not None:
            raise _invalid("remedy", "not_allowed", "a dismissed appeal has no remedy")
        return
    if request.remedy is None:
        raise _invalid("remedy", "missing", "an upheld appeal needs a remedy: revoke|correct")
    check_remedy(request.remedy, request.correction, entry)


def check_remedy(remedy: Remedy, correction: CorrectedEntry | None, entry: EntryCopy) -> None:
    """What an upheld objection or appeal orders: a revocation takes no correction; a
    correction needs the corrected entry, about the same subject and list (who and which list
    cannot change: such an entry is revoked and posted anew)."""
    if remedy is Remedy.REVOKE:
        if correction is not None:
            raise _invalid("correction", "not_allowed", "a revoked entry takes no correction")
        return
    if correction is None:
        raise _invalid("correction", "missing", "remedy correct needs the corrected entry")
    if correction.subject.code != entry.subject_code:
        raise _invalid(
            "correction.subject.code",
            "subject_changed",
            "a correction cannot change who is listed; revoke the entry instead",
        )
    if correction.list_type != entry.list_type:
        raise _invalid(
            "correction.list_type",
            "list_type_changed",
            f"a correction cannot change the list type {entry.list_type!r}; revoke instead",
            expected=entry.list_type,
        )


def decide_appeal(
    appeal: Appeal,
    request: AppealDecisionRequest,
    entry: EntryCopy,
    *,
    by: str,
    now: datetime,
    officer: str | None = None,
) -> AppealDecision:
    """Record the higher court's answer (`officer`: the one of its officers who decided); an
    appeal is decided once."""
    if appeal.state is not CaseState.OPEN:
        raise Conflict(f"appeal {appeal.appeal_id} is already decided")
    check_appeal_decision(request, entry)
    decision = AppealDecision(
        outcome=request.outcome,
        remedy=request.remedy,
        correction=request.correction,
        reasons=request.reasons,
        decided_by=by,
        decided_at=now,
        decided_by_officer=officer,
    )
    appeal.decision = decision
    appeal.state = CaseState.DECIDED
    return decision
