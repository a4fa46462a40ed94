"""The appeals service as a test harness: its app over HTTP, a movable clock, the catalog
copy seeded directly, list-entry events put on the embedded bus as trigger's relay would,
and the events this service emitted read back from its outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from jrp_appeals.adapters import orm
from jrp_appeals.app import appeals_of, create_app
from jrp_appeals.bootstrap import Appeals
from jrp_appeals.config import AppealsSettings
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, ROLE_PORTAL
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import (
    CourtCase,
    DecisionDocument,
    EnforcementBasis,
    EventPayload,
    LinkedPersonRecord,
    ListEntryInForce,
    ListTypePublished,
    MeasurePublished,
    MeasureStatus,
    OrderStatuses,
    Period,
    SanctionOrderStatus,
    SubjectReference,
)
from jrp_shared.identifiers import resident_id_check_character
from jrp_shared.testing import Keys, eventually, serving
from jrp_shared.vocabulary import (
    DisclosureClass,
    LinkedPersonRole,
    ListColour,
    OrderState,
    PerformanceState,
    SubjectType,
    TargetRole,
)

TAX_LIST = "black.tax.major-violation"
COURT_LIST = "black.judicial.dishonest-judgment-debtor"
PROCUREMENT_LIST = "black.procurement.serious-breach"
MARKET_LIST = "black.market.serious-illegal-dishonest"
RED_TAX_LIST = "red.tax.a-grade-taxpayer"
ENTERPRISE = "91350100M000100Y43"
OTHER_ENTERPRISE = "91110000802100433B"
LEGAL_REPRESENTATIVE = "11010519491231002X"
PERSON = "35010219800101001" + resident_id_check_character("35010219800101001")
TRIGGER = "/jrp/trigger"
PORTAL = "credit-office"


def entry_in_force(**changes: Any) -> ListEntryInForce:
    """A tax black-list entry of a Fuzhou enterprise with its legal representative linked,
    in force from today (China) for about two years (override any field)."""
    today = datetime.now(UTC).date()
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
        "decision_document": DecisionDocument(number="闽税稽罚〔2026〕12号", date=today),
        "period": Period(start=today, end=today + timedelta(days=700)),
        "disclosure_class": DisclosureClass.PUBLIC,
        "linked_persons": [
            LinkedPersonRecord(
                role=LinkedPersonRole.LEGAL_REPRESENTATIVE,
                name="张三",
                resident_id=LEGAL_REPRESENTATIVE,
            )
        ],
        "evidence_references": [],
        "recorded_at": datetime.now(UTC),
    }
    fields.update(changes)
    return ListEntryInForce(**fields)


def court_entry(**changes: Any) -> ListEntryInForce:
    """A natural person on the court's list of dishonest judgment debtors."""
    fields: dict[str, Any] = {
        "entry_id": "court-1",
        "record_id": "(2026)闽0102执1234号",
        "initiating_department": "court",
        "subject": SubjectReference(
            code=PERSON, subject_type=SubjectType.NATURAL_PERSON, name="李四"
        ),
        "list_type": COURT_LIST,
        "linked_persons": [],
        "court_case": CourtCase(
            court="福州市鼓楼区人民法院",
            case_number="(2026)闽0102执1234号",
            filing_date=date(2026, 1, 5),
            enforcement_basis=EnforcementBasis(
                issuer="福州市鼓楼区人民法院", number="(2025)闽0102民初88号"
            ),
            obligation="偿还借款本金人民币十万元",
            performance=PerformanceState.NONE,
        ),
    }
    fields.update(changes)
    return entry_in_force(**fields)


@dataclass
class AppealsUnderTest:
    app: FastAPI
    client: AsyncClient
    keys: Keys

    @property
    def appeals(self) -> Appeals:
        return appeals_of(self.app)

    # --- who calls ------------------------------------------------------------------------------

    def as_department(self, code: str, *roles: str) -> dict[str, str]:
        return self.keys.headers(code, *(roles or (ROLE_INITIATOR,)))

    def as_implementer(self, code: str = "finance") -> dict[str, str]:
        return self.keys.headers(code, ROLE_IMPLEMENTER)

    def as_office(self) -> dict[str, str]:
        """The joint conference office."""
        return self.keys.headers("credit-office", ROLE_ADMINISTRATOR)

    def as_portal(self) -> dict[str, str]:
        """The credit portal: receives repair applications and forwards them (DOMAIN.md §11)."""
        return self.keys.headers(PORTAL, ROLE_PORTAL)

    def as_subject(self, code: str, agent: str = PORTAL) -> dict[str, str]:
        """A subject acting through the portal (a subject token, as the registry issues)."""
        token, _ = self.keys.issuer.issue_for_subject(code, agent=agent)
        return {"Authorization": f"Bearer {token}"}

    # --- time -----------------------------------------------------------------------------------

    def set_time(self, moment: datetime) -> None:
        """Move the service's clock (timezone-aware)."""
        self.appeals.clock = lambda: moment

    def shift_time(self, delta: timedelta) -> None:
        self.appeals.clock = lambda: datetime.now(UTC) + delta

    # --- what other services send ---------------------------------------------------------------

    async def seed_catalog(
        self, list_types: Sequence[ListTypePublished], measures: Sequence[MeasurePublished] = ()
    ) -> None:
        """Store catalog versions in the service's copy as its consumer would."""
        handlers = self.appeals.copies.catalog.handlers()
        async with self.appeals.runtime.uow() as uow:
            for payload in [*list_types, *measures]:
                envelope = Envelope(
                    source="/jrp/registry",
                    type=payload.event_type,
                    data=payload.model_dump(mode="json"),
                )
                await handlers[payload.event_type](uow, envelope, payload)
            await uow.commit()

    async def publish(self, *payloads: EventPayload, source: str = TRIGGER) -> None:
        """Put events on the bus as another service's relay would, in one append."""
        await self.appeals.runtime.bus.publish([p.message(source) for p in payloads])

    async def entry(self, entry_id: str) -> dict[str, Any] | None:
        r = await self.client.get(f"/v1/entries/{entry_id}", headers=self.as_office())
        if r.status_code == 404:
            return None
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def entry_reaches(self, entry_id: str, *, version: int = 1, status: str = "") -> None:
        """Wait until the consumer has taken the entry at `version` (and `status`)."""

        async def taken() -> bool:
            found = await self.entry(entry_id)
            return (
                found is not None
                and found["version"] == version
                and (not status or found["status"] == status)
            )

        await eventually(taken, within=20)

    async def list_entry(self, entry: ListEntryInForce | None = None) -> ListEntryInForce:
        """Publish an entry in force and wait until it is in this service's copy."""
        entry = entry or entry_in_force()
        await self.publish(entry)
        await self.entry_reaches(entry.entry_id, version=entry.version)
        return entry

    async def order_held(self, entry_id: str, department: str = "finance") -> None:
        """Enforcement reports an order of `department` from the entry (order-status.v1); wait
        until this service knows that the department may object to it."""
        now = datetime.now(UTC)
        status = SanctionOrderStatus(
            order_id=f"{entry_id}:{department}",
            sequence=1,
            revision=1,
            entry_id=entry_id,
            entry_version=1,
            department=department,
            listed_subject_code=ENTERPRISE,
            target_role=TargetRole.SUBJECT,
            state=OrderState.ISSUED,
            issued_at=now,
            receipt_due=now.date(),
            feedback_due=now.date(),
            received_at=None,
            measures=[MeasureStatus(code="m", mandatory=True, outcome=None)],
        )
        await self.publish(
            OrderStatuses(entry_id=entry_id, listed_subject_code=ENTERPRISE, statuses=[status]),
            source="/jrp/enforcement",
        )
        holders = orm.order_holders

        async def known() -> bool:
            async with self.appeals.runtime.db.sessions() as session:
                found = await session.scalar(
                    select(holders.c.department).where(
                        holders.c.entry_id == entry_id, holders.c.department == department
                    )
                )
            return found is not None

        await eventually(known, within=20)

    # --- what this service did ------------------------------------------------------------------

    async def emitted(self, event_type: str) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(topic, key, payload) of every event of `event_type` in the outbox, in order."""
        outbox = orm.messaging.outbox
        async with self.appeals.runtime.db.sessions() as session:
            rows = await session.execute(
                select(outbox.c.topic, outbox.c.key, outbox.c.body)
                .where(outbox.c.event_type == event_type)
                .order_by(outbox.c.id)
            )
            return [(r.topic, r.key, json.loads(r.body)) for r in rows]

    async def count(self, table_name: str) -> int:
        table = orm.metadata.tables[table_name]
        async with self.appeals.runtime.db.sessions() as session:
            found = await session.scalar(select(func.count()).select_from(table))
        return int(found or 0)

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Every dead letter so far (read by a group of the test's own)."""
        bus = self.appeals.runtime.bus
        subscription = bus.subscribe("test-inspector", [topics.DEAD_LETTER])
        await subscription.start()
        try:
            records = await subscription.poll(max_records=1000, timeout_ms=100)
        finally:
            await subscription.stop()
        return [json.loads(r.value or b"{}") for r in records]

    # --- the API, briefly -----------------------------------------------------------------------

    async def object_to(
        self, entry_id: str, headers: dict[str, str], grounds: str = "所列欠税已于稽查前缴清"
    ) -> Response:
        return await self.client.post(
            "/v1/objections",
            json={"entry_id": entry_id, "grounds": grounds, "evidence_references": ["完税凭证"]},
            headers=headers,
        )

    async def decide(self, path: str, headers: dict[str, str], **body: Any) -> Response:
        return await self.client.post(path, json=body, headers=headers)

    async def notified(self) -> list[tuple[str, str | None, dict[str, Any]]]:
        """`SubjectNotified` events sent, but the repair guidance every new repairable entry
        brings (两书同达), for tests about the other notices."""
        sent = await self.emitted("cn.jrp.appeals.subject.notified.v1")
        return [s for s in sent if s[2]["about"] != "repair_guidance"]

    async def notes(self, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
        """`GET /v1/notifications` but the repair guidance (see `notified`)."""
        r = await self.client.get(f"/v1/notifications{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [n for n in r.json() if n["about"] != "repair_guidance"]

    async def forward(self, repair_id: str) -> Response:
        """Stage 1 of a repair: the credit portal forwards it to the deciding authority."""
        return await self.client.post(
            f"/v1/repairs/{repair_id}/forwarding", headers=self.as_portal()
        )


def repair_body(entry_id: str, **changes: Any) -> dict[str, Any]:
    """A repair application with the evidence the tax list requires."""
    body: dict[str, Any] = {
        "entry_id": entry_id,
        "route": "correction",
        "evidence": [
            {"kind": "补缴税款、滞纳金和罚款的完税凭证", "reference": "完税证明-2026-77"},
            {"kind": "信用承诺书", "reference": "承诺书-2026-77"},
        ],
        "credit_commitment": {"text": "本企业承诺依法诚信纳税", "signed_on": str(date.today())},
    }
    body.update(changes)
    return body


@asynccontextmanager
async def running_appeals(settings: AppealsSettings, keys: Keys) -> AsyncIterator[AppealsUnderTest]:
    app = create_app(settings)
    async with serving(app, "appeals") as client:
        yield AppealsUnderTest(app, client, keys)
