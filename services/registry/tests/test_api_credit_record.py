"""Authorised credit queries and credit reports on the real database (issue 13 part 2;
DOMAIN.md §3, 000 (四)): who reads which disclosure class, every read recorded, the PDF, and
the public verification of its code."""

import hashlib
from datetime import timedelta
from typing import Any

import pytest

from jrp_registry.app import registry_of
from jrp_registry.service_layer import publicity
from jrp_registry.testing import LISTED_ENTERPRISE, RegistryUnderTest, entry_in_force
from jrp_shared.events.payloads import (
    ListEntryRevoked,
    PenaltyDetails,
    PublicityCounterpart,
    PublicityDecisionPublished,
)
from jrp_shared.vocabulary import (
    DisclosureClass,
    DishonestySeverity,
    PenaltyType,
    PublicityKind,
    SubjectType,
)

pytestmark = pytest.mark.integration

PURPOSE = {"purpose": "tender", "business_reference": "闽采〔2026〕88号招标"}


async def _three_entries(registry: RegistryUnderTest) -> None:
    await registry.seed_catalog()
    await registry.feed(
        entry_in_force(entry_id="e-public"),
        entry_in_force(
            entry_id="e-authorised",
            record_id="r-2",
            disclosure_class=DisclosureClass.AUTHORISED_QUERY,
        ),
        entry_in_force(
            entry_id="e-sharing",
            record_id="r-3",
            disclosure_class=DisclosureClass.GOVERNMENT_SHARING,
        ),
    )


async def _record(
    registry: RegistryUnderTest, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    r = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/credit-record", params=params, headers=headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_the_subject_sees_its_authorised_entries_a_department_all_and_reads_are_kept(
    registry: RegistryUnderTest,
) -> None:
    await _three_entries(registry)
    own = await _record(registry, registry.as_subject(LISTED_ENTERPRISE))
    assert {e["entry_id"] for e in own["entries"]} == {"e-public", "e-authorised"}
    assert own["withheld"] == 1
    assert own["entries"][0]["department_name"] == "国家税务总局福州市税务局"
    assert own["entries"][0]["list_type_name"] == "重大税收违法失信主体"

    market = await _record(registry, registry.as_department("market"), **PURPOSE)
    assert {e["entry_id"] for e in market["entries"]} == {"e-public", "e-authorised", "e-sharing"}
    assert market["reader"] == "market" and market["purpose"] == "tender"

    # Without a lawful purpose a department is refused, naming both fields.
    refused = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/credit-record",
        headers=registry.as_department("market"),
    )
    assert refused.status_code == 422
    assert {p["field"] for p in refused.json()["errors"]} >= {
        "query.purpose",
        "query.business_reference",
    }
    # A subject token reaches only its own record.
    other = await registry.client.get(
        "/v1/subjects/91110000802100433B/credit-record",
        headers=registry.as_subject(LISTED_ENTERPRISE),
    )
    assert other.status_code == 403

    # Who looked at me: the subject (and the office) see every read, newest first.
    reads = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/credit-record/reads",
        headers=registry.as_subject(LISTED_ENTERPRISE),
    )
    assert reads.status_code == 200, reads.text
    logged = reads.json()
    assert [(r["reader"], r["purpose"]) for r in logged] == [
        ("market", "tender"),
        (f"subject:{LISTED_ENTERPRISE}", None),
    ]
    assert {e["entry_id"] for e in logged[0]["shown"]["entries"]} == {
        "e-public",
        "e-authorised",
        "e-sharing",
    }
    assert logged[1]["agent"] == "credit-office"
    foreign = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/credit-record/reads",
        headers=registry.as_department("market"),
    )
    assert foreign.status_code == 404


async def test_a_credit_report_is_a_pdf_whose_code_the_public_lookup_verifies(
    registry: RegistryUnderTest,
) -> None:
    await _three_entries(registry)
    published = entry_in_force().recorded_at
    penalty = PublicityDecisionPublished(
        decision_id="d-credit",
        version=1,
        record_id="rec-1",
        kind=PublicityKind.PENALTY,
        department="market",
        counterpart=PublicityCounterpart(
            name="福州市閩江科技有限公司", category=SubjectType.LEGAL_PERSON, code=LISTED_ENTERPRISE
        ),
        decision_number="榕市监罚〔2026〕15号",
        decision_date=published.date(),
        penalty=PenaltyDetails(
            illegal_act="销售不合格产品",
            provision_violated="《产品质量法》第四十九条",
            legal_basis="《产品质量法》第四十九条",
            penalty_types=[PenaltyType.FINE],
            content="罚款人民币五万元",
            severity=DishonestySeverity.GENERAL,
        ),
        publication_due=published.date() + timedelta(days=9),
        published_at=published,
        late=False,
        publication_ends=published.date() + timedelta(days=365),
        repair_guidance="满三个月后可申请信用修复",
    )
    async with registry_of(registry.app).runtime.uow() as uow:
        await publicity.take_published(uow, penalty, penalty.published_at)
        await uow.commit()
    r = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/credit-report",
        headers=registry.as_subject(LISTED_ENTERPRISE),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    code, report_id = r.headers["x-verification-code"], r.headers["x-report-id"]
    assert code.encode() in r.content and report_id.encode() in r.content

    # Anyone handed the report checks it without a token, however the code is typed.
    verified = await registry.client.get(
        f"/v1/public/credit-reports/{code.replace('-', '').lower()}"
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["report_id"] == report_id
    assert set(body["entry_ids"]) == {"e-public", "e-authorised"}  # what the report stated
    assert body["decision_ids"] == ["d-credit"]  # and its double-publicity decision
    assert body["digest"] == hashlib.sha256(r.content).hexdigest()

    # A revocation later does not change what the report stated.
    await registry.feed(
        ListEntryRevoked(
            entry_id="e-public",
            version=1,
            subject_code=LISTED_ENTERPRISE,
            reason="复议撤销",
            revoked_by="tax",
            revoked_at=entry_in_force().recorded_at,
        )
    )
    again = await registry.client.get(f"/v1/public/credit-reports/{code}")
    assert set(again.json()["entry_ids"]) == {"e-public", "e-authorised"}
    # The record read now shows it revoked.
    now = await _record(registry, registry.as_subject(LISTED_ENTERPRISE))
    assert {e["entry_id"]: e["status"] for e in now["entries"]}["e-public"] == "revoked"
    assert [(d["kind_zh"], d["decision_number"]) for d in now["decisions"]] == [
        ("行政处罚", "榕市监罚〔2026〕15号")
    ]

    unknown = await registry.client.get("/v1/public/credit-reports/ABCD-EFGH-JKLM-NPQR")
    assert unknown.status_code == 404
    malformed = await registry.client.get("/v1/public/credit-reports/not-a-code")
    assert malformed.status_code == 422
