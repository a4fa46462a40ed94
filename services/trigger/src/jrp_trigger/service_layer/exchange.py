"""Exchange records for the upper-level platform (DOMAIN.md §11; docs/exchange.md).

`ExchangeRecorder.record` notes an entry's change in the unit of work making it; when that
work commits, every change noted in it becomes one stored record and one
`ExchangeRecordPushed` on `exchange.v1`, in the same transaction (outbox): one query for the
list types, one for the measures, one for the deciding departments and one insert of the
records, however many entries the work changed (a bulk import's chunk makes one batch).

The sweeps (`exchange-sweep` task): records of exits (an entry's period ends without an
event: trigger computes expiry on reading), pushes again of what was not acknowledged, and the
acknowledgements (`acknowledge`, from `exchange-acks.v1`). Entries that came in from another
platform (`origin`) make no records: they are not pushed back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.calendar import WorkingDayCalendar, YearSchedule
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import CHINA, Clock, china_date
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import (
    ExchangeMeasure,
    ExchangeRecordAcknowledged,
    ExchangeRecordPushed,
    ListTypePublished,
    MeasurePublished,
)
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import SubjectType
from jrp_trigger.adapters import orm
from jrp_trigger.adapters.catalog_versions import ListTypeVersions
from jrp_trigger.adapters.exchange import ExchangeRepository, department_copy, record_row
from jrp_trigger.adapters.repositories import EntryRepository
from jrp_trigger.domain import exchange
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.domain.exchange import Change, Operation, RetryPolicy

log = get_logger(__name__)

SWEEP_BATCH: Final = 500
"""Records pushed again, or exits recorded, per transaction of a sweep."""


@dataclass
class _Pending:
    """The changes one unit of work noted, to be recorded when it commits."""

    changes: list[Change] = field(default_factory=list)
    armed: bool = False


@dataclass(eq=False)
class ExchangeRecorder:
    """Turns entry changes into exchange records (settings `JRP_TRIGGER_EXCHANGE_*`)."""

    enabled: bool
    deadline_working_days: int
    calendar: WorkingDayCalendar
    catalog: CatalogCopy
    clock: Clock
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def record(self, uow: UnitOfWork, entry: ListEntry, operation: Operation, at: datetime) -> None:
        """Note that `entry` just changed by `operation` (its state now is what the record
        says); the record is made when the work commits. Nothing for another platform's
        entry, nor when the exchange is switched off."""
        if not self.enabled or entry.origin is not None:
            return
        status = exchange.STATUS_AFTER[operation] or entry.status
        change = Change(
            entry_id=entry.entry_id,
            entry_version=entry.version,
            list_type_version=entry.current.list_type_version,
            operation=operation,
            department=entry.department,
            colour=entry.colour,
            status=status,
            content=entry.content,
            occurred_at=at,
            origin=entry.origin,
        )
        pending = uow.local(self, _Pending)
        if not pending.armed:  # the first change since the work began or last committed
            pending.armed = True
            uow.before_commit(lambda: self._flush(uow, pending))
        pending.changes.append(change)

    async def _flush(self, uow: UnitOfWork, pending: _Pending) -> None:
        changes, pending.changes, pending.armed = pending.changes, [], False
        if not changes:
            return
        session = uow.session
        list_types = ListTypeVersions(orm.catalog_copy.list_types)
        await list_types.load(session, {c.content.list_type for c in changes})
        deciding = await department_copy.get_many(session, (c.department for c in changes))
        in_force: dict[date, list[MeasurePublished]] = {}
        chosen: dict[tuple[date, str, SubjectType], list[ExchangeMeasure]] = {}
        now = self.clock()
        rows = []
        for change in changes:
            day = china_date(change.occurred_at)
            if day not in in_force:
                in_force[day] = await self.catalog.measures_in_force(session, day)
            subject_type = change.content.subject.subject_type
            key = (day, change.content.list_type, subject_type)
            if key not in chosen:
                chosen[key] = exchange.measures_for(key[1], in_force[day], subject_type)
            due = exchange.push_due(change.occurred_at, self.deadline_working_days, self.calendar)
            record = exchange.layout(
                change,
                record_id=str(uuid.uuid4()),
                list_type=_version(list_types, change),
                measures=chosen[key],
                deciding=deciding.get(change.department),
                due=due.due,
                pushed_at=now,
            )
            uow.emit(record)
            rows.append(record_row(record, due.provisional))
        await ExchangeRepository(session).add_many(rows)

    async def record_exits(self, uow: UnitOfWork, today: date) -> int:
        """One exit record for each entry whose period has ended (before `today`, China)
        since it was last recorded; returns how many. Commits."""
        if not self.enabled:
            return 0
        repo = EntryRepository(uow.session)
        ids = await ExchangeRepository(uow.session).exits_due(today, SWEEP_BATCH)
        for entry_id in ids:
            entry = await repo.get(entry_id)
            if entry is None:  # pragma: no cover - locked just now
                continue
            # The exit happened as the period's last day ended: the change is of the day after.
            at = _start_of_day_after(entry.content.period.end, self.clock())
            self.record(uow, entry, Operation.EXIT, at)
        await uow.commit()
        return len(ids)

    async def push_again(self, uow: UnitOfWork, now: datetime) -> int:
        """Push again every record not acknowledged whose backoff has run (attempt + 1).
        Commits; returns how many."""
        if not self.enabled:
            return 0
        repo = ExchangeRepository(uow.session)
        earliest = now - self.retry.wait_after(1)
        pushes: list[tuple[str, int, datetime]] = []
        for stored in await repo.unacknowledged(
            max_attempts=self.retry.max_attempts, pushed_before=earliest, limit=SWEEP_BATCH
        ):
            due_at = self.retry.next_push(stored.attempts, stored.last_pushed_at)
            if due_at is None or due_at > now:
                continue
            attempt = stored.attempts + 1
            record = ExchangeRecordPushed.model_validate(stored.payload)
            uow.emit(record.model_copy(update={"attempt": attempt, "pushed_at": now}))
            pushes.append((stored.record_id, attempt, now))
        await repo.pushed_again(pushes)
        await uow.commit()
        if pushes:
            log.info("exchange records pushed again", count=len(pushes))
        return len(pushes)


def _version(versions: ListTypeVersions, change: Change) -> ListTypePublished:
    found = versions.of(change.content.list_type)
    exact = [v for v in found if v.version == change.list_type_version]
    if exact:
        return exact[0]
    if found:
        return found[-1]
    raise InvalidInput(f"list type {change.content.list_type!r} is not in the catalog copy")


def _start_of_day_after(day: date, now: datetime) -> datetime:
    """Midnight in China after `day` (the first moment the period is over), not after now."""
    start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)
    return min(start, now)


async def acknowledge(
    uow: UnitOfWork, ack: ExchangeRecordAcknowledged, *, by: str, now: datetime
) -> bool:
    """The partner `by` acknowledged a record: accepted, or refused with its error. Dated by
    this platform's clock (`now`) on arrival. A record id this platform never pushed is
    logged and ignored (nothing to mark; retrying would not make it appear); a record of
    another entry than the ack names is refused (dead-lettered). The same acknowledgement
    again changes nothing; a later one (the platform changed its mind) replaces it. No
    commit: the consumer commits with its inbox row. Returns whether anything changed."""
    repo = ExchangeRepository(uow.session)
    stored = await repo.get(ack.record_id, for_update=True)
    if stored is None:
        log.warning(
            "acknowledgement of an unknown exchange record ignored",
            record_id=ack.record_id,
            partner=by,
        )
        return False
    if stored.entry_id != ack.entry_id:
        raise InvalidInput(
            f"exchange record {ack.record_id} is of another entry than {ack.entry_id}: "
            "acknowledge it with the entry_id it was pushed with"
        )
    same = (
        stored.acknowledged_at is not None
        and stored.accepted == ack.accepted
        and stored.error_code == ack.error_code
        and stored.error_message == ack.error_message
    )
    if same:
        return False
    await repo.acknowledge(
        ack.record_id,
        at=now,
        by=by,
        accepted=ack.accepted,
        error_code=ack.error_code,
        error_message=ack.error_message,
    )
    if not ack.accepted:
        log.warning(
            "exchange record refused by the platform",
            record_id=ack.record_id,
            entry_id=ack.entry_id,
            error_code=ack.error_code,
        )
    return True


async def recompute_provisional(
    uow: UnitOfWork,
    calendar: WorkingDayCalendar,
    schedule: YearSchedule,
    working_days: int,
) -> None:
    """A year's official schedule arrived: the push deadlines counted provisionally through
    it are counted again (DOMAIN.md §10). No commit: the calendar consumer commits."""
    repo = ExchangeRepository(uow.session)
    for record_id, occurred_at in await repo.provisional():
        due = exchange.push_due(occurred_at, working_days, calendar)
        await repo.set_due(record_id, due.due, due.provisional)
    log.info("provisional exchange deadlines counted again", year=schedule.year)


async def is_exchange_partner(session: AsyncSession, department: str) -> bool:
    """Whether the registry says `department` is an exchange partner (the department copy)."""
    return await department_copy.is_exchange_partner(session, department)
