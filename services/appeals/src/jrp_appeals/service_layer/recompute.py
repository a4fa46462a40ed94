"""Provisional due dates made final (DOMAIN.md §10): when an official schedule arrives, every
open case and pending repair whose due date was computed from the statutory holidays alone is
computed again on the calendar that now knows the year, and the change is recorded in its
history. Runs in the transaction that stores the schedule (no commit here)."""

from __future__ import annotations

from datetime import datetime

from jrp_appeals.adapters.repositories import CaseRepository, RepairRepository
from jrp_appeals.domain.cases import Action
from jrp_appeals.domain.deadlines import WorkingDays, due_after
from jrp_shared.calendar import YearSchedule
from jrp_shared.clock import china_date
from jrp_shared.messaging.uow import UnitOfWork

ACTOR = "appeals"
"""Who the history names when this service itself changed a record."""


async def recompute_provisional(
    uow: UnitOfWork, calendar: WorkingDays, schedule: YearSchedule, now: datetime
) -> int:
    """Returns how many due dates were recomputed."""
    changed = 0
    cases = CaseRepository(uow.session)
    for case_id in await cases.provisional_open():
        case = await cases.get(case_id, for_update=True)
        assert case is not None
        due = due_after(calendar, china_date(case.filed_at), case.working_days)
        before = case.decision_due
        case.decision_due, case.due_provisional = due.due, due.provisional
        case.history.append(
            Action(
                now,
                ACTOR,
                "due_recomputed",
                {"year": schedule.year, "before": before.isoformat(), "after": due.due.isoformat()},
            )
        )
        await cases.save(case)
        changed += 1
    repairs = RepairRepository(uow.session)
    for repair_id in await repairs.provisional_pending():
        repair = await repairs.get(repair_id, for_update=True)
        assert repair is not None
        due = due_after(calendar, china_date(repair.applied_at), repair.working_days)
        before = repair.decision_due
        repair.decision_due, repair.due_provisional = due.due, due.provisional
        repair.history.append(
            Action(
                now,
                ACTOR,
                "due_recomputed",
                {"year": schedule.year, "before": before.isoformat(), "after": due.due.isoformat()},
            )
        )
        await repairs.save(repair)
        changed += 1
    return changed
