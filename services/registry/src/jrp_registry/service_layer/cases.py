"""Following appeals.v1: each due-process event updates the subject's case timeline. The
consumer runs these in its unit of work together with the inbox row (no commit here), so a
redelivered event changes nothing."""

from __future__ import annotations

from jrp_registry.adapters.cases import CaseRepository
from jrp_registry.domain import cases
from jrp_registry.domain.cases import CaseKind, CaseState, Decision, Filing
from jrp_shared.events.payloads import (
    ComplaintDecided,
    ComplaintFiled,
    EventPayload,
    ObjectionDecided,
    ObjectionFiled,
    RepairApplied,
    RepairDecided,
)
from jrp_shared.messaging.uow import UnitOfWork


def filing_of(event: ObjectionFiled | ComplaintFiled | RepairApplied) -> Filing:
    if isinstance(event, RepairApplied):
        return Filing(
            case_id=event.repair_id,
            subject_code=event.subject_code,
            kind=CaseKind.REPAIR,
            entry_id=event.entry_id,
            filed_at=event.applied_at,
            decision_due=event.decision_due,
            event_type=event.event_type,
        )
    complaint = isinstance(event, ComplaintFiled)
    return Filing(
        case_id=event.case_id,
        subject_code=event.subject_code,
        kind=CaseKind.COMPLAINT if complaint else CaseKind.OBJECTION,
        entry_id=event.entry_id,
        filed_at=event.filed_at,
        decision_due=event.decision_due,
        event_type=event.event_type,
        objection_id=event.objection_id if isinstance(event, ComplaintFiled) else None,
    )


def decision_of(event: ObjectionDecided | ComplaintDecided | RepairDecided) -> Decision:
    if isinstance(event, RepairDecided):
        return Decision(
            case_id=event.repair_id,
            subject_code=event.subject_code,
            kind=CaseKind.REPAIR,
            entry_id=event.entry_id,
            state=CaseState.APPROVED if event.approved else CaseState.REFUSED,
            decided_at=event.decided_at,
            event_type=event.event_type,
        )
    return Decision(
        case_id=event.case_id,
        subject_code=event.subject_code,
        kind=CaseKind.COMPLAINT if isinstance(event, ComplaintDecided) else CaseKind.OBJECTION,
        entry_id=event.entry_id,
        state=CaseState.DECIDED,
        decided_at=event.decided_at,
        event_type=event.event_type,
        outcome=event.outcome.value,
        remedy=event.remedy.value if event.remedy is not None else None,
        objection_id=event.objection_id if isinstance(event, ComplaintDecided) else None,
    )


async def record_case_event(uow: UnitOfWork, event: EventPayload) -> None:
    repo = CaseRepository(uow.session)
    if isinstance(event, ObjectionFiled | ComplaintFiled | RepairApplied):
        filing = filing_of(event)
        current = await repo.get(filing.case_id)
        await repo.put(cases.filed(current, filing), new=current is None)
    elif isinstance(event, ObjectionDecided | ComplaintDecided | RepairDecided):
        decision = decision_of(event)
        current = await repo.get(decision.case_id)
        await repo.put(cases.decided(current, decision), new=current is None)
    else:
        raise TypeError(f"not an appeals event: {event.event_type}")


APPEALS_EVENTS: tuple[type[EventPayload], ...] = (
    ObjectionFiled,
    ObjectionDecided,
    ComplaintFiled,
    ComplaintDecided,
    RepairApplied,
    RepairDecided,
)
