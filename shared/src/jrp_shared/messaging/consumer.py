"""The event consumer: inbox-deduplicated handlers, dead-lettering, commit after the effect.

For each record: decode the envelope; find the handler for its type; validate the payload;
run the handler in a unit of work that also stores the event id in the inbox; commit the
transaction; only then commit the offset. A redelivered event finds its id in the inbox and
changes nothing. A record that cannot be decoded or validated, whose type no payload schema
knows (a misspelled `ce_type`), or whose handler keeps failing, goes to the dead-letter topic
with the reason and the consumer goes on; a known type this consumer does not take is skipped
(counted as "ignored"). A database or broker that is away or restarting
(`jrp_shared.transient.is_transient`) is not the message's fault: the consumer waits with
capped exponential backoff for as long as it lasts, and only failures on a healthy database
count towards `max_attempts`. A dead letter that cannot be stored is waited for too: the
record's offset is committed only once its dead letter is on the topic.

With tracing on (`jrp_shared.tracing`), each handled message runs in a CONSUMER span that
continues the message's `traceparent`, so the events its handler emits carry the trace on.
"""

from __future__ import annotations

import asyncio
import base64
import difflib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import NamedTuple

from opentelemetry.trace import Span
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from jrp_shared import limits
from jrp_shared.bus.base import Bus, Record, Subscription
from jrp_shared.correlation import set_correlation_id
from jrp_shared.db import Database
from jrp_shared.errors import DomainError
from jrp_shared.events.envelope import Envelope, EnvelopeError, summarise_validation_error
from jrp_shared.events.payloads import EVENT_TYPES, DeadLettered, EventPayload, payload_class
from jrp_shared.logging import get_logger
from jrp_shared.messaging.inbound import AUTHORIZATION_HEADER
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.tracing import Tracing, mark_failed
from jrp_shared.transient import NotYetReceived, is_transient, retry_while_transient

log = get_logger(__name__)

REDACTED = "[redacted]"
"""What a dead letter holds instead of a credential header's value."""

CREDENTIAL_HEADERS = frozenset({AUTHORIZATION_HEADER, "proxy-authorization", "cookie"})
"""Headers whose value could act as someone: never kept in a dead letter."""

DEAD_LETTER_VALUE_BYTES = 64 * 1024
"""A dead letter keeps at most this much of the original body (a dead letter must itself fit
on the bus; a cut one is not replayable, which the replay command says)."""
_DEAD_LETTER_HEADERS = 32
_DEAD_LETTER_HEADER_BYTES = 1_024
_DEAD_LETTER_REASON_CHARS = 2_000

Handler = Callable[[UnitOfWork, Envelope, EventPayload], Awaitable[None]]
Prepare = Callable[[UnitOfWork, Sequence[EventPayload]], Awaitable[None]]
"""Called once per poll taken together, before its handlers, with the payloads to handle
(e.g. to read in one query what every handler would read one by one)."""


class _HandlerKeepsFailing(Exception):
    pass


def _describe(exc: DomainError) -> str:
    details = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    return f"{exc.message} ({details})" if details else exc.message


def _unknown_type(event_type: str) -> str:
    reason = f"unknown event type {event_type!r}: no payload schema has that name"
    close = difflib.get_close_matches(event_type, EVENT_TYPES, n=1, cutoff=0.8)
    return f"{reason} (did you mean {close[0]!r}?)" if close else reason


class _TakenPositions:
    """Where each message id a department posted was taken from (the most recent ids).

    The inbox already makes a second message under a taken id change nothing, whatever its
    body. This tells a replay (the same id again, at another position: a department system
    re-sending, or someone re-posting a captured message) from a redelivery (the same record
    again after a restart or a rebalance, which stays a silent duplicate), so the replay is
    dead-lettered with its reason for the department and the office to see. Kept in memory,
    so after a restart, or on another replica, a replay is still absorbed by the inbox, only
    without its dead letter."""

    _KEPT = 100_000

    def __init__(self) -> None:
        self._taken: OrderedDict[str, tuple[str, int, int]] = OrderedDict()

    def replayed(self, event_id: str, record: Record) -> str | None:
        first = self._taken.get(event_id)
        if first is None or first == (record.topic, record.partition, record.offset):
            return None
        topic, partition, offset = first
        return (
            f"replayed message id {event_id!r}: already taken from {topic} partition "
            f"{partition} offset {offset}; this copy has no effect (post new messages under "
            "new ids)"
        )

    def remember(self, event_id: str, record: Record) -> None:
        self._taken[event_id] = (record.topic, record.partition, record.offset)
        self._taken.move_to_end(event_id)
        if len(self._taken) > self._KEPT:
            self._taken.popitem(last=False)


class _Accepted(NamedTuple):
    record: Record
    envelope: Envelope
    payload: EventPayload
    handler: Handler


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        bus: Bus,
        db: Database,
        tables: MessagingTables,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        metrics: ServiceMetrics,
        source: str,
        on_commit: Callable[[], None] | None = None,
        max_attempts: int = 3,
        retry_seconds: float = 0.2,
        max_retry_seconds: float = 5.0,
        batch_size: int = 200,
        authenticate: Callable[[Record, Envelope], str | None] | None = None,
        prepare: Prepare | None = None,
        max_message_bytes: int = limits.MESSAGE_MAX_BYTES,
        max_json_depth: int = limits.JSON_MAX_DEPTH,
        stalled_after_restarts: int = 3,
        tracing: Tracing | None = None,
    ) -> None:
        self.name = name
        self._tracing = tracing or Tracing(name)
        self._max_message_bytes = max_message_bytes
        self._max_json_depth = max_json_depth
        self._stalled_after = stalled_after_restarts
        self._restarts_without_progress = 0
        self._prepare = prepare
        self._bus = bus
        self._db = db
        self._tables = tables
        self._topics = list(topics)
        self._handlers = dict(handlers)
        self._metrics = metrics
        self._source = source
        self._on_commit = on_commit
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._max_retry_seconds = max_retry_seconds
        self._batch_size = batch_size
        self._authenticate = authenticate
        self._positions = _TakenPositions()
        self.ready = asyncio.Event()
        self._metrics.consumer_stalled(self.name).set(0)

    @property
    def stalled(self) -> bool:
        """Restarted `stalled_after_restarts` times in a row without committing anything:
        it cannot make progress (`/readyz` and `jrp_consumer_stalled` say so)."""
        return self._restarts_without_progress >= self._stalled_after

    def _progressed(self) -> None:
        if self._restarts_without_progress:
            self._restarts_without_progress = 0
            self._metrics.consumer_stalled(self.name).set(0)

    @property
    def topics(self) -> list[str]:
        """The (logical) topics this consumer's group reads."""
        return list(self._topics)

    async def run(self) -> None:
        while True:
            subscription = self._bus.subscribe(self.name, self._topics)
            try:
                await subscription.start()
                self.ready.set()
                await self._consume(subscription)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._restarts_without_progress += 1
                if self.stalled:
                    self._metrics.consumer_stalled(self.name).set(1)
                if is_transient(exc):  # e.g. the broker away while committing offsets
                    log.warning(
                        "consumer lost a dependency; restarting", consumer=self.name, error=str(exc)
                    )
                else:
                    log.exception("consumer failed; restarting", consumer=self.name)
                await asyncio.sleep(1.0)
            finally:
                self.ready.clear()
                await subscription.stop()

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            records = await subscription.poll(max_records=self._batch_size, timeout_ms=500)
            if records:
                await self.handle_batch(records)
                await subscription.commit(records)
                self._progressed()

    async def handle_batch(self, records: Sequence[Record]) -> None:
        """Take a poll's records in one transaction (throughput); if anything in it fails,
        roll it back and take the records one by one, so one bad event costs only itself."""
        accepted: list[_Accepted] = []
        for record in records:
            item = await self._accept(record)
            if item is not None:
                accepted.append(item)
        if len(accepted) > 1:
            try:
                outcomes = await self._apply_together(accepted)
            except Exception as exc:  # every failure falls back to one by one
                log.info("batch failed; taking records one by one", error=str(exc))
            else:
                for outcome in outcomes:
                    self._metrics.events_consumed(self.name, outcome).inc()
                return
        for item in accepted:
            await self._handle_accepted(item)

    async def handle(self, record: Record) -> None:
        """Take one record to a stored effect, a skip or a dead letter; bad data never raises."""
        item = await self._accept(record)
        if item is not None:
            await self._handle_accepted(item)

    async def _accept(self, record: Record) -> _Accepted | None:
        """Decode and validate; dead-letter what is malformed or of an unknown type, skip known
        types this consumer does not take. Whatever the bytes, the record ends here: a
        failure while reading it is its own fault, never a reason to restart on it."""
        try:
            return await self._read(record)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise
            log.warning("unreadable message", consumer=self.name, error=type(exc).__name__)
            await self._dead_letter(record, f"the message could not be read ({type(exc).__name__})")
            return None

    async def _read(self, record: Record) -> _Accepted | None:
        try:
            envelope = Envelope.from_wire(
                record.headers,
                record.value,
                max_bytes=self._max_message_bytes,
                max_depth=self._max_json_depth,
            )
        except EnvelopeError as exc:
            await self._dead_letter(record, f"invalid envelope: {exc}")
            return None
        if self._authenticate is not None:
            refusal = self._authenticate(record, envelope)
            if refusal is not None:
                await self._dead_letter(record, f"unauthenticated: {refusal}")
                return None
            replayed = self._positions.replayed(envelope.id, record)
            if replayed is not None:
                await self._dead_letter(record, replayed)
                return None
        model = payload_class(envelope.type)
        if model is None:
            # Not a type of this mesh at all (misspelled, or from a newer producer): kept as a
            # dead letter, never silently dropped.
            await self._dead_letter(record, _unknown_type(envelope.type))
            return None
        handler = self._handlers.get(envelope.type)
        if handler is None:  # a type of the mesh that this consumer has no use for
            self._metrics.events_consumed(self.name, "ignored").inc()
            return None
        try:
            payload = model.model_validate(envelope.data)
        except ValidationError as exc:
            await self._dead_letter(
                record, f"invalid {envelope.type} payload: {summarise_validation_error(exc)}"
            )
            return None
        if self._authenticate is not None:
            self._positions.remember(envelope.id, record)
        return _Accepted(record, envelope, payload, handler)

    async def _apply_together(self, items: Sequence[_Accepted]) -> list[str]:
        inbox = self._tables.inbox
        outcomes: list[str] = []
        async with UnitOfWork(
            self._db, self._tables, source=self._source, on_commit=self._on_commit
        ) as uow:
            ids = [item.envelope.id for item in items]
            seen = set(
                await uow.session.scalars(
                    select(inbox.c.event_id).where(
                        inbox.c.consumer == self.name, inbox.c.event_id.in_(ids)
                    )
                )
            )
            if self._prepare is not None:
                await self._prepare(
                    uow, [item.payload for item in items if item.envelope.id not in seen]
                )
            processed: list[Envelope] = []
            for item in items:
                if item.envelope.id in seen:
                    outcomes.append("duplicate")
                    continue
                seen.add(item.envelope.id)
                set_correlation_id(item.envelope.correlationid)
                try:
                    with self._span(item):
                        await item.handler(uow, item.envelope, item.payload)
                finally:
                    set_correlation_id(None)
                processed.append(item.envelope)
                outcomes.append("processed")
            if processed:
                now = datetime.now(UTC)
                await uow.session.execute(
                    insert(inbox),
                    [
                        {
                            "consumer": self.name,
                            "event_id": env.id,
                            "event_type": env.type,
                            "processed_at": now,
                        }
                        for env in processed
                    ],
                )
            await uow.commit()
        return outcomes

    async def _handle_accepted(self, item: _Accepted) -> None:
        record, envelope, payload, handler = item
        set_correlation_id(envelope.correlationid)
        try:
            with self._span(item) as span:
                try:
                    outcome = await self._apply(envelope, payload, handler)
                except _HandlerKeepsFailing as exc:
                    mark_failed(span, "dead-lettered")
                    await self._dead_letter(record, str(exc))
                    return
        finally:
            set_correlation_id(None)
        self._metrics.events_consumed(self.name, outcome).inc()

    def _span(self, item: _Accepted) -> AbstractContextManager[Span | None]:
        """The message's CONSUMER span (`jrp_shared.tracing`); nothing when tracing is off."""
        if self._tracing.tracer is None:
            return nullcontext()
        record, envelope = item.record, item.envelope
        return self._tracing.consuming(
            topic=self._bus.qualified(record.topic),
            partition=record.partition,
            offset=record.offset,
            headers=record.headers,
            event_id=envelope.id,
            event_type=envelope.type,
            consumer=self.name,
        )

    def _backoff(self, outage_attempt: int) -> float:
        """Capped exponential wait while a dependency is away."""
        return min(self._retry_seconds * 2.0 ** min(outage_attempt, 16), self._max_retry_seconds)

    async def _apply(self, envelope: Envelope, payload: EventPayload, handler: Handler) -> str:
        failures = 0  # failures on a healthy database: only these lead to a dead letter
        outage = 0  # consecutive transient failures: only these lengthen the wait
        while True:
            try:
                return await self._apply_once(envelope, payload, handler)
            except DomainError as exc:
                # The event breaks a domain rule (e.g. a department system posted an entry
                # for a list type it may not initiate): retrying cannot help.
                raise _HandlerKeepsFailing(f"refused: {_describe(exc)}") from exc
            except Exception as exc:
                behind = isinstance(exc, NotYetReceived)
                if behind or is_transient(exc):
                    # The database is away or restarting, or what the message needs has not
                    # arrived on its own topic yet: wait for as long as it takes; the message
                    # is not at fault, so this is no attempt of its.
                    outage += 1
                    self._metrics.consumer_waits(self.name).inc()
                    log.warning(
                        "waiting for what the message needs"
                        if behind
                        else "database unavailable; retrying",
                        consumer=self.name,
                        event_id=envelope.id,
                        error=str(exc),
                    )
                    await asyncio.sleep(self._backoff(outage))
                    continue
                # Any other failure: retry, then dead-letter (no poison pill).
                outage = 0
                failures += 1
                log.warning(
                    "handler failed",
                    consumer=self.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    attempt=failures,
                    error=str(exc),
                )
                if failures >= self._max_attempts:
                    raise _HandlerKeepsFailing(
                        f"handler for {envelope.type} failed {failures} times: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                await asyncio.sleep(self._retry_seconds * failures)

    async def _apply_once(self, envelope: Envelope, payload: EventPayload, handler: Handler) -> str:
        inbox = self._tables.inbox
        async with UnitOfWork(
            self._db, self._tables, source=self._source, on_commit=self._on_commit
        ) as uow:
            seen = await uow.session.scalar(
                select(inbox.c.event_id).where(
                    inbox.c.consumer == self.name, inbox.c.event_id == envelope.id
                )
            )
            if seen is not None:
                return "duplicate"
            await handler(uow, envelope, payload)
            await uow.session.execute(
                insert(inbox).values(
                    consumer=self.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    processed_at=datetime.now(UTC),
                )
            )
            try:
                await uow.commit()
            except IntegrityError:
                # Another member of the group stored the same event first.
                return "duplicate"
        return "processed"

    async def _dead_letter(self, record: Record, reason: str) -> None:
        log.warning(
            "dead-lettering a message",
            consumer=self.name,
            topic=record.topic,
            offset=record.offset,
            reason=reason,
        )
        value = record.value or b""
        if len(value) > DEAD_LETTER_VALUE_BYTES:
            reason = (
                f"{reason} [value cut to its first {DEAD_LETTER_VALUE_BYTES} of {len(value)} bytes]"
            )
            value = value[:DEAD_LETTER_VALUE_BYTES]
        try:
            text, encoding = value.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = base64.b64encode(value).decode(), "base64"
        headers = {}
        for raw_name, raw in record.headers[:_DEAD_LETTER_HEADERS]:
            name = raw_name[:_DEAD_LETTER_HEADER_BYTES].encode("utf-8", "backslashreplace").decode()
            if name.lower() in CREDENTIAL_HEADERS:
                headers[name] = REDACTED  # a department's access token: never kept
                continue
            raw = raw[:_DEAD_LETTER_HEADER_BYTES]
            try:
                headers[name] = raw.decode()
            except UnicodeDecodeError:
                headers[name] = base64.b64encode(raw).decode()
        letter = DeadLettered(
            consumer=self.name,
            reason=reason[:_DEAD_LETTER_REASON_CHARS],
            source_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key[:_DEAD_LETTER_HEADER_BYTES] if record.key is not None else None,
            headers=headers,
            value=text,
            value_encoding=encoding,
        )
        message = letter.message(self._source)

        def broker_away(exc: BaseException, _retries: int) -> None:
            # Keep the message (its offset stays uncommitted) until its dead letter is stored.
            self._metrics.consumer_waits(self.name).inc()
            log.warning(
                "dead letter not stored; broker unavailable, retrying",
                consumer=self.name,
                error=str(exc),
            )

        await retry_while_transient(
            lambda: self._bus.publish([message]),
            first_delay=self._retry_seconds,
            max_delay=self._max_retry_seconds,
            on_retry=broker_away,
        )
        self._metrics.events_consumed(self.name, "dead_lettered").inc()
