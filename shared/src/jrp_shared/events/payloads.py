"""Typed, versioned event payloads. Each class names its CloudEvents type and its topic.

The type string ends in `.v<major>`; a breaking change makes a new class and type, and the old
one stays until no consumer needs it. JSON Schemas are generated from these models
(`make schemas` → docs/schemas/).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope, schema_base
from jrp_shared.vocabulary import (
    AppealOutcome,
    CaseKind,
    DepartmentLevel,
    DisclosureClass,
    DishonestySeverity,
    ExchangeOperation,
    FeedbackOutcome,
    LawfulArea,
    LicenceCategory,
    LiftReason,
    LinkedPersonRole,
    ListColour,
    ListEntryStatus,
    MeasureKind,
    NoticeChannel,
    ObjectionOutcome,
    OrderState,
    OverdueKind,
    PartyKind,
    PenaltyType,
    PerformanceState,
    PublicationEnd,
    PublicityKind,
    Remedy,
    ReminderLevel,
    RepairRoute,
    SubjectType,
    TargetRole,
)

EVENT_TYPES: dict[str, type[EventPayload]] = {}

Identifier = Annotated[str, Field(max_length=64)]
"""An id or code from outside (order ids, subject codes): long enough for any the mesh makes;
the domain checks its form and says what is wrong with it."""
Reference = Annotated[str, Field(min_length=1, max_length=500)]
"""A department's own reference to a document or an item (evidence, a case)."""


class EventPayload(BaseModel):
    """Base of every payload. Subclasses set `event_type` and `topic`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    topic: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if isinstance(event_type, str):
            if event_type in EVENT_TYPES:
                raise TypeError(f"event type {event_type} defined twice")
            EVENT_TYPES[event_type] = cls

    def partition_key(self) -> str:
        """What keeps one subject's (or one catalog entry's) events in order."""
        raise NotImplementedError

    def destination(self) -> str:
        """The logical topic this event goes to; per-department events override it."""
        return self.topic

    def envelope(self, source: str, *, correlationid: str | None = None) -> Envelope:
        """This event in the one envelope, keyed by its partition key."""
        return Envelope(
            source=source,
            type=self.event_type,
            subject=self.partition_key(),
            dataschema=self.schema_uri(),
            correlationid=correlationid,
            data=self.model_dump(mode="json"),
        )

    def message(self, source: str, *, headers: tuple[tuple[str, bytes], ...] = ()) -> Message:
        """This event as a bus message for its destination topic (what a relay publishes)."""
        envelope = self.envelope(source)
        return Message(
            topic=self.destination(),
            key=envelope.subject,
            headers=(*envelope.to_headers(), *headers),
            value=envelope.body(),
        )

    @classmethod
    def schema_uri(cls, base: str | None = None) -> str:
        """`ce_dataschema`: where this event's JSON Schema is served (`base`, by default the
        process's `schema_base()`, + the event type + `.json`)."""
        return f"{schema_base() if base is None else base}{cls.event_type}.json"


# --- catalog (registry → everyone), DOMAIN.md §4 and §11 -------------------------------------


class RepairRules(BaseModel):
    """A list type's credit repair: its tier, disclosure periods, who decides and the three
    stages' deadlines (DOMAIN.md §11; 国办发〔2025〕22号; NDRC Order No. 36, in force 2026-04-01):
    minor dishonesty at most 3 months, general 3 to 12, serious 12 to 36; repair may be asked
    only after the minimum; the credit portal forwards an application within 10 working days,
    the deciding authority decides within 3 working days of forwarding, and the result is pushed
    to the other platforms within 3 working days of the decision.

    `earliest_after_months` is the older name of `min_disclosure_months`: either one given sets
    the other (an event of an older registry still parses), two that differ are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    repairable: bool
    earliest_after_months: int | None = Field(
        default=None, ge=0, description="= min_disclosure_months (kept for older readers)"
    )
    evidence_required: list[str] = Field(default_factory=list)
    public_interest_service_route: bool = False
    tier: DishonestySeverity | None = Field(
        default=None, description="minor, general or serious dishonesty (DOMAIN.md §11)"
    )
    min_disclosure_months: int | None = Field(
        default=None, ge=0, description="repair may be asked this many months after the start"
    )
    max_disclosure_months: int | None = Field(
        default=None,
        ge=1,
        description="publication stops at the latest this many months after the start; the "
        "registry refuses a value that differs from the list type's publication maximum",
    )
    decided_by: str = Field(
        default="initiating_department",
        min_length=1,
        max_length=64,
        description="who decides: 'initiating_department' (the department that listed) or a "
        "department code",
    )
    portal_forward_working_days: int = Field(
        default=10, ge=1, le=60, description="stage 1: the credit portal forwards (§11)"
    )
    authority_decision_working_days: int = Field(
        default=3, ge=1, le=60, description="stage 2: the authority decides after forwarding"
    )
    result_push_working_days: int = Field(
        default=3, ge=1, le=60, description="stage 3: the result reaches the other platforms"
    )

    @model_validator(mode="before")
    @classmethod
    def _minimum_named_once(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        earliest, minimum = data.get("earliest_after_months"), data.get("min_disclosure_months")
        if earliest is not None and minimum is not None and earliest != minimum:
            raise ValueError(
                f"earliest_after_months ({earliest}) differs from min_disclosure_months "
                f"({minimum}): they are one rule (DOMAIN.md §11)"
            )
        if minimum is None and earliest is not None:
            return {**data, "min_disclosure_months": earliest}
        if earliest is None and minimum is not None:
            return {**data, "earliest_after_months": minimum}
        return data


class PeriodExtension(BaseModel):
    """How far a listing's period may run beyond the list type's default, and on which grounds
    (法释〔2017〕7号 第二条: two years, extended by one to three years for violent obstruction or
    several dishonest acts; DOMAIN.md §11). A period longer than the default needs a ground."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_months: int = Field(ge=1)
    max_months: int = Field(ge=1)
    grounds: list[str] = Field(min_length=1, description="codes a submission may give")


class DeletionRules(BaseModel):
    """When the initiating department must delete (revoke) an entry and within how many working
    days of the ground arising (法释〔2017〕7号 第十条: three working days, seven grounds;
    DOMAIN.md §11). The platform tracks the deadline and reports the overdue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_working_days: int = Field(ge=1)
    grounds: list[str] = Field(min_length=1, description="codes of the lawful grounds")


class ObjectionReview(BaseModel):
    """The list type's own review of an objection in place of the provincial rule (20 working
    days, measures suspended; DOMAIN.md §7): for the court's list a correction request is
    reviewed within 15 days and, if right, corrected within 3 working days; an appeal to the
    higher court within 10 days of the decision is decided within 15 days (法释〔2017〕7号
    第十二条; DOMAIN.md §11). Whether measures are suspended meanwhile is the list type's
    `suspend_during_objection`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    review_days: int = Field(ge=1, description="calendar days to review a request")
    correction_working_days: int = Field(ge=1, description="working days to correct once upheld")
    appeal_window_days: int = Field(ge=1, description="calendar days to appeal a dismissal")
    appeal_decision_days: int = Field(ge=1, description="calendar days to decide an appeal")
    appeal_department: str | None = Field(
        default=None, description="the department that decides appeals (the higher court)"
    )


class PublicationRules(BaseModel):
    """How the list type's entries of disclosure class `public` appear in the public lookup
    (DOMAIN.md §3, §11, §12). An entry is shown while it is in force, never after its
    publication stops: at the period's end, on repair or revocation, and at the latest
    `max_disclosure_months` after the period starts (国办发〔2025〕22号: serious dishonesty is
    published 1 to 3 years)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    natural_persons_public: bool = Field(
        default=False,
        description="natural persons on this list are published by law (the court's list, "
        "法释〔2017〕7号 第七条), with the resident ID masked; otherwise only organisations",
    )
    max_disclosure_months: int | None = Field(
        default=None,
        ge=1,
        description="publication stops this many months after the period starts, even while the "
        "entry is still in force; none: publication follows the period",
    )


class PriorNoticeRules(BaseModel):
    """Whether the party must be told of the finding before listing, and how long it has to
    answer (国办发〔2020〕49号: before listing the party is told the reasons, the basis and its
    rights; DOMAIN.md §11). The window is in working days from the notice (DOMAIN.md §10)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    required: bool
    response_window_working_days: int = Field(
        default=0, ge=0, le=60, description="working days the party has to answer the notice"
    )


ConditionKind = Literal["no_black_list_within_years", "on_list_consecutive_years"]


class EligibilityCondition(BaseModel):
    """A condition on the subject's record that a measure (a reward, mostly) needs before it
    is granted (DOMAIN.md §6: three consecutive years with no bad record open the green channel,
    000 (十一), 004 一(三)). Data, evaluated by enforcement from the subject's history
    (docs/must-check.md, "Eligibility from history"):

    - `no_black_list_within_years`: no black-list entry of the subject in force (or suspended),
      nor expired within the last `years` years. A revoked entry never counts: it was wrong
      information, withdrawn (000 (二十四)); nor a repaired one: repair stops its use
      (DOMAIN.md §11).
    - `on_list_consecutive_years`: listed on `list_type` (an annual list: each entry counts
      for the year its period starts) in each of `years` consecutive years ending with the year
      of the subject's current listing on it; revoked entries do not count.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ConditionKind
    years: int = Field(ge=1, le=10)
    list_type: str | None = Field(
        default=None,
        max_length=100,
        description="the list the subject must have been on (on_list_consecutive_years only)",
    )
    for_list_types: list[str] = Field(
        default_factory=list,
        description="the condition holds only for entries of these list types (empty: every "
        "list type of the measure); e.g. exemplars get the green channel without three clean years",
    )
    sources: list[str] = Field(default_factory=list, description="where the condition comes from")

    @model_validator(mode="after")
    def _list_type_when_needed(self) -> EligibilityCondition:
        if (self.kind == "on_list_consecutive_years") != (self.list_type is not None):
            raise ValueError("list_type is given for on_list_consecutive_years, and only for it")
        return self


class EscalationRules(BaseModel):
    """Supervision of a list type's deadlines (DOMAIN.md §5 step 5, 000 (二十七)): the day after
    a receipt, feedback, case or repair decision falls due, the department that must act is
    reminded; if it is still not done `escalate_after_working_days` working days after the due
    day, the joint conference office is told (an escalation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    escalate_after_working_days: int = Field(default=5, ge=1, le=60)


class WatchListRules(BaseModel):
    """A watch list's (重点关注名单) key area (DOMAIN.md §11, 2018 follow-up of 发改财金规〔2017〕
    1798号): a subject on watch lists in three or more key areas goes on the big-data warning
    list. Only list types of colour `watch` have it, and their period is at most 24 months."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_area: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="e.g. food-safety, work-safety, tax, environment, finance",
    )


class ListTypePublished(EventPayload):
    """One version of a list type, complete, as the registry holds it."""

    event_type: ClassVar[str] = "cn.jrp.catalog.list-type.published.v1"
    topic: ClassVar[str] = topics.CATALOG

    code: str
    version: int = Field(ge=1)
    effective_from: date
    name: str
    name_en: str
    colour: ListColour
    domain: str
    initiating_departments: list[str]
    lawful_area: LawfulArea | None
    grounds: str
    legal_basis: str
    default_period_months: int = Field(ge=1)
    max_period_months: int = Field(ge=1)
    recognition_meeting_required: bool
    includes_linked_persons: bool
    suspend_during_objection: bool
    receipt_deadline_working_days: int = Field(ge=1)
    feedback_deadline_working_days: int = Field(ge=1)
    repair: RepairRules
    sources: list[str]
    minimum_age_years: int | None = Field(
        default=None,
        ge=1,
        description="natural persons younger than this on the decision date are never listed "
        "(the court's list: 18, 法释〔2017〕7号 第五条)",
    )
    court_case_required: bool = Field(
        default=False, description="entries carry the court's case record (DOMAIN.md §11)"
    )
    period_extension: PeriodExtension | None = None
    deletion: DeletionRules | None = None
    objection_review: ObjectionReview | None = None
    publication: PublicationRules = Field(default_factory=PublicationRules)
    prior_notice: PriorNoticeRules | None = Field(
        default=None,
        description="prior notice before listing (国办发〔2020〕49号); none: not required",
    )
    escalation: EscalationRules = Field(default_factory=EscalationRules)
    watch: WatchListRules | None = Field(
        default=None, description="the key area of a watch list (colour watch), and only then"
    )

    def partition_key(self) -> str:
        return self.code


class MeasurePublished(EventPayload):
    """One version of a measure: what one implementing department does for which list types."""

    event_type: ClassVar[str] = "cn.jrp.catalog.measure.published.v1"
    topic: ClassVar[str] = topics.CATALOG

    code: str
    version: int = Field(ge=1)
    effective_from: date
    list_types: list[str]
    content: str
    content_en: str
    kind: MeasureKind
    mandatory: bool
    implementing_department: str
    legal_basis: str
    applies_to: list[SubjectType]
    sources: list[str]
    conditions: list[EligibilityCondition] = Field(
        default_factory=list,
        description="conditions on the subject's record the measure needs (all must hold); "
        "none: granted with the entry (DOMAIN.md §6)",
    )

    def partition_key(self) -> str:
        return self.code


# --- departments --------------------------------------------------------------------------------


class DepartmentPublished(EventPayload):
    event_type: ClassVar[str] = "cn.jrp.registry.department.published.v1"
    topic: ClassVar[str] = topics.DEPARTMENTS

    code: str
    name: str
    name_en: str
    level: DepartmentLevel
    region: str
    domains: list[str]
    initiates: bool
    implements: bool
    exchanges: bool = Field(
        default=False,
        description="another credit platform (the upper level's, or another region's): holds "
        "the `exchange` role, acknowledges exchange records and submits entries with their "
        "`origin` (DOMAIN.md §11)",
    )
    active: bool = True
    credential_version: int = Field(
        default=1,
        ge=1,
        description="grows when the department's secret is set or its roles change; every "
        "service refuses its tokens of an older version (docs/security.md)",
    )

    def partition_key(self) -> str:
        return self.code


class OfficerPublished(EventPayload):
    """An officer account's state, so every service refuses its revoked tokens (docs/security.md,
    "Officers"). Carries no password, name or role: only what revocation needs. Default-safe:
    `active` has no default and `credential_version` must be given, so a payload that omits
    them is refused rather than read as an active officer."""

    event_type: ClassVar[str] = "cn.jrp.registry.officer.published.v1"
    topic: ClassVar[str] = topics.DEPARTMENTS

    officer_id: str = Field(min_length=1, max_length=40)
    department_code: str = Field(min_length=1, max_length=32)
    active: bool
    credential_version: int = Field(
        ge=1,
        description="grows when the officer is deactivated or its password or roles change; "
        "every service refuses its tokens of an older version",
    )

    def partition_key(self) -> str:
        # Not the department code: `departments.v1` may be compacted by key, and an officer's
        # state must neither replace its department's nor another officer's.
        return f"officer:{self.officer_id}"


# --- subjects, DOMAIN.md §3 ---------------------------------------------------------------------


class LinkedPersonRecord(BaseModel):
    """A person behind an organisation. The resident ID travels only inside the mesh."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: LinkedPersonRole
    name: str = Field(min_length=1, max_length=100)
    resident_id: Identifier


class SubjectRecorded(EventPayload):
    """A subject as the registry now holds it (sent on registration and on every update)."""

    event_type: ClassVar[str] = "cn.jrp.registry.subject.recorded.v1"
    topic: ClassVar[str] = topics.SUBJECTS

    code: str
    subject_type: SubjectType
    name: str
    division_code: str
    revision: int = Field(ge=1)
    linked_persons: list[LinkedPersonRecord]

    def partition_key(self) -> str:
        return self.code


# --- list entries (initiate), DOMAIN.md §5 step 1-2 -------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubjectReference(_Part):
    """The listed subject as the initiating department names it (002 二(一)2)."""

    code: str = Field(min_length=18, max_length=18, description="USCC or resident ID")
    subject_type: SubjectType
    name: str = Field(min_length=1, max_length=200)


class DecisionDocument(_Part):
    """The legally effective document the listing rests on (DOMAIN.md §11)."""

    number: str = Field(min_length=1, max_length=100, description="e.g. 闽税稽罚〔2026〕12号")
    date: date


class Period(_Part):
    """First and last day (inclusive) the entry is in force."""

    start: date
    end: date


class EnforcementBasis(_Part):
    """The legally effective document being enforced: who issued it and its number."""

    issuer: str = Field(min_length=1, max_length=200)
    number: str = Field(min_length=1, max_length=100)


class CourtCase(_Part):
    """The court's record of a dishonest judgment debtor (DOMAIN.md §11, 法释〔2017〕7号 第六条):
    the enforcement case behind the listing and how far the obligation was met. Required where
    the list type says `court_case_required`."""

    court: str = Field(min_length=1, max_length=200, description="the enforcing court")
    case_number: str = Field(min_length=1, max_length=100, description="e.g. (2025)闽01执123号")
    filing_date: date
    enforcement_basis: EnforcementBasis
    obligation: str = Field(min_length=1, max_length=2000, description="what the debtor owes")
    performance: PerformanceState
    performed_part: str | None = Field(
        default=None, max_length=2000, description="what was met, when partly performed"
    )
    extension_ground: str | None = Field(
        default=None,
        max_length=100,
        description="ground of a period beyond the default (the list type's period_extension)",
    )


class PriorNotice(_Part):
    """When and how the party was told of the finding, its reasons, basis and rights before
    listing (国办发〔2020〕49号; DOMAIN.md §11), and whether it answered."""

    notified_on: date
    channel: NoticeChannel
    document_number: str = Field(
        min_length=1, max_length=100, description="the notice's number, e.g. 闽税稽告〔2026〕3号"
    )
    response_received: bool = Field(
        default=False, description="the party answered (or waived) before the window ran out"
    )


class EntryOrigin(_Part):
    """Where an entry received from another platform came from (DOMAIN.md §11: entries of
    other regions arrive through the same door as an initiating department's). Only a caller
    with the `exchange` role sends it, and must."""

    platform: str = Field(min_length=1, max_length=100, description="the sending platform's id")
    region_code: str = Field(
        pattern=r"^[0-9]{6}$", description="administrative division code (GB/T 2260) of origin"
    )
    department_name: str = Field(
        min_length=1, max_length=200, description="the department that decided, in its region"
    )
    original_entry_id: str = Field(min_length=1, max_length=100)


class ListEntrySubmission(EventPayload):
    """What an initiating department posts, by `POST /v1/list-entries` or on the
    `list-entry-submissions.v1` topic. The department is the one the bearer token names."""

    event_type: ClassVar[str] = "cn.jrp.trigger.list-entry.submitted.v1"
    topic: ClassVar[str] = topics.LIST_ENTRY_SUBMISSIONS

    record_id: str = Field(
        min_length=1, max_length=100, description="the department's own id; reposting it is safe"
    )
    subject: SubjectReference
    list_type: str = Field(min_length=1, max_length=100, description="catalog list type code")
    grounds: str = Field(min_length=1, max_length=4000)
    legal_basis: str = Field(min_length=1, max_length=2000)
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    linked_persons: list[LinkedPersonRecord] = Field(default_factory=list, max_length=50)
    evidence_references: list[Reference] = Field(default_factory=list, max_length=100)
    court_case: CourtCase | None = None
    prior_notice: PriorNotice | None = Field(
        default=None, description="required where the list type's prior_notice requires it"
    )
    origin: EntryOrigin | None = Field(
        default=None, description="another region's entry (exchange role only, and required)"
    )

    def partition_key(self) -> str:
        return self.subject.code


class ListEntryInForce(EventPayload):
    """A list entry as it now stands in force: sent when it enters force (accepted, or
    recognised at a meeting) and again, with a higher version, after every correction."""

    event_type: ClassVar[str] = "cn.jrp.trigger.list-entry.in-force.v1"
    topic: ClassVar[str] = topics.LIST_ENTRIES

    entry_id: str
    version: int = Field(ge=1)
    record_id: str
    initiating_department: str
    subject: SubjectReference
    list_type: str
    list_type_version: int = Field(ge=1)
    colour: ListColour
    grounds: str
    legal_basis: str
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    linked_persons: list[LinkedPersonRecord]
    evidence_references: list[str]
    recorded_at: datetime
    recorded_by_officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `initiating_department` who posted or corrected this "
        'version, when it signed in as one (docs/security.md, "Officers"); None for a '
        "department system's own token",
    )
    court_case: CourtCase | None = None
    prior_notice: PriorNotice | None = None
    origin: EntryOrigin | None = None

    def partition_key(self) -> str:
        return self.subject.code


class ListEntryRevoked(EventPayload):
    """The initiating department withdrew the entry; every measure stops (DOMAIN.md §7)."""

    event_type: ClassVar[str] = "cn.jrp.trigger.list-entry.revoked.v1"
    topic: ClassVar[str] = topics.LIST_ENTRIES

    entry_id: str
    version: int = Field(ge=1, description="the version that was revoked")
    subject_code: str
    reason: str
    revoked_by: str
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `revoked_by` who revoked, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )
    revoked_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


class ListEntrySuspended(EventPayload):
    """An objection or complaint against the entry is being verified and its list type
    suspends measures meanwhile (DOMAIN.md §7, 000 (二十四)): no measure is applied, nothing
    is overdue, and the period stops running. A later `ListEntryInForce` (higher version)
    resumes it, with the period's end moved by the suspended span; a `ListEntryRevoked`
    ends it."""

    event_type: ClassVar[str] = "cn.jrp.trigger.list-entry.suspended.v1"
    topic: ClassVar[str] = topics.LIST_ENTRIES

    entry_id: str
    version: int = Field(ge=1, description="the version whose measures are suspended")
    subject_code: str
    case_kind: CaseKind
    case_id: str
    suspended_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


class ListEntryRepaired(EventPayload):
    """The deciding department granted credit repair: the entry ends early, every measure
    stops and the result is published as repaired (DOMAIN.md §8, 000 (二十三))."""

    event_type: ClassVar[str] = "cn.jrp.trigger.list-entry.repaired.v1"
    topic: ClassVar[str] = topics.LIST_ENTRIES

    entry_id: str
    version: int = Field(ge=1, description="the version that was repaired")
    subject_code: str
    repair_id: str
    repaired_by: str
    repaired_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


# --- sanction orders (push, respond, execute, feedback), DOMAIN.md §5 steps 3-5 ---------------


class OrderedMeasure(_Part):
    """One catalogued measure an order asks the department to apply (or grant)."""

    code: str
    version: int = Field(ge=1)
    content: str
    content_en: str
    kind: MeasureKind
    mandatory: bool
    legal_basis: str


class OrderTarget(_Part):
    """Whom the order is about: the listed subject or one of its linked persons."""

    role: TargetRole
    code: str = Field(description="USCC or resident ID (government sharing only)")
    subject_type: SubjectType
    name: str


class SanctionOrderIssued(EventPayload):
    """One implementing department's measures for one target of one entry, on that
    department's own topic. A correction re-issues the order with a higher revision, which
    replaces the earlier one."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.sanction-order.issued.v1"
    topic: ClassVar[str] = topics.SANCTIONS

    order_id: str
    revision: int = Field(ge=1)
    department: str
    entry_id: str
    entry_version: int = Field(ge=1)
    initiating_department: str
    listed_subject: SubjectReference
    target: OrderTarget
    list_type: str
    list_type_name: str
    colour: ListColour
    measures: list[OrderedMeasure] = Field(min_length=1)
    grounds: str
    legal_basis: str
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    receipt_due: date
    feedback_due: date
    deadlines_provisional: bool = Field(
        description="a deadline falls in a year whose official holiday schedule is not out yet"
    )
    issued_at: datetime

    def partition_key(self) -> str:
        return self.listed_subject.code

    def destination(self) -> str:
        return topics.sanctions(self.department)


class SanctionOrderLifted(EventPayload):
    """The order no longer applies: stop its measures (exit notice on the listing's channel)."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.sanction-order.lifted.v1"
    topic: ClassVar[str] = topics.SANCTIONS

    order_id: str
    revision: int = Field(ge=1)
    department: str
    entry_id: str
    listed_subject_code: str
    target_role: TargetRole
    reason: LiftReason
    lifted_at: datetime

    def partition_key(self) -> str:
        return self.listed_subject_code

    def destination(self) -> str:
        return topics.sanctions(self.department)


class SanctionOrderSuspended(EventPayload):
    """Stop applying the order's measures until it is re-issued or lifted: an objection or
    complaint is being verified (DOMAIN.md §7). Nothing is overdue meanwhile."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.sanction-order.suspended.v1"
    topic: ClassVar[str] = topics.SANCTIONS

    order_id: str
    revision: int = Field(ge=1)
    department: str
    entry_id: str
    listed_subject_code: str
    target_role: TargetRole
    case_kind: CaseKind
    case_id: str
    suspended_at: datetime

    def partition_key(self) -> str:
        return self.listed_subject_code

    def destination(self) -> str:
        return topics.sanctions(self.department)


class ReceiptAcknowledged(EventPayload):
    """An implementing department confirms it received an order (respond)."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.receipt.acknowledged.v1"
    topic: ClassVar[str] = topics.DEPARTMENT_REPORTS

    order_id: Identifier
    subject_code: Identifier = Field(description="the listed subject's code (the partition key)")
    received_at: AwareDatetime
    note: str | None = Field(default=None, max_length=1000)

    def partition_key(self) -> str:
        return self.subject_code


class MeasureFeedback(_Part):
    """How one measure was handled (000 (十九); fields after what provincial gateways send)."""

    measure: str = Field(max_length=100, description="catalog measure code from the order")
    outcome: FeedbackOutcome
    reason: str | None = Field(
        default=None, max_length=2000, description="required when the outcome is failed"
    )
    business_reference: str | None = Field(
        default=None, max_length=200, description="the department's own case or item id"
    )
    executed_at: AwareDatetime


class ExecutionFeedbackReported(EventPayload):
    """An implementing department reports how it applied an order's measures (feedback)."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.feedback.reported.v1"
    topic: ClassVar[str] = topics.DEPARTMENT_REPORTS

    order_id: Identifier
    subject_code: Identifier = Field(description="the listed subject's code (the partition key)")
    measures: list[MeasureFeedback] = Field(min_length=1, max_length=200)

    def partition_key(self) -> str:
        return self.subject_code


class MeasureStatus(_Part):
    code: str
    mandatory: bool
    outcome: FeedbackOutcome | None
    reason: str | None = None
    business_reference: str | None = None
    executed_at: datetime | None = None


class SanctionOrderStatus(EventPayload):
    """An order's whole state after a change (enforcement → trigger). `sequence` grows with
    every change, so a copy keeps the highest and ignores anything older."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.sanction-order.status.v1"
    topic: ClassVar[str] = topics.ORDER_STATUS

    order_id: str
    sequence: int = Field(ge=1)
    revision: int = Field(ge=1)
    entry_id: str
    entry_version: int = Field(ge=1)
    department: str
    listed_subject_code: str
    target_role: TargetRole
    state: OrderState
    issued_at: datetime
    receipt_due: date
    feedback_due: date
    received_at: datetime | None
    received_by_officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `department` who acknowledged receipt, when it signed in as "
        'one (docs/security.md, "Officers"); None for a department system\'s own token',
    )
    fed_back_by_officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `department` whose report completed the feedback",
    )
    measures: list[MeasureStatus]
    lifted_at: datetime | None = None
    lift_reason: LiftReason | None = None

    def partition_key(self) -> str:
        return self.listed_subject_code


class OrderStatuses(EventPayload):
    """The whole state of every order of one entry that a unit of work changed (enforcement →
    trigger): one event per entry and change instead of one per order. Each status keeps
    its own `sequence`, so a copy keeps the highest per order and ignores anything older."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.sanction-order.statuses.v1"
    topic: ClassVar[str] = topics.ORDER_STATUS

    entry_id: str
    listed_subject_code: str
    statuses: list[SanctionOrderStatus] = Field(min_length=1, max_length=1_000)

    def partition_key(self) -> str:
        return self.listed_subject_code


MAX_CHANGED_ENTRIES = 1_000
"""Entry ids one `EntriesChanged` event carries (a larger change is announced in parts)."""


class EntriesChanged(EventPayload):
    """Enforcement committed a change to these entries (their status, targets or orders) or
    to its catalog copy: every enforcement replica reloads them into its must-check index
    (DOMAIN.md §6), so no answer depends on which replica is asked."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.entries.changed.v1"
    topic: ClassVar[str] = topics.ENFORCEMENT_CHANGES

    entry_ids: list[str] = Field(default_factory=list, max_length=MAX_CHANGED_ENTRIES)
    catalog_changed: bool = False
    replica: str = Field(max_length=64, description="the replica that made the change")

    def partition_key(self) -> str:
        return "entries"


# --- due process: objections, complaints, repair (appeals → trigger, registry), §7, §8 ----------


class CaseParty(_Part):
    """Who filed: the subject (through the portal department `agent`) or a department."""

    kind: PartyKind
    code: str = Field(description="the subject's code, or the department's code")
    agent: str | None = Field(default=None, description="the portal acting for a subject")


class CorrectedEntry(_Part):
    """An entry's content as corrected: a submission without `record_id`. Who and which
    list it is about cannot change (such an entry is revoked and posted anew)."""

    subject: SubjectReference
    list_type: str = Field(min_length=1, max_length=100)
    grounds: str = Field(min_length=1, max_length=4000)
    legal_basis: str = Field(min_length=1, max_length=2000)
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    linked_persons: list[LinkedPersonRecord] = Field(default_factory=list, max_length=50)
    evidence_references: list[Reference] = Field(default_factory=list, max_length=100)
    court_case: CourtCase | None = None


class _CaseFiled(EventPayload):
    case_id: str
    entry_id: str
    entry_version: int = Field(ge=1)
    subject_code: str = Field(description="the listed subject's code (the partition key)")
    list_type: str
    provider: str = Field(description="the information provider (initiating department)")
    filed_by: CaseParty
    grounds: str
    evidence_references: list[str]
    suspends: bool = Field(description="the list type suspends measures during review")
    filed_at: datetime
    decision_due: date
    due_provisional: bool

    def partition_key(self) -> str:
        return self.subject_code


class ObjectionFiled(_CaseFiled):
    """A subject, or an implementing department that found an error, objects to an entry;
    the provider must answer within 20 working days (000 (二十四), DOMAIN.md §7)."""

    event_type: ClassVar[str] = "cn.jrp.appeals.objection.filed.v1"
    topic: ClassVar[str] = topics.APPEALS


class ComplaintFiled(_CaseFiled):
    """A subject not satisfied with an objection's answer complains to the joint conference
    office (002 二(三)2); measures are suspended again where the list type says so."""

    event_type: ClassVar[str] = "cn.jrp.appeals.complaint.filed.v1"
    topic: ClassVar[str] = topics.APPEALS

    objection_id: str


class _CaseDecided(EventPayload):
    case_id: str
    entry_id: str
    subject_code: str
    outcome: ObjectionOutcome
    remedy: Remedy | None = Field(description="how wrong information is put right")
    correction: CorrectedEntry | None = Field(description="the corrected entry (remedy correct)")
    reasons: str
    decided_by: str
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `decided_by` who decided, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )
    decided_at: datetime
    restoration_duty: str | None = Field(
        description="the department that must restore the subject's reputation (wrong information)"
    )

    def partition_key(self) -> str:
        return self.subject_code


class ObjectionDecided(_CaseDecided):
    """The provider's answer: information wrong → the entry is corrected or revoked;
    information right → measures resume and the period resumes from this date (§7)."""

    event_type: ClassVar[str] = "cn.jrp.appeals.objection.decided.v1"
    topic: ClassVar[str] = topics.APPEALS


class ComplaintDecided(_CaseDecided):
    """The joint conference office's answer, with the same outcomes as an objection."""

    event_type: ClassVar[str] = "cn.jrp.appeals.complaint.decided.v1"
    topic: ClassVar[str] = topics.APPEALS

    objection_id: str


class ObjectionAppealFiled(EventPayload):
    """The subject appeals a dismissed objection to the higher court named by the list type's
    `objection_review` (法释〔2017〕7号 第十二条: within 10 days, decided within 15; DOMAIN.md
    §11). The listing stays in force meanwhile: nothing is suspended."""

    event_type: ClassVar[str] = "cn.jrp.appeals.objection-appeal.filed.v1"
    topic: ClassVar[str] = topics.APPEALS

    appeal_id: str
    objection_id: str
    entry_id: str
    subject_code: str = Field(description="the listed subject's code (the partition key)")
    list_type: str
    appeal_department: str = Field(description="the higher court, which alone decides")
    filed_by: CaseParty
    grounds: str
    evidence_references: list[str]
    filed_at: datetime
    decision_due: date = Field(description="calendar days after filing (not working days)")

    def partition_key(self) -> str:
        return self.subject_code


class ObjectionAppealDecided(EventPayload):
    """The higher court's answer. Upheld: the listing court must correct (`remedy`, with the
    corrected entry for `correct`) within the list type's correction working days; dismissed:
    the listing stands."""

    event_type: ClassVar[str] = "cn.jrp.appeals.objection-appeal.decided.v1"
    topic: ClassVar[str] = topics.APPEALS

    appeal_id: str
    objection_id: str
    entry_id: str
    subject_code: str
    outcome: AppealOutcome
    remedy: Remedy | None = Field(description="how the listing court must put it right (upheld)")
    correction: CorrectedEntry | None = Field(description="the corrected entry (remedy correct)")
    reasons: str
    decided_by: str
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `decided_by` who decided, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )
    decided_at: datetime
    correction_due: date | None = Field(description="by when the listing court must correct")

    def partition_key(self) -> str:
        return self.subject_code


class RepairApplied(EventPayload):
    """A subject applied for credit repair to the department that decided (DOMAIN.md §8)."""

    event_type: ClassVar[str] = "cn.jrp.appeals.repair.applied.v1"
    topic: ClassVar[str] = topics.APPEALS

    repair_id: str
    entry_id: str
    subject_code: str
    department: str = Field(description="the department that decides (the initiating one)")
    route: RepairRoute
    applied_at: datetime
    decision_due: date
    due_provisional: bool

    def partition_key(self) -> str:
        return self.subject_code


class RepairDecided(EventPayload):
    """Repair granted (the entry ends early, every measure is lifted) or refused, with the
    reasons (DOMAIN.md §8)."""

    event_type: ClassVar[str] = "cn.jrp.appeals.repair.decided.v1"
    topic: ClassVar[str] = topics.APPEALS

    repair_id: str
    entry_id: str
    subject_code: str
    approved: bool
    reasons: str
    decided_by: str
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `decided_by` who decided, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )
    decided_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


class SubjectNotified(EventPayload):
    """A notice to a subject: the result of its objection, complaint or repair (§7: the
    result is told to the subject), the exit notice when an entry ends (§11), the penalty
    decision with its repair guidance (两书同达, §11). Kept as a record in appeals and sent for
    the portal."""

    event_type: ClassVar[str] = "cn.jrp.appeals.subject.notified.v1"
    topic: ClassVar[str] = topics.SUBJECT_NOTIFICATIONS

    notification_id: str
    subject_code: str
    about: str = Field(
        description="objection, complaint, repair, appeal, correction; exit (an entry ended: "
        "revoked, repaired or expired; case_id is the entry); penalty_decision (两书同达: "
        "case_id is the decision_id, entry_id empty)"
    )
    case_id: str
    entry_id: str
    title: str
    body: str
    created_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


# --- double publicity (双公示), DOMAIN.md §9, §12 (trigger → registry, appeals) ----------------


class PublicityCounterpart(_Part):
    """The administrative counterpart (行政相对人) of a licence or penalty decision. A resident
    ID travels inside the mesh only; it is masked wherever a record is published."""

    name: str = Field(min_length=1, max_length=200)
    category: SubjectType
    code: str = Field(min_length=18, max_length=18, description="USCC, or the person's resident ID")
    legal_representative: str | None = Field(default=None, max_length=100)


class LicenceDetails(_Part):
    """What a licence decision publishes (DOMAIN.md §12)."""

    document_name: str = Field(min_length=1, max_length=200, description="决定文书名称")
    category: LicenceCategory
    certificate_name: str | None = Field(default=None, max_length=200)
    certificate_number: str | None = Field(default=None, max_length=100)
    content: str = Field(min_length=1, max_length=4000)
    valid_from: date
    valid_to: date | None = None


class PenaltyDetails(_Part):
    """What a penalty decision publishes (DOMAIN.md §12)."""

    illegal_act: str = Field(min_length=1, max_length=4000, description="违法行为类型/事实")
    provision_violated: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=2000, description="处罚依据")
    penalty_types: list[PenaltyType] = Field(min_length=1, max_length=6)
    content: str = Field(min_length=1, max_length=4000, description="处罚内容")
    fine_amount: Annotated[float, Field(ge=0, le=1e13)] | None = Field(
        default=None, description="yuan"
    )
    confiscated_amount: Annotated[float, Field(ge=0, le=1e13)] | None = Field(
        default=None, description="yuan"
    )
    severity: DishonestySeverity = Field(description="sets the publication period (§11)")


class PublicityDecisionPublished(EventPayload):
    """A licence or penalty decision as the platform publishes it, sent when it is first
    published and again, with a higher version, after a correction. The public lookup shows it
    from `published_at` to `publication_ends` inclusive, unless withdrawn."""

    event_type: ClassVar[str] = "cn.jrp.trigger.publicity-decision.published.v1"
    topic: ClassVar[str] = topics.PUBLICITY

    decision_id: str
    version: int = Field(ge=1)
    record_id: str = Field(description="the deciding department's own id")
    kind: PublicityKind
    department: str = Field(description="the deciding department (the posting one)")
    counterpart: PublicityCounterpart
    decision_number: str = Field(description="决定文书号")
    decision_date: date
    licence: LicenceDetails | None = None
    penalty: PenaltyDetails | None = None
    publication_due: date = Field(description="7 working days after the decision (§9)")
    published_at: datetime
    late: bool = Field(description="published after `publication_due`")
    publication_ends: date = Field(description="公示截止期: last day it is shown")
    repair_guidance: str | None = Field(
        default=None, description="for a penalty: how to repair (两书同达, DOMAIN.md §11)"
    )
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `department` who published it, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )

    def partition_key(self) -> str:
        return self.counterpart.code


class PublicityDecisionWithdrawn(EventPayload):
    """A published decision stops being shown before its publication period ends: repaired
    (DOMAIN.md §8, §12) or revoked by the deciding department."""

    event_type: ClassVar[str] = "cn.jrp.trigger.publicity-decision.withdrawn.v1"
    topic: ClassVar[str] = topics.PUBLICITY

    decision_id: str
    version: int = Field(ge=1, description="the version that was withdrawn")
    counterpart_code: str
    reason: PublicationEnd
    withdrawn_by: str
    officer: str | None = Field(
        default=None,
        max_length=40,
        description="the officer of `withdrawn_by` who withdrew it, when it signed in as one "
        '(docs/security.md, "Officers"); None for a department system\'s own token',
    )
    withdrawn_at: datetime

    def partition_key(self) -> str:
        return self.counterpart_code


# --- supervision (enforcement, appeals → trigger, departments), DOMAIN.md §5 step 5 ------------


class _Reminder(EventPayload):
    reminder_id: str = Field(description="one per item, level and due day: redelivery-safe")
    level: ReminderLevel
    kind: OverdueKind
    item_id: str = Field(description="the order, case, appeal or repair id")
    entry_id: str
    subject_code: str = Field(description="the listed subject's code (the partition key)")
    list_type: str
    department: str = Field(description="the department that must act")
    due: date
    due_provisional: bool
    overdue_working_days: int = Field(ge=1)
    escalation_due: date | None = Field(
        description="a reminder: the day it goes to the office if still not done"
    )
    issued_at: datetime

    def partition_key(self) -> str:
        return self.subject_code


class ReminderIssued(_Reminder):
    """Something is past its working-day deadline: the department that must act is reminded
    (`reminder`), or the joint conference office is told it is still not done (`escalation`),
    after the list type's `escalation.escalate_after_working_days` (DOMAIN.md §5 step 5)."""

    event_type: ClassVar[str] = "cn.jrp.supervision.reminder.issued.v1"
    topic: ClassVar[str] = topics.SUPERVISION


class DepartmentReminded(_Reminder):
    """The same reminder or escalation on the department's own sanction topic, so its system
    sees it where it reads its orders (enforcement forwards every `ReminderIssued`)."""

    event_type: ClassVar[str] = "cn.jrp.enforcement.department.reminded.v1"
    topic: ClassVar[str] = topics.SANCTIONS

    def destination(self) -> str:
        return topics.sanctions(self.department)


# --- exchange with other platforms (trigger ↔ upper-level platform), DOMAIN.md §11 -----------


class ExchangeMeasure(_Part):
    """One measure the entry carries, as exchanged (measure item code and content)."""

    code: str
    content: str
    kind: MeasureKind


class ExchangeRecordPushed(EventPayload):
    """One exchange record for the upper-level platform, in the layout provincial systems
    exchange (DOMAIN.md §11, last item): subject name and code, behaviour, list type and its
    reward/punishment type, legal basis, deciding department and district, domain, start and
    end, measures, effect and status, time. A retry sends the same `record_id` again with a
    higher `attempt`; the platform acknowledges each record once (`ExchangeRecordAcknowledged`)."""

    event_type: ClassVar[str] = "cn.jrp.exchange.record.pushed.v1"
    topic: ClassVar[str] = topics.EXCHANGE

    record_id: str = Field(description="one per entry change; the acknowledgement names it")
    attempt: int = Field(ge=1)
    operation: ExchangeOperation
    entry_id: str
    entry_version: int = Field(ge=1)
    subject_name: str
    subject_code: str = Field(description="USCC, or a resident ID (government sharing only)")
    subject_type: SubjectType
    list_type: str
    list_type_name: str
    reward_punishment_type: ListColour
    domain: str
    behaviour: str = Field(description="the grounds: what the subject did")
    legal_basis: str
    decision_document: DecisionDocument
    deciding_department: str
    deciding_department_name: str
    district: str = Field(description="administrative division code of the deciding side")
    period: Period
    measures: list[ExchangeMeasure]
    status: ListEntryStatus
    effect: str = Field(description="what the operation does to the subject, in plain words")
    disclosure_class: DisclosureClass
    occurred_at: datetime = Field(description="when the change happened on this platform")
    push_due: date = Field(description="the working day by which it must be acknowledged")
    pushed_at: datetime
    origin: EntryOrigin | None = Field(
        default=None, description="the entry came from another region through this platform"
    )

    def partition_key(self) -> str:
        return self.entry_id


class ExchangeRecordAcknowledged(EventPayload):
    """The upper-level platform took (or refused) one exchange record. Its own time is kept as
    it says, but the receipt is dated by this platform's clock on arrival."""

    event_type: ClassVar[str] = "cn.jrp.exchange.record.acknowledged.v1"
    topic: ClassVar[str] = topics.EXCHANGE_ACKS

    record_id: Identifier
    entry_id: Identifier
    platform: str = Field(min_length=1, max_length=100)
    accepted: bool
    error_code: str | None = Field(default=None, max_length=64)
    error_message: str | None = Field(default=None, max_length=2000)

    def partition_key(self) -> str:
        return self.entry_id


# --- working-day calendar, DOMAIN.md §10 --------------------------------------------------------


class CalendarScheduleLoaded(EventPayload):
    """An operator loaded a year's official holiday schedule; provisional deadlines recompute."""

    event_type: ClassVar[str] = "cn.jrp.registry.calendar.schedule-loaded.v1"
    topic: ClassVar[str] = topics.CALENDAR

    year: int
    source: str
    holidays: list[date]
    adjusted_workdays: list[date]

    def partition_key(self) -> str:
        return str(self.year)


# --- dead letters -------------------------------------------------------------------------------


class DeadLettered(EventPayload):
    """A message a consumer could not take, kept whole with the reason."""

    event_type: ClassVar[str] = "cn.jrp.dead-letter.v1"
    topic: ClassVar[str] = topics.DEAD_LETTER

    consumer: str
    reason: str
    source_topic: str
    partition: int | None
    offset: int | None
    key: str | None
    headers: dict[str, str]
    value: str
    value_encoding: str = Field(description="utf-8, or base64 when the bytes were not text")

    def partition_key(self) -> str:
        return self.key or self.source_topic


def payload_class(event_type: str) -> type[EventPayload] | None:
    return EVENT_TYPES.get(event_type)
