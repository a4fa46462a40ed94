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
from jrp_appeals.domain import cases, hearings, notifications, visibility
from jrp_appeals.domain.cases import Case, DecisionRequest
from jrp_appeals.domain.deadlines import due_after
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.hearings import ExpertDraw
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.service_layer.context import AppealsContext, Listing
from jrp_appeals.service_layer.notices import notify
from jrp_shared.clock import china_date
from jrp_shared.errors import Forbidden, NotFound
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintDecided,
    ComplaintFiled,
    ObjectionDecided,
    ObjectionFiled,
)
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import CaseKind, CaseState, PartyKind

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
    list_type = await ctx.list_type(uow.session, entry)
    days = ctx.settings.objection_decision_working_days
    case = cases.open_case(
        case_id=str(uuid.uuid4()),
        kind=CaseKind.OBJECTION,
        entry=entry,
        filed_by=_filer(viewer),
        grounds=grounds,
        evidence_references=tuple(evidence_references),
        suspends=list_type.suspend_during_objection,
        now=ctx.now(),
        due=due_after(ctx.calendar, today, days),
        working_days=days,
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
    decision = cases.decide(case, request, entry, by=viewer.department, now=ctx.now())
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
