"""Provisional due dates made final (DOMAIN.md §10): when an official schedule arrives, every
open case and pending repair whose due date was computed from the statutory holidays alone, and
every correction still owed under a list type's own review (the court's list), is computed
again on the calendar that now knows the year, the change is recorded in its history, and the
subjects concerned are told. Runs in the transaction that stores the schedule (no
commit here)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from jrp_appeals.adapters.repositories import CaseRepository, RepairRepository
from jrp_appeals.domain import cases as case_domain
from jrp_appeals.domain import notifications
from jrp_appeals.domain import repairs as repair_domain
from jrp_appeals.domain.cases import Action, Case
from jrp_appeals.domain.deadlines import WorkingDays, due_after
from jrp_appeals.domain.repairs import Repair
from jrp_appeals.service_layer.notices import notify
from jrp_shared.calendar import YearSchedule
from jrp_shared.clock import china_date
from jrp_shared.messaging.uow import UnitOfWork

ACTOR = "appeals"
"""Who the history names when this service itself changed a record."""


def _recompute(
    record: Case, started: datetime, calendar: WorkingDays, year: int, now: datetime
) -> date:
    """Set the record's due date from the calendar; returns the provisional one it replaces."""
    due = due_after(calendar, china_date(started), record.working_days)
    before = record.decision_due
    record.decision_due, record.due_provisional = due.due, due.provisional
    record.history.append(
        Action(
            now,
            ACTOR,
            "due_recomputed",
            {"year": year, "before": before.isoformat(), "after": due.due.isoformat()},
        )
    )
    return before


async def _tell(
    uow: UnitOfWork,
    record: Case | Repair,
    *,
    about: str,
    case_id: str,
    acting_subject: str | None,
    year: int,
    before: date,
    now: datetime,
) -> None:
    for code in notifications.recipients(record.subject_code, acting_subject):
        await notify(
            uow,
            notifications.of_recomputed_due(
                about=about,
                case_id=case_id,
                entry_id=record.entry_id,
                year=year,
                before=before,
                after=record.decision_due,
                at=now,
                notification_id=str(uuid.uuid4()),
                to=code,
            ),
        )


async def recompute_provisional(
    uow: UnitOfWork, calendar: WorkingDays, schedule: YearSchedule, now: datetime
) -> int:
    """Returns how many due dates were recomputed."""
    changed = 0
    cases = CaseRepository(uow.session)
    for case_id in await cases.provisional_open():
        case = await cases.get(case_id, for_update=True)
        assert case is not None
        before = _recompute(case, case.filed_at, calendar, schedule.year, now)
        await cases.save(case)
        await _tell(
            uow,
            case,
            about=str(case.kind),
            case_id=case.case_id,
            acting_subject=case.filing_subject,
            year=schedule.year,
            before=before,
            now=now,
        )
        changed += 1
    for case_id in await cases.provisional_corrections():
        case = await cases.get(case_id, for_update=True)
        assert case is not None
        started = case_domain.correction_started_at(case)
        assert started is not None, "a correction is owed after a decision"
        replaced = case_domain.recompute_correction(
            case, calendar, china_date(started), schedule.year, now
        )
        if replaced is None:
            continue
        await cases.save(case)
        assert case.correction_duty is not None
        for code in notifications.recipients(case.subject_code, case.filing_subject):
            await notify(
                uow,
                notifications.of_recomputed_due(
                    about="correction",
                    case_id=case.case_id,
                    entry_id=case.entry_id,
                    year=schedule.year,
                    before=replaced,
                    after=case.correction_duty.due,
                    at=now,
                    notification_id=str(uuid.uuid4()),
                    to=code,
                ),
            )
        changed += 1
    repairs = RepairRepository(uow.session)
    for repair_id in await repairs.provisional_pending():
        repair = await repairs.get(repair_id, for_update=True)
        assert repair is not None
        before = repair_domain.recompute_dues(repair, calendar)
        repair.history.append(
            Action(
                now,
                ACTOR,
                "due_recomputed",
                {
                    "year": schedule.year,
                    "before": before.isoformat(),
                    "after": repair.decision_due.isoformat(),
                    "forward_due": repair.forward_due.isoformat(),
                },
            )
        )
        await repairs.save(repair)
        await _tell(
            uow,
            repair,
            about="repair",
            case_id=repair.repair_id,
            acting_subject=repair.applicant,
            year=schedule.year,
            before=before,
            now=now,
        )
        changed += 1
    return changed
