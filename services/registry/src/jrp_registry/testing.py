"""The registry as a test harness: service tests and cross-service tests both use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi import FastAPI
from httpx import AsyncClient

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.app import create_app, registry_of
from jrp_registry.config import DEFAULT_CATALOG_DIR, RegistrySettings
from jrp_registry.service_layer import handlers
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, ROLE_PORTAL
from jrp_shared.bus.base import Message
from jrp_shared.events.payloads import (
    CaseParty,
    ComplaintDecided,
    ComplaintFiled,
    ObjectionDecided,
    ObjectionFiled,
    RepairApplied,
    RepairDecided,
)
from jrp_shared.testing import Keys, serving
from jrp_shared.vocabulary import ObjectionOutcome, PartyKind, Remedy, RepairRoute


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

    async def seed_catalog(self) -> handlers.LoadReport:
        async with registry_of(self.app).runtime.uow() as uow:
            return await handlers.load_catalog(
                uow, read_catalog(DEFAULT_CATALOG_DIR), "credit-office"
            )


@asynccontextmanager
async def running_registry(
    settings: RegistrySettings, keys: Keys
) -> AsyncIterator[RegistryUnderTest]:
    app = create_app(settings)
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
