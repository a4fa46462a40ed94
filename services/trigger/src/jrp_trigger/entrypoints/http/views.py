"""What a reader sees of an entry. Resident IDs are personal information (DOMAIN.md §2): only
the initiating department, which recorded them, sees them in clear; every other department
(administrators included) sees them masked, for linked persons and for a listed person alike."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from jrp_shared import overdue
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import SanctionOrderStatus, SubjectReference
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.vocabulary import ListEntryStatus, SubjectType
from jrp_trigger.adapters.repositories import EntrySummary
from jrp_trigger.domain import recognition, sync
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import Escalation, ExpertDraw, ListEntry, Repair, Suspension
from jrp_trigger.domain.recognition import ExpertPool
from jrp_trigger.entrypoints.http.schemas import (
    DepartmentOrdersRead,
    EntryDeletionRead,
    EntryRead,
    EntrySummaryRead,
    EscalationRead,
    ExpertDrawRead,
    ExpertPoolRead,
    ExpertRead,
    ExpertVoteRead,
    LinkedPersonRead,
    OrderRead,
    RecognitionRead,
    RepairRead,
    RevocationRead,
    SuspensionRead,
    VersionRead,
    VoteRead,
)


def _subject(subject: SubjectReference, masked: bool) -> SubjectReference:
    if masked and subject.subject_type is SubjectType.NATURAL_PERSON:
        return subject.model_copy(update={"code": mask_resident_id(subject.code)})
    return subject


def _content(content: EntryContent, masked: bool) -> dict[str, Any]:
    return {
        "subject": _subject(content.subject, masked),
        "list_type": content.list_type,
        "grounds": content.grounds,
        "legal_basis": content.legal_basis,
        "decision_document": content.decision_document,
        "period": content.period,
        "disclosure_class": content.disclosure_class,
        "linked_persons": [
            LinkedPersonRead(
                role=p.role,
                name=p.name,
                resident_id=mask_resident_id(p.resident_id) if masked else p.resident_id,
            )
            for p in content.linked_persons
        ],
        "evidence_references": list(content.evidence_references),
        "court_case": content.court_case,
        "prior_notice": content.prior_notice,
    }


def draw_read(draw: ExpertDraw) -> ExpertDrawRead:
    return ExpertDrawRead(
        experts=list(draw.experts),
        seed=draw.seed,
        pool=list(draw.pool),
        count=draw.count,
        drawn_by=draw.drawn_by,
        drawn_at=draw.drawn_at,
        pool_group=draw.pool_group,
        pool_version=draw.pool_version,
        excluded=list(draw.excluded),
        candidates=list(draw.candidates),
        reason=draw.reason,
    )


def pool_read(pool: ExpertPool) -> ExpertPoolRead:
    return ExpertPoolRead(
        group=pool.group,
        version=pool.version,
        experts=[
            ExpertRead(id=e.expert_id, name=e.name, department=e.department) for e in pool.experts
        ],
        departments=list(pool.departments),
        changed_by=pool.changed_by,
        changed_at=pool.changed_at,
    )


def _rule(entry: ListEntry, expert_share: float) -> str:
    if entry.escalation is not None:
        return "spans several special groups: the joint conference office decides (002 二(二)2)"
    count = len(recognition.drawn(entry))
    needed = recognition.experts_needed(count, expert_share) if count else None
    experts = (
        f"at least {needed} of the {count} drawn experts" if needed else "a majority of the experts"
    )
    return (
        "every convened department approves and "
        f"{experts} approve (more than {expert_share:g} of them; a platform default, "
        "002 二(二)2 gives no number); one department's rejection rejects"
    )


def _recognition(entry: ListEntry, expert_share: float) -> RecognitionRead | None:
    if not entry.recognition_departments:
        return None
    return RecognitionRead(
        departments=list(entry.recognition_departments),
        pending=recognition.pending(entry)
        if entry.status is ListEntryStatus.AWAITING_RECOGNITION
        else [],
        votes=[
            VoteRead(
                department=v.department,
                vote=v.vote,
                comment=v.comment,
                entry_version=v.entry_version,
                voted_at=v.voted_at,
                voted_by_officer=v.voted_by_officer,
            )
            for v in entry.votes
        ],
        expert_draws=[draw_read(d) for d in entry.draws],
        experts=list(recognition.drawn(entry)),
        experts_pending=recognition.experts_pending(entry)
        if entry.status is ListEntryStatus.AWAITING_RECOGNITION
        else [],
        expert_votes=[
            ExpertVoteRead(
                expert_id=v.expert_id,
                vote=v.vote,
                comment=v.comment,
                entry_version=v.entry_version,
                recorded_by=v.recorded_by,
                voted_at=v.voted_at,
                recorded_by_officer=v.recorded_by_officer,
            )
            for v in entry.expert_votes
        ],
        rule=_rule(entry, expert_share),
        escalation=_escalation(entry.escalation),
    )


def _escalation(e: Escalation | None) -> EscalationRead | None:
    if e is None:
        return None
    return EscalationRead(
        group=e.group,
        outside_departments=list(e.outside_departments),
        escalated_at=e.escalated_at,
        decision=e.decision,
        reason=e.reason,
        decided_by=e.decided_by,
        decided_at=e.decided_at,
        decided_by_officer=e.decided_by_officer,
    )


def _suspension(suspension: Suspension | None) -> SuspensionRead | None:
    if suspension is None:
        return None
    return SuspensionRead(
        case_kind=suspension.case_kind, case_id=suspension.case_id, since=suspension.since
    )


def _repair(repair: Repair | None) -> RepairRead | None:
    if repair is None:
        return None
    return RepairRead(
        repair_id=repair.repair_id, repaired_by=repair.repaired_by, repaired_at=repair.repaired_at
    )


def _order(order: SanctionOrderStatus, today: date) -> OrderRead:
    return OrderRead(
        order_id=order.order_id,
        target_role=order.target_role,
        state=order.state,
        revision=order.revision,
        entry_version=order.entry_version,
        issued_at=order.issued_at,
        received_at=order.received_at,
        receipt_due=order.receipt_due,
        feedback_due=order.feedback_due,
        receipt_overdue=overdue.receipt_overdue(order.state, order.receipt_due, today),
        feedback_overdue=overdue.feedback_overdue(order.state, order.feedback_due, today),
        lifted_at=order.lifted_at,
        lift_reason=order.lift_reason,
        measures=order.measures,
    )


def _departments(statuses: list[SanctionOrderStatus], today: date) -> list[DepartmentOrdersRead]:
    by_department: dict[str, list[OrderRead]] = defaultdict(list)
    for status in statuses:
        by_department[status.department].append(_order(status, today))
    return [DepartmentOrdersRead(department=d, orders=o) for d, o in sorted(by_department.items())]


def _deletion(entry: ListEntry, today: date) -> EntryDeletionRead | None:
    ground = entry.deletion
    if ground is None:
        return None
    revoked = entry.revocation
    deleted_on = china_date(revoked.revoked_at) if revoked else None
    return EntryDeletionRead(
        ground=ground.ground,
        arose_on=ground.arose_on,
        due=ground.due,
        due_provisional=ground.provisional,
        state=sync.deletion_state(ground.due, deleted_on, today),
    )


def _initiated_by_officer(entry: ListEntry) -> str | None:
    first = entry.versions[0]
    return first.recorded_by_officer if first.version == 1 else None


def entry_read(
    entry: ListEntry,
    statuses: list[SanctionOrderStatus],
    *,
    viewer: str,
    today: date,
    expert_share: float = recognition.DEFAULT_EXPERT_SHARE,
) -> EntryRead:
    masked = viewer != entry.department
    revocation = entry.revocation
    return EntryRead(
        **_content(entry.content, masked),
        entry_id=entry.entry_id,
        record_id=entry.record_id,
        initiating_department=entry.department,
        initiated_by_officer=_initiated_by_officer(entry),
        status=entry.status_on(today),
        version=entry.version,
        list_type_version=entry.current.list_type_version,
        colour=entry.colour,
        warnings=list(entry.warnings),
        personal_data_masked=masked,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        in_force_since=entry.in_force_since,
        revocation=RevocationRead(
            reason=revocation.reason,
            revoked_by=revocation.revoked_by,
            revoked_by_officer=revocation.revoked_by_officer,
            revoked_at=revocation.revoked_at,
        )
        if revocation
        else None,
        suspension=_suspension(entry.suspension),
        repair=_repair(entry.repair),
        deletion=_deletion(entry, today),
        origin=entry.origin,
        recognition=_recognition(entry, expert_share),
        versions=[
            VersionRead(
                **_content(v.content, masked),
                version=v.version,
                list_type_version=v.list_type_version,
                reason=v.reason,
                recorded_at=v.recorded_at,
                recorded_by=v.recorded_by,
                recorded_by_officer=v.recorded_by_officer,
            )
            for v in entry.versions
        ],
        departments=_departments(statuses, today),
    )


def summary_read(summary: EntrySummary, *, viewer: str) -> EntrySummaryRead:
    return EntrySummaryRead(
        entry_id=summary.entry_id,
        record_id=summary.record_id,
        initiating_department=summary.department,
        status=summary.status,
        version=summary.version,
        subject=_subject(summary.subject, viewer != summary.department),
        list_type=summary.list_type,
        colour=summary.colour,
        decision_date=summary.decision_date,
        period=summary.period,
        created_at=summary.created_at,
        updated_at=summary.updated_at,
        suspension=_suspension(summary.suspension),
        repair=_repair(summary.repair),
    )
