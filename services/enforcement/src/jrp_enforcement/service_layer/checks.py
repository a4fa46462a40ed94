"""Must-check use cases (DOMAIN.md §6): validate the code, answer from the index, record the
check, and only then answer. Wired once in the app by `wire_checks`."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

import msgspec
from prometheus_client import CollectorRegistry, Counter

from jrp_enforcement.adapters.audit_chain import (
    AuditFilter,
    AuditReads,
    AuditSealer,
    verify_link,
)
from jrp_enforcement.adapters.check_audit import AuditRow, AuditWriter, BatchRecord
from jrp_enforcement.adapters.check_index import LiveCheckIndex
from jrp_enforcement.adapters.check_index_metrics import register_check_index_metrics
from jrp_enforcement.adapters.entry_history import EntryHistoryReads
from jrp_enforcement.adapters.repositories import EntryRepository
from jrp_enforcement.adapters.warning_list import WarningListRepository
from jrp_enforcement.domain.batches import BatchPolicy, CheckPurpose, review_batch
from jrp_enforcement.domain.checks import (
    CheckAnswer,
    IndexNotReady,
    answer,
    department_asked_for,
    needs_record,
    normalise_code,
    with_eligibility,
)
from jrp_enforcement.domain.eligibility import PastEntry
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_shared.auth import ROLE_ADMINISTRATOR, Principal
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import Clock, china_date
from jrp_shared.correlation import current_correlation_id
from jrp_shared.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import EntriesChanged, EventPayload
from jrp_shared.logging import get_logger
from jrp_shared.messaging.broadcast import Follower
from jrp_shared.runtime import ServiceRuntime

log = get_logger(__name__)

_YIELD_EVERY = 5_000
"""A big batch lets single checks in between every so many codes (the loop is shared)."""


_encode = msgspec.json.Encoder().encode


def _dumps(value: Any) -> str:
    """Compact JSON, non-ASCII as is: the bytes json.dumps(ensure_ascii=False,
    separators=(",", ":")) gives, several times faster."""
    return _encode(value).decode()


@dataclass(frozen=True, slots=True)
class Checked:
    check_id: str
    checked_at: datetime
    answer: CheckAnswer


@dataclass(frozen=True, slots=True)
class Refused:
    """A code of a batch that is not a valid identifier (the rest are answered)."""

    index: int
    raw: str
    problems: tuple[FieldProblem, ...]


@dataclass(frozen=True, slots=True)
class BatchChecked:
    batch_id: str
    checked_at: datetime
    department: str
    on: date
    items: list[str | CheckAnswer | Refused]
    """In the order of the codes asked: a code alone when it is on no list now (the common
    case, kept light), the answer when it is, or why the code was refused. The check id of
    item i is `check_id(i)`."""
    listed: int
    rewarded: int
    refused: int
    suspended: int = 0
    """Codes reached by an entry suspended pending an objection or complaint (DOMAIN.md §7)."""

    def check_id(self, index: int) -> str:
        return f"{self.batch_id}.{index}"


T = TypeVar("T")


class CheckService:
    def __init__(
        self,
        live: LiveCheckIndex,
        audit: AuditWriter,
        clock: Clock,
        *,
        batch_policy: BatchPolicy | None = None,
        registry: CollectorRegistry | None = None,
        history: EntryHistoryReads | None = None,
        reads: AuditReads | None = None,
    ) -> None:
        self.live = live
        self.audit = audit
        self._clock = clock
        self.history = history or EntryHistoryReads(live.db)
        self.reads = reads or AuditReads(live.db)
        self.batch_policy = batch_policy or BatchPolicy()
        registry = registry or CollectorRegistry()
        self.batches_checked = Counter(
            "jrp_check_batches",
            "Batch must-checks answered, by purpose and whether flagged for the office",
            ["purpose", "review"],
            registry=registry,
        )
        self.batches_refused = Counter(
            "jrp_check_batches_refused",
            "Batch must-checks refused as enumerating a masked resident ID",
            registry=registry,
        )
        # Check ids: a random prefix per process and a counter (no entropy call per check).
        self._id_prefix, self._id_counter = uuid.uuid4().hex[:16], itertools.count(1)
        self._empty_tails: dict[tuple[str, date], str] = {}

    async def _records(self, codes: Sequence[str]) -> dict[str, list[PastEntry]]:
        """The subjects' records, for the few answers that involve a conditional measure
        (DOMAIN.md §6): one indexed query per check, or per 1,000 codes of a batch."""
        found: dict[str, list[PastEntry]] = {}
        async with self.live.db.sessions() as session:
            repo = EntryRepository(session)
            for at in range(0, len(codes), 1_000):
                found.update(await repo.records(codes[at : at + 1_000]))
        return found

    def _judged(self, result: CheckAnswer, record: Sequence[PastEntry]) -> CheckAnswer:
        return with_eligibility(result, self.live.conditional, record, self.live.list_type_names)

    def _department(self, principal: Principal, requested: str | None) -> str:
        return department_asked_for(
            principal.department_code,
            requested,
            administrator=ROLE_ADMINISTRATOR in principal.roles,
        )

    def _next_id(self) -> str:
        return f"{self._id_prefix}{next(self._id_counter):012x}"

    def _require_ready(self) -> None:
        if not self.live.ready:
            raise IndexNotReady("the must-check index is still loading; retry shortly")

    async def check(
        self,
        principal: Principal,
        raw_code: str,
        requested_department: str | None,
        *,
        purpose: CheckPurpose | None = None,
        business_reference: str | None = None,
        as_of: datetime | None = None,
    ) -> Checked:
        """Answer from the index, or, with `as_of`, from the entries as this service knew
        them at that instant (their history; the periods judged on its China date)."""
        now = self._clock()
        today = china_date(now)
        department = self._department(principal, requested_department)
        code = normalise_code(raw_code, today, field="path.subject_code")
        if as_of is not None:
            if as_of > now:
                raise InvalidInput.for_field(
                    "query.as_of",
                    "in_the_future",
                    "as_of is later than now: a check answers what the platform knew at a "
                    "past instant (omit as_of for now)",
                )
            on = china_date(as_of)
            result = answer(code, department, on, await self.history.entries_at(code, as_of))
            async with self.live.db.sessions() as session:
                warning = await WarningListRepository(session).at(code, as_of)
        else:
            self._require_ready()
            result = answer(code, department, today, self.live.index.lookup(code))
            if needs_record(result, self.live.conditional):
                records = await self._records([code])
                result = self._judged(result, records.get(code, []))
            warning = self.live.warnings.get(code)
        if warning is not None:  # the big-data warning list (DOMAIN.md §11)
            result = replace(result, warning=warning)
        check_id = self._next_id()
        summary = (
            _dumps({"check_id": check_id, **result.summary()})
            if result.hits or as_of is not None or warning is not None
            else f'{{"check_id":"{check_id}",{self._empty_tail(department, today)}'
        )
        await self.audit.record(
            AuditRow(
                asked_at=now,
                department=principal.department_code,
                subject_code=code,
                batch_id=None,
                correlation_id=current_correlation_id(),
                listed=result.listed,
                answer=summary,
                check_id=check_id,
                purpose=purpose.value if purpose is not None else None,
                business_reference=business_reference,
                as_of=as_of,
            )
        )
        return Checked(check_id, now, result)

    # --- the audit, read back (DOMAIN.md §6; 谁主管、谁负责: a department its own checks) ---

    async def audited(self, principal: Principal, check_id: str) -> dict[str, Any]:
        """A recorded check, for the department that asked or the office; anyone else is
        told it is not there (no hint that it exists). With whether the chain verifies from
        its first row up to this one."""
        row = await self.reads.get(check_id) if len(check_id) <= 80 else None
        if row is None or not (
            ROLE_ADMINISTRATOR in principal.roles or row["department"] == principal.department_code
        ):
            raise NotFound("no such check among your department's (see GET /v1/checks/audit)")
        row["chain_link_verified"] = (
            None
            if row["chain_seq"] is None
            else await verify_link(self.live.db, int(row["chain_seq"]))
        )
        return row

    async def audit_rows(self, principal: Principal, where: AuditFilter) -> list[dict[str, Any]]:
        """Recorded checks, newest first: a department only its own, the office any."""
        if ROLE_ADMINISTRATOR not in principal.roles:
            if where.department not in (None, principal.department_code):
                raise Forbidden(
                    f"department {principal.department_code} may list only its own checks "
                    "(omit department, or ask the joint conference office)"
                )
            where = AuditFilter(
                principal.department_code,
                where.since,
                where.until,
                where.subject_code,
                where.limit,
                where.offset,
            )
        return await self.reads.search(where)

    def _empty_tail(self, department: str, on: date) -> str:
        """The audit summary of an answer with no entry, after its check id (the same for
        every such check of a department on a day; the check id is hex, nothing to escape)."""
        key = (department, on)
        found = self._empty_tails.get(key)
        if found is None:
            if len(self._empty_tails) >= 1_024:
                self._empty_tails.clear()
            found = self._empty_tails[key] = _dumps(answer("", department, on, ()).summary())[1:]
        return found

    async def check_batch(
        self,
        principal: Principal,
        raw_codes: Sequence[str],
        requested_department: str | None,
        render: Callable[[BatchChecked], Awaitable[T]],
        *,
        purpose: CheckPurpose,
        business_reference: str,
    ) -> T:
        """Check every code; `render` shapes the answer while the audit rows (and the batch's
        own row: purpose, business reference, review flags) are stored, and its result is
        returned only once they are (a failed write fails the whole batch). A batch that
        enumerates a masked resident ID is refused before anything is looked up."""
        now = self._clock()
        today = china_date(now)
        department = self._department(principal, requested_department)
        batch_id = uuid.uuid4().hex
        asker, correlation_id = principal.department_code, current_correlation_id()
        try:
            review = review_batch(raw_codes, self.batch_policy)
        except InvalidInput as exc:
            # Refused, and kept for the office: who tried, for what, how many codes.
            self.batches_refused.inc()
            log.warning("batch check refused", batch_id=batch_id, department=asker)
            refusal = BatchRecord(
                batch_id, now, asker, purpose.value, business_reference, len(raw_codes), 0, 0,
                [f"refused: {exc.message}"], correlation_id,
            )  # fmt: skip
            await self.audit.record_batch(refusal, ())
            raise
        self._require_ready()
        lookup = self.live.index.lookup
        warnings = self.live.warnings
        # Most codes of a batch are on no list: their audit answer differs only in the check
        # id, so it is written from one template instead of serialising 100,000 dicts.
        empty_tail = self._empty_tail(department, today)
        items: list[str | CheckAnswer | Refused] = []
        rows: list[AuditRow] = []
        listed = rewarded = refused = suspended = 0
        judged: list[tuple[int, str, str, CheckAnswer]] = []
        for i, raw in enumerate(raw_codes):
            if i and i % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            try:
                code = normalise_code(raw, today, field=f"body.codes.{i}")
            except InvalidInput as exc:
                items.append(Refused(i, raw, tuple(exc.problems)))
                refused += 1
                continue
            check_id = f"{batch_id}.{i}"
            candidates = lookup(code)
            result = answer(code, department, today, candidates) if candidates else None
            warning = warnings.get(code) if warnings else None
            if warning is not None:  # the big-data warning list (DOMAIN.md §11)
                result = replace(result or answer(code, department, today, ()), warning=warning)
            elif result is None or not result.hits:
                items.append(code)
                summary = f'{{"check_id":"{check_id}",{empty_tail}'
                rows.append(
                    AuditRow(now, asker, code, batch_id, correlation_id, False, summary, check_id)
                )
                continue
            if needs_record(result, self.live.conditional):
                judged.append((len(items), code, check_id, result))
                items.append(result)  # replaced once the records are read, below
                continue
            listed += result.listed
            rewarded += result.rewarded
            suspended += result.suspended
            items.append(result)
            summary = _dumps({"check_id": check_id, **result.summary()})
            rows.append(
                AuditRow(
                    now, asker, code, batch_id, correlation_id, result.listed, summary, check_id
                )
            )
        if judged:
            records = await self._records(sorted({code for _, code, _, _ in judged}))
            for at, code, check_id, unjudged in judged:
                result = self._judged(unjudged, records.get(code, []))
                if unjudged.warning is not None:
                    result = replace(result, warning=unjudged.warning)
                listed += result.listed
                rewarded += result.rewarded
                suspended += result.suspended
                items[at] = result
                summary = _dumps({"check_id": check_id, **result.summary()})
                rows.append(
                    AuditRow(
                        now, asker, code, batch_id, correlation_id, result.listed, summary, check_id
                    )
                )
        batch = BatchChecked(
            batch_id, now, department, today, items, listed, rewarded, refused, suspended
        )
        record = BatchRecord(
            batch_id=batch_id,
            asked_at=now,
            department=asker,
            purpose=purpose.value,
            business_reference=business_reference,
            codes=len(raw_codes),
            persons=review.persons,
            listed=listed,
            flags=list(review.flags),
            correlation_id=correlation_id,
        )
        if review.flags:
            # For the office (GET /v1/check-batches?flagged=true); no code is logged.
            log.warning(
                "batch check flagged for review",
                batch_id=batch_id,
                department=asker,
                purpose=purpose.value,
                flags=list(review.flags),
            )
        self.batches_checked.labels(purpose.value, "flagged" if review.flags else "plain").inc()
        # The database stores the rows while the answer is shaped; nothing leaves before both.
        storing = asyncio.create_task(self.audit.record_batch(record, rows))
        try:
            rendered = await render(batch)
        except BaseException:
            storing.cancel()
            raise
        await storing
        return rendered


def wire_checks(
    runtime: ServiceRuntime,
    catalog: CatalogCopy,
    changes: EntryChanges,
    clock: Clock,
    batch_policy: BatchPolicy | None = None,
    *,
    seal_interval_seconds: float = 1.0,
    seal_batch: int = 2_000,
) -> CheckService:
    """Build the index and the audit writer, run them with the service, make /readyz wait for
    the index, and have every committed entry change reload it."""
    follower = Follower(
        runtime.bus, [topics.ENFORCEMENT_CHANGES], name=f"{runtime.name}.check-index"
    )

    def received(_envelope: Envelope, payload: EventPayload) -> None:
        if isinstance(payload, EntriesChanged):
            changes.received(payload)

    live = LiveCheckIndex(runtime.db, catalog, clock, follower=follower, on_event=received)
    audit = AuditWriter(runtime.db)
    sealer = AuditSealer(runtime.db, batch=seal_batch, interval_seconds=seal_interval_seconds)
    changes.subscribe(live.entries_changed)
    catalog.on_change(changes.announce_catalog)
    runtime.add_task("check-index", live.run)
    runtime.add_task("check-audit", audit.run)
    runtime.add_task("check-audit-sealer", sealer.run)
    runtime.add_readiness_check("check_index", lambda: live.ready)
    register_check_index_metrics(live, runtime.metrics.registry)
    return CheckService(
        live, audit, clock, batch_policy=batch_policy, registry=runtime.metrics.registry
    )
