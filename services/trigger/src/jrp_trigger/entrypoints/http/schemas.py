"""Request and response bodies of the list-entry API (submissions are `ListEntrySubmission`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from jrp_shared.events.payloads import (
    CorrectedEntry,
    CourtCase,
    DecisionDocument,
    EntryOrigin,
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
from jrp_trigger.entrypoints.http import examples


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class EntryCorrection(CorrectedEntry):
    """The corrected entry, whole (a submission without `record_id`), and why."""

    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [examples.CORRECTION]},
    )

    reason: str = Field(min_length=1, max_length=2000, description="why it is corrected")
    prior_notice: PriorNotice | None = Field(
        default=None,
        description="corrects the record of the notice; left out, the entry keeps its notice",
    )


class RevocationRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [*examples.REVOCATIONS]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [examples.VOTE]})

    vote: RecognitionVote
    comment: str | None = Field(default=None, max_length=2000)


class ExpertDrawRequest(_In):
    """Only how many experts: the platform keeps the pool and makes the seed (002 二(二)2)."""

    model_config = ConfigDict(json_schema_extra={"examples": [*examples.EXPERT_DRAW_REQUESTS]})

    count: int = Field(ge=1, le=25, description="experts to draw from the group's pool")
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="a redraw (the office only) records why the experts are drawn again",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_chosen_draw(cls, data: Any) -> Any:
        if isinstance(data, dict):
            chosen = sorted(k for k in ("seed", "pool") if k in data)
            if chosen:
                raise PydanticCustomError(
                    "draw_chosen_by_platform",
                    "{fields}: not accepted; the platform keeps the expert pool and makes the "
                    "seed, so no caller chooses the panel. Send only `count` (and a redraw's "
                    "`reason`)",
                    {"fields": ", ".join(chosen)},
                )
        return data


class ExpertVoteRequest(_In):
    """A drawn expert's vote, recorded by the office from the meeting's signed minutes."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_VOTE]})

    expert_id: Identifier
    vote: RecognitionVote
    comment: str | None = Field(default=None, max_length=2000)


class EscalationDecisionRequest(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ESCALATION_DECISION]})

    decision: RecognitionVote = Field(description="approve: in force; reject: rejected")
    reason: str = Field(min_length=1, max_length=2000)


class ExpertIn(_In):
    id: Identifier = Field(description="the expert's id in the pool")
    name: str = Field(min_length=1, max_length=100)
    department: str = Field(
        min_length=1, max_length=32, description="where the expert works: excluded from its cases"
    )


class ExpertPoolPut(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_POOL_PUT]})

    experts: list[ExpertIn] = Field(min_length=1, max_length=1000)
    departments: list[str] = Field(
        min_length=1,
        max_length=100,
        description="the group's member departments; a meeting convening others spans several "
        "groups and goes to the joint conference office",
    )


class ExpertRead(BaseModel):
    id: str
    name: str
    department: str


class ExpertPoolRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_POOL]})

    group: str
    version: int
    experts: list[ExpertRead]
    departments: list[str]
    changed_by: str
    changed_at: datetime


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
    recorded_by_officer: str | None = Field(
        default=None,
        description="the officer of `recorded_by` who did it, when it signed in as one",
    )


class VoteRead(BaseModel):
    department: str
    vote: RecognitionVote
    comment: str | None
    entry_version: int
    voted_at: datetime
    voted_by_officer: str | None = Field(
        default=None,
        description="the officer of `department` who voted, when it signed in as one "
        '(docs/security.md, "Officers")',
    )


class ExpertDrawRead(BaseModel):
    """A draw with what redoing it needs: `random.Random(seed).sample(candidates, count)`
    (`jrp_shared.experts.draw_experts`), candidates = pool minus excluded, sorted."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXPERT_DRAW]})

    experts: list[str]
    seed: int | str
    pool: list[str] = Field(description="the pool version's member ids")
    count: int
    drawn_by: str
    drawn_at: datetime
    pool_group: str | None = Field(default=None, description="none: a draw before pools")
    pool_version: int | None = None
    excluded: list[str] = Field(default_factory=list, description="the initiating department's")
    candidates: list[str] = Field(default_factory=list, description="whom the draw chose from")
    reason: str | None = Field(default=None, description="why the office drew again")


class ExpertVoteRead(BaseModel):
    expert_id: str
    vote: RecognitionVote
    comment: str | None
    entry_version: int
    recorded_by: str
    voted_at: datetime
    recorded_by_officer: str | None = Field(
        default=None,
        description="the office's officer who recorded it from the minutes, when it signed in "
        "as one",
    )


class EscalationRead(BaseModel):
    """A case spanning several special groups, for the joint conference office (002 二(二)2)."""

    group: str
    outside_departments: list[str] = Field(description="convened, not members of the group")
    escalated_at: datetime
    decision: RecognitionVote | None
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    decided_by_officer: str | None = Field(
        default=None, description="the office's officer who decided, when it signed in as one"
    )


class RecognitionRead(BaseModel):
    departments: list[str] = Field(description="convened: every one must approve")
    pending: list[str] = Field(description="not yet voted on the current version")
    votes: list[VoteRead]
    expert_draws: list[ExpertDrawRead]
    experts: list[str] = Field(default_factory=list, description="drawn (the last draw)")
    experts_pending: list[str] = Field(default_factory=list)
    expert_votes: list[ExpertVoteRead] = Field(default_factory=list)
    rule: str = Field(default="", description="the outcome rule this meeting is decided by")
    escalation: EscalationRead | None = None


class RevocationRead(BaseModel):
    reason: str
    revoked_by: str
    revoked_by_officer: str | None = Field(
        default=None, description="the officer of `revoked_by` who did it, when it signed in as one"
    )
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
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.ENTRY, examples.RECOGNISED_ENTRY]}
    )

    entry_id: str
    record_id: str
    initiating_department: str
    initiated_by_officer: str | None = Field(
        default=None,
        description="the officer of `initiating_department` who posted it (the first "
        "version's `recorded_by_officer`), when it signed in as one (docs/security.md, "
        '"Officers")',
    )
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
    origin: EntryOrigin | None = Field(
        default=None,
        description="another region's entry, received from an exchange partner (DOMAIN.md §11)",
    )
    versions: list[VersionRead]
    departments: list[DepartmentOrdersRead] = Field(
        description="per implementing department, its orders with receipt and feedback"
    )


class EntrySummaryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTRY_SUMMARY]})

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
