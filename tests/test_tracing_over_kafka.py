"""One list entry followed by its trace, over the real broker (issue 17, observability).

The tax authority posts an entry to trigger; enforcement takes it from Kafka and issues
orders on every implementing department's own topic (`sanctions.v1.<department>`). With an
in-memory exporter on each service's tracer, one trace id covers trigger's HTTP request,
trigger's publish, enforcement's consume and enforcement's publishes to the agency topics;
and the messages on those topics carry that trace id in their `traceparent` header, so an
agency's own consumer can continue the trace (docs/operations.md, "Tracing").
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from test_loop_over_kafka import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    TAX_LIST,
    catalog_ready,
    expected_orders,
    orders_on_topics,
    tax_entry,
)

from harness import Mesh
from jrp_shared.events import topics
from jrp_shared.testing import TopicReader, eventually
from jrp_shared.tracing import TRACEPARENT

pytestmark = pytest.mark.integration

ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def _in_trace(spans: Sequence[ReadableSpan], trace_id: int) -> list[ReadableSpan]:
    return [s for s in spans if s.context is not None and s.context.trace_id == trace_id]


async def test_one_trace_spans_trigger_enforcement_and_the_agency_topics(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    exporter = InMemorySpanExporter()
    for service in mesh.followers.values():
        service.runtime.tracing.add_processor(SimpleSpanProcessor(exporter))
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    departments = {department for department, _ in expected}

    posted = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]

    async with TopicReader(mesh.kafka_bootstrap) as reader:
        issued = await orders_on_topics(mesh, reader, departments, len(expected), ISSUED)
    orders = [m for messages in issued.values() for m in messages]
    assert {m.body["entry_id"] for m in orders} == {entry_id}

    # The request: one SERVER span of trigger, named by its route template.
    requests = [
        s
        for s in exporter.get_finished_spans()
        if _service(s) == "jrp-trigger"
        and s.kind is SpanKind.SERVER
        and s.name == "POST /v1/list-entries"
    ]
    assert len(requests) == 1
    request = requests[0]
    assert request.context is not None and request.parent is None
    trace_id = request.context.trace_id
    assert (request.attributes or {})["http.response.status_code"] == 201

    agency_topics = {mesh.topic(topics.sanctions(d)) for d in departments}

    async def enforcement_publishes() -> list[ReadableSpan]:
        return [
            s
            for s in _in_trace(exporter.get_finished_spans(), trace_id)
            if _service(s) == "jrp-enforcement"
            and s.kind is SpanKind.PRODUCER
            and (s.attributes or {}).get("messaging.destination.name") in agency_topics
        ]

    # The relay ends its spans once the batch is on the broker: the orders are read by now,
    # but give the last span its moment.
    publishes = await eventually(enforcement_publishes, within=10)
    spans = _in_trace(exporter.get_finished_spans(), trace_id)
    by_id = {s.context.span_id: s for s in spans if s.context is not None}

    # trigger's publish, a child of the request (through the outbox and the relay's task).
    trigger_publishes = [
        s for s in spans if _service(s) == "jrp-trigger" and s.kind is SpanKind.PRODUCER
    ]
    assert trigger_publishes
    assert all(s.parent is not None for s in trigger_publishes)
    assert any(
        s.parent is not None and s.parent.span_id == request.context.span_id
        for s in trigger_publishes
    )

    # enforcement's consume, a child of trigger's publish (the Kafka header carried it).
    consumes = [
        s for s in spans if _service(s) == "jrp-enforcement" and s.kind is SpanKind.CONSUMER
    ]
    assert consumes
    trigger_publish_ids = {s.context.span_id for s in trigger_publishes if s.context is not None}
    assert any(s.parent is not None and s.parent.span_id in trigger_publish_ids for s in consumes)

    # enforcement's publishes to every agency topic, children of its consume.
    assert {(s.attributes or {})["messaging.destination.name"] for s in publishes} == agency_topics
    consume_ids = {s.context.span_id for s in consumes if s.context is not None}
    for span in publishes:
        assert span.parent is not None and span.parent.span_id in consume_ids
        assert span.name == f"publish {(span.attributes or {})['messaging.destination.name']!s}"

    # Every order on an agency topic carries the trace: its traceparent names this trace id
    # and the very publish span that sent it.
    publish_ids = {_hex(s.context.span_id, 16) for s in publishes if s.context is not None}
    for message in orders:
        version, trace, parent, flags = message.headers[TRACEPARENT].split("-")
        assert version == "00" and int(flags, 16) & 0x01  # sampled
        assert trace == _hex(trace_id, 32)
        assert parent in publish_ids
        assert "tracestate" not in message.headers or message.headers["tracestate"]

    # No personal data in any span of the trace: no resident ID, no subject code, no token.
    for span in spans:
        text = repr(span.name) + repr(dict(span.attributes or {}))
        assert LEGAL_REPRESENTATIVE not in text and ENTERPRISE not in text
        assert "Bearer" not in text and "eyJ" not in text
    assert len(by_id) == len(spans)
