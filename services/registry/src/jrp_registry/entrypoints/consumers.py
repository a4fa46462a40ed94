"""The registry's consumers: due-process events on appeals.v1 feed each subject's case
timeline (docs/due-process.md, "Events"); list-entries.v1 feeds the list entries projection
and the listed subjects (docs/public-lookup.md); trigger's double-publicity decisions on
publicity.v1 feed the public lookup too."""

from __future__ import annotations

from jrp_registry.service_layer import publicity
from jrp_registry.service_layer.cases import APPEALS_EVENTS, record_case_event
from jrp_registry.service_layer.entries import ENTRY_EVENTS, record_entry_event
from jrp_shared.clock import system_clock
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    EventPayload,
    PublicityDecisionPublished,
    PublicityDecisionWithdrawn,
)
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.runtime import ServiceRuntime


async def _on_appeals(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
    await record_case_event(uow, payload)


async def on_list_entry(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
    await record_entry_event(uow, payload)


def add_consumers(runtime: ServiceRuntime) -> None:
    runtime.add_consumer(
        "cases", [topics.APPEALS], {event.event_type: _on_appeals for event in APPEALS_EVENTS}
    )
    runtime.add_consumer(
        "list-entries",
        [topics.LIST_ENTRIES],
        {event.event_type: on_list_entry for event in ENTRY_EVENTS},
    )


async def _on_published(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, PublicityDecisionPublished)
    await publicity.take_published(uow, payload, system_clock())


async def _on_withdrawn(uow: UnitOfWork, _envelope: Envelope, payload: EventPayload) -> None:
    assert isinstance(payload, PublicityDecisionWithdrawn)
    await publicity.take_withdrawn(uow, payload)


def add_publicity_consumer(runtime: ServiceRuntime) -> None:
    runtime.add_consumer(
        "publicity",
        [topics.PUBLICITY],
        {
            PublicityDecisionPublished.event_type: _on_published,
            PublicityDecisionWithdrawn.event_type: _on_withdrawn,
        },
    )
