"""Use cases of due process on the trigger's side (DOMAIN.md §7, §8; docs/due-process.md):
`appeals` reports a case filed or decided, or a repair decided, and the entry changes; the
change goes to enforcement on `list-entries.v1`. No commit: the consumer commits with its
inbox row, so a redelivered event changes nothing.

An event about an entry this service does not know is logged and dropped: there is nothing
to change, and retrying would not make the entry appear.
"""

from __future__ import annotations

from collections.abc import Callable

from jrp_shared.clock import china_date
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import (
    ComplaintDecided,
    ComplaintFiled,
    ListEntryRepaired,
    ListEntrySuspended,
    ObjectionDecided,
    ObjectionFiled,
    RepairDecided,
)
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import CaseKind, ExchangeOperation, ObjectionOutcome, Remedy
from jrp_trigger.adapters.repositories import EntryRepository
from jrp_trigger.domain import due_process, rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.service_layer.exchange import ExchangeRecorder
from jrp_trigger.service_layer.handlers import SubmissionContext, emit_revoked, send_if_due

log = get_logger(__name__)

CaseFiled = ObjectionFiled | ComplaintFiled
CaseDecided = ObjectionDecided | ComplaintDecided


def case_kind(event: CaseFiled | CaseDecided) -> CaseKind:
    if isinstance(event, ObjectionFiled | ObjectionDecided):
        return CaseKind.OBJECTION
    return CaseKind.COMPLAINT


async def _load(uow: UnitOfWork, entry_id: str, event_type: str) -> ListEntry | None:
    entry = await EntryRepository(uow.session).get(entry_id, for_update=True)
    if entry is None:
        log.warning(
            "due-process event for an unknown list entry", entry_id=entry_id, event_type=event_type
        )
    return entry


def _unchanged(entry: ListEntry, why: str, **context: object) -> None:
    suspension = entry.suspension
    log.info(
        why,
        entry_id=entry.entry_id,
        status=entry.status.value,
        suspended_by=f"{suspension.case_kind.value} {suspension.case_id}" if suspension else None,
        **context,
    )


async def case_filed(uow: UnitOfWork, filed: CaseFiled) -> None:
    """Suspend the entry's measures while the case is verified, where its list type says so
    (`suspends`, catalog data, DOMAIN.md §11); the court's list never does."""
    if not filed.suspends:
        return
    entry = await _load(uow, filed.entry_id, filed.event_type)
    if entry is None:
        return
    kind = case_kind(filed)
    if due_process.is_suspended_by(entry, kind, filed.case_id):
        return  # redelivered
    if not due_process.suspend(entry, case_kind=kind, case_id=filed.case_id, at=filed.filed_at):
        _unchanged(entry, "entry not suspended", case=f"{kind.value} {filed.case_id}")
        return
    uow.emit(
        ListEntrySuspended(
            entry_id=entry.entry_id,
            version=entry.version,
            subject_code=entry.content.subject.code,
            case_kind=kind,
            case_id=filed.case_id,
            suspended_at=filed.filed_at,
        )
    )
    await EntryRepository(uow.session).update(entry)


async def case_decided(
    uow: UnitOfWork, decided: CaseDecided, contexts: Callable[[str], SubmissionContext]
) -> None:
    """Information right: resume (period extended by the suspended span). Information wrong:
    revoke, or correct under the rules of any correction, judged as the entry's initiating
    department (`contexts` gives its submission context). A refused correction raises."""
    entry = await _load(uow, decided.entry_id, decided.event_type)
    if entry is None:
        return
    repo = EntryRepository(uow.session)
    kind, at = case_kind(decided), decided.decided_at
    case = f"{kind.value} {decided.case_id}"
    if decided.outcome is ObjectionOutcome.INFORMATION_RIGHT:
        version = due_process.resume(
            entry, case_kind=kind, case_id=decided.case_id, by=decided.decided_by, at=at
        )
    elif decided.remedy is Remedy.REVOKE:
        revocation = due_process.revoke(
            entry,
            case_kind=kind,
            case_id=decided.case_id,
            reasons=decided.reasons,
            by=decided.decided_by,
            at=at,
        )
        if revocation is None:
            _unchanged(entry, "entry not revoked", case=case)
            return
        emit_revoked(uow, entry, revocation, contexts(entry.department).exchange)
        await repo.update(entry)
        return
    elif decided.remedy is Remedy.CORRECT and decided.correction is not None:
        ctx = contexts(entry.department)
        content = EntryContent.of(decided.correction).with_notice_of(entry.content)
        await ctx.list_types.load(uow.session, [content.list_type])
        admission = rules.admit(
            content,
            ctx.list_types.of(content.list_type),
            department=entry.department,
            today=china_date(at),
            organisation_code_policy=ctx.organisation_code_policy,
            calendar=ctx.calendar,
            initial=False,
        )
        version = due_process.correct(
            entry,
            admission,
            case_kind=kind,
            case_id=decided.case_id,
            reasons=decided.reasons,
            at=at,
        )
    else:
        # The payload allows it, the procedure does not: dead-lettered with this reason.
        raise InvalidInput(
            f"{case} decided information wrong without a remedy the trigger can apply "
            "(revoke, or correct with the corrected entry)"
        )
    if version is None:
        _unchanged(entry, "entry unchanged by the decision", case=case)
        return
    await repo.add_version(entry, version)
    send_if_due(uow, entry, at, contexts(entry.department).exchange)
    await repo.update(entry)


async def repair_decided(
    uow: UnitOfWork, decided: RepairDecided, exchange: ExchangeRecorder | None
) -> None:
    """Approved: the entry ends early as repaired and every measure stops (DOMAIN.md §8), and
    the other platforms are told (an exchange record: results pushed within 3 working days,
    DOMAIN.md §11). Refused: the entry is untouched (appeals tells the subject why)."""
    if not decided.approved:
        return
    entry = await _load(uow, decided.entry_id, decided.event_type)
    if entry is None:
        return
    if not due_process.repaired(
        entry, repair_id=decided.repair_id, by=decided.decided_by, at=decided.decided_at
    ):
        _unchanged(entry, "entry not repaired", repair_id=decided.repair_id)
        return
    repair = entry.repair
    assert repair is not None
    if entry.is_sent():
        uow.emit(
            ListEntryRepaired(
                entry_id=entry.entry_id,
                version=entry.version,
                subject_code=entry.content.subject.code,
                repair_id=repair.repair_id,
                repaired_by=repair.repaired_by,
                repaired_at=repair.repaired_at,
            )
        )
        if exchange is not None:
            exchange.record(uow, entry, ExchangeOperation.REPAIR, repair.repaired_at)
    await EntryRepository(uow.session).update(entry)
