"""Double publicity (双公示): administrative licence and penalty decisions a department posts for
publication (DOMAIN.md §9, §12; 000 (七), 001 (十三)).

- Publication is due within 7 working days of the decision (§9), counted on the service's
  working-day calendar (§10; provisional where a year's schedule is not known yet).
- A decision involving personal privacy is recorded but never published (000 (七)); a minor
  penalty may be left unpublished (§11, 国办发〔2025〕22号). Both are `withheld`.
- How long it is shown (`publication_ends`, 公示截止期) comes from data (`PublicationPeriods`,
  the service's settings): a penalty by its severity tier (§11: minor at most 3 months; general
  3 months to 1 year; serious 1 to 3 years), by default the tier's maximum, shortened on
  request down to the minimum; a licence for a configured period. Counted from the decision
  date.
- A penalty may be withdrawn as repaired only once the tier's minimum has run (§11: repair may
  be asked only after the minimum); the penalty carries the repair guidance delivered with it
  (两书同达, §11).

No I/O here: the service layer loads and stores, this module decides.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jrp_shared.calendar import UnsupportedYearError, WorkingDayCalendar
from jrp_shared.clock import china_date
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput
from jrp_shared.events.payloads import LicenceDetails, PenaltyDetails, PublicityCounterpart
from jrp_shared.identifiers import (
    IdentifierError,
    OrganisationCodePolicy,
    validate_resident_id,
    validate_uscc,
)
from jrp_shared.vocabulary import (
    DishonestySeverity,
    PublicationEnd,
    PublicityKind,
    SubjectType,
)
from jrp_trigger.domain.rules import add_months

PUBLICATION_WORKING_DAYS = 7
"""DOMAIN.md §9 (000 (七), 001 (十三)): published within 7 working days of the decision."""


# --- the publication periods, as data ------------------------------------------------------


class TierBounds(BaseModel):
    """How long a penalty of one severity tier is published, in months from the decision."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_months: int = Field(ge=0, le=120, description="0: may be left unpublished")
    max_months: int = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> TierBounds:
        if self.min_months > self.max_months:
            raise ValueError("min_months must not exceed max_months")
        return self


class PublicationPeriods(BaseModel):
    """The publication periods (公示期限). Defaults: DOMAIN.md §11 (国办发〔2025〕22号, NDRC Order
    No. 36) for penalties; the licence period is this platform's default, not a cited national
    rule: set it from the province's rule (`JRP_TRIGGER_PUBLICATION_PERIODS`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minor: TierBounds = TierBounds(min_months=0, max_months=3)
    general: TierBounds = TierBounds(min_months=3, max_months=12)
    serious: TierBounds = TierBounds(min_months=12, max_months=36)
    licence_months: int = Field(default=36, ge=1, le=120)

    def tier(self, severity: DishonestySeverity) -> TierBounds:
        bounds: TierBounds = getattr(self, severity.value)
        return bounds


# --- what a department posts -----------------------------------------------------------------


class PublicityDecisionSubmission(BaseModel):
    """One licence or penalty decision as the deciding department posts it (DOMAIN.md §12)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    record_id: str = Field(
        min_length=1, max_length=100, description="the deciding department's own id of it"
    )
    kind: PublicityKind
    counterpart: PublicityCounterpart
    decision_number: str = Field(min_length=1, max_length=200, description="决定文书号")
    decision_date: date = Field(description="not after today")
    licence: LicenceDetails | None = Field(default=None, description="required for a licence")
    penalty: PenaltyDetails | None = Field(default=None, description="required for a penalty")
    involves_privacy: bool = Field(
        default=False, description="涉及个人隐私: recorded, never published (000 (七))"
    )
    publish: bool = Field(
        default=True,
        description="false: recorded, publication pending (POST …/{id}/publication later)",
    )
    publication_months: int | None = Field(
        default=None,
        ge=0,
        le=120,
        description="shortens the publication period, within the severity tier's bounds; 0 "
        "(minor penalties only) leaves it unpublished",
    )

    def content(self) -> dict[str, Any]:
        """What makes a version: everything but `publish` (a request about timing)."""
        return self.model_dump(mode="json", exclude={"publish"})


class DecisionState(StrEnum):
    PENDING = "pending"
    """recorded, publication asked for later"""
    PUBLISHED = "published"
    WITHHELD = "withheld"
    """recorded, never published (privacy, or a minor penalty left unpublished)"""
    WITHDRAWN = "withdrawn"


class WithheldReason(StrEnum):
    PRIVACY = "privacy"
    MINOR_UNPUBLISHED = "minor_unpublished"


@dataclass(frozen=True)
class Checked:
    """A submission that passed every check, with what it decides."""

    submission: PublicityDecisionSubmission
    fingerprint: str
    publication_due: date
    due_provisional: bool
    publication_months: int
    publication_ends: date
    withheld: WithheldReason | None
    repair_from: date | None
    """penalties: the first day repair may be asked (the tier's minimum has run)"""
    repair_guidance: str | None
    warnings: tuple[str, ...]


def fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_submission(
    body: PublicityDecisionSubmission,
    *,
    today: date,
    department: str,
    calendar: WorkingDayCalendar,
    periods: PublicationPeriods,
    organisation_code_policy: OrganisationCodePolicy,
) -> Checked:
    """Every rule of a post; all problems at once (422), each naming its field."""
    problems: list[FieldProblem] = []
    counterpart, warnings = _counterpart(
        body.counterpart, today, organisation_code_policy, problems
    )
    if body.decision_date > today:
        problems.append(
            FieldProblem(
                "body.decision_date",
                "decision_date_in_future",
                f"a decision cannot be dated after today ({today.isoformat()})",
            )
        )
    if body.kind is PublicityKind.LICENCE:
        _require(body.licence, "body.licence", "licence", problems)
        _forbid(body.penalty, "body.penalty", "licence", problems)
    else:
        _require(body.penalty, "body.penalty", "penalty", problems)
        _forbid(body.licence, "body.licence", "penalty", problems)
    months = _publication_months(body, periods, problems)
    licence = body.licence
    if (
        licence is not None
        and licence.valid_to is not None
        and licence.valid_to < licence.valid_from
    ):
        problems.append(
            FieldProblem(
                "body.licence.valid_to",
                "valid_to_before_valid_from",
                "the licence cannot end before it starts",
            )
        )
    if problems:
        raise InvalidInput("publicity decision refused", problems=problems)
    if counterpart != body.counterpart:
        body = body.model_copy(update={"counterpart": counterpart})
    try:
        deadline = calendar.add_working_days(body.decision_date, PUBLICATION_WORKING_DAYS)
    except (UnsupportedYearError, OverflowError) as exc:
        # A date no working-day calendar covers (the fuzzer's year 173): the caller's to fix.
        raise InvalidInput.for_field(
            "body.decision_date",
            "calendar_not_covered",
            f"no working-day calendar covers the decision date: {exc}",
        ) from exc
    withheld = None
    if body.involves_privacy:
        withheld = WithheldReason.PRIVACY
    elif months == 0:
        withheld = WithheldReason.MINOR_UNPUBLISHED
    repair_from = guidance = None
    if body.penalty is not None:
        tier = periods.tier(body.penalty.severity)
        repair_from = add_months(body.decision_date, tier.min_months)
        guidance = repair_guidance(
            body.penalty.severity, body.decision_date, repair_from, department
        )
    return Checked(
        submission=body,
        fingerprint=fingerprint(body.content()),
        publication_due=deadline.due,
        due_provisional=deadline.provisional,
        publication_months=months,
        publication_ends=add_months(body.decision_date, months),
        withheld=withheld,
        repair_from=repair_from,
        repair_guidance=guidance,
        warnings=warnings,
    )


def _counterpart(
    counterpart: PublicityCounterpart,
    today: date,
    policy: OrganisationCodePolicy,
    problems: list[FieldProblem],
) -> tuple[PublicityCounterpart, tuple[str, ...]]:
    if not counterpart.name.strip():
        problems.append(
            FieldProblem("body.counterpart.name", "empty", "the name must not be empty")
        )
    warnings: tuple[str, ...] = ()
    try:
        if counterpart.category is SubjectType.NATURAL_PERSON:
            code = validate_resident_id(counterpart.code, today=today)
        else:
            # Organisations and individual businesses carry a USCC (DOMAIN.md §2, §12).
            check = validate_uscc(counterpart.code, organisation_code_policy=policy)
            code, warnings = check.code, check.warnings
    except IdentifierError as error:
        # DOMAIN.md §2: the reason and the position at fault, never the identifier itself.
        problems.append(
            FieldProblem(
                "body.counterpart.code",
                error.error_type,
                error.message,
                {"position": error.position},
            )
        )
        return counterpart, ()
    if code == counterpart.code:
        return counterpart, warnings
    return counterpart.model_copy(update={"code": code}), warnings


def _require(part: object, field: str, kind: str, problems: list[FieldProblem]) -> None:
    if part is None:
        problems.append(
            FieldProblem(field, "required_for_kind", f"a {kind} decision carries {field[5:]}")
        )


def _forbid(part: object, field: str, kind: str, problems: list[FieldProblem]) -> None:
    if part is not None:
        problems.append(
            FieldProblem(
                field, "forbidden_for_kind", f"a {kind} decision has no {field[5:]}: leave it out"
            )
        )


def _publication_months(
    body: PublicityDecisionSubmission, periods: PublicationPeriods, problems: list[FieldProblem]
) -> int:
    """The tier's maximum by default; a requested period must lie within the tier's bounds.
    A licence is published for the configured period and takes no request."""
    if body.kind is PublicityKind.LICENCE:
        if body.publication_months is not None and body.publication_months != (
            periods.licence_months
        ):
            problems.append(
                FieldProblem(
                    "body.publication_months",
                    "licence_period_fixed",
                    f"licences are published for {periods.licence_months} months: leave "
                    "publication_months out",
                    {"allowed": periods.licence_months},
                )
            )
        return periods.licence_months
    if body.penalty is None:
        return 0  # refused already (penalty required)
    tier = periods.tier(body.penalty.severity)
    if body.publication_months is None:
        return tier.max_months
    if not tier.min_months <= body.publication_months <= tier.max_months:
        problems.append(
            FieldProblem(
                "body.publication_months",
                "publication_months_out_of_bounds",
                f"a {body.penalty.severity.value} penalty is published for "
                f"{tier.min_months} to {tier.max_months} months (DOMAIN.md §11)",
                {"min": tier.min_months, "max": tier.max_months},
            )
        )
    return body.publication_months


_SEVERITY_ZH = {
    DishonestySeverity.MINOR: "轻微失信",
    DishonestySeverity.GENERAL: "一般失信",
    DishonestySeverity.SERIOUS: "严重失信",
}


def repair_guidance(
    severity: DishonestySeverity, decision_date: date, repair_from: date, department: str
) -> str:
    """信用修复告知书 delivered with the penalty decision (两书同达, DOMAIN.md §11): when repair
    may be asked, on what conditions, and where."""
    return (
        f"本行政处罚信息属{_SEVERITY_ZH[severity]}行为信息，自{_zh(decision_date)}作出决定起公示。"
        f"自{_zh(repair_from)}起（最短公示期届满后），您可以申请信用修复，条件为："
        "（一）已纠正失信行为；（二）已履行行政处罚决定规定的义务；（三）已作出公开信用承诺。"
        f"请向作出处罚决定的部门（{department}）或经信用中国网站提出申请；"
        "信用修复后停止公示，并停止共享和使用。"
    )


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- publication, withdrawal, deadlines ------------------------------------------------------


def require_publishable(state: DecisionState, withheld: WithheldReason | None) -> bool:
    """True when publishing does something; False when it is already published (idempotent)."""
    if state is DecisionState.PUBLISHED:
        return False
    if state is DecisionState.WITHHELD:
        reason = withheld.value if withheld else "withheld"
        raise Conflict(
            "this decision is recorded but not published",
            problems=[
                FieldProblem(
                    "decision_id",
                    "decision_withheld",
                    f"it is withheld ({reason}): penalties involving personal privacy are never "
                    "published (000 (七)); correct the record to publish it",
                )
            ],
        )
    if state is DecisionState.WITHDRAWN:
        raise Conflict(
            "this decision was withdrawn",
            problems=[
                FieldProblem(
                    "decision_id",
                    "decision_withdrawn",
                    "a withdrawn decision is not published again; post a new record id",
                )
            ],
        )
    return True


def require_withdrawable(
    state: DecisionState,
    reason: PublicationEnd,
    *,
    kind: PublicityKind,
    repair_from: date | None,
    today: date,
) -> bool:
    """True when withdrawing does something; False when it is withdrawn already (idempotent).
    A decision not published yet (pending, withheld) may be withdrawn as revoked, so that it
    stops counting as overdue; repair ends a publication, so it needs a published penalty whose
    tier's minimum has run (DOMAIN.md §11)."""
    if state is DecisionState.WITHDRAWN:
        return False
    if reason is PublicationEnd.REPAIRED and state is not DecisionState.PUBLISHED:
        raise Conflict(
            "only a published decision is repaired",
            problems=[
                FieldProblem(
                    "body.reason",
                    "not_published",
                    f"the decision is {state.value}: nothing is shown to stop; withdraw it as "
                    "revoked if the decision itself was revoked",
                )
            ],
        )
    if reason is PublicationEnd.REPAIRED and kind is PublicityKind.LICENCE:
        raise InvalidInput.for_field(
            "body.reason",
            "repair_of_licence",
            "credit repair ends a penalty's publication; withdraw a licence as revoked",
        )
    if reason is PublicationEnd.REPAIRED and repair_from is not None and today < repair_from:
        raise Conflict(
            f"repair may be granted from {repair_from.isoformat()}",
            problems=[
                FieldProblem(
                    "body.reason",
                    "repair_before_minimum_period",
                    f"the minimum publication period runs until {repair_from.isoformat()} "
                    "(DOMAIN.md §11): repair may be asked for only from that day",
                    {"repair_from": repair_from.isoformat()},
                )
            ],
        )
    return True


def require_correctable(state: DecisionState, kind: PublicityKind, new: Checked) -> None:
    problems = []
    if state is DecisionState.WITHDRAWN:
        problems.append(
            FieldProblem(
                "body.record_id",
                "decision_withdrawn",
                "the decision under this record id was withdrawn; post a new record id",
            )
        )
    elif kind is not new.submission.kind:
        problems.append(
            FieldProblem(
                "body.kind",
                "kind_changed",
                f"the record id names a {kind.value} decision; post a new record id",
            )
        )
    elif state is DecisionState.PUBLISHED and new.withheld is not None:
        problems.append(
            FieldProblem(
                "body.involves_privacy",
                "withdraw_first",
                "the decision is published: withdraw it (revoked) before recording it as "
                "not to be published",
            )
        )
    if problems:
        raise Conflict("correction refused", problems=problems)


def state_after_post(checked: Checked) -> DecisionState:
    if checked.withheld is not None:
        return DecisionState.WITHHELD
    return DecisionState.PUBLISHED if checked.submission.publish else DecisionState.PENDING


class Punctuality(StrEnum):
    OVERDUE = "overdue"
    """unpublished past its due date"""
    LATE = "late"
    """published after its due date"""


def is_late(published_at: datetime | None, due: date) -> bool:
    return published_at is not None and china_date(published_at) > due


def punctuality(
    state: DecisionState, due: date, published_at: datetime | None, today: date
) -> Punctuality | None:
    if state is DecisionState.PENDING and today > due:
        return Punctuality.OVERDUE
    if published_at is not None and is_late(published_at, due):
        return Punctuality.LATE
    return None
