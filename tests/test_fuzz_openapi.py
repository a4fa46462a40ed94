"""Schemathesis over all four services: no request, however malformed, gets a server error
(5xx) or crashes the service (issue 11), and no answer contradicts the service's OpenAPI
document: status, media type and body as documented (issue 17).

Each service runs in this process on a fresh real PostgreSQL database and the embedded bus
(the fuzz is about HTTP; the bus is exercised by the Kafka tests), with a little seed data so
requests reach past "not found": the seed catalog, one entry, its orders. Every operation of
its OpenAPI is fuzzed as a department, as the credit office's portal, and as a subject
(tests/fuzzing.py). The example count is bounded here (JRP_FUZZ_EXAMPLES); `make fuzz` runs
the same with more and its figures are in docs/security.md, "Fuzzing".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fuzzing import HEADER, Figures, Identity, fuzz
from jrp_appeals.cli import MIGRATIONS as APPEALS_MIGRATIONS
from jrp_appeals.config import AppealsSettings
from jrp_appeals.testing import running_appeals
from jrp_enforcement.cli import MIGRATIONS as ENFORCEMENT_MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.testing import entry_in_force as enforcement_entry
from jrp_enforcement.testing import running_enforcement
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.cli import MIGRATIONS as REGISTRY_MIGRATIONS
from jrp_registry.config import DEFAULT_CATALOG_DIR, RegistrySettings
from jrp_registry.testing import running_registry
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, ROLE_INITIATOR, ROLE_PORTAL
from jrp_shared.events.payloads import ListTypePublished, MeasurePublished
from jrp_shared.testing import Keys, PostgresDatabases, eventually
from jrp_trigger.cli import MIGRATIONS as TRIGGER_MIGRATIONS
from jrp_trigger.config import TriggerSettings
from jrp_trigger.testing import list_type, running_trigger, tax_entry

pytestmark = pytest.mark.integration

ENTERPRISE = "91350100M000100Y43"
LEGAL_REPRESENTATIVE = "11010519491231002X"
TAX_LIST = "black.tax.major-violation"
MEASURE = "finance.no-government-procurement"


def known(**ids: list[str]) -> dict[str, list[str]]:
    """Seeded values by parameter or field name, which the fuzzer draws now and then
    (tests/fuzzing.py): the shared ones and this service's `ids`."""
    return {
        "code": [ENTERPRISE, "tax", TAX_LIST, MEASURE],
        "subject_code": [ENTERPRISE],
        "resident_id": [LEGAL_REPRESENTATIVE],
        "list_type": [TAX_LIST],
        "department": ["tax", "credit-office"],
        **ids,
    }


TOKEN_SECONDS = 3600
"""Longer than a `make fuzz` run of one identity (the default lifetime is 15 minutes)."""


def identities(keys: Keys) -> list[Identity]:
    """A department that posts and implements, the office with its portal, a subject."""

    def bearer(token: tuple[str, int]) -> str:
        return f"Bearer {token[0]}"

    issuer = keys.issuer
    return [
        Identity(
            "department",
            bearer(
                issuer.issue(
                    "tax",
                    frozenset({ROLE_INITIATOR, ROLE_IMPLEMENTER}),
                    ttl_seconds=TOKEN_SECONDS,
                )
            ),
        ),
        Identity(
            "office",
            bearer(
                issuer.issue(
                    "credit-office",
                    frozenset({ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR, ROLE_PORTAL}),
                    ttl_seconds=TOKEN_SECONDS,
                )
            ),
        ),
        Identity(
            "subject",
            bearer(
                issuer.issue_for_subject(
                    ENTERPRISE, agent="credit-office", ttl_seconds=TOKEN_SECONDS
                )
            ),
        ),
    ]


def catalog() -> tuple[list[ListTypePublished], list[MeasurePublished]]:
    """The seed catalog as the registry publishes it."""
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    on = bundle.effective_from
    return (
        [
            ListTypePublished(version=1, effective_from=on, **t.model_dump())
            for t in bundle.list_types
        ],
        [MeasurePublished(version=1, effective_from=on, **m.model_dump()) for m in bundle.measures],
    )


def common(keys: Keys, tmp_path: Path) -> dict[str, Any]:
    return {
        "bus": "embedded",
        "embedded_bus_path": tmp_path / "bus.sqlite3",
        "auth_public_key_file": keys.public_key_file,
        "log_json": False,
        "log_level": "WARNING",
    }


def no_server_error(figures: Sequence[Figures]) -> None:
    print("\n" + HEADER)
    for f in figures:
        print(f.line())
    for f in figures:
        assert f.operations > 0 and f.cases > 0, f"{f.service} as {f.identity}: nothing tested"
        assert f.failures == 0 and f.errors == 0, (
            f"{f.service} as {f.identity}: {f.failures} failures, {f.errors} errors\n{f.details}"
        )


async def test_registry(postgres: PostgresDatabases, keys: Keys, tmp_path: Path) -> None:
    settings = RegistrySettings(
        database_url=await postgres.fresh("registry", REGISTRY_MIGRATIONS),
        signing_key_file=keys.private_key_file,
        **common(keys, tmp_path),
    )
    async with running_registry(settings, keys) as registry:
        await registry.seed_catalog()
        created = await registry.client.post(
            "/v1/subjects",
            json={
                "code": ENTERPRISE,
                "subject_type": "legal_person",
                "name": "福州示例科技有限公司",
                "linked_persons": [
                    {
                        "role": "legal_representative",
                        "name": "张三",
                        "resident_id": LEGAL_REPRESENTATIVE,
                    }
                ],
            },
            headers=registry.as_department("market"),
        )
        assert created.status_code == 201, created.text
        no_server_error(
            await fuzz(registry.app, "registry", identities(keys), tmp_path, known=known())
        )


async def test_trigger(postgres: PostgresDatabases, keys: Keys, tmp_path: Path) -> None:
    settings = TriggerSettings(
        database_url=await postgres.fresh("trigger", TRIGGER_MIGRATIONS),
        **common(keys, tmp_path),
    )
    async with running_trigger(settings, keys) as trigger:
        await trigger.seed(list_type())
        created = await trigger.client.post(
            "/v1/list-entries",
            json=tax_entry(trigger.trigger.today()),
            headers=trigger.as_department("tax"),
        )
        assert created.status_code == 201, created.text
        today = trigger.trigger.today()
        seeded = known(
            entry_id=[created.json()["entry_id"]],
            **{
                "subject.code": [ENTERPRISE],
                "linked_persons[*].resident_id": [LEGAL_REPRESENTATIVE],
                "decision_document.date": [str(today)],
                "period.start": [str(today)],
                "period.end": [str(today + timedelta(days=700))],
            },
        )
        no_server_error(
            await fuzz(trigger.app, "trigger", identities(keys), tmp_path, known=seeded)
        )


async def test_enforcement(postgres: PostgresDatabases, keys: Keys, tmp_path: Path) -> None:
    settings = EnforcementSettings(
        database_url=await postgres.fresh("enforcement", ENFORCEMENT_MIGRATIONS),
        expiry_interval_seconds=3600,
        **common(keys, tmp_path),
    )
    async with running_enforcement(settings, keys) as enforcement:
        await enforcement.seed_catalog(*catalog())
        await enforcement.publish(enforcement_entry())

        async def orders() -> list[dict[str, Any]]:
            answer = await enforcement.client.get(
                "/v1/sanction-orders", headers=enforcement.as_office()
            )
            found: list[dict[str, Any]] = answer.json() if answer.status_code == 200 else []
            return found

        planned = await eventually(orders, within=30)
        seeded = known(entry_id=["entry-1"], order_id=[o["order_id"] for o in planned[:5]])
        no_server_error(
            await fuzz(enforcement.app, "enforcement", identities(keys), tmp_path, known=seeded)
        )


async def test_appeals(postgres: PostgresDatabases, keys: Keys, tmp_path: Path) -> None:
    settings = AppealsSettings(
        database_url=await postgres.fresh("appeals", APPEALS_MIGRATIONS),
        **common(keys, tmp_path),
    )
    async with running_appeals(settings, keys) as appeals:
        list_types, _ = catalog()
        await appeals.seed_catalog(list_types)
        entry = await appeals.list_entry()
        objected = await appeals.object_to(entry.entry_id, appeals.as_subject(ENTERPRISE))
        assert objected.status_code == 201, objected.text
        seeded = known(entry_id=[entry.entry_id], objection_id=[objected.json()["objection_id"]])
        no_server_error(
            await fuzz(appeals.app, "appeals", identities(keys), tmp_path, known=seeded)
        )
