"""The trigger as a test harness: its app over HTTP, a catalog copy seeded directly, the bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, insert, select

from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_INITIATOR
from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.events.payloads import EventPayload, ListTypePublished, RepairRules
from jrp_shared.identifiers import resident_id_check_character
from jrp_shared.testing import Keys, serving
from jrp_trigger.adapters import orm
from jrp_trigger.app import create_app, trigger_of
from jrp_trigger.bootstrap import Trigger
from jrp_trigger.config import TriggerSettings
from jrp_trigger.domain.rules import add_months

TAX_LIST = "black.tax.major-violation"
ENTERPRISE = "91350100M000100Y43"
OTHER_ENTERPRISE = "91110000802100433B"
THIRD_ENTERPRISE = "91440300708461136T"
PERSON = "11010519491231002X"
OTHER_PERSON = "35010219800101001" + resident_id_check_character("35010219800101001")


def tax_entry(today: date, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "闽税-2026-0001",
        "subject": {"code": ENTERPRISE, "subject_type": "legal_person", "name": "福州示例科技"},
        "list_type": "black.tax.major-violation",
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": {"number": "闽税稽罚〔2026〕12号", "date": str(today)},
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
        "linked_persons": [{"role": "legal_representative", "name": "张三", "resident_id": PERSON}],
        "evidence_references": ["稽查报告"],
    }
    body.update(changes)
    return body


def prior_notice(on: date, **changes: Any) -> dict[str, Any]:
    """A prior notice given on `on` that the party answered (国办发〔2020〕49号; DOMAIN.md §11):
    what a black-list submission carries where the list type requires it."""
    notice: dict[str, Any] = {
        "notified_on": str(on),
        "channel": "in_person",
        "document_number": "闽税稽告〔2026〕12号",
        "response_received": True,
    }
    notice.update(changes)
    return notice


def list_type(code: str = TAX_LIST, **changes: Any) -> ListTypePublished:
    """A list type version as the registry publishes it; by default the tax black list, in
    force since 2020 (so decisions of past years can be tested)."""
    fields: dict[str, Any] = {
        "code": code,
        "version": 1,
        "effective_from": date(2020, 1, 1),
        "name": "重大税收违法失信主体",
        "name_en": "Parties to major tax violations",
        "colour": code.split(".")[0],
        "domain": code.split(".")[1],
        "initiating_departments": ["tax"],
        "lawful_area": "fair-market-and-social-order" if code.startswith("black.") else None,
        "grounds": "重大税收违法行为",
        "legal_basis": "《中华人民共和国税收征收管理法》",
        "default_period_months": 36,
        "max_period_months": 36,
        "recognition_meeting_required": False,
        "includes_linked_persons": code.startswith("black."),
        "suspend_during_objection": True,
        "receipt_deadline_working_days": 3,
        "feedback_deadline_working_days": 20,
        "repair": RepairRules(repairable=False),
        "sources": ["DOMAIN §4"],
    }
    fields.update(changes)
    return ListTypePublished.model_validate(fields)


COURT_LIST = "black.judicial.dishonest-judgment-debtor"
DEBTOR = OTHER_PERSON
"""An adult natural person (born 1980-01-01): a judgment debtor the court may list."""


def court_case(**changes: Any) -> dict[str, Any]:
    """The court's record of an entry on the court list (DOMAIN.md §11)."""
    case: dict[str, Any] = {
        "court": "福州市中级人民法院",
        "case_number": "(2025)闽01执123号",
        "filing_date": "2013-01-15",
        "enforcement_basis": {"issuer": "福州市中级人民法院", "number": "(2024)闽01民初45号"},
        "obligation": "偿还借款本金人民币五十万元及利息",
        "performance": "none",
    }
    case.update(changes)
    return case


def court_entry(today: date, **changes: Any) -> dict[str, Any]:
    """A court-list listing of an adult debtor, decided `today`, for the default two years."""
    body: dict[str, Any] = {
        "record_id": "闽01执-2026-0001",
        "subject": {"code": DEBTOR, "subject_type": "natural_person", "name": "李四"},
        "list_type": COURT_LIST,
        "grounds": "有履行能力而拒不履行生效法律文书确定的义务",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "decision_document": {"number": "(2025)闽01执123号之一", "date": str(today)},
        "period": {"start": str(today), "end": str(add_months(today, 24))},
        "disclosure_class": "public",
        "court_case": court_case(),
    }
    body.update(changes)
    return body


def court_list_type(**changes: Any) -> ListTypePublished:
    """The court's list as the current catalog has it: adults only, a court case record, two
    years extended by one to three (法释〔2017〕7号)."""
    fields: dict[str, Any] = {
        "name": "失信被执行人",
        "name_en": "Dishonest judgment debtors",
        "initiating_departments": ["court"],
        "lawful_area": "legal-obligations",
        "default_period_months": 24,
        "max_period_months": 60,
        "suspend_during_objection": False,
        "minimum_age_years": 18,
        "court_case_required": True,
        "period_extension": {
            "min_months": 12,
            "max_months": 36,
            "grounds": ["violent_obstruction", "multiple_dishonest_acts"],
        },
        "deletion": {"deadline_working_days": 3, "grounds": ["obligations_performed"]},
    }
    fields.update(changes)
    return list_type(COURT_LIST, **fields)


def publicity_penalty(decided: date, severity: str = "general", **changes: Any) -> dict[str, Any]:
    """A general penalty decision of market regulation (DOMAIN.md §12), decided `decided`."""
    body: dict[str, Any] = {
        "record_id": "闽市监罚-2026-0001",
        "kind": "penalty",
        "counterpart": {
            "name": "福州示例科技有限公司",
            "category": "legal_person",
            "code": ENTERPRISE,
            "legal_representative": "张三",
        },
        "decision_number": "榕市监罚〔2026〕12号",
        "decision_date": str(decided),
        "penalty": {
            "illegal_act": "发布虚假广告",
            "provision_violated": "《中华人民共和国广告法》第二十八条",
            "legal_basis": "《中华人民共和国广告法》第五十五条",
            "penalty_types": ["fine"],
            "content": "罚款人民币五万元",
            "fine_amount": 50000,
            "severity": severity,
        },
    }
    body.update(changes)
    return body


def publicity_licence(decided: date, **changes: Any) -> dict[str, Any]:
    """A licence decision (DOMAIN.md §12), decided `decided`."""
    body: dict[str, Any] = {
        "record_id": "闽市监许-2026-0001",
        "kind": "licence",
        "counterpart": {
            "name": "福州示例科技有限公司",
            "category": "legal_person",
            "code": ENTERPRISE,
        },
        "decision_number": "榕市监许〔2026〕3号",
        "decision_date": str(decided),
        "licence": {
            "document_name": "食品经营许可决定书",
            "category": "ordinary",
            "certificate_name": "食品经营许可证",
            "certificate_number": "JY13501000000001",
            "content": "预包装食品销售",
            "valid_from": str(decided),
        },
    }
    body.update(changes)
    return body


@dataclass
class TriggerUnderTest:
    app: FastAPI
    client: AsyncClient
    keys: Keys

    @property
    def trigger(self) -> Trigger:
        return trigger_of(self.app)

    def as_department(self, code: str = "tax", *roles: str) -> dict[str, str]:
        return self.keys.headers(code, *(roles or (ROLE_INITIATOR,)))

    def as_office(self) -> dict[str, str]:
        return self.keys.headers("credit-office", ROLE_ADMINISTRATOR)

    async def seed(self, *versions: ListTypePublished) -> None:
        """Put list type versions straight into the catalog copy (what the catalog consumer
        stores from the registry's events)."""
        table = orm.catalog_copy.list_types
        async with self.trigger.runtime.db.sessions() as session:
            await session.execute(
                insert(table),
                [
                    {
                        "code": v.code,
                        "version": v.version,
                        "effective_from": v.effective_from,
                        "payload": v.model_dump(mode="json"),
                    }
                    for v in versions
                ],
            )
            await session.commit()

    async def outbox(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The bodies of the events this service emitted, oldest first."""
        t = orm.messaging.outbox
        query = select(t.c.body).order_by(t.c.id)
        if event_type is not None:
            query = query.where(t.c.event_type == event_type)
        async with self.trigger.runtime.db.sessions() as session:
            return [json.loads(body) for body in await session.scalars(query)]

    async def count(self, table_name: str) -> int:
        table = orm.metadata.tables[table_name]
        async with self.trigger.runtime.db.sessions() as session:
            found = await session.scalar(select(func.count()).select_from(table))
        return int(found or 0)

    async def send(self, *messages: Message) -> None:
        await self.trigger.runtime.bus.publish(messages)

    async def publish(self, payload: EventPayload, source: str) -> None:
        """An event as another service's relay puts it on the bus."""
        await self.send(payload.message(source))

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Every dead letter so far (read by a group of the test's own)."""
        subscription = self.trigger.runtime.bus.subscribe("test-inspector", [topics.DEAD_LETTER])
        await subscription.start()
        try:
            records = await subscription.poll(max_records=1000, timeout_ms=100)
        finally:
            await subscription.stop()
        return [json.loads(r.value or b"{}") for r in records]


@asynccontextmanager
async def running_trigger(settings: TriggerSettings, keys: Keys) -> AsyncIterator[TriggerUnderTest]:
    app = create_app(settings)
    async with serving(app, "trigger") as client:
        yield TriggerUnderTest(app, client, keys)
