"""Typed, versioned event payloads. Each class names its CloudEvents type and its topic.

The type string ends in `.v<major>`; a breaking change makes a new class and type, and the old
one stays until no consumer needs it. JSON Schemas are generated from these models
(`make schemas` → docs/schemas/).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from jrp_shared.events import topics
from jrp_shared.events.envelope import SCHEMA_BASE
from jrp_shared.vocabulary import (
    DepartmentLevel,
    LawfulArea,
    LinkedPersonRole,
    ListColour,
    MeasureKind,
    SubjectType,
)

EVENT_TYPES: dict[str, type[EventPayload]] = {}


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

    @classmethod
    def schema_uri(cls) -> str:
        return f"{SCHEMA_BASE}{cls.event_type}.json"


# --- catalog (registry → everyone), DOMAIN.md §4 and §11 -------------------------------------


class RepairRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    repairable: bool
    earliest_after_months: int | None = Field(default=None, ge=0)
    evidence_required: list[str] = Field(default_factory=list)
    public_interest_service_route: bool = False


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
    active: bool = True

    def partition_key(self) -> str:
        return self.code


# --- subjects, DOMAIN.md §3 ---------------------------------------------------------------------


class LinkedPersonRecord(BaseModel):
    """A person behind an organisation. The resident ID travels only inside the mesh."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: LinkedPersonRole
    name: str
    resident_id: str


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
