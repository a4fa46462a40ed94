"""What due process does to a list entry: an objection or complaint suspends it while the
facts are verified, its decision resumes, revokes or corrects it, and credit repair ends it
early (DOMAIN.md §7, §8; docs/due-process.md). The cases themselves live in `appeals`.

Every function is safe to call twice with the same case (events may be redelivered) and
returns whether the entry changed; a case that does not apply to the entry (another case
suspends it, the list type does not suspend) changes nothing and is not an error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from jrp_shared.clock import china_date
from jrp_shared.vocabulary import CaseKind, ListEntryStatus
from jrp_trigger.domain import entries
from jrp_trigger.domain.entries import EntryVersion, ListEntry, Repair, Revocation, Suspension
from jrp_trigger.domain.rules import Admission

Status = ListEntryStatus


def is_suspended_by(entry: ListEntry, case_kind: CaseKind, case_id: str) -> bool:
    s = entry.suspension
    return (
        entry.status is Status.SUSPENDED
        and s is not None
        and (s.case_kind, s.case_id) == (case_kind, case_id)
    )


def suspend(entry: ListEntry, *, case_kind: CaseKind, case_id: str, at: datetime) -> bool:
    """Suspend the measures while the case is verified (000 (二十四), 004 三(五)). Only an
    entry in force on the filing day is suspended; one already suspended, by this case or
    another, stays as it is. Whether the case suspends at all is the list type's (the filed
    event's `suspends`), checked by the caller."""
    if entry.status_on(china_date(at)) is not Status.IN_FORCE:
        return False
    entry.status = Status.SUSPENDED
    entry.suspension = Suspension(case_kind, case_id, at)
    entry.updated_at = at
    return True


def resume(
    entry: ListEntry, *, case_kind: CaseKind, case_id: str, by: str, at: datetime
) -> EntryVersion | None:
    """The case found the information right: the measures resume and the period resumes
    counting from the decision date (002 二(三)2), so the end moves later by the suspended
    span in China days. Always a new version (even for a 0-day span) so enforcement re-issues
    its orders. None when this case does not suspend the entry (e.g. the court's list)."""
    suspension = entry.suspension
    if suspension is None or not is_suspended_by(entry, case_kind, case_id):
        return None
    start, end = china_date(suspension.since), china_date(at)
    days = max((end - start).days, 0)
    current = entry.current
    period = current.content.period
    content = replace(
        current.content,
        period=period.model_copy(update={"end": period.end + timedelta(days=days)}),
    )
    reason = (
        f"{case_kind.value} {case_id} decided information right: measures resume; "
        f"period extended by {days} days (suspended {start} to {end})"
    )
    version = EntryVersion(entry.version + 1, current.list_type_version, content, reason, at, by)
    entry.versions.append(version)
    _end_suspension(entry, at)
    return version


def revoke(
    entry: ListEntry, *, case_kind: CaseKind, case_id: str, reasons: str, by: str, at: datetime
) -> Revocation | None:
    """The case found the information wrong and the remedy is revocation (§7): the decider
    revokes it, suspended or not. Already revoked, or rejected at recognition (never in
    force): nothing to do, None."""
    if entry.revocation is not None or entry.status in (Status.REVOKED, Status.REJECTED):
        return None
    reason = f"{case_kind.value} {case_id}: information wrong: {reasons}"
    return entries.withdraw(entry, reason=reason, by=by, now=at)


def correct(
    entry: ListEntry,
    admission: Admission,
    *,
    case_kind: CaseKind,
    case_id: str,
    reasons: str,
    at: datetime,
) -> EntryVersion | None:
    """The case found the information wrong and the remedy is correction (§7). `admission`
    is the corrected entry through `rules.admit` for the entry's initiating department (the
    provider decided), so the rules of an ordinary correction hold, and who or which list it
    is about cannot change. The corrected entry states its own period.

    Suspended by this case: the suspension ends with a new version even if the content is
    unchanged, so enforcement resumes. Not suspended by it (a list type that does not
    suspend): an ordinary correction, None when nothing changed. A refusal raises the
    DomainError and the entry stays as it was (still suspended)."""
    reason = f"{case_kind.value} {case_id} decided information wrong: corrected: {reasons}"
    if not is_suspended_by(entry, case_kind, case_id):
        today = china_date(at)
        return entries.correct(
            entry, admission, reason=reason, by=entry.department, now=at, today=today
        )
    entries.require_same_listing(entry, admission.content)
    version = entries.add_version(entry, admission, reason=reason, by=entry.department, now=at)
    _end_suspension(entry, at)
    return version


def repaired(entry: ListEntry, *, repair_id: str, by: str, at: datetime) -> bool:
    """Credit repair granted: the entry ends early and no measure may be applied any more
    (000 (二十三), 002 二(三)1). Only an entry in force (not yet expired) or suspended is
    repaired; anything else is left as it is (a repeated event included)."""
    if entry.status_on(china_date(at)) not in (Status.IN_FORCE, Status.SUSPENDED):
        return False
    entry.status = Status.REPAIRED
    entry.suspension = None
    entry.repair = Repair(repair_id, by, at)
    entry.updated_at = at
    return True


def _end_suspension(entry: ListEntry, at: datetime) -> None:
    entry.status = Status.IN_FORCE
    entry.suspension = None
    entry.updated_at = at
