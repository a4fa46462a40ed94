"""Exchange with other credit platforms (DOMAIN.md §11: "results are pushed to the other
platforms within 3 working days"; 000 (十九), 003 三(三)4(3)); the layout is docs/exchange.md.

Every change of an entry the other platforms know of — it came into force, was corrected,
revoked, repaired, or its period ended (exit, 发改财金规〔2017〕1798号) — is one exchange
record: the entry as it stands after the change, in the record layout provincial systems
exchange (DOMAIN.md §11, last item: subject name and code, behaviour, reward/punishment type,
basis, district, department, domain, start and end, measures, effect and status, time). The
upper-level platform acknowledges each record; until it accepts one, the record is pushed
again on a growing interval, and a record not accepted by its `push_due` working day is
overdue. Plain rules, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from jrp_shared.calendar import Deadline, WorkingDayCalendar
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import (
    DepartmentPublished,
    EntryOrigin,
    ExchangeMeasure,
    ExchangeRecordPushed,
    ListTypePublished,
    MeasurePublished,
)
from jrp_shared.vocabulary import ExchangeOperation, ListColour, ListEntryStatus, SubjectType
from jrp_trigger.domain.content import EntryContent

Operation = ExchangeOperation


class RecordState(StrEnum):
    """Where an exchange record stands, for the office's listing (`?status=`)."""

    PENDING = "pending"
    """pushed, not acknowledged yet, and not past `push_due`"""
    ACKNOWLEDGED = "acknowledged"
    """the platform accepted it"""
    REFUSED = "refused"
    """the platform refused it (error code and message): stays for an operator"""
    OVERDUE = "overdue"
    """not accepted (unacknowledged or refused) and today (China) is after `push_due`"""


STATUS_AFTER: dict[Operation, ListEntryStatus | None] = {
    Operation.ENTRY: ListEntryStatus.IN_FORCE,
    Operation.CORRECTION: None,  # the entry's status as it stands (in force, or still suspended)
    Operation.REVOCATION: ListEntryStatus.REVOKED,
    Operation.REPAIR: ListEntryStatus.REPAIRED,
    Operation.EXIT: ListEntryStatus.EXPIRED,
}


@dataclass(frozen=True)
class Change:
    """One change of an entry, as it stood right after it (what the record says)."""

    entry_id: str
    entry_version: int
    list_type_version: int
    operation: Operation
    department: str
    colour: ListColour
    status: ListEntryStatus
    content: EntryContent
    occurred_at: datetime
    origin: EntryOrigin | None = None


def push_due(occurred_at: datetime, working_days: int, calendar: WorkingDayCalendar) -> Deadline:
    """The working day by which the record must be accepted: the change's day in China plus
    `working_days` working days on the calendar copy (DOMAIN.md §10, §11: 3 by default)."""
    return calendar.add_working_days(china_date(occurred_at), working_days)


def effect_of(change: Change) -> str:
    """What the operation does to the subject, in plain words (the layout's `effect`)."""
    period = change.content.period
    match change.operation:
        case Operation.ENTRY:
            return (
                f"listed ({change.colour.value}): the list's measures apply from "
                f"{period.start.isoformat()} to {period.end.isoformat()}"
            )
        case Operation.CORRECTION:
            return (
                f"corrected (version {change.entry_version}): the measures apply to the entry "
                f"as corrected, {period.start.isoformat()} to {period.end.isoformat()}"
            )
        case Operation.REVOCATION:
            return "revoked: every measure is lifted and the entry is no longer published"
        case Operation.REPAIR:
            return (
                "credit repaired: publication and sharing stop, every measure is lifted "
                "(DOMAIN.md §8)"
            )
        case Operation.EXIT:
            return (
                f"exited: the period ended on {period.end.isoformat()}; the measures stop, the "
                "record stays in the back end (发改财金规〔2017〕1798号)"
            )


def measures_for(
    list_type: str, measures: Sequence[MeasurePublished], subject_type: SubjectType
) -> list[ExchangeMeasure]:
    """The catalog's measures for the list type that reach this kind of subject, by code."""
    return [
        ExchangeMeasure(code=m.code, content=m.content, kind=m.kind)
        for m in sorted(measures, key=lambda m: m.code)
        if list_type in m.list_types and subject_type in m.applies_to
    ]


def layout(
    change: Change,
    *,
    record_id: str,
    list_type: ListTypePublished,
    measures: Sequence[ExchangeMeasure],
    deciding: DepartmentPublished | None,
    due: date,
    pushed_at: datetime,
) -> ExchangeRecordPushed:
    """The exchange record of `change` (attempt 1), every field filled (docs/exchange.md).
    `deciding`: the department as the registry publishes it (the trigger's department copy).
    An unknown deciding department (not in the department copy yet) is named by its code, with
    an empty district — the record still goes within its deadline. `measures`: the entry's, as
    `measures_for` chooses them. Every part was validated on the way in; constructing skips
    validating it all again (a bulk import makes one record per line)."""
    c = change.content
    return ExchangeRecordPushed.model_construct(
        record_id=record_id,
        attempt=1,
        operation=change.operation,
        entry_id=change.entry_id,
        entry_version=change.entry_version,
        subject_name=c.subject.name,
        subject_code=c.subject.code,
        subject_type=c.subject.subject_type,
        list_type=c.list_type,
        list_type_name=list_type.name,
        reward_punishment_type=change.colour,
        domain=list_type.domain,
        behaviour=c.grounds,
        legal_basis=c.legal_basis,
        decision_document=c.decision_document,
        deciding_department=change.department,
        deciding_department_name=deciding.name if deciding else change.department,
        district=deciding.region if deciding else "",
        period=c.period,
        measures=list(measures),
        status=change.status,
        effect=effect_of(change),
        disclosure_class=c.disclosure_class,
        occurred_at=change.occurred_at,
        push_due=due,
        pushed_at=pushed_at,
        origin=change.origin,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Push again each record the platform has not acknowledged: after `interval_seconds`,
    then twice as long after each push (capped at `max_interval_seconds`), at most
    `max_attempts` pushes in all. A refused record is never pushed again by itself: an
    operator looks at it (docs/exchange.md)."""

    interval_seconds: float = 300.0
    max_attempts: int = 10
    max_interval_seconds: float = 86_400.0

    def wait_after(self, attempts: int) -> timedelta:
        """How long after push number `attempts` the next one is due."""
        seconds = self.interval_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.max_interval_seconds))

    def next_push(self, attempts: int, last_pushed_at: datetime) -> datetime | None:
        """When to push again; None when every attempt is spent."""
        if attempts >= self.max_attempts:
            return None
        return last_pushed_at + self.wait_after(attempts)


def state_of(
    *, acknowledged_at: datetime | None, accepted: bool | None, due: date, today: date
) -> RecordState:
    """Accepted records are done; anything else past `due` is overdue (refused included: the
    platform still does not have it), else pending or refused."""
    if acknowledged_at is not None and accepted:
        return RecordState.ACKNOWLEDGED
    if today > due:
        return RecordState.OVERDUE
    if acknowledged_at is not None:
        return RecordState.REFUSED
    return RecordState.PENDING
