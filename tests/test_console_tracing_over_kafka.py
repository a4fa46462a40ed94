"""The console passes its trace on to the services it calls (docs/operations.md, "Tracing").

An officer runs a must-check through the console. With an in-memory exporter on the console's
tracer and the services' tracers, the console's SERVER span of the page (`POST /check`), its
CLIENT span of the call to enforcement and enforcement's SERVER span of `GET
/v1/checks/{code}` are one trace: the call carried the console's `traceparent`. With the
console's tracing off, the call carries none (enforcement begins a trace of its own). No
span names the subject's code or carries the officer's token.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from console_harness import ConsoleUnderTest, create_officer
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from test_console_entries_over_kafka import checked
from test_due_process_over_kafka import post_entry
from test_loop_over_kafka import ENTERPRISE, catalog_ready, tax_entry

from harness import Mesh
from jrp_console.app import create_app
from jrp_console.config import ConsoleSettings
from jrp_shared.tracing import TRACEPARENT

pytestmark = pytest.mark.integration

CHECK_ROUTE = "GET /v1/checks/{subject_code:jrp_subject_code}"


class OverTheWire(httpx.AsyncBaseTransport):
    """A service's ASGI app as if across the network: the call runs outside the console's
    OpenTelemetry context (in-process, the current span would leak into the service and hide
    a missing header), so only what the request's headers carry reaches it; and every
    request's `traceparent` (or None) is kept."""

    def __init__(self, app: object) -> None:
        self._inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.traceparents: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.traceparents.append(request.headers.get(TRACEPARENT))
        token = otel_context.attach(otel_context.Context())
        try:
            return await self._inner.handle_async_request(request)
        finally:
            otel_context.detach(token)


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def _checks_served(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        s
        for s in exporter.get_finished_spans()
        if _service(s) == "jrp-enforcement" and s.kind is SpanKind.SERVER and s.name == CHECK_ROUTE
    ]


async def test_a_console_page_carries_its_trace_to_the_services(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    await post_entry(mesh, tax_entry())
    password = await create_officer(mesh, "zhao.lei", "finance", ["implementer"], "赵磊")
    exporter = InMemorySpanExporter()
    mesh.registry.app.state.runtime.tracing.add_processor(SimpleSpanProcessor(exporter))
    for service in mesh.followers.values():
        service.runtime.tracing.add_processor(SimpleSpanProcessor(exporter))

    wires = {"registry": OverTheWire(mesh.registry.app)} | {
        name: OverTheWire(service.app) for name, service in mesh.followers.items()
    }
    settings = ConsoleSettings(
        session_secret_file=tmp_path / "console-session-secret",
        calendar_refresh_seconds=3600,
        log_json=False,
    )
    console = ConsoleUnderTest(create_app(settings, transports=wires), settings)
    async with console.signed_in("zhao.lei", password) as officer:
        # The console's tracing off (its default): no traceparent goes with the call.
        await checked(officer, ENTERPRISE)
        untraced = _checks_served(exporter)
        assert len(untraced) == 1 and untraced[0].parent is None
        assert not [s for s in exporter.get_finished_spans() if _service(s) == "jrp-console"]
        assert wires["enforcement"].traceparents == [None]

        exporter.clear()
        console.app.state.tracing.add_processor(SimpleSpanProcessor(exporter))
        page = await checked(officer, ENTERPRISE)
        assert "福州示例科技" in page or ENTERPRISE in page

    spans = exporter.get_finished_spans()
    console_spans = [s for s in spans if _service(s) == "jrp-console"]
    pages = [s for s in console_spans if s.kind is SpanKind.SERVER and s.name == "POST /check"]
    assert len(pages) == 1
    page_span = pages[0]
    assert page_span.context is not None and page_span.parent is None
    trace_id = page_span.context.trace_id
    assert (page_span.attributes or {})["http.route"] == "/check"
    assert (page_span.attributes or {})["http.response.status_code"] == 200

    # The console's call to enforcement: a CLIENT span, child of the page's span.
    calls = [s for s in console_spans if s.kind is SpanKind.CLIENT and s.name == "GET enforcement"]
    assert calls
    for call in calls:
        assert call.context is not None and call.context.trace_id == trace_id
        assert call.parent is not None and call.parent.span_id == page_span.context.span_id
        assert (call.attributes or {})["http.response.status_code"] == 200
    call_ids = {c.context.span_id for c in calls if c.context is not None}

    # Enforcement's SERVER span continues the console's trace, under that call: the request
    # carried the console's traceparent.
    served = _checks_served(exporter)
    assert len(served) == 1
    check = served[0]
    assert check.context is not None and check.context.trace_id == trace_id
    assert check.parent is not None and check.parent.span_id in call_ids
    # On the wire: the W3C header of the console's trace and of that call.
    sent = wires["enforcement"].traceparents[1:]
    assert sent and all(header is not None for header in sent)
    assert {header.split("-")[1] for header in sent if header} == {format(trace_id, "032x")}
    assert {int(header.split("-")[2], 16) for header in sent if header} == call_ids
    # Every service span made during the page is in the console's trace.
    assert all(
        s.context is not None and s.context.trace_id == trace_id
        for s in spans
        if _service(s) != "jrp-console" and s.kind is SpanKind.SERVER
    )

    # Neither the subject's code (the call's path holds it) nor the token in a console span.
    for span in console_spans:
        text = repr(span.name) + repr(dict(span.attributes or {}))
        assert ENTERPRISE not in text
        assert "Bearer" not in text and "eyJ" not in text
