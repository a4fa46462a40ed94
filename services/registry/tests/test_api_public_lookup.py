"""The public credit lookup on the real database (issue 13 parts 1 and 3): no token, what is
shown and what never is, the search by name, the refusals and the rate limit."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jrp_registry.adapters import orm
from jrp_registry.adapters.entries import EntryRepository
from jrp_registry.app import registry_of
from jrp_registry.domain.publication import add_months
from jrp_registry.testing import (
    LISTED_ENTERPRISE,
    LISTED_PERSON,
    REPRESENTATIVE,
    RegistryUnderTest,
    court_entry,
    entry_in_force,
    registry_settings,
    running_registry,
)
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import (
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    Period,
    SubjectReference,
)
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.testing import Keys, PostgresDatabases, eventually, sample_resident_id
from jrp_shared.vocabulary import CaseKind, DisclosureClass, SubjectType

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
TODAY = china_date(NOW)
TRIGGER = "/jrp/trigger"


async def _lookup(registry: RegistryUnderTest, code: str) -> httpx.Response:
    return await registry.client.get(f"/v1/public/subjects/{code}")


async def _entries(registry: RegistryUnderTest, code: str = LISTED_ENTERPRISE) -> list[str]:
    response = await _lookup(registry, code)
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    return [e["entry_id"] for e in response.json()["entries"]]


async def _search(registry: RegistryUnderTest, q: str, **params: Any) -> list[dict[str, Any]]:
    response = await registry.client.get("/v1/public/subjects", params={"q": q, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "zh-CN"
    found: list[dict[str, Any]] = response.json()
    return found


async def test_a_public_entry_is_shown_with_its_fields_in_chinese(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    await registry.feed(entry_in_force())
    response = await _lookup(registry, LISTED_ENTERPRISE)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "zh-CN"
    body = response.json()
    assert body["code"] == LISTED_ENTERPRISE
    assert body["name"] == "福州市閩江科技有限公司"
    assert body["subject_type"] == "legal_person"
    assert body["division_code"] == "350100"
    assert body["publicity_decisions"] == []
    [entry] = body["entries"]
    assert entry["entry_id"] == "entry-1"
    assert entry["list_type"] == {
        "code": "black.tax.major-violation",
        "name": "重大税收违法失信主体",
    }
    assert entry["colour"] == "black"
    assert entry["grounds"] == "虚开增值税专用发票"
    assert entry["deciding_department"] == {"code": "tax", "name": "国家税务总局福州市税务局"}
    assert entry["decision_document"]["number"] == "闽税稽罚〔2026〕12号"
    start = TODAY - timedelta(days=30)
    assert entry["period"] == {
        "start": start.isoformat(),
        "end": (TODAY + timedelta(days=700)).isoformat(),
    }
    # The tax list publishes at most 36 months from the period's start (the catalog's rule).
    capped = add_months(start, 36) - timedelta(days=1)
    assert entry["publication_ends"] == min(capped, TODAY + timedelta(days=700)).isoformat()
    assert entry["measures"], "the measures in plain words"
    for measure in entry["measures"]:
        assert measure["content"] and measure["implementing_department"]["name"]
        assert (
            measure["implementing_department"]["name"] != measure["implementing_department"]["code"]
        )
    assert entry["court_case"] is None
    # The legal representative by name, never a linked person's resident ID.
    assert entry["legal_representative"] == "张三"
    assert REPRESENTATIVE not in response.text
    assert REPRESENTATIVE[:14] not in response.text


async def test_what_is_not_public_is_not_shown(registry: RegistryUnderTest) -> None:
    await registry.seed_catalog()
    await registry.feed(
        entry_in_force(),
        entry_in_force(entry_id="authorised", disclosure_class=DisclosureClass.AUTHORISED_QUERY),
        entry_in_force(entry_id="sharing", disclosure_class=DisclosureClass.GOVERNMENT_SHARING),
        entry_in_force(
            entry_id="expired",
            period=Period(start=TODAY - timedelta(days=400), end=TODAY - timedelta(days=1)),
        ),
        entry_in_force(
            entry_id="past-maximum",
            period=Period(start=TODAY - timedelta(days=1200), end=TODAY + timedelta(days=30)),
        ),
        entry_in_force(
            entry_id="not-yet",
            period=Period(start=TODAY + timedelta(days=1), end=TODAY + timedelta(days=30)),
        ),
        entry_in_force(entry_id="suspended"),
        ListEntrySuspended(
            entry_id="suspended",
            version=1,
            subject_code=LISTED_ENTERPRISE,
            case_kind=CaseKind.OBJECTION,
            case_id="obj-1",
            suspended_at=NOW,
        ),
    )
    assert await _entries(registry) == ["entry-1"]
    found = await _search(registry, "閩江科技")
    assert [(f["code"], f["public_entries"]) for f in found] == [(LISTED_ENTERPRISE, 1)]


async def test_revoked_and_repaired_entries_disappear_and_stay_gone(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    await registry.feed(entry_in_force(), entry_in_force(entry_id="entry-2"))
    assert sorted(await _entries(registry)) == ["entry-1", "entry-2"]
    await registry.feed(
        ListEntryRevoked(
            entry_id="entry-1",
            version=1,
            subject_code=LISTED_ENTERPRISE,
            reason="决定被撤销",
            revoked_by="tax",
            revoked_at=NOW,
        ),
        ListEntryRepaired(
            entry_id="entry-2",
            version=1,
            subject_code=LISTED_ENTERPRISE,
            repair_id="rep-1",
            repaired_by="tax",
            repaired_at=NOW,
        ),
    )
    assert await _entries(registry) == []
    # A late duplicate of the in-force event changes nothing; the record is kept, not deleted.
    await registry.feed(entry_in_force())
    assert await _entries(registry) == []
    async with registry_of(registry.app).runtime.db.sessions() as session:
        kept = await EntryRepository(session).entries_of(LISTED_ENTERPRISE)
    assert [(e.entry_id, e.status.value) for e in kept] == [
        ("entry-1", "revoked"),
        ("entry-2", "repaired"),
    ]
    assert kept[0].payload["grounds"] == "虚开增值税专用发票"
    # Known only from its listings, with nothing public: not found (answering would tell that
    # a record exists); once a department registers it, its registration data is answered.
    response = await _lookup(registry, LISTED_ENTERPRISE)
    assert response.status_code == 404
    registered = await registry.client.post(
        "/v1/subjects",
        json={
            "code": LISTED_ENTERPRISE,
            "subject_type": "legal_person",
            "name": "福州市闽江科技有限公司",
        },
        headers=registry.as_department("market"),
    )
    assert registered.status_code == 201, registered.text
    response = await _lookup(registry, LISTED_ENTERPRISE)
    assert response.status_code == 200 and response.json()["entries"] == []


async def test_a_person_is_shown_only_on_the_court_list_masked_and_404_is_the_same(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    other = sample_resident_id(4_242)
    await registry.feed(
        court_entry(),
        entry_in_force(
            entry_id="tax-person",
            subject=SubjectReference(
                code=other, subject_type=SubjectType.NATURAL_PERSON, name="王五"
            ),
            linked_persons=[],
        ),
    )
    response = await _lookup(registry, LISTED_PERSON)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == mask_resident_id(LISTED_PERSON)
    assert LISTED_PERSON not in response.text
    assert body["name"] == "李四"
    [entry] = body["entries"]
    assert entry["list_type"]["name"] == "失信被执行人"
    assert entry["legal_representative"] is None
    assert entry["court_case"] == {
        "court": "福州市鼓楼区人民法院",
        "case_number": "(2026)闽0102执1234号",
        "filing_date": "2026-01-05",
        "enforcement_basis": {"issuer": "福州市鼓楼区人民法院", "number": "(2025)闽0102民初88号"},
        "obligation": "偿还借款本金人民币十万元",
        "performance": "none",
        "performed_part": None,
    }
    # A person on a list that does not publish persons, and a code no one has: one answer.
    hidden = await _lookup(registry, other)
    unknown = await _lookup(registry, sample_resident_id(9_999))
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert other not in hidden.text
    # By name: the court-listed person is found, masked; the other is not.
    assert [f["code"] for f in await _search(registry, "李四")] == [mask_resident_id(LISTED_PERSON)]
    assert await _search(registry, "王五") == []


async def test_search_by_traditional_non_contiguous_pinyin_and_initials(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    await registry.feed(entry_in_force())
    for q in ("闽江", "閩江", "福州科技", "fuzhou", "minjiang", "fzmjkj", "福州市閩江科技有限公司"):
        found = await _search(registry, q)
        assert [f["code"] for f in found] == [LISTED_ENTERPRISE], q
        assert found[0]["public_entries"] == 1
    assert await _search(registry, "科技福州") == []
    # A complete USCC answers that subject.
    assert [f["code"] for f in await _search(registry, LISTED_ENTERPRISE.lower())] == [
        LISTED_ENTERPRISE
    ]


async def test_refusals_name_the_field_and_the_reason(registry: RegistryUnderTest) -> None:
    await registry.feed(court_entry())
    for q in (LISTED_PERSON[:10], LISTED_PERSON, f"李四{LISTED_PERSON[-6:]}"):
        response = await registry.client.get("/v1/public/subjects", params={"q": q})
        assert response.status_code == 422, response.text
        [problem] = response.json()["errors"]
        assert (problem["field"], problem["reason"]) == ("query.q", "identifier_fragment")
        assert q not in response.text
    too_long = await registry.client.get("/v1/public/subjects", params={"q": "福" * 51})
    assert too_long.status_code == 422
    too_many = await registry.client.get("/v1/public/subjects", params={"q": "福", "limit": 51})
    assert too_many.status_code == 422
    nothing = await registry.client.get("/v1/public/subjects", params={"q": "（）"})
    assert nothing.status_code == 422
    assert nothing.json()["errors"][0]["reason"] == "nothing_searchable"


async def test_the_registry_knows_every_listed_subject_without_overwriting_registered_ones(
    registry: RegistryUnderTest,
) -> None:
    await registry.feed(entry_in_force())
    # The department search finds the listed subject, by a traditional name part.
    response = await registry.client.get(
        "/v1/subjects", params={"q": "閩江"}, headers=registry.as_department()
    )
    assert [s["code"] for s in response.json()] == [LISTED_ENTERPRISE]
    # A department registers it: its registration takes the listed subject over.
    registered = await registry.client.post(
        "/v1/subjects",
        json={
            "code": LISTED_ENTERPRISE,
            "subject_type": "legal_person",
            "name": "福州闽江科技有限公司",
        },
        headers=registry.as_department("market"),
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["revision"] == 2
    # A later listing under another name does not overwrite what the department registered.
    await registry.feed(
        entry_in_force(
            entry_id="entry-9",
            subject=SubjectReference(
                code=LISTED_ENTERPRISE, subject_type=SubjectType.LEGAL_PERSON, name="别的名字"
            ),
        )
    )
    subject = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}", headers=registry.as_department()
    )
    assert subject.json()["name"] == "福州闽江科技有限公司"
    history = await registry.client.get(
        f"/v1/subjects/{LISTED_ENTERPRISE}/history", headers=registry.as_department()
    )
    assert [(r["revision"], r["recorded_by"]) for r in history.json()] == [
        (1, "list-entries"),
        (2, "market"),
    ]
    # Registered twice is still a conflict.
    again = await registry.client.post(
        "/v1/subjects",
        json={"code": LISTED_ENTERPRISE, "subject_type": "legal_person", "name": "x"},
        headers=registry.as_department("market"),
    )
    assert again.status_code == 409


async def test_the_consumer_takes_list_entries_from_the_bus_once(
    registry: RegistryUnderTest,
) -> None:
    await registry.seed_catalog()
    message = entry_in_force().message(TRIGGER)
    await registry.send(message)
    assert await eventually(lambda: _entries(registry)) == ["entry-1"]
    await registry.send(message)  # redelivered
    await registry.send(entry_in_force(entry_id="entry-2").message(TRIGGER))
    await eventually(lambda: _two(registry))
    async with registry_of(registry.app).runtime.db.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(orm.list_entries))
    assert rows == 2


async def _two(registry: RegistryUnderTest) -> list[str] | None:
    found = await _entries(registry)
    return found if len(found) == 2 else None


@pytest.fixture
async def throttled(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> AsyncIterator[RegistryUnderTest]:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
        public_rate_limit="3/minute",
    )
    async with running_registry(settings, keys) as registry:
        yield registry


async def test_the_public_routes_are_rate_limited_per_address(
    throttled: RegistryUnderTest,
) -> None:
    answers = [
        (await throttled.client.get("/v1/public/subjects", params={"q": "福州"})).status_code,
        (await _lookup(throttled, LISTED_ENTERPRISE)).status_code,
        (await throttled.client.get("/v1/public/subjects", params={"q": "厦门"})).status_code,
    ]
    assert answers == [200, 404, 200]
    refused = await _lookup(throttled, LISTED_ENTERPRISE)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # The department routes are not counted against it.
    inside = await throttled.client.get("/v1/subjects", headers=throttled.as_department())
    assert inside.status_code == 200


async def test_a_listed_subject_follows_later_listings_until_a_department_writes_it(
    registry: RegistryUnderTest,
) -> None:
    def named(name: str, entry_id: str) -> Any:
        return entry_in_force(
            entry_id=entry_id,
            subject=SubjectReference(
                code=LISTED_ENTERPRISE, subject_type=SubjectType.LEGAL_PERSON, name=name
            ),
        )

    async def name() -> str:
        r = await registry.client.get(
            f"/v1/subjects/{LISTED_ENTERPRISE}", headers=registry.as_department()
        )
        assert r.status_code == 200, r.text
        found: str = r.json()["name"]
        return found

    await registry.seed_catalog()  # the entries are public: the search finds the subject
    await registry.feed(named("福州甲公司", "e-1"), named("福州乙公司", "e-2"))
    assert await name() == "福州乙公司"  # still only listed: the later listing renames it
    assert [f["code"] for f in await _search(registry, "乙公司")] == [LISTED_ENTERPRISE]
    assert await _search(registry, "甲公司") == []
    # Its registration authority (market, USCC position 1 = 9) corrects it; no one else may.
    body = {"name": "福州丙公司"}
    refused = await registry.client.put(
        f"/v1/subjects/{LISTED_ENTERPRISE}", json=body, headers=registry.as_department("tax")
    )
    assert refused.status_code == 403
    changed = await registry.client.put(
        f"/v1/subjects/{LISTED_ENTERPRISE}", json=body, headers=registry.as_department("market")
    )
    assert changed.status_code == 200, changed.text
    await registry.feed(named("福州丁公司", "e-3"))
    assert await name() == "福州丙公司"
