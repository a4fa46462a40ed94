"""Use cases of credit repair (DOMAIN.md §8, §11): apply (received by the credit portal),
forward (stage 1), decide (stage 2, with the push of stage 3 in its commit), read, the overdue
listing. One commit each, with the events (trigger ends the entry early when repair is
granted)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_appeals.adapters.repositories import EntryRepository, RepairRepository
from jrp_appeals.domain import notifications, repairs, visibility
from jrp_appeals.domain.entries import EntryCopy
from jrp_appeals.domain.repairs import CreditCommitment, Evidence, OverdueGroup, Repair
from jrp_appeals.domain.visibility import Viewer
from jrp_appeals.service_layer.context import AppealsContext, Listing
from jrp_appeals.service_layer.notices import notify
from jrp_shared.errors import Forbidden, NotFound
from jrp_shared.events.payloads import RepairApplied, RepairDecided
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import RepairRoute, RepairState


@dataclass(frozen=True)
class Application:
    entry_id: str
    route: RepairRoute
    evidence: tuple[Evidence, ...]
    commitment: CreditCommitment


async def apply(
    uow: UnitOfWork, ctx: AppealsContext, viewer: Viewer, application: Application
) -> Repair:
    """The subject applies to the department that decided (000 (二十三))."""
    if not viewer.is_subject:
        raise Forbidden("only the subject, through the credit portal, applies for repair")
    entry_id = application.entry_id
    found = await EntryRepository(uow.session).get(entry_id, for_update=True)
    if found is None:
        raise NotFound(f"no list entry {entry_id}")
    applicant = visibility.require_subject_of(viewer, found, "repair application")
    today = ctx.today()
    repo = RepairRepository(uow.session)
    repairs.require_no_pending(entry_id, await repo.pending_of(entry_id))
    list_type = await ctx.list_type(uow.session, found)
    repairs.check_eligible(
        found,
        list_type.repair,
        applicant=applicant,
        route=application.route,
        evidence=application.evidence,
        today=today,
    )
    repair = repairs.apply(
        repair_id=str(uuid.uuid4()),
        entry=found,
        rules=list_type.repair,
        applicant=applicant,
        agent=viewer.agent,
        route=application.route,
        evidence=application.evidence,
        commitment=application.commitment,
        now=ctx.now(),
        today=today,
        calendar=ctx.calendar,
    )
    await repo.add(repair)
    uow.emit(
        RepairApplied(
            repair_id=repair.repair_id,
            entry_id=repair.entry_id,
            subject_code=repair.subject_code,
            department=repair.department,
            route=repair.route,
            applied_at=repair.applied_at,
            decision_due=repair.decision_due,
            due_provisional=repair.due_provisional,
        )
    )
    await uow.commit()
    return repair


async def forward(uow: UnitOfWork, ctx: AppealsContext, viewer: Viewer, repair_id: str) -> Repair:
    """Stage 1: the credit portal forwards the application to the deciding authority
    (DOMAIN.md §11: within 10 working days of receiving it)."""
    if not viewer.portal:
        raise Forbidden("only the credit portal (role portal) forwards a repair application")
    repo = RepairRepository(uow.session)
    repair = await repo.get(repair_id, for_update=True)
    if repair is None:
        raise NotFound(f"no repair {repair_id}")
    repairs.forward(
        repair, by=viewer.department, now=ctx.now(), today=ctx.today(), calendar=ctx.calendar
    )
    await repo.save(repair)
    await uow.commit()
    return repair


async def decide(
    uow: UnitOfWork,
    ctx: AppealsContext,
    viewer: Viewer,
    repair_id: str,
    *,
    approved: bool,
    reasons: str,
) -> Repair:
    """The initiating department grants or refuses; the subject is told either way."""
    repo = RepairRepository(uow.session)
    repair = await repo.get(repair_id, for_update=True)
    if repair is None:
        raise NotFound(f"no repair {repair_id}")
    entry = await _entry(uow.session, repair.entry_id)
    visibility.require_provider(viewer, repair.parties(entry), f"repair {repair_id}")
    decision = repairs.decide(
        repair,
        entry,
        approved=approved,
        reasons=reasons,
        by=viewer.department,
        now=ctx.now(),
        today=ctx.today(),
        calendar=ctx.calendar,
        officer=viewer.officer,
    )
    # Stage 3: `RepairDecided` (and trigger's `ListEntryRepaired` after a grant) is the push to
    # the other platforms until issue 15's upper-level platform; it leaves in this commit.
    repairs.pushed(repair, decision.decided_at)
    await repo.save(repair)
    uow.emit(
        RepairDecided(
            repair_id=repair.repair_id,
            entry_id=repair.entry_id,
            subject_code=repair.subject_code,
            approved=decision.approved,
            reasons=decision.reasons,
            decided_by=decision.decided_by,
            officer=decision.decided_by_officer,
            decided_at=decision.decided_at,
        )
    )
    for code in notifications.recipients(repair.subject_code, repair.applicant):
        await notify(uow, notifications.of_repair(repair, decision, str(uuid.uuid4()), to=code))
    await uow.commit()
    return repair


async def _entry(session: AsyncSession, entry_id: str) -> EntryCopy:
    entry = await EntryRepository(session).get(entry_id)
    assert entry is not None, "a repair's entry is kept (foreign key)"
    return entry


async def overdue(session: AsyncSession, ctx: AppealsContext, viewer: Viewer) -> list[OverdueGroup]:
    """Late repairs by stage and deciding department: the office and the portal see all, a
    department those it decides, a subject none (DOMAIN.md §11)."""
    if viewer.is_subject:
        raise Forbidden("the overdue listing is for the office, the portal and departments")
    return await RepairRepository(session).overdue(_seer(viewer), ctx.today())


def _seer(viewer: Viewer) -> Viewer:
    """The credit portal receives every repair application, so it sees every repair as the
    office does (not the cases: those are the parties')."""
    return replace(viewer, administrator=True) if viewer.portal else viewer


async def read(session: AsyncSession, viewer: Viewer, repair_id: str) -> Repair:
    repair = await RepairRepository(session).get(repair_id)
    if repair is None:
        raise NotFound(f"no repair {repair_id}")
    entry = await _entry(session, repair.entry_id)
    visibility.require_visible(_seer(viewer), repair.parties(entry), f"repair {repair_id}")
    return repair


async def search(
    session: AsyncSession,
    ctx: AppealsContext,
    viewer: Viewer,
    state: RepairState | None,
    listing: Listing,
) -> list[Repair]:
    """What `viewer` may see, newest first."""
    return await RepairRepository(session).search(
        _seer(viewer),
        state=state,
        overdue_on=ctx.today() if listing.overdue else None,
        entry_id=listing.entry_id,
        limit=listing.limit,
        offset=listing.offset,
    )
