"""Trace context carried across the outbox and the bus (`jrp_shared.tracing`), on the embedded
default: a real SQLite database and the real embedded bus, spans read from an in-memory
exporter."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi import APIRouter
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import MetaData, select

from jrp_shared.bus.base import Record
from jrp_shared.bus.embedded import EmbeddedBus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import CalendarScheduleLoaded, EventPayload
from jrp_shared.messaging.consumer import EventConsumer
from jrp_shared.messaging.relay import OutboxRelay
from jrp_shared.messaging.tables import messaging_tables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, eventually, serving
from jrp_shared.tracing import (
    TRACEPARENT,
    TRACESTATE,
    Tracing,
    context_from_headers,
    otlp_traces_url,
    trace_headers,
    without_trace_headers,
)
from jrp_shared.web import create_service_app

metadata = MetaData()
tables = messaging_tables(metadata)

RESIDENT_ID = "11010519491231002X"
PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _traced(name: str = "jrp-test") -> tuple[Tracing, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing = Tracing(name)
    tracing.add_processor(SimpleSpanProcessor(exporter))
    return tracing, exporter


def _ids(traceparent: str) -> tuple[str, str]:
    """(trace id, parent span id) of a traceparent header, in hex."""
    _version, trace_id, span_id, _flags = traceparent.split("-")
    return trace_id, span_id


def _ids_of(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return format(span.context.trace_id, "032x"), format(span.context.span_id, "016x")


def _schedule(year: int = 2027) -> CalendarScheduleLoaded:
    return CalendarScheduleLoaded(
        year=year, source="test", holidays=[date(year, 1, 1)], adjusted_workdays=[]
    )


# --- inject / extract -----------------------------------------------------------------------


def test_no_headers_without_a_span() -> None:
    assert trace_headers() == []


def test_off_by_default() -> None:
    tracing = Tracing.from_settings(ServiceSettings(service_name="trigger"))
    assert not tracing.enabled and tracing.tracer is None


def test_the_current_span_goes_out_and_comes_back() -> None:
    tracing, _ = _traced()
    assert tracing.tracer is not None
    with tracing.tracer.start_as_current_span("request") as span:
        headers = trace_headers()
    assert [name for name, _ in headers] == [TRACEPARENT]
    context = context_from_headers([(n, v.encode()) for n, v in headers])
    assert context is not None
    carried = trace.get_current_span(context).get_span_context()
    assert carried.trace_id == span.get_span_context().trace_id
    assert carried.span_id == span.get_span_context().span_id
    assert carried.is_remote


def test_extract_takes_bytes_or_text_and_any_case_and_keeps_tracestate() -> None:
    context = context_from_headers([(b"TraceParent", PARENT.encode()), (TRACESTATE, "jrp=1")])
    assert context is not None
    span_context = trace.get_current_span(context).get_span_context()
    assert format(span_context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert span_context.trace_state.get("jrp") == "1"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "nonsense",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",  # all-zero trace id
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  # all-zero span id
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
    ],
)
def test_a_malformed_traceparent_is_no_context(value: str) -> None:
    assert context_from_headers([(TRACEPARENT, value.encode())]) is None


def test_no_traceparent_is_no_context() -> None:
    assert context_from_headers([("ce_id", b"x"), (TRACESTATE, b"a=b")]) is None


def test_without_trace_headers_keeps_the_rest() -> None:
    headers = [("ce_id", "1"), (TRACEPARENT, PARENT), ("TraceState", "a=b")]
    assert without_trace_headers(headers) == [("ce_id", "1")]


def test_otlp_url_is_under_the_base() -> None:
    assert otlp_traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert otlp_traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert otlp_traces_url("http://c:4318/v1/traces") == "http://c:4318/v1/traces"


def test_settings_with_an_endpoint_turn_tracing_on() -> None:
    settings = ServiceSettings(
        service_name="trigger", otel_exporter_otlp_endpoint="http://127.0.0.1:9/"
    )
    tracing = Tracing.from_settings(settings)
    try:
        assert tracing.enabled and tracing.service_name == "jrp-trigger"
    finally:
        tracing.shutdown()


# --- through the outbox, the relay and a consumer -------------------------------------------


@dataclass
class Stack:
    db: Database
    bus: EmbeddedBus


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = EmbeddedBus("ns", tmp_path / "bus.sqlite3")
    await bus.start()
    yield Stack(db, bus)
    await bus.stop()
    await db.dispose()


async def _stored_headers(db: Database) -> list[dict[str, str]]:
    async with db.sessions() as session:
        rows = (await session.execute(select(tables.outbox.c.headers))).scalars().all()
    return [dict((h, v) for h, v in row) for row in rows]


async def test_the_outbox_row_keeps_the_context_of_the_span_that_emitted(stack: Stack) -> None:
    tracing, _ = _traced()
    assert tracing.tracer is not None
    async with UnitOfWork(stack.db, tables, source="/jrp/test") as uow:
        with tracing.tracer.start_as_current_span("request") as span:
            uow.emit(_schedule(2027))
        uow.emit(_schedule(2028))  # no span current: nothing to carry
        await uow.commit()
    first, second = await _stored_headers(stack.db)
    expected = trace_headers(span)
    assert first[TRACEPARENT] == dict(expected)[TRACEPARENT]
    assert first["ce_type"] == CalendarScheduleLoaded.event_type
    assert TRACEPARENT not in second


async def test_relay_publishes_under_a_child_span_and_sends_its_traceparent(stack: Stack) -> None:
    tracing, exporter = _traced()
    assert tracing.tracer is not None
    async with UnitOfWork(stack.db, tables, source="/jrp/test") as uow:
        with tracing.tracer.start_as_current_span("request") as request:
            uow.emit(_schedule(2027))
        uow.emit(_schedule(2028))
        await uow.commit()
    relay = OutboxRelay(stack.db, tables, stack.bus, ServiceMetrics("t"), tracing=tracing)
    assert await relay.publish_pending() == 2
    records = await stack.bus.subscribe("reader", [topics.CALENDAR]).poll(
        max_records=10, timeout_ms=100
    )
    publishes = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.PRODUCER]
    assert len(publishes) == 1  # only the row that carried a context
    publish = publishes[0]
    assert publish.name == f"publish ns.{topics.CALENDAR}"
    assert publish.parent is not None
    assert publish.parent.span_id == request.get_span_context().span_id
    assert publish.context is not None
    assert publish.context.trace_id == request.get_span_context().trace_id
    sent = [dict((h, v.decode()) for h, v in r.headers) for r in records]
    assert _ids(sent[0][TRACEPARENT]) == _ids_of(publish)
    assert [h for h, _ in records[0].headers].count(TRACEPARENT) == 1
    assert TRACEPARENT not in sent[1]
    assert Envelope.from_wire(records[0].headers, records[0].value).type == (
        CalendarScheduleLoaded.event_type
    )


async def test_relay_without_tracing_passes_the_stored_context_on(stack: Stack) -> None:
    tracing, _ = _traced()
    assert tracing.tracer is not None
    async with UnitOfWork(stack.db, tables, source="/jrp/test") as uow:
        with tracing.tracer.start_as_current_span("request") as request:
            uow.emit(_schedule(2027))
        await uow.commit()
    await OutboxRelay(stack.db, tables, stack.bus, ServiceMetrics("t")).publish_pending()
    records = await stack.bus.subscribe("reader", [topics.CALENDAR]).poll(
        max_records=10, timeout_ms=100
    )
    sent = dict((h, v.decode()) for h, v in records[0].headers)
    assert sent[TRACEPARENT] == dict(trace_headers(request))[TRACEPARENT]


def _record(envelope: Envelope, headers: list[tuple[str, bytes]], offset: int) -> Record:
    return Record(
        topic=topics.CALENDAR,
        key=envelope.subject,
        headers=(*envelope.to_headers(), *headers),
        value=envelope.body(),
        partition=0,
        offset=offset,
    )


@pytest.mark.parametrize("together", [False, True])
async def test_a_consumer_continues_the_trace_into_what_its_handler_emits(
    stack: Stack, together: bool
) -> None:
    tracing, exporter = _traced("jrp-enforcement")
    handled: list[str] = []

    async def handler(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        handled.append(envelope.id)
        uow.emit(_schedule(3000 + len(handled)))

    consumer = EventConsumer(
        name="test.consumer",
        bus=stack.bus,
        db=stack.db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: handler},
        metrics=ServiceMetrics("t"),
        source="/jrp/test",
        tracing=tracing,
    )
    traced = _schedule(2027).envelope("/jrp/upstream")
    untraced = _schedule(2028).envelope("/jrp/upstream")
    records = [
        _record(traced, [(TRACEPARENT, PARENT.encode())], 1),
        _record(untraced, [], 2),
    ]
    if together:
        await consumer.handle_batch(records)
    else:
        for record in records:
            await consumer.handle(record)
    assert len(handled) == 2
    consumes = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CONSUMER]
    assert len(consumes) == 2
    continued, fresh = consumes
    assert continued.name == f"process ns.{topics.CALENDAR}"
    assert continued.parent is not None and format(continued.parent.span_id, "016x") == (
        "b7ad6b7169203331"
    )
    assert continued.context is not None
    assert format(continued.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    attributes = dict(continued.attributes or {})
    assert attributes["messaging.message.id"] == traced.id
    assert attributes["messaging.kafka.offset"] == 1
    assert fresh.parent is None  # no traceparent: a trace of its own
    stored = await _stored_headers(stack.db)
    assert _ids(stored[0][TRACEPARENT]) == _ids_of(continued)
    assert fresh.context is not None
    assert stored[1][TRACEPARENT].split("-")[1] == format(fresh.context.trace_id, "032x")


async def test_a_consumer_without_tracing_makes_no_span_and_carries_nothing(stack: Stack) -> None:
    async def handler(uow: UnitOfWork, envelope: Envelope, payload: EventPayload) -> None:
        uow.emit(_schedule(3001))

    consumer = EventConsumer(
        name="test.consumer",
        bus=stack.bus,
        db=stack.db,
        tables=tables,
        topics=[topics.CALENDAR],
        handlers={CalendarScheduleLoaded.event_type: handler},
        metrics=ServiceMetrics("t"),
        source="/jrp/test",
    )
    envelope = _schedule(2027).envelope("/jrp/upstream")
    await consumer.handle(_record(envelope, [(TRACEPARENT, PARENT.encode())], 1))
    (stored,) = await _stored_headers(stack.db)
    assert TRACEPARENT not in stored


# --- over HTTP: a service app ----------------------------------------------------------------


async def test_a_request_continues_the_callers_trace_into_the_outbox(
    tmp_path: Path, keys: Keys
) -> None:
    settings = ServiceSettings(
        service_name="svc",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
    )
    runtime = ServiceRuntime(
        settings, tables, bus=EmbeddedBus(settings.topic_namespace, tmp_path / "bus.sqlite3")
    )
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    exporter = InMemorySpanExporter()
    runtime.tracing.add_processor(SimpleSpanProcessor(exporter))
    router = APIRouter()

    @router.post("/v1/things/{code}", status_code=201)
    async def make(code: str) -> dict[str, str]:
        async with runtime.uow() as uow:
            uow.emit(_schedule(2027))
            await uow.commit()
        return {"code": code}

    app = create_service_app(runtime, title="t", description="t", routers=[router])
    async with serving(app, "svc") as client:
        answer = await client.post(f"/v1/things/{RESIDENT_ID}", headers={TRACEPARENT: PARENT})
        assert answer.status_code == 201

        async def published() -> list[ReadableSpan]:
            return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.PRODUCER]

        (publish,) = await eventually(published)
    (request,) = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert request.name == "POST /v1/things/{code}"
    assert request.resource.attributes["service.name"] == "jrp-svc"
    assert request.parent is not None and request.parent.is_remote
    assert _ids_of(request)[0] == "0af7651916cd43dd8448eb211c80319c"
    assert format(request.parent.span_id, "016x") == "b7ad6b7169203331"
    attributes = dict(request.attributes or {})
    assert attributes["http.route"] == "/v1/things/{code}"
    assert attributes["http.response.status_code"] == 201
    assert RESIDENT_ID not in repr(attributes) + request.name
    assert publish.parent is not None and request.context is not None
    assert publish.parent.span_id == request.context.span_id
