"""Use cases of objections and complaints (DOMAIN.md §7). Each loads through the unit of
work, calls the domain, emits the events the change makes and commits once: state and events
in one transaction (outbox). Trigger takes the events and suspends, resumes, corrects or
revokes the entry; this service only decides."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters.repositories import (
    CaseRepository,
    EntryRepository,
    OrderHolderRepository,
)
from jrp_appeals.domain import cases, hearings, notifications, review, visibility
from jrp_appeals.domain.cases import Case, DecisionRequest
from jrp_appeals.domain.deadlines import due_after
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.hearings import ExpertDraw
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.service_layer.context import AppealsContext, Listing
from jrp_appeals.service_layer.notices import notify
from jrp_shared.calendar import Deadline
from jrp_shared.clock import china_date
from jrp_shared.errors import Forbidden, NotFound
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintDecided,
    ComplaintFiled,
    ObjectionAppealDecided,
    ObjectionAppealFiled,
    ObjectionDecided,
    ObjectionFiled,
)
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import AppealOutcome, CaseKind, CaseState, ObjectionOutcome, PartyKind

_WHAT = {CaseKind.OBJECTION: "objection", CaseKind.COMPLAINT: "complaint"}


def _filer(viewer: Viewer) -> CaseParty:
    if viewer.subject_code is not None:
        return CaseParty(kind=PartyKind.SUBJECT, code=viewer.subject_code, agent=viewer.agent)
    return CaseParty(kind=PartyKind.DEPARTMENT, code=viewer.department)


def _filed_fields(case: Case) -> dict[str, object]:
    return {
        "case_id": case.case_id,
        "entry_id": case.entry_id,
        "entry_version": case.entry_version,
        "subject_code": case.subject_code,
        "list_type": case.list_type,
        "provider": case.provider,
        "filed_by": case.filed_by,
        "grounds": case.grounds,
        "evidence_references": list(case.evidence_references),
        "suspends": case.suspends,
        "filed_at": case.filed_at,
        "decision_due": case.decision_due,
        "due_provisional": case.due_provisional,
    }


def _decided_fields(case: Case) -> dict[str, object]:
    d = case.decision
    assert d is not None
    return {
        "case_id": case.case_id,
        "entry_id": case.entry_id,
        "subject_code": case.subject_code,
        "outcome": d.outcome,
        "remedy": d.remedy,
        "correction": d.correction,
        "reasons": d.reasons,
        "decided_by": d.decided_by,
        "officer": d.decided_by_officer,
        "decided_at": d.decided_at,
        "restoration_duty": case.restoration.department if case.restoration else None,
    }


async def _entry(session: AsyncSession, entry_id: str, *, for_update: bool = False) -> EntryCopy:
    entry = await EntryRepository(session).get(entry_id, for_update=for_update)
    assert entry is not None, "a case's entry is kept (foreign key)"
    return entry


async def _case(repo: CaseRepository, case_id: str, kind: CaseKind) -> Case:
    case = await repo.get(case_id, kind, for_update=True)
    if case is None:
        raise NotFound(f"no {_WHAT[kind]} {case_id}")
    return case


async def file_objection(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    *,
    entry_id: str,
    grounds: str,
    evidence_references: Sequence[str],
) -> Case:
    """The subject, or an implementing department that holds an order from the entry and
    found an error (000 (二十四))."""
    if not viewer.is_subject and not viewer.implementer:
        raise Forbidden(f"{viewer.name}: objections come from the subject or an implementer")
    entry = visibility.require_entry(
        viewer, await EntryRepository(uow.session).get(entry_id, for_update=True), entry_id
    )
    holds_order = not viewer.is_subject and await OrderHolderRepository(uow.session).holds(
        entry_id, viewer.department
    )
    visibility.require_may_object(viewer, entry, holds_order=holds_order)
    today = ctx.today()
    cases.require_in_force(entry, today)
    repo = CaseRepository(uow.session)
    cases.require_no_open_case(await repo.open_case_of(entry_id), entry_id)
    list_type = await ctx.procedure(uow.session, entry)
    rules = list_type.objection_review
    days = ctx.settings.objection_decision_working_days
    # The list type's own review (法释〔2017〕7号 第十二条: 15 calendar days) replaces the
    # provincial 20 working days (000 (二十四)).
    due = (
        Deadline(review.review_due(rules, today), provisional=False)
        if rules is not None
        else due_after(ctx.calendar, today, days)
    )
    case = cases.open_case(
        case_id=str(uuid.uuid4()),
        kind=CaseKind.OBJECTION,
        entry=entry,
        filed_by=_filer(viewer),
        grounds=grounds,
        evidence_references=tuple(evidence_references),
        suspends=list_type.suspend_during_objection,
        now=ctx.now(),
        due=due,
        working_days=rules.review_days if rules is not None else days,
        review=rules,
    )
    await repo.add(case)
    uow.emit(ObjectionFiled.model_validate(_filed_fields(case)))
    await uow.commit()
    return case


async def _decide(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    case_id: str,
    kind: CaseKind,
    request: DecisionRequest,
) -> Case:
    repo = CaseRepository(uow.session)
    case = await _case(repo, case_id, kind)
    entry = await _entry(uow.session, case.entry_id)
    parties = case.parties(entry)
    if kind is CaseKind.OBJECTION:
        visibility.require_provider(viewer, parties, "objection")
    else:
        visibility.require_office(viewer, parties, "complaint")
    now = ctx.now()
    decision = cases.decide(
        case, request, entry, by=viewer.department, now=now, officer=viewer.officer
    )
    cases.after_review_decision(
        case,
        upheld=decision.outcome is ObjectionOutcome.INFORMATION_WRONG,
        entry_version=entry.version,
        calendar=ctx.calendar,
        decided_on=china_date(now),
        at=now,
        by=viewer.department,
    )
    await repo.save(case)
    if kind is CaseKind.OBJECTION:
        uow.emit(ObjectionDecided.model_validate(_decided_fields(case)))
    else:
        assert case.objection_id is not None
        uow.emit(
            ComplaintDecided.model_validate(
                {**_decided_fields(case), "objection_id": case.objection_id}
            )
        )
    for code in notifications.recipients(case.subject_code, case.filing_subject):
        await notify(uow, notifications.of_case(case, decision, str(uuid.uuid4()), to=code))
    await uow.commit()
    return case


async def decide_objection(
    uow: UnitOfWork, ctx: AppealsContext, viewer: Viewer, case_id: str, request: DecisionRequest
) -> Case:
    """The information provider's answer (000 (二十四))."""
    return await _decide(uow, ctx, viewer, case_id, CaseKind.OBJECTION, request)


async def decide_complaint(
    uow: UnitOfWork, ctx: AppealsContext, viewer: Viewer, case_id: str, request: DecisionRequest
) -> Case:
    """The joint conference office's answer (002 二(三)2)."""
    return await _decide(uow, ctx, viewer, case_id, CaseKind.COMPLAINT, request)


async def file_complaint(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    objection_id: str,
    *,
    grounds: str,
    evidence_references: Sequence[str],
) -> Case:
    """The subject, not satisfied with the objection's answer, within the window after it."""
    repo = CaseRepository(uow.session)
    objection = await _case(repo, objection_id, CaseKind.OBJECTION)
    entry = await _entry(uow.session, objection.entry_id, for_update=True)
    visibility.require_visible(viewer, objection.parties(entry), "objection")
    visibility.require_subject_of(viewer, entry, "complaint")
    decided_at = cases.decided_on(objection)
    today = ctx.today()
    window = ctx.settings.complaint_window_working_days
    closes = due_after(ctx.calendar, china_date(decided_at), window).due
    cases.require_within_window(closes, today)
    cases.require_no_complaint(objection, await repo.complaint_of(objection_id))
    cases.require_no_open_case(await repo.open_case_of(entry.entry_id), entry.entry_id)
    list_type = await ctx.list_type(uow.session, entry)
    days = ctx.settings.complaint_decision_working_days
    now = ctx.now()
    complaint = cases.open_case(
        case_id=str(uuid.uuid4()),
        kind=CaseKind.COMPLAINT,
        entry=entry,
        filed_by=_filer(viewer),
        grounds=grounds,
        evidence_references=tuple(evidence_references),
        # Measures are suspended again only where the list type says so and something is
        # still in force to suspend (a revoked entry has nothing left).
        suspends=list_type.suspend_during_objection and entry.in_force_on(today),
        now=now,
        due=due_after(ctx.calendar, today, days),
        working_days=days,
        objection_id=objection_id,
    )
    await repo.add(complaint)
    objection.record(now, viewer.name, "complaint_filed", complaint_id=complaint.case_id)
    await repo.save(objection)
    uow.emit(
        ComplaintFiled.model_validate({**_filed_fields(complaint), "objection_id": objection_id})
    )
    await uow.commit()
    return complaint


async def file_appeal(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    objection_id: str,
    *,
    grounds: str,
    evidence_references: Sequence[str],
) -> Case:
    """The subject (or the department that filed the objection) appeals a dismissed objection
    to the higher court the list type names, within its window (法释〔2017〕7号 第十二条).
    Nothing is suspended: the listing stays in force (DOMAIN.md §11)."""
    repo = CaseRepository(uow.session)
    objection = await _case(repo, objection_id, CaseKind.OBJECTION)
    entry = await _entry(uow.session, objection.entry_id, for_update=True)
    visibility.require_visible(viewer, objection.parties(entry), "objection")
    _require_may_appeal(viewer, objection, entry)
    rules = review.require_review(objection.review, objection.list_type)
    department = review.require_appeal_department(rules, objection.list_type)
    outcome = objection.decision.outcome if objection.decision else None
    review.require_dismissed(objection.state, outcome, objection_id)
    review.require_no_appeal(objection.appeal, objection_id)
    assert objection.appeal_window_ends is not None, "set when the objection was dismissed"
    today = ctx.today()
    review.require_within_appeal_window(objection.appeal_window_ends, today)
    now = ctx.now()
    appeal = review.Appeal(
        appeal_id=str(uuid.uuid4()),
        objection_id=objection_id,
        department=department,
        filed_by=_filer(viewer),
        grounds=grounds,
        evidence_references=tuple(evidence_references),
        filed_at=now,
        decision_due=review.appeal_decision_due(rules, today),
    )
    objection.appeal = appeal
    objection.record(
        now,
        viewer.name,
        "appeal_filed",
        appeal_id=appeal.appeal_id,
        department=department,
        decision_due=appeal.decision_due.isoformat(),
    )
    await repo.save(objection)
    uow.emit(
        ObjectionAppealFiled(
            appeal_id=appeal.appeal_id,
            objection_id=objection_id,
            entry_id=objection.entry_id,
            subject_code=objection.subject_code,
            list_type=objection.list_type,
            appeal_department=department,
            filed_by=appeal.filed_by,
            grounds=grounds,
            evidence_references=list(evidence_references),
            filed_at=now,
            decision_due=appeal.decision_due,
        )
    )
    await uow.commit()
    return objection


def _appeal_decider(viewer: Viewer, case: Case) -> bool:
    """The higher court sees the objections appealed to it (besides the parties)."""
    appeal = case.appeal
    return appeal is not None and not viewer.is_subject and viewer.department == appeal.department


def _require_may_appeal(viewer: Viewer, objection: Case, entry: EntryCopy) -> None:
    """Whoever could object: the subject (listed or linked), or the implementing department
    that filed this objection."""
    if viewer.is_subject:
        visibility.require_subject_of(viewer, entry, "appeal")
        return
    filed = objection.filed_by
    if not (filed.kind is PartyKind.DEPARTMENT and filed.code == viewer.department):
        raise Forbidden(
            f"{viewer.name}: an appeal comes from the subject or the department that objected"
        )


async def decide_appeal(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    objection_id: str,
    request: review.AppealDecisionRequest,
) -> Case:
    """The higher court's answer (法释〔2017〕7号 第十二条): only the list type's appeal
    department decides. Upheld: the listing court must correct within the correction working
    days, as after an upheld objection."""
    repo = CaseRepository(uow.session)
    objection = await _case(repo, objection_id, CaseKind.OBJECTION)
    entry = await _entry(uow.session, objection.entry_id)
    appeal = objection.appeal
    if not _appeal_decider(viewer, objection):
        visibility.require_visible(viewer, objection.parties(entry), "objection")
    if appeal is None:
        raise NotFound(f"objection {objection_id} has no appeal")
    review.require_appeal_decider(
        viewer.department, appeal.department, is_subject=viewer.is_subject
    )
    now = ctx.now()
    decision = review.decide_appeal(
        appeal, request, entry, by=viewer.department, now=now, officer=viewer.officer
    )
    objection.record(
        now,
        viewer.department,
        "appeal_decided",
        appeal_id=appeal.appeal_id,
        outcome=str(decision.outcome),
        remedy=str(decision.remedy) if decision.remedy else None,
        **({"officer": viewer.officer} if viewer.officer is not None else {}),
    )
    cases.after_review_decision(
        objection,
        upheld=decision.outcome is AppealOutcome.UPHELD,
        entry_version=entry.version,
        calendar=ctx.calendar,
        decided_on=china_date(now),
        at=now,
        by=viewer.department,
    )
    await repo.save(objection)
    for code in notifications.recipients(objection.subject_code, objection.filing_subject):
        await notify(
            uow,
            notifications.of_appeal(objection, appeal, decision, str(uuid.uuid4()), to=code),
        )
    duty = objection.correction_duty
    uow.emit(
        ObjectionAppealDecided(
            appeal_id=appeal.appeal_id,
            objection_id=objection_id,
            entry_id=objection.entry_id,
            subject_code=objection.subject_code,
            outcome=decision.outcome,
            remedy=decision.remedy,
            correction=decision.correction,
            reasons=decision.reasons,
            decided_by=decision.decided_by,
            officer=decision.decided_by_officer,
            decided_at=now,
            correction_due=duty.due if duty and decision.outcome is AppealOutcome.UPHELD else None,
        )
    )
    await uow.commit()
    return objection


async def draw_experts(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    complaint_id: str,
    *,
    pool: Sequence[str],
    count: int,
    seed: int | str | None,
) -> ExpertDraw:
    """Without a seed one is generated; it is recorded so anyone can redo the draw."""
    repo = CaseRepository(uow.session)
    complaint = await _case(repo, complaint_id, CaseKind.COMPLAINT)
    entry = await _entry(uow.session, complaint.entry_id)
    visibility.require_office(viewer, complaint.parties(entry), "complaint")
    draw = hearings.draw_for(
        complaint,
        pool=pool,
        count=count,
        seed=secrets.token_hex(16) if seed is None else seed,
        by=viewer.department,
        now=ctx.now(),
    )
    await repo.add_draw(draw)
    await repo.save(complaint)
    await uow.commit()
    return draw


@dataclass(frozen=True)
class CaseView:
    case: Case
    entry: EntryCopy
    complaint_id: str | None
    draws: list[ExpertDraw]


async def read_case(
    session: AsyncSession, viewer: Viewer, case_id: str, kind: CaseKind
) -> CaseView:
    repo = CaseRepository(session)
    case = await repo.get(case_id, kind)
    if case is None:
        raise NotFound(f"no {_WHAT[kind]} {case_id}")
    entry = await _entry(session, case.entry_id)
    if not _appeal_decider(viewer, case):
        visibility.require_visible(viewer, case.parties(entry), f"{_WHAT[kind]} {case_id}")
    complaint_id = await repo.complaint_of(case_id) if kind is CaseKind.OBJECTION else None
    draws = await repo.draws(case_id) if kind is CaseKind.COMPLAINT else []
    return CaseView(case, entry, complaint_id, draws)


async def list_cases(
    session: AsyncSession,
    ctx: AppealsContext,
    viewer: Viewer,
    kind: CaseKind,
    state: CaseState | None,
    listing: Listing,
) -> list[Case]:
    """What `viewer` may see, newest first."""
    return await CaseRepository(session).search(
        viewer,
        kind=kind,
        state=state,
        overdue_on=ctx.today() if listing.overdue else None,
        entry_id=listing.entry_id,
        limit=listing.limit,
        offset=listing.offset,
    )
