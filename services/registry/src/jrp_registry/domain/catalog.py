"""The measures catalog: the only legal basis for any measure (DOMAIN.md §4, §11). No I/O here.

A list type or measure is never edited in place: each change is a new version with the date it
takes effect, so a decision can always be checked against the catalog in force on its date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jrp_shared.errors import Conflict
from jrp_shared.events.payloads import (
    DeletionRules,
    ObjectionReview,
    PeriodExtension,
    RepairRules,
)
from jrp_shared.vocabulary import (
    DepartmentLevel,
    LawfulArea,
    ListColour,
    MeasureKind,
    SubjectType,
)

CODE = r"^[a-z][a-z0-9-]{1,31}$"
LIST_TYPE_CODE = r"^(red|black)\.[a-z0-9-]+\.[a-z0-9-]+$"
MEASURE_CODE = r"^[a-z0-9-]+\.[a-z0-9-]+$"


class _Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class DomainDefinition(_Definition):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class DepartmentDefinition(_Definition):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    level: DepartmentLevel
    region: str = Field(pattern=r"^\d{6}$")
    domains: list[str] = Field(default_factory=list)
    initiates: bool
    implements: bool


class ListTypeDefinition(_Definition):
    """One list type (DOMAIN.md §4 catalog fields, 002 二(一)1)."""

    code: str = Field(pattern=LIST_TYPE_CODE)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    colour: ListColour
    domain: str = Field(pattern=CODE)
    initiating_departments: list[str] = Field(min_length=1)
    lawful_area: LawfulArea | None = None
    grounds: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    default_period_months: int = Field(ge=1, le=120)
    max_period_months: int = Field(ge=1, le=120)
    recognition_meeting_required: bool = False
    includes_linked_persons: bool = False
    suspend_during_objection: bool = True
    receipt_deadline_working_days: int = Field(default=5, ge=1, le=60)
    feedback_deadline_working_days: int = Field(default=20, ge=1, le=120)
    repair: RepairRules
    sources: list[str] = Field(min_length=1)
    minimum_age_years: int | None = Field(default=None, ge=1, le=30)
    court_case_required: bool = False
    period_extension: PeriodExtension | None = None
    deletion: DeletionRules | None = None
    objection_review: ObjectionReview | None = None

    @model_validator(mode="after")
    def _rules(self) -> ListTypeDefinition:
        if not self.code.startswith(f"{self.colour.value}."):
            raise ValueError(f"code {self.code} must start with its colour '{self.colour.value}.'")
        if self.colour is ListColour.BLACK and self.lawful_area is None:
            # 国办发〔2020〕49号: only four areas may ground a serious-dishonesty list.
            raise ValueError(
                f"black list type {self.code} names no lawful area; one of "
                f"{', '.join(a.value for a in LawfulArea)} is required (DOMAIN.md §11)"
            )
        if self.colour is ListColour.RED and self.lawful_area is not None:
            raise ValueError(f"red list type {self.code} must not name a lawful area")
        if self.default_period_months > self.max_period_months:
            raise ValueError("default_period_months exceeds max_period_months")
        earliest = self.repair.earliest_after_months
        if earliest is not None and earliest > self.max_period_months:
            raise ValueError("repair.earliest_after_months exceeds the maximum period")
        return self


class MeasureDefinition(_Definition):
    """One measure: what one implementing department does, on what legal basis (DOMAIN.md §4)."""

    code: str = Field(pattern=MEASURE_CODE)
    list_types: list[str] = Field(min_length=1)
    content: str = Field(min_length=1)
    content_en: str = Field(min_length=1)
    kind: MeasureKind
    mandatory: bool
    implementing_department: str = Field(pattern=CODE)
    legal_basis: str = Field(min_length=1)
    applies_to: list[SubjectType] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @field_validator("list_types", "applies_to")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("contains a repeated value")
        return value


D = TypeVar("D", ListTypeDefinition, MeasureDefinition)


@dataclass(frozen=True)
class Version(Generic[D]):
    code: str
    version: int
    effective_from: date
    definition: D


def next_version(
    latest: Version[D] | None, definition: D, effective_from: date
) -> Version[D] | None:
    """The version a change makes, or None when nothing changed (loading is idempotent)."""
    if latest is None:
        return Version(definition.code, 1, effective_from, definition)
    if latest.definition == definition:
        return None
    if effective_from < latest.effective_from:
        raise Conflict(
            f"{definition.code}: a new version cannot take effect ({effective_from}) before "
            f"version {latest.version} ({latest.effective_from}); history is not rewritten"
        )
    return Version(definition.code, latest.version + 1, effective_from, definition)


@dataclass(frozen=True)
class CatalogContext:
    """What the catalog refers to, to check references against."""

    domains: frozenset[str]
    initiators: frozenset[str]
    implementers: frozenset[str]
    list_type_colours: dict[str, ListColour]


def problems_of_list_type(item: ListTypeDefinition, ctx: CatalogContext) -> list[str]:
    problems = []
    if item.domain not in ctx.domains:
        problems.append(f"{item.code}: unknown domain {item.domain!r}")
    for dept in item.initiating_departments:
        if dept not in ctx.initiators:
            problems.append(f"{item.code}: {dept!r} is not a department that initiates")
    return problems


def problems_of_measure(item: MeasureDefinition, ctx: CatalogContext) -> list[str]:
    problems = []
    if item.implementing_department not in ctx.implementers:
        problems.append(
            f"{item.code}: {item.implementing_department!r} is not a department that implements"
        )
    wanted = ListColour.RED if item.kind is MeasureKind.REWARD else ListColour.BLACK
    for code in item.list_types:
        colour = ctx.list_type_colours.get(code)
        if colour is None:
            problems.append(f"{item.code}: unknown list type {code!r}")
        elif colour is not wanted:
            problems.append(
                f"{item.code}: a {item.kind.value} measure on {colour.value} list {code}"
            )
    return problems


def duplicates(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for code in codes:
        if code in seen:
            repeated.append(code)
        seen.add(code)
    return repeated
