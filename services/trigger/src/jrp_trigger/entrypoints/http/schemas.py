"""Request and response bodies of the list-entry API (submissions are `ListEntrySubmission`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from jrp_shared.events.payloads import (
    CorrectedEntry,
    CourtCase,
    DecisionDocument,
    Identifier,
    MeasureStatus,
    Period,
    PriorNotice,
    SubjectReference,
)
from jrp_shared.vocabulary import (
    CaseKind,
    DisclosureClass,
    LiftReason,
    LinkedPersonRole,
    ListColour,
    ListEntryStatus,
    OrderState,
    RecognitionVote,
    TargetRole,
)
from jrp_trigger.domain.sync import DeletionState


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class EntryCorrection(CorrectedEntry):
    """The corrected entry, whole (a submission without `record_id`), and why."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=2000, description="why it is corrected")


class RevocationRequest(_In):
    reason: str = Field(min_length=1, max_length=2000)
    deletion_ground: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="where the list type has deletion rules: the ground (one of its codes)",
    )
    ground_arose_on: date | None = Field(
        default=None, description="the day the deletion ground arose (with deletion_ground)"
    )


class VoteRequest(_In):
    vote: RecognitionVote
    comment: str | None = Field(default=None, max_length=2000)


class ExpertDrawRequest(_In):
    pool: list[Identifier] = Field(min_length=1, max_length=1000, description="expert ids")
    count: int = Field(ge=1, le=100)
    seed: int | str | None = Field(
        default=None, description="given to random.Random; generated when absent"
    )


# --- reads --------------------------------------------------------------------------------------


class LinkedPersonRead(BaseModel):
    role: LinkedPersonRole
    name: str
    resident_id: str = Field(description="masked for every department but the initiating one")


class ContentRead(BaseModel):
    subject: SubjectReference
    list_type: str
    grounds: str
    legal_basis: str
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    linked_persons: list[LinkedPersonRead]
    evidence_references: list[str]
    court_case: CourtCase | None = Field(
        default=None, description="the court's record, on the court's list (DOMAIN.md §11)"
    )
    prior_notice: PriorNotice | None = Field(
        default=None, description="how the party was told before listing (国办发〔2020〕49号)"
    )


class VersionRead(ContentRead):
    version: int
    list_type_version: int
    reason: str | None
    recorded_at: datetime
    recorded_by: str


class VoteRead(BaseModel):
    department: str
    vote: RecognitionVote
    comment: str | None
    entry_version: int
    voted_at: datetime


class ExpertDrawRead(BaseModel):
    experts: list[str]
    seed: int | str
    pool: list[str]
    count: int
    drawn_by: str
    drawn_at: datetime


class RecognitionRead(BaseModel):
    departments: list[str] = Field(description="convened: every one must approve")
    pending: list[str] = Field(description="not yet voted on the current version")
    votes: list[VoteRead]
    expert_draws: list[ExpertDrawRead]


class RevocationRead(BaseModel):
    reason: str
    revoked_by: str
    revoked_at: datetime


class SuspensionRead(BaseModel):
    """The case whose verification suspends the measures (DOMAIN.md §7)."""

    case_kind: CaseKind
    case_id: str
    since: datetime


class RepairRead(BaseModel):
    """Credit repair granted: the entry ended early (DOMAIN.md §8)."""

    repair_id: str
    repaired_by: str
    repaired_at: datetime


class OrderRead(BaseModel):
    order_id: str
    target_role: TargetRole
    state: OrderState
    revision: int
    entry_version: int
    issued_at: datetime
    received_at: datetime | None
    receipt_due: date
    feedback_due: date
    receipt_overdue: bool
    feedback_overdue: bool
    lifted_at: datetime | None
    lift_reason: LiftReason | None
    measures: list[MeasureStatus]


class DepartmentOrdersRead(BaseModel):
    department: str
    orders: list[OrderRead]


class EntryDeletionRead(BaseModel):
    """Why and by when the entry must be deleted, and whether the deletion came in time."""

    ground: str
    arose_on: date
    due: date = Field(description="the working day the deletion is due by")
    due_provisional: bool
    state: DeletionState


class EntryRead(ContentRead):
    entry_id: str
    record_id: str
    initiating_department: str
    status: ListEntryStatus
    version: int
    list_type_version: int
    colour: ListColour
    warnings: list[str]
    personal_data_masked: bool
    created_at: datetime
    updated_at: datetime
    in_force_since: datetime | None = Field(description="when it was first sent to enforcement")
    revocation: RevocationRead | None
    suspension: SuspensionRead | None = Field(description="set while status is suspended")
    repair: RepairRead | None = Field(description="set when status is repaired")
    deletion: EntryDeletionRead | None = Field(
        default=None, description="set once a deletion ground is recorded (法释〔2017〕7号 第十条)"
    )
    recognition: RecognitionRead | None
    versions: list[VersionRead]
    departments: list[DepartmentOrdersRead] = Field(
        description="per implementing department, its orders with receipt and feedback"
    )


class EntrySummaryRead(BaseModel):
    entry_id: str
    record_id: str
    initiating_department: str
    status: ListEntryStatus
    version: int
    subject: SubjectReference
    list_type: str
    colour: ListColour
    decision_date: date
    period: Period
    created_at: datetime
    updated_at: datetime
    suspension: SuspensionRead | None = Field(description="set while status is suspended")
    repair: RepairRead | None = Field(description="set when status is repaired")
