"""The enforcement service as a test harness: its app over HTTP, a movable clock, and ways
to feed it the catalog and list entries without the other services."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from jrp_enforcement.adapters import orm
from jrp_enforcement.app import create_app
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.service_layer.context import OrdersContext
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER
from jrp_shared.bus.base import Message
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    DecisionDocument,
    EventPayload,
    LinkedPersonRecord,
    ListEntryInForce,
    ListTypePublished,
    MeasurePublished,
    Period,
    SubjectReference,
)
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.testing import Keys, serving
from jrp_shared.vocabulary import DisclosureClass, LinkedPersonRole, ListColour, SubjectType

TAX_LIST = "black.tax.major-violation"
ENTERPRISE = "91350100M000100Y43"
LEGAL_REPRESENTATIVE = "11010519491231002X"


def entry_in_force(**changes: Any) -> ListEntryInForce:
    """A tax black-list entry of a Fuzhou enterprise with its legal representative linked,
    in force 2026-11-20 to 2029-11-19 (override any field)."""
    fields: dict[str, Any] = {
        "entry_id": "entry-1",
        "version": 1,
        "record_id": "闽税-2026-0001",
        "initiating_department": "tax",
        "subject": SubjectReference(
            code=ENTERPRISE, subject_type=SubjectType.LEGAL_PERSON, name="福州示例科技有限公司"
        ),
        "list_type": TAX_LIST,
        "list_type_version": 1,
        "colour": ListColour.BLACK,
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": DecisionDocument(
            number="闽税稽罚〔2026〕12号", date=date(2026, 11, 20)
        ),
        "period": Period(start=date(2026, 11, 20), end=date(2029, 11, 19)),
        "disclosure_class": DisclosureClass.PUBLIC,
        "linked_persons": [
            LinkedPersonRecord(
                role=LinkedPersonRole.LEGAL_REPRESENTATIVE,
                name="张三",
                resident_id=LEGAL_REPRESENTATIVE,
            )
        ],
        "evidence_references": [],
        "recorded_at": datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return ListEntryInForce(**fields)


@dataclass
class EnforcementUnderTest:
    app: FastAPI
    client: AsyncClient
    keys: Keys

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    @property
    def orders(self) -> OrdersContext:
        orders: OrdersContext = self.app.state.orders
        return orders

    def as_department(self, code: str, *roles: str) -> dict[str, str]:
        return self.keys.headers(code, *(roles or (ROLE_IMPLEMENTER,)))

    def as_office(self) -> dict[str, str]:
        return self.keys.headers("credit-office", ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR)

    def set_time(self, moment: datetime) -> None:
        """Move the service's clock (timezone-aware moment)."""
        self.orders.clock = lambda: moment

    async def seed_catalog(
        self, list_types: Sequence[ListTypePublished], measures: Sequence[MeasurePublished]
    ) -> None:
        """Store catalog versions in the service's copy as its consumer would."""
        catalog: CatalogCopy = self.app.state.catalog_copy
        handlers = catalog.handlers()
        async with self.runtime.uow() as uow:
            for payload in [*list_types, *measures]:
                envelope = Envelope(
                    source="/jrp/registry",
                    type=payload.event_type,
                    data=payload.model_dump(mode="json"),
                )
                await handlers[payload.event_type](uow, envelope, payload)
            await uow.commit()

    async def publish(self, *payloads: EventPayload, source: str = "/jrp/trigger") -> None:
        """Put events on the bus as another service's relay would, all in one append."""
        messages = [payload.message(source) for payload in payloads]
        await self.runtime.bus.publish(messages)

    async def send(self, *messages: Message) -> None:
        await self.runtime.bus.publish(messages)

    async def emitted(self, event_type: str) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(topic, key, payload) of every event of `event_type` this service wrote to its
        outbox, in order."""
        outbox = orm.messaging.outbox
        async with self.runtime.db.sessions() as session:
            rows = await session.execute(
                select(outbox.c.topic, outbox.c.key, outbox.c.body)
                .where(outbox.c.event_type == event_type)
                .order_by(outbox.c.id)
            )
            return [(r.topic, r.key, json.loads(r.body)) for r in rows]


@asynccontextmanager
async def running_enforcement(
    settings: EnforcementSettings, keys: Keys
) -> AsyncIterator[EnforcementUnderTest]:
    app = create_app(settings)
    async with serving(app, "enforcement") as client:
        yield EnforcementUnderTest(app, client, keys)


VOLATILE = frozenset({"check_id", "batch_id", "checked_at"})
"""What differs between two answers to the same must-check (the request's id and time)."""


def comparable(answer: Any) -> Any:
    """A must-check answer without what differs per request, to compare two answers (e.g.
    of two replicas)."""
    if isinstance(answer, dict):
        return {k: comparable(v) for k, v in answer.items() if k not in VOLATILE}
    if isinstance(answer, list):
        return [comparable(v) for v in answer]
    return answer
