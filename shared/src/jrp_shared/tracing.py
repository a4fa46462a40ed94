"""OpenTelemetry traces across HTTP and the bus: W3C trace context in requests and messages.

Off unless configured (no tracer, no spans: each place that could trace checks one attribute).
When a service's settings name an OTLP endpoint (`otel_exporter_otlp_endpoint`,
docs/operations.md "Tracing"), or a test adds a span processor (`Tracing.add_processor`), the
service records:

* a SERVER span per HTTP request (`jrp_shared.web`), continuing an incoming `traceparent`;
* the context of the span current when a unit of work `emit()`s an event, stored in the
  outbox row's headers (`traceparent`/`tracestate` beside the `ce_*` attributes), so the
  relay's publish, later and in another task, still belongs to the request's trace;
* a PRODUCER span per message the relay publishes (`jrp_shared.messaging.relay`), a child of
  the stored context, whose own context replaces the stored one in the Kafka headers;
* a CONSUMER span per message a consumer takes (`jrp_shared.messaging.consumer`), continuing
  the message's `traceparent`; what its handler emits carries that span's context on.
* in the console (services/console), a SERVER span per page (`Tracing.serving`) and a CLIENT
  span per call to a service (`Tracing.calling`), whose `traceparent` the call carries.

Spans carry route templates, topics, event ids and types, partitions, offsets and the
correlation id: never a path with its values, a subject code, a resident ID or a token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from jrp_shared.settings import ServiceSettings

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
TRACE_HEADERS = frozenset({TRACEPARENT, TRACESTATE})
"""The W3C Trace Context headers, in HTTP requests and in bus messages alike."""

INSTRUMENTATION_SCOPE = "jrp_shared.tracing"

_PROPAGATOR = TraceContextTextMapPropagator()


def trace_headers(span: Span | None = None) -> list[tuple[str, str]]:
    """`span`'s context (default: the current span's) as W3C headers; [] when there is no
    valid span (tracing off, or nothing traced here)."""
    carrier: dict[str, str] = {}
    context = trace.set_span_in_context(span) if span is not None else None
    _PROPAGATOR.inject(carrier, context=context)
    return [(name, carrier[name]) for name in (TRACEPARENT, TRACESTATE) if name in carrier]


def context_from_headers(headers: Iterable[tuple[str | bytes, str | bytes]]) -> Context | None:
    """The trace context that `traceparent`/`tracestate` carry (HTTP or bus headers, names
    and values as text or bytes), or None when there is none or it is malformed."""
    carrier: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1") if isinstance(raw_name, bytes) else raw_name
        name = name.lower()
        if name not in TRACE_HEADERS:
            continue
        value = raw_value.decode("latin-1") if isinstance(raw_value, bytes) else raw_value
        carrier[name] = value[:512]  # tracestate is bounded by the spec; never take more
    if TRACEPARENT not in carrier:
        return None
    context = _PROPAGATOR.extract(carrier)
    if not trace.get_current_span(context).get_span_context().is_valid:
        return None
    return context


def without_trace_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() not in TRACE_HEADERS]


def otlp_traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL under a collector's base URL (as OTEL_EXPORTER_OTLP_ENDPOINT
    is read: `http://collector:4318` → `http://collector:4318/v1/traces`)."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


class Tracing:
    """One service's tracer: None (off) until a span processor is added."""

    def __init__(self, service_name: str, *, sample_ratio: float = 1.0) -> None:
        self.service_name = service_name
        self._sample_ratio = sample_ratio
        self._provider: TracerProvider | None = None
        self.tracer: Tracer | None = None
        """None while tracing is off: callers test it and do nothing more."""

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Tracing:
        return cls.configured(
            settings.otel_service_name or f"jrp-{settings.service_name}",
            endpoint=settings.otel_exporter_otlp_endpoint,
            sample_ratio=settings.otel_traces_sample_ratio,
        )

    @classmethod
    def configured(
        cls, service_name: str, *, endpoint: str | None, sample_ratio: float = 1.0
    ) -> Tracing:
        """Off without an OTLP `endpoint`; with one, spans exported in batches to it (also
        for the console, which has settings of its own rather than `ServiceSettings`)."""
        tracing = cls(service_name, sample_ratio=sample_ratio)
        if endpoint:
            # Imported only when used. The exporter sends from the batch processor's own
            # thread: no span ever costs the relay or a request a network call.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            exporter = OTLPSpanExporter(endpoint=otlp_traces_url(endpoint))
            tracing.add_processor(BatchSpanProcessor(exporter))
        return tracing

    @property
    def enabled(self) -> bool:
        return self.tracer is not None

    def add_processor(self, processor: SpanProcessor) -> None:
        """Send this service's spans to `processor` too; turns tracing on (a test adds an
        in-memory exporter this way)."""
        if self._provider is None:
            self._provider = TracerProvider(
                resource=Resource.create({SERVICE_NAME: self.service_name}),
                sampler=ParentBased(TraceIdRatioBased(self._sample_ratio)),
            )
            self.tracer = self._provider.get_tracer(INSTRUMENTATION_SCOPE)
        self._provider.add_span_processor(processor)

    def shutdown(self) -> None:
        """Flush what is still buffered (at the service's stop)."""
        if self._provider is not None:
            self._provider.shutdown()

    @contextlib.contextmanager
    def consuming(
        self,
        *,
        topic: str,
        partition: int,
        offset: int,
        headers: Iterable[tuple[str, bytes]],
        event_id: str,
        event_type: str,
        consumer: str,
    ) -> Iterator[Span | None]:
        """A CONSUMER span, current while a message is handled, continuing its
        `traceparent` (a new trace without one); nothing when tracing is off."""
        tracer = self.tracer
        if tracer is None:
            yield None
            return
        with tracer.start_as_current_span(
            f"process {topic}",
            context=context_from_headers(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": topic,
                "messaging.destination.partition.id": str(partition),
                "messaging.kafka.offset": offset,
                "messaging.consumer.group.name": consumer,
                "messaging.message.id": event_id,
                "cloudevents.event_type": event_type,
            },
        ) as span:
            yield span

    @contextlib.contextmanager
    def calling(
        self, peer: str, method: str
    ) -> Iterator[tuple[Span | None, list[tuple[str, str]]]]:
        """A CLIENT span around one HTTP call to the service `peer`, and the headers that
        carry its context to it (`traceparent`, `tracestate`): the callee's SERVER span is its
        child. Named `<method> <peer>`, never by the path (it may hold a subject code or a
        resident ID). Nothing, and no header, when tracing is off."""
        tracer = self.tracer
        if tracer is None:
            yield None, []
            return
        with tracer.start_as_current_span(
            f"{method} {peer}",
            kind=SpanKind.CLIENT,
            attributes={"http.request.method": method, "peer.service": peer},
        ) as span:
            yield span, trace_headers(span)

    @contextlib.contextmanager
    def serving(self, method: str, headers: Iterable[tuple[bytes, bytes]]) -> Iterator[Span | None]:
        """A SERVER span for an HTTP request, continuing its `traceparent`, named
        `<method> unmatched` until `served` names it by its route template; nothing when
        tracing is off. (The services' own requests: `jrp_shared.web`.)"""
        tracer = self.tracer
        if tracer is None:
            yield None
            return
        with tracer.start_as_current_span(
            f"{method} unmatched",
            context=context_from_headers(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        ) as span:
            yield span


def responded(span: Span | None, status: int, *, route: tuple[str, str] | None = None) -> None:
    """Record an HTTP answer on a CLIENT span, or on a SERVER span with its `route`
    (method, template: the span is named by them); a 5xx marks it failed."""
    if span is None:
        return
    if route is not None:
        method, template = route
        span.update_name(f"{method} {template}")
        span.set_attribute("http.route", template)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def mark_failed(span: Span | None, reason: str) -> None:
    if span is not None:
        span.set_status(Status(StatusCode.ERROR, reason[:200]))
