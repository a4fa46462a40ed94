"""Request and response bodies of the appeals API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jrp_appeals.domain.cases import DecisionRequest
from jrp_appeals.domain.repairs import RepairStage
from jrp_appeals.domain.review import AppealDecisionRequest
from jrp_appeals.entrypoints.http import examples
from jrp_shared.events.payloads import (
    CorrectedEntry,
    Identifier,
    ObjectionReview,
    Period,
    Reference,
    SubjectReference,
)
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseState,
    DishonestySeverity,
    ListColour,
    ListEntryStatus,
    ObjectionOutcome,
    PartyKind,
    Remedy,
    RepairRoute,
    RepairState,
)


class _In(BaseModel):
    # A corrected entry carries resident IDs: errors never echo the input (DOMAIN.md §2).
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


_Grounds = Field(min_length=1, max_length=4000)


class ObjectionRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.OBJECTION_REQUEST]})

    entry_id: str = Field(min_length=1, max_length=64)
    grounds: str = _Grounds
    evidence_references: list[Reference] = Field(default_factory=list, max_length=100)


class ComplaintRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMPLAINT_REQUEST]})

    grounds: str = _Grounds
    evidence_references: list[Reference] = Field(default_factory=list, max_length=100)


class DecisionRequestBody(_In):
    """`information_wrong` needs `remedy` (and `correction` when the remedy is `correct`);
    `information_right` takes neither."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                examples.DECISION_RIGHT,
                examples.DECISION_REVOKE,
                examples.DECISION_CORRECT,
            ]
        }
    )

    outcome: ObjectionOutcome
    reasons: str = Field(min_length=1, max_length=4000)
    remedy: Remedy | None = None
    correction: CorrectedEntry | None = None

    def command(self) -> DecisionRequest:
        return DecisionRequest(
            outcome=self.outcome,
            reasons=self.reasons,
            remedy=self.remedy,
            correction=self.correction,
        )


class AppealRequest(_In):
    """An appeal to the higher court against a dismissed objection (法释〔2017〕7号 第十二条)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPEAL_REQUEST]})

    grounds: str = _Grounds
    evidence_references: list[Reference] = Field(default_factory=list, max_length=100)


class AppealDecisionBody(_In):
    """`upheld` needs `remedy` (and `correction` when the remedy is `correct`): what the
    listing court must do; `dismissed` takes neither."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.APPEAL_UPHELD, examples.APPEAL_DISMISSED]}
    )

    outcome: AppealOutcome
    reasons: str = Field(min_length=1, max_length=4000)
    remedy: Remedy | None = None
    correction: CorrectedEntry | None = None

    def command(self) -> AppealDecisionRequest:
        return AppealDecisionRequest(
            outcome=self.outcome,
            reasons=self.reasons,
            remedy=self.remedy,
            correction=self.correction,
        )


class ExpertDrawRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_DRAW_REQUEST]})

    pool: list[Identifier] = Field(min_length=1, max_length=1000, description="expert ids")
    count: int = Field(ge=1, le=100)
    seed: int | str | None = Field(
        default=None, description="given to random.Random; generated when absent"
    )


class EvidenceItem(_In):
    kind: str = Field(min_length=1, max_length=200, description="a catalog evidence kind")
    reference: str = Field(min_length=1, max_length=500)


class CreditCommitmentBody(_In):
    text: str = Field(min_length=1, max_length=4000)
    signed_on: date


class RepairRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPAIR_REQUEST]})

    entry_id: str = Field(min_length=1, max_length=64)
    route: RepairRoute
    evidence: list[EvidenceItem] = Field(default_factory=list, max_length=50)
    credit_commitment: CreditCommitmentBody


class RepairDecisionBody(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.REPAIR_APPROVED, examples.REPAIR_REFUSED]}
    )

    approved: bool
    reasons: str = Field(default="", max_length=4000, description="required when refused")


# --- reads --------------------------------------------------------------------------------------


class PartyRead(BaseModel):
    kind: PartyKind
    code: str = Field(description="a resident ID is masked for all but the provider and itself")
    agent: str | None


class DecisionRead(BaseModel):
    outcome: ObjectionOutcome
    remedy: Remedy | None
    reasons: str
    decided_by: str
    decided_by_officer: str | None = Field(
        default=None,
        description="the officer of `decided_by` who decided, when it signed in as one",
    )
    decided_at: datetime
    correction: CorrectedEntry | None


class RestorationRead(BaseModel):
    department: str = Field(description="owes the subject the restoration of its reputation")
    recorded_at: datetime


class ActionRead(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class ExpertDrawRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_DRAW]})

    experts: list[str]
    seed: int | str
    pool: list[str]
    count: int
    drawn_by: str
    drawn_at: datetime


class _CaseSummary(BaseModel):
    entry_id: str
    subject_code: str
    list_type: str
    provider: str
    filed_by: PartyRead
    state: CaseState
    filed_at: datetime
    decision_due: date
    due_provisional: bool = Field(description="computed without the year's official schedule")
    overdue: bool = Field(description="open after its due date (today in China)")
    suspends: bool = Field(description="the list type suspends measures while it is open")
    outcome: ObjectionOutcome | None


class _CaseRead(_CaseSummary):
    entry_version: int
    grounds: str
    evidence_references: list[str]
    decision: DecisionRead | None
    restoration_duty: RestorationRead | None
    history: list[ActionRead]


class DeadlineRead(BaseModel):
    due: date = Field(description="still in time on this day (today in China)")
    provisional: bool = Field(description="computed without the year's official schedule")
    done_at: datetime | None = Field(description="when it was done (decided, corrected)")
    met: bool = Field(description="done on or before the due date")
    overdue: bool = Field(description="not done and the due date has passed")


class AppealWindowRead(BaseModel):
    ends_on: date = Field(description="the last day to appeal, inclusive")
    closed: bool = Field(description="the day has passed (today in China)")
    appealed_at: datetime | None


class AppealDecisionRead(BaseModel):
    outcome: AppealOutcome
    remedy: Remedy | None
    correction: CorrectedEntry | None
    reasons: str
    decided_by: str
    decided_by_officer: str | None = Field(
        default=None,
        description="the officer of `decided_by` who decided, when it signed in as one "
        '(docs/security.md, "Officers")',
    )
    decided_at: datetime


class AppealRead(BaseModel):
    appeal_id: str
    department: str = Field(description="the higher court, which alone decides")
    filed_by: PartyRead
    grounds: str
    evidence_references: list[str]
    state: CaseState
    filed_at: datetime
    decision_due: DeadlineRead = Field(description="calendar days after the appeal")
    decision: AppealDecisionRead | None


class ReviewRead(BaseModel):
    """The list type's own review (the court's list, 法释〔2017〕7号 第十二条) and where the case
    stands against each of its deadlines; the listing stays in force throughout."""

    rules: ObjectionReview
    review_due: DeadlineRead = Field(description="calendar days after filing")
    correction_due: DeadlineRead | None = Field(
        description="working days after an upheld request or appeal; met when trigger reports "
        "the entry corrected (a newer version) or revoked"
    )
    appeal_window: AppealWindowRead | None = Field(description="after a dismissed request")
    appeal: AppealRead | None


class ObjectionSummaryRead(_CaseSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.OBJECTION_SUMMARY]})

    objection_id: str
    review: ReviewRead | None = Field(
        default=None, description="the list type's own review; null: the provincial rule (§7)"
    )


class ObjectionRead(_CaseRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.OBJECTION_FILED]})

    objection_id: str
    complaint_id: str | None
    review: ReviewRead | None = Field(
        default=None, description="the list type's own review; null: the provincial rule (§7)"
    )


class ComplaintSummaryRead(_CaseSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMPLAINT_SUMMARY]})

    complaint_id: str
    objection_id: str


class ComplaintRead(_CaseRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMPLAINT_FILED]})

    complaint_id: str
    objection_id: str
    expert_draws: list[ExpertDrawRead]


class EvidenceRead(BaseModel):
    kind: str
    reference: str


class CreditCommitmentRead(BaseModel):
    text: str
    signed_on: date


class RepairDecisionRead(BaseModel):
    approved: bool
    reasons: str
    decided_by: str
    decided_by_officer: str | None = Field(
        default=None,
        description="the officer of `decided_by` who decided, when it signed in as one",
    )
    decided_at: datetime


class RepairSummaryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPAIR_SUMMARY]})

    repair_id: str
    entry_id: str
    subject_code: str
    applicant: str
    department: str = Field(description="the deciding authority (the catalog's decided_by)")
    route: RepairRoute
    state: RepairState
    tier: DishonestySeverity | None
    stage: RepairStage = Field(
        description="forward (the portal forwards), decision, push (the result to the other "
        "platforms), done (DOMAIN.md §11)"
    )
    applied_at: datetime = Field(description="received by the credit portal")
    forward_due: date
    forward_due_provisional: bool
    forwarded_at: datetime | None
    decision_due: date = Field(
        description="until forwarded: the latest it can be (forward_due + the authority's days)"
    )
    due_provisional: bool
    push_due: date | None
    pushed_at: datetime | None = Field(
        description="the result left for the other platforms: the decision's commit (its "
        "events in the outbox) until there is an upper-level platform (issue 15)"
    )
    overdue: bool = Field(description="the stage it stands at is past its due date")
    overdue_stage: RepairStage | None


class RepairOverdueRead(BaseModel):
    """Late repairs of one stage at one deciding department (DOMAIN.md §11)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPAIR_OVERDUE]})

    stage: RepairStage
    department: str
    count: int
    oldest_due: date
    repair_ids: list[str] = Field(description="the oldest due first, at most 20")


class RepairGuidanceRead(BaseModel):
    """The repair guidance delivered with the entry (两书同达, DOMAIN.md §11)."""

    tier: DishonestySeverity | None
    repair_from: date = Field(description="the first day repair may be asked")
    published_until: date = Field(description="publication stops at the latest after this day")
    conditions: list[str]
    evidence_required: list[str]
    apply_to: str
    decided_by: str
    portal_forward_working_days: int
    authority_decision_working_days: int
    result_push_working_days: int


class RepairRead(RepairSummaryRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPAIR_APPLIED]})

    agent: str | None
    evidence: list[EvidenceRead]
    credit_commitment: CreditCommitmentRead
    decision: RepairDecisionRead | None
    history: list[ActionRead]


class NotificationRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.NOTIFICATION]})

    notification_id: str
    subject_code: str
    about: str
    case_id: str
    entry_id: str
    title: str
    body: str
    created_at: datetime


class EntryRead(BaseModel):
    """This service's copy of a list entry (what cases and repairs are judged against)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTRY]})

    entry_id: str
    version: int
    subject: SubjectReference
    linked_person_codes: list[str]
    list_type: str
    list_type_version: int
    colour: ListColour
    initiating_department: str
    period: Period
    status: ListEntryStatus
    updated_at: datetime
    repair_guidance: RepairGuidanceRead | None = Field(
        default=None,
        description="how and when the entry may be repaired (none: not repairable, or the "
        "catalog copy lacks the list type)",
    )
