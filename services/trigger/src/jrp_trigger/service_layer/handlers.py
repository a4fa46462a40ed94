"""Use cases of the trigger. Each loads through the unit of work, calls the domain, emits the
events the change makes and commits once: state and events in one transaction (outbox).

`submit_entries` (= `prepare_entries` then `record_entries`) is the one way an entry is
recorded, whatever the channel: the HTTP post and the inbound topic take one submission
through it, a bulk import a chunk at a time. It does not commit, so the inbound consumer can
store its inbox row in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.clock import Clock, china_date
from jrp_shared.errors import Conflict, DomainError, FieldProblem, NotFound
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListEntryRevoked,
    ListEntrySubmission,
    SanctionOrderStatus,
)
from jrp_shared.identifiers import OrganisationCodePolicy
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import ExchangeOperation, ListEntryStatus
from jrp_trigger.adapters.catalog_versions import ListTypeVersions
from jrp_trigger.adapters.repositories import EntryRepository, KnownRecord, OrderStatusRepository
from jrp_trigger.domain import entries, rules, sync
from jrp_trigger.domain.content import EntryContent, Submitted
from jrp_trigger.domain.entries import ListEntry, Revocation
from jrp_trigger.service_layer.exchange import ExchangeRecorder


@dataclass
class SubmissionContext:
    """Who submits, and what submissions are judged with (one per request or message)."""

    department: str
    clock: Clock
    organisation_code_policy: OrganisationCodePolicy
    list_types: ListTypeVersions
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    """the service's calendar copy: working-day deadlines (DOMAIN.md §10)"""
    exchange: ExchangeRecorder | None = None
    """makes the exchange records of the entries' changes (DOMAIN.md §11); None: none"""
    exchange_partner: bool = False
    """the submitter is another platform (role `exchange`): it must send each entry's
    `origin`, and may submit any list type of the catalog for the region it acts for"""
    officer: str | None = None
    """the officer of `department` who submits, when it signed in as one (recorded as the
    entry's `initiated_by_officer`; docs/security.md, "Officers")"""


@dataclass(frozen=True)
class Created:
    entry: ListEntry


@dataclass(frozen=True)
class Existing:
    """The same record id with the same content: the entry it already made."""

    entry_id: str


@dataclass(frozen=True)
class Refused:
    error: DomainError


Outcome = Created | Existing | Refused


def in_force_event(entry: ListEntry) -> ListEntryInForce:
    c = entry.content
    # Every part was validated on the way in; constructing skips validating it all again
    # (bulk imports build one per line).
    return ListEntryInForce.model_construct(
        entry_id=entry.entry_id,
        version=entry.version,
        record_id=entry.record_id,
        initiating_department=entry.department,
        subject=c.subject,
        list_type=c.list_type,
        list_type_version=entry.current.list_type_version,
        colour=entry.colour,
        grounds=c.grounds,
        legal_basis=c.legal_basis,
        decision_document=c.decision_document,
        period=c.period,
        disclosure_class=c.disclosure_class,
        linked_persons=list(c.linked_persons),
        evidence_references=list(c.evidence_references),
        recorded_at=entry.current.recorded_at,
        recorded_by_officer=entry.current.recorded_by_officer,
        court_case=c.court_case,
        prior_notice=c.prior_notice,
        origin=entry.origin,
    )


def emit_revoked(
    uow: UnitOfWork,
    entry: ListEntry,
    revocation: Revocation,
    exchange: ExchangeRecorder | None,
) -> None:
    """Enforcement lifts every measure, when it had heard of the entry; so do the other
    platforms (an exchange record, DOMAIN.md §11)."""
    if entry.is_sent():
        if exchange is not None:
            exchange.record(uow, entry, ExchangeOperation.REVOCATION, revocation.revoked_at)
        uow.emit(
            ListEntryRevoked(
                entry_id=entry.entry_id,
                version=entry.version,
                subject_code=entry.content.subject.code,
                reason=revocation.reason,
                revoked_by=revocation.revoked_by,
                officer=revocation.revoked_by_officer,
                revoked_at=revocation.revoked_at,
            )
        )


def send_if_due(
    uow: UnitOfWork, entry: ListEntry, now: datetime, exchange: ExchangeRecorder | None
) -> None:
    """Send the entry's current version to enforcement when it is due, and tell the other
    platforms (an exchange record: the entry, or its correction, DOMAIN.md §11)."""
    if entry.should_send(china_date(now)):
        first = entry.in_force_since is None
        if first:
            entry.in_force_since = now
        uow.emit(in_force_event(entry))
        if exchange is not None:
            operation = ExchangeOperation.ENTRY if first else ExchangeOperation.CORRECTION
            exchange.record(uow, entry, operation, now)


def _repeated(record_id: str, content: EntryContent, known: KnownRecord) -> Outcome:
    # A department system retrying its post gets its entry back; a changed body under the same
    # record id is a correction in disguise and must say so (versions keep the history).
    if content.fingerprint() in (known.original_hash, known.current_hash):
        return Existing(known.entry_id)
    message = (
        f"record id {record_id!r} already names entry {known.entry_id} with another content; "
        f"to change it, post a correction to /v1/list-entries/{known.entry_id}/corrections"
    )
    problem = FieldProblem(
        "body.record_id", "record_id_conflict", message, {"entry_id": known.entry_id}
    )
    return Refused(Conflict(message, problems=[problem]))


@dataclass(frozen=True)
class Admitted:
    """A submission that passed the rules, as the entry it makes unless its record id is
    already taken."""

    entry: ListEntry


Prepared = Admitted | Refused


async def prepare_entries(
    session: AsyncSession, submissions: Sequence[ListEntrySubmission], ctx: SubmissionContext
) -> list[Prepared]:
    """Judge each submission and build its entry: CPU work, with a query only for list types
    not read yet. Split from `record_entries` so a bulk import prepares one chunk while the
    previous one is being written."""
    await ctx.list_types.load(session, {s.list_type for s in submissions})
    now = ctx.clock()
    today = china_date(now)
    prepared: list[Prepared] = []
    for submission in submissions:
        try:
            rules.require_origin(submission.origin, exchange_partner=ctx.exchange_partner)
            admission = rules.admit(
                EntryContent.of(submission),
                ctx.list_types.of(submission.list_type),
                department=ctx.department,
                today=today,
                organisation_code_policy=ctx.organisation_code_policy,
                calendar=ctx.calendar,
                exchange_partner=ctx.exchange_partner,
            )
        except DomainError as error:
            prepared.append(Refused(error))
            continue
        entry = entries.open_entry(
            entry_id=str(uuid.uuid4()),
            department=ctx.department,
            record_id=submission.record_id,
            admission=admission,
            now=now,
            origin=submission.origin,
            officer=ctx.officer,
        )
        prepared.append(Admitted(entry))
    return prepared


async def record_entries(
    uow: UnitOfWork,
    submissions: Sequence[ListEntrySubmission],
    prepared: Sequence[Prepared],
    department: str,
    exchange: ExchangeRecorder | None,
) -> list[Outcome]:
    """Store the prepared entries whose record ids are new (one query for those already
    known, one insert per table) and emit the ones in force. No commit."""
    repo = EntryRepository(uow.session)
    known = await repo.known_records(department, [s.record_id for s in submissions])
    outcomes: list[Outcome] = []
    created: list[ListEntry] = []
    for submission, item in zip(submissions, prepared, strict=True):
        record = known.get(submission.record_id)
        if record is not None:
            outcomes.append(_repeated(submission.record_id, EntryContent.of(submission), record))
        elif isinstance(item, Refused):
            outcomes.append(item)
        else:
            entry = item.entry
            known[entry.record_id] = KnownRecord(entry.entry_id, entry.original_hash, "")
            send_if_due(uow, entry, entry.created_at, exchange)
            created.append(entry)
            outcomes.append(Created(entry))
    await repo.add_many(created)
    return outcomes


async def submit_entries(
    uow: UnitOfWork, submissions: Sequence[ListEntrySubmission], ctx: SubmissionContext
) -> list[Outcome]:
    """Record each submission that passes the rules, in order. No commit."""
    prepared = await prepare_entries(uow.session, submissions, ctx)
    return await record_entries(uow, submissions, prepared, ctx.department, ctx.exchange)


async def submit_entry(
    uow: UnitOfWork, submission: ListEntrySubmission, ctx: SubmissionContext
) -> Created | Existing:
    """One submission (HTTP or the inbound topic); a refusal is raised. No commit."""
    [outcome] = await submit_entries(uow, [submission], ctx)
    if isinstance(outcome, Refused):
        raise outcome.error
    return outcome


async def post_entry(
    uow: UnitOfWork, submission: ListEntrySubmission, ctx: SubmissionContext
) -> Created | Existing:
    outcome = await submit_entry(uow, submission, ctx)
    await uow.commit()
    return outcome


async def import_chunk(
    uow: UnitOfWork,
    submissions: Sequence[ListEntrySubmission],
    prepared: Sequence[Prepared],
    department: str,
    exchange: ExchangeRecorder | None,
) -> list[Outcome]:
    """One prepared chunk of a bulk import in one transaction: refused lines do not stop
    the others (its exchange records are made in one batch as it commits)."""
    outcomes = await record_entries(uow, submissions, prepared, department, exchange)
    await uow.commit()
    return outcomes


async def _locked(uow: UnitOfWork, entry_id: str) -> tuple[EntryRepository, ListEntry]:
    repo = EntryRepository(uow.session)
    entry = await repo.get(entry_id, for_update=True)
    if entry is None:
        raise NotFound(f"no list entry {entry_id}")
    return repo, entry


async def correct_entry(
    uow: UnitOfWork,
    entry_id: str,
    correction: Submitted,
    reason: str,
    ctx: SubmissionContext,
    *,
    officer: str | None = None,
) -> tuple[ListEntry, bool]:
    """A new version under the same rules as a submission; sent again (version + 1) when
    enforcement already acts on the entry. Returns the entry and whether anything changed."""
    repo, entry = await _locked(uow, entry_id)
    now = ctx.clock()
    today = china_date(now)
    content = EntryContent.of(correction)
    if content.prior_notice is None:
        # The notice was given before the listing; a correction that names none keeps it.
        content = content.with_notice_of(entry.content)
    entries.require_correctable(entry, content, by=ctx.department, today=today)
    await ctx.list_types.load(uow.session, [content.list_type])
    admission = rules.admit(
        content,
        ctx.list_types.of(content.list_type),
        department=ctx.department,
        today=today,
        organisation_code_policy=ctx.organisation_code_policy,
        calendar=ctx.calendar,
        initial=False,
    )
    version = entries.correct(
        entry, admission, reason=reason, by=ctx.department, now=now, today=today, officer=officer
    )
    if version is None:
        return entry, False
    await repo.add_version(entry, version)
    send_if_due(uow, entry, now, ctx.exchange)
    await repo.update(entry)
    await uow.commit()
    return entry, True


REVOCATION_FIELDS = ("body.deletion_ground", "body.ground_arose_on")
"""Where a revocation, or a feed's deletion line, names the deletion ground and its date."""


async def revoke_entry(
    uow: UnitOfWork,
    entry_id: str,
    *,
    reason: str,
    by: str,
    clock: Clock,
    ground: tuple[str, date] | None = None,
    ctx: SubmissionContext | None = None,
    exchange: ExchangeRecorder | None,
    officer: str | None = None,
) -> ListEntry:
    """Withdraw the entry; enforcement lifts every measure when it had heard of it. With a
    deletion `ground` (code, the day it arose) the deadline it meets is recorded first
    (法释〔2017〕7号 第十条)."""
    repo, entry = await _locked(uow, entry_id)
    now = clock()
    if ground is not None:
        assert ctx is not None, "a deletion ground needs the submission context"
        entry.require_initiator(by, "revoke")
        await ground_entry(uow.session, entry, ground[0], ground[1], ctx, REVOCATION_FIELDS)
    revocation = entries.revoke(entry, reason=reason, by=by, now=now, officer=officer)
    emit_revoked(uow, entry, revocation, exchange)
    await repo.update(entry)
    await uow.commit()
    return entry


async def ground_entry(
    session: AsyncSession,
    entry: ListEntry,
    ground: str,
    arose_on: date,
    ctx: SubmissionContext,
    fields: tuple[str, str] = ("body.ground", "body.arose_on"),
) -> None:
    """Record why and by when `entry` must be deleted, under the deletion rules of the list
    type version in force today. A ground already recorded stands: the same again
    changes nothing, another is a 409 (the deadline runs from the first)."""
    deletion = await deletion_ground_for(session, entry, ground, arose_on, ctx, fields)
    if entry.deletion is not None:
        if (entry.deletion.ground, entry.deletion.arose_on) != (ground, arose_on):
            raise Conflict(
                f"a deletion ground ({entry.deletion.ground}, arose on "
                f"{entry.deletion.arose_on.isoformat()}) is already recorded; the deadline "
                "runs from it",
                problems=[
                    FieldProblem(
                        fields[0],
                        "deletion_ground_recorded",
                        "a deletion ground is already recorded for this entry",
                    )
                ],
            )
        return
    entry.deletion = deletion


async def deletion_ground_for(
    session: AsyncSession,
    entry: ListEntry,
    ground: str,
    arose_on: date,
    ctx: SubmissionContext,
    fields: tuple[str, str],
) -> sync.DeletionGround:
    code = entry.content.list_type
    await ctx.list_types.load(session, [code])
    versions = ctx.list_types.of(code)
    today = china_date(ctx.clock())
    # The duty to delete is today's procedure (a 2015 listing is deleted under 法释〔2017〕7号
    # 第十条), else the rules of the version the entry was recorded under.
    version = rules.list_type_on(versions, today) or next(
        (v for v in versions if v.version == entry.current.list_type_version), None
    )
    return sync.deletion_ground(
        version.deletion if version is not None else None,
        ground,
        arose_on,
        today=today,
        calendar=ctx.calendar,
        fields=fields,
    )


async def record_deletion_ground(
    uow: UnitOfWork, entry_id: str, ground: str, arose_on: date, ctx: SubmissionContext
) -> ListEntry:
    """The initiating department records the ground for deleting an entry not yet revoked;
    the deletion is then due `deadline_working_days` working days after it arose."""
    repo, entry = await _locked(uow, entry_id)
    entry.require_initiator(ctx.department, "record a deletion ground for")
    if entry.revocation is not None or entry.status is ListEntryStatus.REJECTED:
        raise Conflict(
            f"the entry is {entry.status.value}: there is nothing left to delete",
            problems=[FieldProblem("entry_id", "entry_closed", "the entry is no longer listed")],
        )
    await ground_entry(uow.session, entry, ground, arose_on, ctx)
    entry.updated_at = ctx.clock()
    await repo.update(entry)
    await uow.commit()
    return entry


async def record_order_status(uow: UnitOfWork, status: SanctionOrderStatus, now: datetime) -> bool:
    """Keep the order's state with the highest sequence; an older or repeated one changes
    nothing (events may arrive twice or late). No commit: the consumer commits."""
    return await record_order_statuses(uow, [status], now) == 1


async def record_order_statuses(
    uow: UnitOfWork, statuses: Sequence[SanctionOrderStatus], now: datetime
) -> int:
    """The same for the statuses of several orders (one `OrderStatuses` event of an entry):
    one read of what is kept, one insert of the orders never seen. Returns how many were
    kept."""
    repo = OrderStatusRepository(uow.session)
    newest: dict[str, SanctionOrderStatus] = {}
    for status in statuses:
        seen = newest.get(status.order_id)
        if seen is None or status.sequence > seen.sequence:
            newest[status.order_id] = status
    current = await repo.sequences_of(list(newest))
    fresh = [s for s in newest.values() if s.order_id not in current]
    newer = [s for s in newest.values() if current.get(s.order_id, s.sequence) < s.sequence]
    await repo.add_all(fresh, now)
    for status in newer:
        await repo.put(status, now, exists=True)
    return len(fresh) + len(newer)
