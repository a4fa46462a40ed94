"""What a reader sees of cases, repairs and entries. A resident ID is personal information
(DOMAIN.md §2): only the information provider, which recorded it, and the person itself see
it in clear; everyone else (the office and an implementing department included) sees it
masked."""

from __future__ import annotations

from datetime import date, datetime

from jrp_appeals.domain.cases import Action, Case
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.hearings import ExpertDraw
from jrp_appeals.domain.notifications import Notification
from jrp_appeals.domain.repairs import OverdueGroup, Repair, RepairGuidance
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.entrypoints.http.schemas import (
    ActionRead,
    AppealDecisionRead,
    AppealRead,
    AppealWindowRead,
    ComplaintRead,
    ComplaintSummaryRead,
    CreditCommitmentRead,
    DeadlineRead,
    DecisionRead,
    EntryRead,
    EvidenceRead,
    ExpertDrawRead,
    NotificationRead,
    ObjectionRead,
    ObjectionSummaryRead,
    PartyRead,
    RepairDecisionRead,
    RepairGuidanceRead,
    RepairOverdueRead,
    RepairRead,
    RepairSummaryRead,
    RestorationRead,
    ReviewRead,
)
from jrp_appeals.service_layer.cases import CaseView
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import Period, SubjectReference
from jrp_shared.identifiers import IdentifierError, mask_resident_id, validate_resident_id

_SUBJECT = "subject:"


class Masker:
    def __init__(self, viewer: Viewer, provider: str) -> None:
        self._clear = not viewer.is_subject and viewer.department == provider
        self._own = viewer.subject_code

    def code(self, code: str) -> str:
        if self._clear or code == self._own or not _is_resident_id(code):
            return code
        return mask_resident_id(code)

    def actor(self, actor: str) -> str:
        if actor.startswith(_SUBJECT):
            return _SUBJECT + self.code(actor.removeprefix(_SUBJECT))
        return actor


def _is_resident_id(code: str) -> bool:
    try:
        validate_resident_id(code)
    except IdentifierError:
        return False
    return True


def _history(history: list[Action], mask: Masker) -> list[ActionRead]:
    return [
        ActionRead(at=a.at, actor=mask.actor(a.actor), action=a.action, detail=a.detail)
        for a in history
    ]


def _summary_fields(case: Case, mask: Masker, today: date) -> dict[str, object]:
    return {
        "entry_id": case.entry_id,
        "subject_code": mask.code(case.subject_code),
        "list_type": case.list_type,
        "provider": case.provider,
        "filed_by": PartyRead(
            kind=case.filed_by.kind, code=mask.code(case.filed_by.code), agent=case.filed_by.agent
        ),
        "state": case.state,
        "filed_at": case.filed_at,
        "decision_due": case.decision_due,
        "due_provisional": case.due_provisional,
        "overdue": case.overdue(today),
        "suspends": case.suspends,
        "outcome": case.decision.outcome if case.decision else None,
    }


def _read_fields(case: Case, mask: Masker, today: date) -> dict[str, object]:
    d, r = case.decision, case.restoration
    return {
        **_summary_fields(case, mask, today),
        "entry_version": case.entry_version,
        "grounds": case.grounds,
        "evidence_references": list(case.evidence_references),
        "decision": DecisionRead(
            outcome=d.outcome,
            remedy=d.remedy,
            reasons=d.reasons,
            decided_by=d.decided_by,
            decided_by_officer=d.decided_by_officer,
            decided_at=d.decided_at,
            correction=d.correction,
        )
        if d
        else None,
        "restoration_duty": RestorationRead(department=r.department, recorded_at=r.recorded_at)
        if r
        else None,
        "history": _history(case.history, mask),
    }


def draw_read(draw: ExpertDraw) -> ExpertDrawRead:
    return ExpertDrawRead(
        experts=list(draw.experts),
        seed=draw.seed,
        pool=list(draw.pool),
        count=draw.count,
        drawn_by=draw.drawn_by,
        drawn_at=draw.drawn_at,
    )


def objection_read(view: CaseView, viewer: Viewer, today: date) -> ObjectionRead:
    case = view.case
    fields = _read_fields(case, Masker(viewer, case.provider), today)
    return ObjectionRead.model_validate(
        {
            **fields,
            "objection_id": case.case_id,
            "complaint_id": view.complaint_id,
            "review": review_read(case, Masker(viewer, case.provider), today),
        }
    )


def _deadline(due: date, provisional: bool, done_at: datetime | None, today: date) -> DeadlineRead:
    return DeadlineRead(
        due=due,
        provisional=provisional,
        done_at=done_at,
        met=done_at is not None and china_date(done_at) <= due,
        overdue=done_at is None and today > due,
    )


def review_read(case: Case, mask: Masker, today: date) -> ReviewRead | None:
    """Every deadline of the list type's own review, and whether it was met."""
    if case.review is None:
        return None
    decided_at = case.decision.decided_at if case.decision else None
    duty, appeal = case.correction_duty, case.appeal
    window = None
    if case.appeal_window_ends is not None:
        window = AppealWindowRead(
            ends_on=case.appeal_window_ends,
            closed=today > case.appeal_window_ends,
            appealed_at=appeal.filed_at if appeal else None,
        )
    appeal_read = None
    if appeal is not None:
        d = appeal.decision
        appeal_read = AppealRead(
            appeal_id=appeal.appeal_id,
            department=appeal.department,
            filed_by=PartyRead(
                kind=appeal.filed_by.kind,
                code=mask.code(appeal.filed_by.code),
                agent=appeal.filed_by.agent,
            ),
            grounds=appeal.grounds,
            evidence_references=list(appeal.evidence_references),
            state=appeal.state,
            filed_at=appeal.filed_at,
            decision_due=_deadline(appeal.decision_due, False, d.decided_at if d else None, today),
            decision=AppealDecisionRead(
                outcome=d.outcome,
                remedy=d.remedy,
                correction=d.correction,
                reasons=d.reasons,
                decided_by=d.decided_by,
                decided_by_officer=d.decided_by_officer,
                decided_at=d.decided_at,
            )
            if d
            else None,
        )
    return ReviewRead(
        rules=case.review,
        review_due=_deadline(case.decision_due, case.due_provisional, decided_at, today),
        correction_due=_deadline(duty.due, duty.provisional, duty.met_at, today) if duty else None,
        appeal_window=window,
        appeal=appeal_read,
    )


def complaint_read(view: CaseView, viewer: Viewer, today: date) -> ComplaintRead:
    case = view.case
    fields = _read_fields(case, Masker(viewer, case.provider), today)
    return ComplaintRead.model_validate(
        {
            **fields,
            "complaint_id": case.case_id,
            "objection_id": case.objection_id,
            "expert_draws": [draw_read(d) for d in view.draws],
        }
    )


def objection_summary(case: Case, viewer: Viewer, today: date) -> ObjectionSummaryRead:
    mask = Masker(viewer, case.provider)
    fields = _summary_fields(case, mask, today)
    return ObjectionSummaryRead.model_validate(
        {**fields, "objection_id": case.case_id, "review": review_read(case, mask, today)}
    )


def complaint_summary(case: Case, viewer: Viewer, today: date) -> ComplaintSummaryRead:
    fields = _summary_fields(case, Masker(viewer, case.provider), today)
    return ComplaintSummaryRead.model_validate(
        {**fields, "complaint_id": case.case_id, "objection_id": case.objection_id}
    )


def _repair_summary_fields(repair: Repair, mask: Masker, today: date) -> dict[str, object]:
    return {
        "repair_id": repair.repair_id,
        "entry_id": repair.entry_id,
        "subject_code": mask.code(repair.subject_code),
        "applicant": mask.code(repair.applicant),
        "department": repair.department,
        "route": repair.route,
        "state": repair.state,
        "tier": repair.tier,
        "stage": repair.stage,
        "applied_at": repair.applied_at,
        "forward_due": repair.forward_due,
        "forward_due_provisional": repair.forward_due_provisional,
        "forwarded_at": repair.forwarded_at,
        "decision_due": repair.decision_due,
        "due_provisional": repair.due_provisional,
        "push_due": repair.push_due,
        "pushed_at": repair.pushed_at,
        "overdue": repair.overdue(today),
        "overdue_stage": repair.overdue_stage(today),
    }


def repair_summary(repair: Repair, viewer: Viewer, today: date) -> RepairSummaryRead:
    mask = Masker(viewer, repair.department)
    return RepairSummaryRead.model_validate(_repair_summary_fields(repair, mask, today))


def repair_read(repair: Repair, viewer: Viewer, today: date) -> RepairRead:
    mask = Masker(viewer, repair.department)
    d = repair.decision
    return RepairRead.model_validate(
        {
            **_repair_summary_fields(repair, mask, today),
            "agent": repair.agent,
            "evidence": [EvidenceRead(kind=e.kind, reference=e.reference) for e in repair.evidence],
            "credit_commitment": CreditCommitmentRead(
                text=repair.commitment.text, signed_on=repair.commitment.signed_on
            ),
            "decision": RepairDecisionRead(
                approved=d.approved,
                reasons=d.reasons,
                decided_by=d.decided_by,
                decided_by_officer=d.decided_by_officer,
                decided_at=d.decided_at,
            )
            if d
            else None,
            "history": _history(repair.history, mask),
        }
    )


def notification_read(n: Notification) -> NotificationRead:
    return NotificationRead(
        notification_id=n.notification_id,
        subject_code=n.subject_code,
        about=n.about,
        case_id=n.case_id,
        entry_id=n.entry_id,
        title=n.title,
        body=n.body,
        created_at=n.created_at,
    )


def entry_read(
    entry: EntryCopy, viewer: Viewer, today: date, guidance: RepairGuidance | None = None
) -> EntryRead:
    mask = Masker(viewer, entry.initiating_department)
    return EntryRead(
        entry_id=entry.entry_id,
        version=entry.version,
        subject=SubjectReference(
            code=mask.code(entry.subject_code),
            subject_type=entry.subject_type,
            name=entry.subject_name,
        ),
        linked_person_codes=[mask.code(c) for c in entry.linked_person_codes],
        list_type=entry.list_type,
        list_type_version=entry.list_type_version,
        colour=entry.colour,
        initiating_department=entry.initiating_department,
        period=Period(start=entry.period_start, end=entry.period_end),
        status=entry.status_on(today),
        updated_at=entry.updated_at,
        repair_guidance=repair_guidance_read(guidance),
    )


def repair_overdue_read(group: OverdueGroup) -> RepairOverdueRead:
    return RepairOverdueRead(
        stage=group.stage,
        department=group.department,
        count=group.count,
        oldest_due=group.oldest_due,
        repair_ids=list(group.repair_ids),
    )


def repair_guidance_read(guidance: RepairGuidance | None) -> RepairGuidanceRead | None:
    if guidance is None:
        return None
    return RepairGuidanceRead(
        tier=guidance.tier,
        repair_from=guidance.repair_from,
        published_until=guidance.published_until,
        conditions=list(guidance.conditions),
        evidence_required=list(guidance.evidence_required),
        apply_to=guidance.apply_to,
        decided_by=guidance.decided_by,
        portal_forward_working_days=guidance.portal_forward_working_days,
        authority_decision_working_days=guidance.authority_decision_working_days,
        result_push_working_days=guidance.result_push_working_days,
    )
