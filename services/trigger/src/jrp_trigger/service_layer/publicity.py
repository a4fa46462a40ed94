"""Double-publicity handlers (DOMAIN.md §9, §12): post (single and bulk), publish, withdraw.
Each runs in the caller's unit of work; the state change and its event share the transaction
(outbox). The HTTP routes are thin entrypoints over these."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from jrp_shared.auth import ROLE_ADMINISTRATOR, Principal
from jrp_shared.calendar import WorkingDayCalendar, YearSchedule
from jrp_shared.clock import Clock, china_date
from jrp_shared.errors import DomainError, FieldProblem, Forbidden, NotFound
from jrp_shared.events.payloads import PublicityDecisionPublished, PublicityDecisionWithdrawn
from jrp_shared.identifiers import OrganisationCodePolicy
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import PublicationEnd
from jrp_trigger.adapters.publicity import PublicityRepository, StoredDecision
from jrp_trigger.domain import publicity as rules
from jrp_trigger.domain.publicity import (
    Checked,
    DecisionState,
    PublicationPeriods,
    PublicityDecisionSubmission,
)

log = get_logger(__name__)


@dataclass(frozen=True)
class PublicityContext:
    """Who posts and what the rules need, for one request or chunk."""

    department: str
    clock: Clock
    calendar: WorkingDayCalendar
    periods: PublicationPeriods
    organisation_code_policy: OrganisationCodePolicy
    officer: str | None = None
    """the officer of `department` who posts, when it signed in as one (docs/security.md,
    "Officers"): recorded as `published_by_officer` when the post publishes"""

    def today(self) -> date:
        return china_date(self.clock())


class PostStatus(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    CORRECTED = "corrected"


@dataclass(frozen=True)
class Posted:
    status: PostStatus
    decision: StoredDecision


def may_see(principal: Principal, decision: StoredDecision) -> None:
    """谁主管、谁负责: the deciding department, or the joint conference office."""
    if principal.department_code != decision.department and (
        ROLE_ADMINISTRATOR not in principal.roles
    ):
        raise Forbidden(
            f"decision {decision.decision_id} is another department's: only the deciding "
            "department or the joint conference office may see or change it"
        )


async def load(
    uow: UnitOfWork, decision_id: str, principal: Principal, *, for_update: bool = True
) -> StoredDecision:
    found = await PublicityRepository(uow.session).get(decision_id, for_update=for_update)
    if found is None:
        raise NotFound(f"no publicity decision {decision_id}")
    may_see(principal, found)
    return found


async def post_decision(
    uow: UnitOfWork, body: PublicityDecisionSubmission, ctx: PublicityContext
) -> Posted:
    checked = rules.check_submission(
        body,
        today=ctx.today(),
        department=ctx.department,
        calendar=ctx.calendar,
        periods=ctx.periods,
        organisation_code_policy=ctx.organisation_code_policy,
    )
    repo = PublicityRepository(uow.session)
    known = await repo.by_record(ctx.department, body.record_id)
    now = ctx.clock()
    if known is None:
        decision = _apply(None, checked, ctx.department, now, ctx.officer)
        await repo.add(decision, ctx.department)
        _emit_if_published(uow, None, decision)
        return Posted(PostStatus.CREATED, decision)
    if known.fingerprint == checked.fingerprint:
        return Posted(PostStatus.UNCHANGED, known)
    rules.require_correctable(known.state, known.kind, checked)
    decision = _apply(known, checked, ctx.department, now, ctx.officer)
    await repo.save(decision, new_version=True, recorded_by=ctx.department)
    _emit_if_published(uow, known, decision)
    return Posted(PostStatus.CORRECTED, decision)


def _apply(
    known: StoredDecision | None,
    checked: Checked,
    department: str,
    now: datetime,
    officer: str | None = None,
) -> StoredDecision:
    """The decision after a post: new, or `known` corrected (a new version); `officer` is
    recorded as the one who published it when this post first publishes it."""
    state = rules.state_after_post(checked)
    if known is not None and known.state is DecisionState.PUBLISHED:
        state = DecisionState.PUBLISHED  # a correction of a published decision stays published
    published_at = known.published_at if known is not None else None
    published_by_officer = known.published_by_officer if known is not None else None
    if state is DecisionState.PUBLISHED and published_at is None:
        published_at = now
        published_by_officer = officer
    return StoredDecision(
        decision_id=known.decision_id if known is not None else str(uuid.uuid4()),
        department=department,
        record_id=checked.submission.record_id,
        version=known.version + 1 if known is not None else 1,
        kind=checked.submission.kind,
        state=state,
        withheld_reason=checked.withheld,
        submission=checked.submission,
        fingerprint=checked.fingerprint,
        publication_due=checked.publication_due,
        due_provisional=checked.due_provisional,
        publication_months=checked.publication_months,
        publication_ends=checked.publication_ends,
        repair_from=checked.repair_from,
        repair_guidance=checked.repair_guidance,
        warnings=checked.warnings,
        published_at=published_at,
        late=None if published_at is None else rules.is_late(published_at, checked.publication_due),
        withdrawn_at=None,
        withdrawn_by=None,
        withdrawal_reason=None,
        withdrawal_note=None,
        created_at=known.created_at if known is not None else now,
        updated_at=now,
        published_by_officer=published_by_officer,
    )


def _emit_if_published(
    uow: UnitOfWork, before: StoredDecision | None, after: StoredDecision
) -> None:
    if after.state is DecisionState.PUBLISHED and (
        before is None or before.version != after.version or before.state is not after.state
    ):
        uow.emit(published_event(after))


def published_event(d: StoredDecision) -> PublicityDecisionPublished:
    assert d.published_at is not None
    s = d.submission
    return PublicityDecisionPublished(
        decision_id=d.decision_id,
        version=d.version,
        record_id=d.record_id,
        kind=d.kind,
        department=d.department,
        counterpart=s.counterpart,
        decision_number=s.decision_number,
        decision_date=s.decision_date,
        licence=s.licence,
        penalty=s.penalty,
        publication_due=d.publication_due,
        published_at=d.published_at,
        late=bool(d.late),
        publication_ends=d.publication_ends,
        repair_guidance=d.repair_guidance,
        officer=d.published_by_officer,
    )


async def publish(
    uow: UnitOfWork, decision_id: str, principal: Principal, clock: Clock
) -> StoredDecision:
    """Publish a decision recorded with `publish: false`; publishing it again answers it as it
    is (idempotent). The principal's officer is recorded as `published_by_officer`."""
    known = await load(uow, decision_id, principal)
    if not rules.require_publishable(known.state, known.withheld_reason):
        return known
    now = clock()
    decision = replace(
        known,
        state=DecisionState.PUBLISHED,
        published_at=now,
        late=rules.is_late(now, known.publication_due),
        updated_at=now,
        published_by_officer=principal.officer,
    )
    await PublicityRepository(uow.session).save(
        decision, new_version=False, recorded_by=principal.department_code
    )
    uow.emit(published_event(decision))
    return decision


async def withdraw(
    uow: UnitOfWork,
    decision_id: str,
    reason: PublicationEnd,
    note: str | None,
    principal: Principal,
    clock: Clock,
) -> StoredDecision:
    """Stop showing a published decision (repaired or revoked); once withdrawn, asking again
    answers it as it is. The principal's officer is recorded as `withdrawn_by_officer`."""
    known = await load(uow, decision_id, principal)
    now = clock()
    if not rules.require_withdrawable(
        known.state, reason, kind=known.kind, repair_from=known.repair_from, today=china_date(now)
    ):
        return known
    decision = replace(
        known,
        state=DecisionState.WITHDRAWN,
        withdrawn_at=now,
        withdrawn_by=principal.department_code,
        withdrawn_by_officer=principal.officer,
        withdrawal_reason=reason,
        withdrawal_note=note,
        updated_at=now,
    )
    await PublicityRepository(uow.session).save(
        decision, new_version=False, recorded_by=principal.department_code
    )
    if known.state is not DecisionState.PUBLISHED:
        return decision  # never shown: nobody downstream knows it
    uow.emit(
        PublicityDecisionWithdrawn(
            decision_id=decision.decision_id,
            version=decision.version,
            counterpart_code=decision.submission.counterpart.code,
            reason=reason,
            withdrawn_by=principal.department_code,
            officer=principal.officer,
            withdrawn_at=now,
        )
    )
    return decision


# --- bulk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkLine:
    """One line of a bulk post: its number (1-based), and the submission or what was wrong."""

    number: int
    body: PublicityDecisionSubmission | None
    record_id: str | None = None
    problems: tuple[FieldProblem, ...] = ()


async def post_chunk(
    uow: UnitOfWork, lines: Sequence[BulkLine], ctx: PublicityContext
) -> list[dict[str, Any]]:
    """One chunk in the caller's transaction: a result per line, in order. A line refused by
    the rules changes nothing (every check comes before its writes)."""
    results: list[dict[str, Any]] = []
    for line in lines:
        if line.body is None:
            results.append(_rejected(line.number, line.record_id, line.problems))
            continue
        try:
            posted = await post_decision(uow, line.body, ctx)
        except DomainError as error:
            problems = tuple(error.problems) or (FieldProblem("body", error.code, error.message),)
            results.append(_rejected(line.number, line.body.record_id, problems))
            continue
        results.append(
            {
                "line": line.number,
                "record_id": line.body.record_id,
                "status": posted.status.value,
                "decision_id": posted.decision.decision_id,
                "version": posted.decision.version,
                "state": posted.decision.state.value,
            }
        )
    return results


def _rejected(
    number: int, record_id: str | None, problems: Sequence[FieldProblem]
) -> dict[str, Any]:
    return {
        "line": number,
        "record_id": record_id,
        "status": "rejected",
        "problems": [p.as_json() for p in problems],
    }


# --- provisional deadlines (DOMAIN.md §10) ----------------------------------------------------


async def recompute_provisional(
    uow: UnitOfWork, calendar: WorkingDayCalendar, schedule: YearSchedule
) -> int:
    """Publication deadlines counted without a year's schedule, counted again now that it is
    known (in the transaction that stores the schedule)."""
    repo = PublicityRepository(uow.session)
    again = []
    for d in await repo.provisional():
        deadline = calendar.add_working_days(
            d.submission.decision_date, rules.PUBLICATION_WORKING_DAYS
        )
        again.append(replace(d, publication_due=deadline.due, due_provisional=deadline.provisional))
    await repo.set_dues(again)
    if again:
        log.info("publicity deadlines recomputed", year=schedule.year, decisions=len(again))
    return len(again)
