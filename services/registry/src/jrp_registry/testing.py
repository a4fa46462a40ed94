"""The registry as a test harness: service tests and cross-service tests both use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import create_app, registry_of
from jrp_registry.config import DEFAULT_CATALOG_DIR, RegistrySettings
from jrp_registry.service_layer import handlers
from jrp_registry.service_layer.entries import record_entry_event
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, ROLE_PORTAL
from jrp_shared.bus.base import Message
from jrp_shared.clock import Clock, china_date
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintDecided,
    ComplaintFiled,
    CourtCase,
    DecisionDocument,
    EnforcementBasis,
    EventPayload,
    LinkedPersonRecord,
    ListEntryInForce,
    ObjectionDecided,
    ObjectionFiled,
    Period,
    RepairApplied,
    RepairDecided,
    SubjectReference,
)
from jrp_shared.identifiers import resident_id_check_character
from jrp_shared.testing import Keys, PostgresDatabases, sample_uscc, serving
from jrp_shared.vocabulary import (
    DisclosureClass,
    LinkedPersonRole,
    ListColour,
    ObjectionOutcome,
    PartyKind,
    PerformanceState,
    Remedy,
    RepairRoute,
    SubjectType,
)


@dataclass
class RegistryUnderTest:
    app: FastAPI
    client: AsyncClient
    keys: Keys

    def as_department(self, code: str = "tax") -> dict[str, str]:
        return self.keys.headers(code, ROLE_INITIATOR, ROLE_IMPLEMENTER)

    def as_office(self) -> dict[str, str]:
        return self.keys.headers("credit-office", ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR)

    def as_portal(self, code: str = "credit-office") -> dict[str, str]:
        return self.keys.headers(code, ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR, ROLE_PORTAL)

    def as_subject(self, subject_code: str, portal: str = "credit-office") -> dict[str, str]:
        token, _ = self.keys.issuer.issue_for_subject(subject_code, agent=portal)
        return {"Authorization": f"Bearer {token}"}

    async def send(self, *messages: Message) -> None:
        """Messages onto the registry's bus, as another service's relay puts them."""
        await registry_of(self.app).runtime.bus.publish(messages)

    async def feed(self, *events: EventPayload) -> None:
        """List-entry events straight into the consumer's handler, each in its own unit of
        work, as the list-entries consumer runs it (without the inbox)."""
        for event in events:
            async with registry_of(self.app).runtime.uow() as uow:
                await record_entry_event(uow, event)
                await uow.commit()

    async def seed_catalog(self) -> handlers.LoadReport:
        async with registry_of(self.app).runtime.uow() as uow:
            return await handlers.load_catalog(
                uow, read_catalog(DEFAULT_CATALOG_DIR), "credit-office"
            )


async def registry_settings(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, **overrides: Any
) -> RegistrySettings:
    """A registry on a fresh migrated database, the embedded bus and the test keys; `overrides`
    set anything else (rate limits, OIDC)."""
    from jrp_registry.cli import MIGRATIONS

    return RegistrySettings(
        database_url=await postgres.fresh("registry", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        signing_key_file=keys.private_key_file,
        log_json=False,
        **overrides,
    )


@asynccontextmanager
async def running_registry(
    settings: RegistrySettings, keys: Keys, *, clock: Clock | None = None
) -> AsyncIterator[RegistryUnderTest]:
    app = create_app(settings, clock=clock)
    async with serving(app, "registry") as client:
        yield RegistryUnderTest(app, client, keys)


# --- due-process events as appeals sends them (appeals.v1) ---------------------------------------

FILED_AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DECIDED_AT = datetime(2027, 3, 15, 16, 0, tzinfo=UTC)


def objection_filed(
    subject: str, case_id: str = "obj-1", entry_id: str = "entry-1"
) -> ObjectionFiled:
    return ObjectionFiled(
        case_id=case_id,
        entry_id=entry_id,
        entry_version=1,
        subject_code=subject,
        list_type="black.tax.major-violation",
        provider="tax",
        filed_by=CaseParty(kind=PartyKind.SUBJECT, code=subject, agent="credit-office"),
        grounds="the amount is wrong",
        evidence_references=["doc-1"],
        suspends=True,
        filed_at=FILED_AT,
        decision_due=date(2027, 3, 29),
        due_provisional=False,
    )


def objection_decided(
    subject: str, case_id: str = "obj-1", entry_id: str = "entry-1"
) -> ObjectionDecided:
    return ObjectionDecided(
        case_id=case_id,
        entry_id=entry_id,
        subject_code=subject,
        outcome=ObjectionOutcome.INFORMATION_WRONG,
        remedy=Remedy.REVOKE,
        correction=None,
        reasons="the decision document was annulled",
        decided_by="tax",
        decided_at=DECIDED_AT,
        restoration_duty="tax",
    )


def complaint_filed(subject: str, case_id: str = "cmp-1") -> ComplaintFiled:
    base = objection_filed(subject, case_id).model_dump()
    return ComplaintFiled(**base, objection_id="obj-1")


def complaint_decided(subject: str, case_id: str = "cmp-1") -> ComplaintDecided:
    base = objection_decided(subject, case_id).model_dump()
    base.update(outcome=ObjectionOutcome.INFORMATION_RIGHT, remedy=None, restoration_duty=None)
    return ComplaintDecided(**base, objection_id="obj-1")


def repair_applied(subject: str, repair_id: str = "rep-1") -> RepairApplied:
    return RepairApplied(
        repair_id=repair_id,
        entry_id="entry-2",
        subject_code=subject,
        department="tax",
        route=RepairRoute.CORRECTION,
        applied_at=FILED_AT,
        decision_due=date(2027, 3, 15),
        due_provisional=False,
    )


def repair_decided(subject: str, repair_id: str = "rep-1", *, approved: bool) -> RepairDecided:
    return RepairDecided(
        repair_id=repair_id,
        entry_id="entry-2",
        subject_code=subject,
        approved=approved,
        reasons="obligations met" if approved else "the fine is unpaid",
        decided_by="tax",
        decided_at=DECIDED_AT,
    )


# --- list entries as trigger sends them (list-entries.v1) ----------------------------------------

TAX_LIST = "black.tax.major-violation"
COURT_LIST = "black.judicial.dishonest-judgment-debtor"
LISTED_ENTERPRISE = sample_uscc(13_013)
LISTED_PERSON = "35010219800101001" + resident_id_check_character("35010219800101001")
REPRESENTATIVE = "35010219700101002" + resident_id_check_character("35010219700101002")


def entry_in_force(**changes: Any) -> ListEntryInForce:
    """A public tax black-list entry of a Fuzhou enterprise named in traditional characters,
    with its legal representative, in force from 30 days ago (China) for two years."""
    today = china_date(datetime.now(UTC))
    fields: dict[str, Any] = {
        "entry_id": "entry-1",
        "version": 1,
        "record_id": "闽税-2026-0001",
        "initiating_department": "tax",
        "subject": SubjectReference(
            code=LISTED_ENTERPRISE,
            subject_type=SubjectType.LEGAL_PERSON,
            name="福州市閩江科技有限公司",
        ),
        "list_type": TAX_LIST,
        "list_type_version": 1,
        "colour": ListColour.BLACK,
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": DecisionDocument(
            number="闽税稽罚〔2026〕12号", date=today - timedelta(days=30)
        ),
        "period": Period(start=today - timedelta(days=30), end=today + timedelta(days=700)),
        "disclosure_class": DisclosureClass.PUBLIC,
        "linked_persons": [
            LinkedPersonRecord(
                role=LinkedPersonRole.LEGAL_REPRESENTATIVE, name="张三", resident_id=REPRESENTATIVE
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
            code=LISTED_PERSON, subject_type=SubjectType.NATURAL_PERSON, name="李四"
        ),
        "list_type": COURT_LIST,
        "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
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
