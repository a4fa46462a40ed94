"""The measures catalog: the only legal basis for any measure (DOMAIN.md §4, §11). No I/O here.

A list type or measure is never edited in place: each change is a new version with the date it
takes effect, so a decision can always be checked against the catalog in force on its date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jrp_shared.errors import Conflict
from jrp_shared.events.payloads import (
    DeletionRules,
    EligibilityCondition,
    EscalationRules,
    ObjectionReview,
    PeriodExtension,
    PriorNoticeRules,
    PublicationRules,
    RepairRules,
    WatchListRules,
)
from jrp_shared.vocabulary import (
    DepartmentLevel,
    DishonestySeverity,
    LawfulArea,
    ListColour,
    MeasureKind,
    SubjectType,
)

CODE = r"^[a-z][a-z0-9-]{1,31}$"
LIST_TYPE_CODE = r"^(red|black|watch)\.[a-z0-9-]+\.[a-z0-9-]+$"
MEASURE_CODE = r"^[a-z0-9-]+\.[a-z0-9-]+$"

TIER_MONTHS: dict[DishonestySeverity, tuple[int, int]] = {
    DishonestySeverity.MINOR: (0, 3),
    DishonestySeverity.GENERAL: (3, 12),
    DishonestySeverity.SERIOUS: (12, 36),
}
"""The disclosure band of each tier in months, minimum to maximum (DOMAIN.md §11; 国办发〔2025〕
22号; NDRC Order No. 36): minor — may be left unpublished, at most 3 months; general — 3 months
to 1 year; serious — 1 to 3 years."""

WATCH_MAX_PERIOD_MONTHS = 24
"""A watch list (重点关注名单) is valid up to 2 years (DOMAIN.md §11; 发改财金规〔2017〕1798号)."""


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
    exchanges: bool = False
    """another credit platform (upper level or another region, DOMAIN.md §11): the `exchange`
    role — acknowledges exchange records, submits entries carrying their origin"""


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
    publication: PublicationRules = Field(
        default_factory=PublicationRules,
        description="how public entries appear in the public lookup (DOMAIN.md §3, §11, §12; "
        "docs/public-lookup.md)",
    )
    prior_notice: PriorNoticeRules | None = Field(
        default=None,
        description="the party is told the finding, its reasons, basis and rights before "
        "listing, and has this many working days to answer (国办发〔2020〕49号; DOMAIN.md §11)",
    )
    escalation: EscalationRules = Field(
        default_factory=EscalationRules,
        description="a receipt, feedback, case or repair decision past due is reminded the day "
        "after; still not done this many working days after the due day, it is escalated to the "
        "joint conference office (DOMAIN.md §5 step 5, 000 (二十七); docs/loop.md)",
    )
    watch: WatchListRules | None = Field(
        default=None,
        description="a watch list's key area (colour watch, and only then; DOMAIN.md §11)",
    )

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
        self._repair_tier()
        self._court_rules()
        self._prior_notice_rules()
        self._watch_rules()
        return self

    def _watch_rules(self) -> None:
        """A watch list (重点关注名单; DOMAIN.md §11, 发改财金规〔2017〕1798号 and its 2018
        follow-up) names its key area (counted for the big-data warning list), lasts at most
        24 months, and is neither a serious-dishonesty list (no lawful area, no prior notice of
        a listing) nor published: its entries are shared between governments or queried with
        authorisation only, so the public lookup never shows them and its natural persons are
        never public. Any other list type has no key area."""
        if self.colour is not ListColour.WATCH:
            if self.watch is not None:
                raise ValueError(
                    f"{self.colour.value} list type {self.code} must not have watch "
                    "(only a watch list names a key area)"
                )
            return
        if self.watch is None:
            raise ValueError(
                f"watch list type {self.code} needs watch.key_area, a domain code "
                "(DOMAIN.md §11: three key areas put a subject on the warning list)"
            )
        if self.max_period_months > WATCH_MAX_PERIOD_MONTHS:
            raise ValueError(
                f"watch list type {self.code}: max_period_months {self.max_period_months} exceeds "
                f"{WATCH_MAX_PERIOD_MONTHS} (a watch list is valid up to 2 years, DOMAIN.md §11)"
            )
        if self.lawful_area is not None:
            raise ValueError(
                f"watch list type {self.code} must not name a lawful area: it is not a "
                "serious-dishonesty list (国办发〔2020〕49号, DOMAIN.md §11)"
            )
        if self.publication.natural_persons_public:
            raise ValueError(
                f"watch list type {self.code} is never public: "
                "publication.natural_persons_public must be false"
            )

    def _prior_notice_rules(self) -> None:
        """国办发〔2020〕49号 (DOMAIN.md §11): before a serious-dishonesty listing the party is
        told the reasons, the basis and its rights. A black list type says how, except one that
        takes the court's record: the court's own procedure (法释〔2017〕7号) applies there. A
        red list confers a benefit and has no prior notice."""
        notice = self.prior_notice
        if self.colour is ListColour.RED and notice is not None and notice.required:
            raise ValueError(f"red list type {self.code} must not require prior notice")
        unnoticed = notice is None or not notice.required
        if self.colour is ListColour.BLACK and not self.court_case_required and unnoticed:
            raise ValueError(
                f"black list type {self.code} must require prior notice "
                "(prior_notice.required: true; 国办发〔2020〕49号, DOMAIN.md §11)"
            )
        if notice is not None and notice.required and notice.response_window_working_days < 1:
            raise ValueError(
                f"{self.code}: prior_notice.response_window_working_days must be at least 1"
            )

    def _repair_tier(self) -> None:
        """A repairable list type names its tier, and its disclosure periods lie within the
        tier's band (DOMAIN.md §11; 国办发〔2025〕22号; NDRC Order No. 36). The tier's maximum is
        the public lookup's: `repair.max_disclosure_months` must equal
        `publication.max_disclosure_months` (one rule written twice, so a difference is a
        mistake and refused rather than one silently winning)."""
        rules = self.repair
        if rules.repairable and (
            rules.tier is None
            or rules.min_disclosure_months is None
            or rules.max_disclosure_months is None
        ):
            raise ValueError(
                f"repairable list type {self.code} needs repair.tier, "
                "repair.min_disclosure_months and repair.max_disclosure_months (DOMAIN.md §11)"
            )
        if rules.tier is None:
            return
        low, high = TIER_MONTHS[rules.tier]
        least, most = rules.min_disclosure_months, rules.max_disclosure_months
        if least is None or most is None:
            raise ValueError(f"repair.tier {rules.tier} needs its min and max disclosure months")
        if not low <= least <= most <= high:
            raise ValueError(
                f"repair disclosure {least}–{most} months lies outside the {rules.tier} tier's "
                f"{low}–{high} months (DOMAIN.md §11, 国办发〔2025〕22号)"
            )
        if most != self.publication.max_disclosure_months:
            raise ValueError(
                f"repair.max_disclosure_months ({most}) differs from "
                f"publication.max_disclosure_months ({self.publication.max_disclosure_months}): "
                "publication stops at the tier's maximum (DOMAIN.md §11)"
            )

    def _court_rules(self) -> None:
        """The court list's rules hold together (法释〔2017〕7号 第二条、第十条; DOMAIN.md §11)."""
        extension = self.period_extension
        if extension is not None:
            if extension.min_months > extension.max_months:
                raise ValueError("period_extension.min_months exceeds period_extension.max_months")
            if self.default_period_months + extension.max_months > self.max_period_months:
                raise ValueError(
                    f"default_period_months ({self.default_period_months}) + "
                    f"period_extension.max_months ({extension.max_months}) exceeds "
                    f"max_period_months ({self.max_period_months})"
                )
            _codes("period_extension.grounds", extension.grounds)
        if self.deletion is not None:
            _codes("deletion.grounds", self.deletion.grounds)


def _codes(where: str, codes: list[str]) -> None:
    """A list of ground codes: each a non-empty code, none repeated."""
    if any(not c.strip() for c in codes):
        raise ValueError(f"{where} has an empty ground")
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"{where} repeats {', '.join(repeated)}")


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
    conditions: list[EligibilityCondition] = Field(default_factory=list, max_length=8)
    """Conditions on the subject's record before the measure is granted (DOMAIN.md §6; e.g.
    three clean years for the green channel, 000 (十一), 004 一(三)); enforcement evaluates
    them from the subject's history (docs/must-check.md)."""

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


def version_on(versions: Iterable[Version[D]], on: date) -> Version[D] | None:
    """The version in force on `on`: among those that took effect by then, the one with the
    latest `effective_from`, and of those the highest version. The one rule every service
    applies (the catalog copies' `list_type_in_force`, the trigger's `list_type_on`): a past
    edition loaded later has a higher version number but an older date, so the version number
    alone does not tell which is in force."""
    best: Version[D] | None = None
    for v in versions:
        if v.effective_from <= on and (
            best is None or (v.effective_from, v.version) > (best.effective_from, best.version)
        ):
            best = v
    return best


def next_version(
    history: Sequence[Version[D]],
    definition: D,
    effective_from: date,
    *,
    past_edition: bool = False,
) -> Version[D] | None:
    """The version a change makes, or None when nothing changed (loading is idempotent): the
    latest version already says it, or, for a past edition, the version in force on its date
    does. A version may take effect before the latest one
    only from a past catalog edition (`past_edition`, the files of `data/catalog/editions/`):
    that records what applied then; a change made today never rewrites history."""
    if not history:
        return Version(definition.code, 1, effective_from, definition)
    if past_edition:
        in_force = version_on(history, effective_from)
        if in_force is not None and in_force.definition == definition:
            return None
        highest = max(v.version for v in history)
        return Version(definition.code, highest + 1, effective_from, definition)
    latest = version_on(history, date.max)
    assert latest is not None
    if latest.definition == definition:
        return None
    if effective_from < latest.effective_from:
        raise Conflict(
            f"{definition.code}: a new version cannot take effect ({effective_from}) before "
            f"version {latest.version} ({latest.effective_from}); history is not rewritten"
        )
    highest = max(v.version for v in history)
    return Version(definition.code, highest + 1, effective_from, definition)


@dataclass(frozen=True)
class PastEdition:
    """A catalog edition that applied before the current one: the list types in force from
    `effective_from` (e.g. the court list as of 法释〔2013〕17号 from 2013-10-01), with the
    documents it rests on. Entries decided while it applied are judged by it (DOMAIN.md §4)."""

    name: str
    effective_from: date
    sources: tuple[str, ...]
    list_types: tuple[ListTypeDefinition, ...]


@dataclass(frozen=True)
class CatalogContext:
    """What the catalog refers to, to check references against."""

    domains: frozenset[str]
    initiators: frozenset[str]
    implementers: frozenset[str]
    list_type_colours: dict[str, ListColour]
    departments: frozenset[str] = frozenset()
    """Every known department (any role): what an appeal department must be one of."""


def problems_of_list_type(item: ListTypeDefinition, ctx: CatalogContext) -> list[str]:
    problems = []
    if item.domain not in ctx.domains:
        problems.append(f"{item.code}: unknown domain {item.domain!r}")
    if item.watch is not None and item.watch.key_area not in ctx.domains:
        problems.append(
            f"{item.code}: watch.key_area {item.watch.key_area!r} is not a known domain code"
        )
    for dept in item.initiating_departments:
        if dept not in ctx.initiators:
            problems.append(f"{item.code}: {dept!r} is not a department that initiates")
    review = item.objection_review
    # 法释〔2017〕7号 第十二条: the higher court decides appeals; it must be a known department.
    appeal_to = review.appeal_department if review is not None else None
    if appeal_to is not None and appeal_to not in ctx.departments:
        problems.append(
            f"{item.code}: objection_review.appeal_department {appeal_to!r} "
            "is not a known department"
        )
    return problems


def problems_of_measure(item: MeasureDefinition, ctx: CatalogContext) -> list[str]:
    problems = []
    if item.implementing_department not in ctx.implementers:
        problems.append(
            f"{item.code}: {item.implementing_department!r} is not a department that implements"
        )
    # A reward is for red lists; a punishment for black lists and for watch lists, whose
    # measures are supervisory (closer supervision, more frequent inspection; DOMAIN.md §11).
    wanted = (
        {ListColour.RED}
        if item.kind is MeasureKind.REWARD
        else {ListColour.BLACK, ListColour.WATCH}
    )
    for code in item.list_types:
        colour = ctx.list_type_colours.get(code)
        if colour is None:
            problems.append(f"{item.code}: unknown list type {code!r}")
        elif colour not in wanted:
            problems.append(
                f"{item.code}: a {item.kind.value} measure on {colour.value} list {code}"
            )
    problems += _problems_of_conditions(item, ctx)
    return problems


def _problems_of_conditions(item: MeasureDefinition, ctx: CatalogContext) -> list[str]:
    """A condition names a known red list to have been on, narrows the measure only to its
    own list types, and says where it comes from (DOMAIN.md §4: the catalog cites its basis)."""
    problems = []
    for n, condition in enumerate(item.conditions):
        where = f"{item.code}: conditions[{n}]"
        if condition.list_type is not None:
            colour = ctx.list_type_colours.get(condition.list_type)
            if colour is None:
                problems.append(f"{where}: unknown list type {condition.list_type!r}")
            elif colour is not ListColour.RED:
                problems.append(f"{where}: {condition.list_type} is not a red list")
        stray = sorted(set(condition.for_list_types) - set(item.list_types))
        if stray:
            problems.append(f"{where}: for_list_types not of the measure: {', '.join(stray)}")
        if not condition.sources:
            problems.append(f"{where}: no sources (cite the document the condition comes from)")
    return problems


def duplicates(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for code in codes:
        if code in seen:
            repeated.append(code)
        seen.add(code)
    return repeated
