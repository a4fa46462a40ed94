"""Must-check through HTTP on a real PostgreSQL database (DOMAIN.md §6).

Entries, targets and orders are written straight into the service's tables (as the order
lifecycle stores them) before the service starts, so the index is loaded from them at start;
later changes go through a unit of work and `EntryChanges.announce`, as the order code does.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from jrp_enforcement.adapters import check_index, orm
from jrp_enforcement.adapters.check_index import LiveCheckIndex
from jrp_enforcement.cli import MIGRATIONS
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.domain.batches import BatchPolicy
from jrp_enforcement.service_layer.changes import EntryChanges
from jrp_enforcement.service_layer.checks import CheckService
from jrp_enforcement.testing import EnforcementUnderTest, entry_in_force, running_enforcement
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import china_date, system_clock
from jrp_shared.db import Database
from jrp_shared.events.payloads import DecisionDocument, ListTypePublished, Period
from jrp_shared.events.payloads import SubjectReference as Subject
from jrp_shared.identifiers import (
    mask_resident_id,
    resident_id_check_character,
    uscc_check_character,
)
from jrp_shared.testing import Keys, PostgresDatabases, eventually, sample_resident_id
from jrp_shared.vocabulary import ListColour, SubjectType

pytestmark = pytest.mark.integration

ENTERPRISE = "91350100M000100Y43"
PERSON = "11010519491231002X"
RED_CO = "91110000802100433B"
LATE_CO = "91440300708461136T"
TODAY = china_date(datetime.now(UTC))


def _uscc(body: str) -> str:
    return body + uscc_check_character(body)


UNLISTED = _uscc("91350100MA0000001")
LATER = _uscc("91350100MA0000002")
SUSPENDED_CO = _uscc("91350100MA0000003")


def _measure(code: str, *, mandatory: bool, kind: str = "punishment") -> dict[str, Any]:
    return {
        "code": code,
        "version": 1,
        "content": f"{code} 的内容",
        "content_en": code,
        "kind": kind,
        "mandatory": mandatory,
        "legal_basis": "《中华人民共和国税收征收管理法》",
    }


INVOICES = _measure("tax.no-new-invoice-quota", mandatory=True)
MONITORING = _measure("tax.key-monitoring", mandatory=False)
EXIT_CONTROL = _measure("tax.legal-rep-exit-control", mandatory=True)
PROCUREMENT = _measure("finance.no-government-procurement", mandatory=True)
INSPECTION = _measure("market.tighter-random-inspection", mandatory=True)
GREEN_CHANNEL = _measure("tax.green-channel", mandatory=False, kind="reward")


async def _add_entry(
    conn: AsyncConnection,
    entry_id: str,
    *,
    subject: str,
    person: str | None = None,
    colour: ListColour = ListColour.BLACK,
    list_type: str = "black.tax.major-violation",
    start: date = TODAY - timedelta(days=10),
    end: date = TODAY + timedelta(days=1000),
    status: str = "in_force",
    orders: Sequence[tuple[str, str, list[dict[str, Any]], str]] = (),
    suspended_for: str | None = None,
) -> None:
    """An entry with its targets and orders (department, target code, measures, state);
    `suspended_for` a case kind suspends it (DOMAIN.md §7)."""
    payload = entry_in_force(
        entry_id=entry_id,
        subject=Subject(
            code=subject, subject_type=SubjectType.LEGAL_PERSON, name=f"{entry_id} 公司"
        ),
        colour=colour,
        list_type=list_type,
        decision_document=DecisionDocument(number=f"闽税稽罚〔2026〕{entry_id}号", date=start),
        period=Period(start=start, end=end),
        linked_persons=[] if person is None else entry_in_force().linked_persons,
    )
    now = datetime.now(UTC)
    await conn.execute(
        insert(orm.list_entries).values(
            entry_id=entry_id,
            version=1,
            subject_code=subject,
            list_type=list_type,
            colour=colour.value,
            initiating_department="tax",
            period_start=start,
            period_end=end,
            status=status,
            payload=payload.model_dump(mode="json"),
            received_at=now,
            updated_at=now,
            suspension_case_kind=suspended_for,
            suspension_case_id=None if suspended_for is None else f"{suspended_for}-1",
            suspended_since=None if suspended_for is None else now,
        )
    )
    targets = [(subject, "subject", "legal_person", f"{entry_id} 公司")]
    if person is not None:
        targets.append((person, "legal_representative", "natural_person", "张三"))
    await conn.execute(
        insert(orm.entry_targets),
        [
            {"entry_id": entry_id, "code": c, "role": r, "subject_type": t, "name": n}
            for c, r, t, n in targets
        ],
    )
    roles = {c: r for c, r, _, _ in targets}
    for n, (department, target, measures, state) in enumerate(orders):
        await conn.execute(
            insert(orm.sanction_orders).values(
                order_id=f"{entry_id}-{n}",
                revision=1,
                sequence=1,
                entry_id=entry_id,
                entry_version=1,
                department=department,
                listed_subject_code=subject,
                target_code=target,
                target_role=roles[target],
                list_type=list_type,
                colour=colour.value,
                measures=measures,
                state=state,
                issued_at=now,
                receipt_due=TODAY + timedelta(days=5),
                feedback_due=TODAY + timedelta(days=30),
                deadlines_provisional=False,
                lifted_at=now if state == "lifted" else None,
                lift_reason="corrected" if state == "lifted" else None,
            )
        )


async def _seed(url: str, list_types: list[ListTypePublished]) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(orm.catalog_copy.list_types),
            [
                {
                    "code": t.code,
                    "version": t.version,
                    "effective_from": t.effective_from,
                    "payload": t.model_dump(mode="json"),
                }
                for t in list_types
            ],
        )
        await _add_entry(
            conn,
            "tax-1",
            subject=ENTERPRISE,
            person=PERSON,
            orders=[
                ("tax", ENTERPRISE, [INVOICES, MONITORING], "issued"),
                ("tax", PERSON, [EXIT_CONTROL], "received"),
                ("finance", ENTERPRISE, [PROCUREMENT], "fed_back"),
                ("market", ENTERPRISE, [INSPECTION], "lifted"),
            ],
        )
        await _add_entry(
            conn,
            "red-1",
            subject=RED_CO,
            colour=ListColour.RED,
            list_type="red.tax.a-grade-taxpayer",
            orders=[("tax", RED_CO, [GREEN_CHANNEL], "issued")],
        )
        # Ends today: in force today, not tomorrow (judged at query time).
        await _add_entry(
            conn,
            "ends-today",
            subject=LATE_CO,
            end=TODAY,
            orders=[("tax", LATE_CO, [INVOICES], "issued")],
        )
        await _add_entry(conn, "revoked-1", subject=UNLISTED, status="revoked")
        # Suspended pending a complaint since before its original end: still answered.
        await _add_entry(
            conn,
            "suspended-1",
            subject=SUSPENDED_CO,
            end=TODAY - timedelta(days=3),
            status="suspended",
            suspended_for="complaint",
            orders=[("tax", SUSPENDED_CO, [INVOICES], "suspended")],
        )
        await _add_entry(
            conn,
            "over-1",
            subject=UNLISTED,
            start=TODAY - timedelta(days=400),
            end=TODAY - timedelta(days=1),
        )
    await engine.dispose()


@pytest.fixture
async def service(
    postgres: PostgresDatabases,
    keys: Keys,
    tmp_path: Path,
    catalog: tuple[list[ListTypePublished], list[Any]],
) -> AsyncIterator[EnforcementUnderTest]:
    url = await postgres.fresh("enforcement", MIGRATIONS)
    await _seed(url, catalog[0])
    settings = EnforcementSettings(
        database_url=url,
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        expiry_interval_seconds=3600,
    )
    async with running_enforcement(settings, keys) as running:
        await asyncio.wait_for(_checks(running).live.wait_ready(), 20)
        yield running


def _checks(service: EnforcementUnderTest) -> CheckService:
    checks: CheckService = service.app.state.checks
    return checks


async def _check(service: EnforcementUnderTest, code: str, department: str = "tax") -> Any:
    response = await service.client.get(
        f"/v1/checks/{code}", headers=service.as_department(department)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _codes(measures: list[dict[str, Any]]) -> list[str]:
    return [m["code"] for m in measures]


async def _audit_rows(service: EnforcementUnderTest) -> list[Any]:
    async with service.runtime.db.sessions() as session:
        rows = await session.execute(select(orm.check_audit).order_by(orm.check_audit.c.id))
        return list(rows)


async def test_the_listed_enterprise_and_its_legal_representative_get_their_measures(
    service: EnforcementUnderTest,
) -> None:
    ready = await service.client.get("/readyz")
    assert ready.json()["checks"]["check_index"] is True

    enterprise = await _check(service, ENTERPRISE)
    assert (enterprise["listed"], enterprise["rewarded"]) == (True, False)
    [entry] = enterprise["entries"]
    assert entry["entry_id"] == "tax-1"
    assert entry["roles"] == ["subject"]
    assert entry["list_type"] == "black.tax.major-violation"
    assert entry["list_type_name"] == "重大税收违法失信主体"  # from the catalog copy
    assert entry["colour"] == "black"
    assert entry["listed_subject"] == {
        "code": ENTERPRISE,
        "subject_type": "legal_person",
        "name": "tax-1 公司",
    }
    assert entry["decision_document"]["number"] == "闽税稽罚〔2026〕tax-1号"
    assert entry["legal_basis"] == "《中华人民共和国税收征收管理法》第六十三条"
    assert entry["period"]["end"] == (TODAY + timedelta(days=1000)).isoformat()
    assert entry["initiating_department"] == "tax"
    assert _codes(enterprise["mandatory_measures"]) == ["tax.no-new-invoice-quota"]
    assert _codes(enterprise["recommended_measures"]) == ["tax.key-monitoring"]
    assert enterprise["mandatory_measures"][0]["entry_ids"] == ["tax-1"]
    assert enterprise["rewards"] == []
    assert enterprise["department"] == "tax" and enterprise["on"] == TODAY.isoformat()

    person = await _check(service, PERSON.lower())
    assert person["subject_code"] == PERSON and person["listed"] is True
    assert person["entries"][0]["roles"] == ["legal_representative"]
    assert person["entries"][0]["listed_subject"]["code"] == ENTERPRISE
    assert _codes(person["mandatory_measures"]) == ["tax.legal-rep-exit-control"]
    assert person["recommended_measures"] == []

    finance = await _check(service, ENTERPRISE, "finance")
    assert _codes(finance["mandatory_measures"]) == ["finance.no-government-procurement"]


async def test_a_red_list_entry_gives_rewards(service: EnforcementUnderTest) -> None:
    red = await _check(service, RED_CO)
    assert (red["listed"], red["rewarded"]) == (False, True)
    assert _codes(red["rewards"]) == ["tax.green-channel"]
    assert red["mandatory_measures"] == red["recommended_measures"] == []
    assert red["entries"][0]["list_type_name"] == "纳税信用A级纳税人"


async def test_lifted_orders_ended_periods_and_revoked_entries_answer_nothing(
    service: EnforcementUnderTest,
) -> None:
    market = await _check(service, ENTERPRISE, "market")
    assert market["listed"] is True  # still on the list...
    assert market["mandatory_measures"] == [] and market["entries"][0]["measures"] == []
    unlisted = await _check(service, UNLISTED)  # revoked, and a period that ended yesterday
    assert (unlisted["listed"], unlisted["entries"]) == (False, [])

    assert (await _check(service, LATE_CO))["listed"] is True  # its last day
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    service.set_time(tomorrow)  # no expiry sweep has run: the check alone must tell
    late = await _check(service, LATE_CO)
    assert (late["listed"], late["mandatory_measures"]) == (False, [])
    assert (await _check(service, ENTERPRISE))["listed"] is True


async def test_a_suspended_entry_is_loaded_and_answered_with_no_measure(
    service: EnforcementUnderTest,
) -> None:
    body = await _check(service, SUSPENDED_CO)
    assert (body["listed"], body["rewarded"], body["suspended"]) == (False, False, True)
    [entry] = body["entries"]
    assert (entry["entry_id"], entry["status"], entry["note"], entry["measures"]) == (
        "suspended-1",
        "suspended",
        "suspended pending complaint",
        [],
    )
    assert body["mandatory_measures"] == body["recommended_measures"] == []
    enterprise = await _check(service, ENTERPRISE)
    assert enterprise["suspended"] is False
    assert {e["status"] for e in enterprise["entries"]} == {"in_force"}
    batch = await service.client.post(
        "/v1/checks/batch",
        json={
            "purpose": "licensing",
            "business_reference": "test-1",
            "codes": [SUSPENDED_CO, UNLISTED],
        },
        headers=service.as_department("tax"),
    )
    assert (batch.json()["suspended"], batch.json()["listed"]) == (1, 0)
    assert [a["suspended"] for a in batch.json()["answers"]] == [True, False]
    rows = await _audit_rows(service)
    assert rows[0].answer["suspended"] == ["suspended-1"] and rows[0].listed is False
    assert [r.answer.get("suspended") for r in rows[1:]] == [None, ["suspended-1"], None]


async def test_changes_committed_after_start_reach_the_index(service: EnforcementUnderTest) -> None:
    changes: EntryChanges = service.app.state.entry_changes
    assert (await _check(service, LATER))["listed"] is False

    async with service.runtime.uow() as uow:
        await _add_entry(
            await uow.session.connection(),
            "later-1",
            subject=LATER,
            person=PERSON,
            orders=[("tax", LATER, [INVOICES], "issued")],
        )
        changes.announce(uow, ["later-1"])
        await uow.commit()

    async def listed() -> Any:
        body = await _check(service, LATER)
        return body if body["listed"] else None

    later = await eventually(listed, within=10)
    assert _codes(later["mandatory_measures"]) == ["tax.no-new-invoice-quota"]
    person = await _check(service, PERSON)
    assert sorted(e["entry_id"] for e in person["entries"]) == ["later-1", "tax-1"]

    # The tax order of tax-1 is lifted and the entry revoked later: both show after commit.
    async with service.runtime.uow() as uow:
        await uow.session.execute(
            update(orm.sanction_orders)
            .where(orm.sanction_orders.c.order_id == "tax-1-0")
            .values(state="lifted")
        )
        await uow.session.execute(
            update(orm.list_entries)
            .where(orm.list_entries.c.entry_id == "later-1")
            .values(status="revoked")
        )
        changes.announce(uow, ["tax-1", "later-1"])
        await uow.commit()

    async def settled() -> Any:
        body = await _check(service, ENTERPRISE)
        return body if body["mandatory_measures"] == [] else None

    enterprise = await eventually(settled, within=10)
    assert enterprise["recommended_measures"] == []  # both were on the lifted order
    assert (await _check(service, LATER))["listed"] is False
    assert [e["entry_id"] for e in (await _check(service, PERSON))["entries"]] == ["tax-1"]


async def test_a_batch_answers_each_code_and_refuses_bad_ones_one_by_one(
    service: EnforcementUnderTest,
) -> None:
    codes = [ENTERPRISE, PERSON, "91350100M000100Y42", RED_CO, UNLISTED, "110105194912310021"]
    response = await service.client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": codes},
        headers={**service.as_department("tax"), "X-Correlation-ID": "batch-corr"},
    )
    assert response.status_code == 200, response.text
    batch = response.json()
    assert (batch["checked"], batch["listed"], batch["rewarded"], batch["refused"]) == (4, 2, 1, 2)
    answers = batch["answers"]
    assert [a.get("listed") for a in answers] == [True, True, None, False, False, None]
    assert _codes(answers[0]["mandatory_measures"]) == ["tax.no-new-invoice-quota"]
    assert _codes(answers[1]["mandatory_measures"]) == ["tax.legal-rep-exit-control"]
    assert _codes(answers[3]["rewards"]) == ["tax.green-channel"]
    bad_uscc, bad_person = answers[2], answers[5]
    assert bad_uscc["index"] == 2 and bad_uscc["subject_code"] == "91350100M000100Y42"
    assert bad_uscc["errors"][0] | {"message": ""} == {
        "field": "body.codes.2",
        "reason": "uscc_check_character",
        "message": "",
        "position": 18,
    }
    assert bad_person["subject_code"] == "110105********0021"  # never echoed in clear
    assert bad_person["errors"][0]["reason"] == "resident_id_check_character"

    rows = await _audit_rows(service)
    assert [r.subject_code for r in rows] == [ENTERPRISE, PERSON, RED_CO, UNLISTED]
    assert {r.batch_id for r in rows} == {batch["batch_id"]}
    assert {r.correlation_id for r in rows} == {"batch-corr"}
    assert [r.listed for r in rows] == [True, True, False, False]
    assert rows[0].answer["check_id"] == answers[0]["check_id"]
    assert rows[0].answer["entries"] == ["tax-1"]
    assert rows[3].answer["entries"] == [] and rows[3].answer["department"] == "tax"


async def test_every_check_is_recorded_before_it_is_answered(
    service: EnforcementUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {**service.as_department("finance"), "X-Correlation-ID": "corr-1"}
    responses = await asyncio.gather(
        *(
            service.client.get(f"/v1/checks/{code}", headers=headers)
            for code in [ENTERPRISE, PERSON, RED_CO, UNLISTED] * 5
        )
    )
    assert all(r.status_code == 200 for r in responses)
    rows = await _audit_rows(service)
    assert len(rows) == 20
    by_check = {r.answer["check_id"]: r for r in rows}
    for response in responses:
        body = response.json()
        row = by_check[body["check_id"]]
        assert (row.department, row.subject_code, row.listed) == (
            "finance",
            body["subject_code"],
            body["listed"],
        )
        assert row.batch_id is None and row.correlation_id == "corr-1"
        assert row.answer["mandatory"] == _codes(body["mandatory_measures"])
        assert row.answer["entries"] == [e["entry_id"] for e in body["entries"]]
    assert _checks(service).audit.commits < 20  # the checks shared commits

    # A check whose row cannot be stored is not answered.
    async def broken(_rows: object) -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr(_checks(service).audit, "_store", broken)
    monkeypatch.setattr(_checks(service).audit, "_store_rows", broken)
    failed = await service.client.get(f"/v1/checks/{ENTERPRISE}", headers=headers)
    assert failed.status_code == 503 and failed.json()["code"] == "audit_unavailable"
    assert "listed" not in failed.text
    batch = await service.client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": [RED_CO]},
        headers=headers,
    )
    assert batch.status_code == 503
    async with service.runtime.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(orm.check_audit)) == 20


async def test_who_may_ask_and_what_is_refused(service: EnforcementUnderTest) -> None:
    own = service.as_department("tax")
    other = await service.client.get(
        f"/v1/checks/{ENTERPRISE}", params={"department": "finance"}, headers=own
    )
    assert other.status_code == 403
    batch_other = await service.client.post(
        "/v1/checks/batch",
        json={
            "purpose": "licensing",
            "business_reference": "test-1",
            "department": "finance",
            "codes": [ENTERPRISE],
        },
        headers=own,
    )
    assert batch_other.status_code == 403
    office = await service.client.get(
        f"/v1/checks/{ENTERPRISE}", params={"department": "finance"}, headers=service.as_office()
    )
    assert office.status_code == 200
    assert _codes(office.json()["mandatory_measures"]) == ["finance.no-government-procurement"]

    assert (await service.client.get(f"/v1/checks/{ENTERPRISE}")).status_code == 401
    invalid = await service.client.get("/v1/checks/11010519491231002Y", headers=own)
    assert invalid.status_code == 422
    [problem] = invalid.json()["errors"]
    assert (problem["field"], problem["reason"], problem["position"]) == (
        "path.subject_code",
        "resident_id_character",
        18,
    )
    assert "11010519491231002" not in invalid.text
    empty = await service.client.post(
        "/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "test-1", "codes": []},
        headers=own,
    )
    assert empty.status_code == 422
    too_many = await service.client.post(
        "/v1/checks/batch",
        json={
            "purpose": "licensing",
            "business_reference": "test-1",
            "codes": [ENTERPRISE] * 100_001,
        },
        headers=own,
    )
    assert too_many.status_code == 422

    stats = await service.client.get("/v1/check-index", headers=service.as_office())
    assert stats.status_code == 200 and stats.json()["entries"] == 4
    assert (await service.client.get("/v1/check-index", headers=own)).status_code == 403
    assert len(await _audit_rows(service)) == 1  # refused checks are not checks


async def test_entries_stored_before_their_orders_come_answer_the_same(
    postgres: PostgresDatabases,
    catalog: tuple[list[ListTypePublished], list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A load stores the entries that come before the (sorted) orders without them, and
    gives them their orders once they come: forced for every entry here, every code must
    answer as from a load that had the orders at once (measures fetched by key included)."""
    url = await postgres.fresh("enforcement", MIGRATIONS)
    await _seed(url, catalog[0])
    db = Database(url)
    codes = (ENTERPRISE, PERSON, RED_CO, LATE_CO, SUSPENDED_CO, UNLISTED)
    answers, sizes = [], []
    try:
        for orders_come_late in (False, True):
            if orders_come_late:
                monkeypatch.setattr(check_index._Chunks, "started", lambda _self: False)
            live = LiveCheckIndex(db, CatalogCopy(orm.catalog_copy), system_clock)
            await live._load_all()
            answers.append({code: live.index.lookup(code) for code in codes})
            sizes.append((len(live.index), live.index.codes))
    finally:
        await db.dispose()
    at_once, later = answers
    assert later == at_once and sizes == [(4, 5), (4, 5)]
    [tax] = at_once[PERSON]
    assert [o.department for o in tax.orders] == ["finance", "tax", "tax"]  # lifted: not kept
    assert at_once[SUSPENDED_CO][0].suspended == "complaint"


def _ids_fitting(masked: str, *, count: int) -> list[str]:
    """Valid resident IDs that fit a mask (first 6 and last 4 shown): the finding's batch."""
    found: list[str] = []
    day = date(1930, 1, 1)
    while len(found) < count:
        body = f"{masked[:6]}{day:%Y%m%d}{masked[14:17]}"
        if resident_id_check_character(body) == masked[17]:
            found.append(body + masked[17])
        day += timedelta(days=1)
    return found


async def test_a_batch_enumerating_a_masked_resident_id_is_refused(
    service: EnforcementUnderTest,
) -> None:
    """Issue 11 finding 4: one batch of the 2,293 codes that fit `350102********1236` found
    the listed person. Now refused (422, naming the limit) before anything is looked up,
    and kept for the office."""
    codes = _ids_fitting(mask_resident_id(PERSON), count=2_293)
    assert PERSON in codes
    body = {"purpose": "licensing", "business_reference": "许可-2026-001", "codes": codes}
    refused = await service.client.post(
        "/v1/checks/batch", json=body, headers=service.as_department("youth-league")
    )
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["errors"]
    assert problem["field"] == "body.codes" and problem["reason"] == "enumerating_batch"
    assert problem["limit"] == 50 and "at most 50" in problem["message"]
    assert "listed" not in refused.text and PERSON not in refused.text
    assert await _audit_rows(service) == []  # nothing was checked
    office = await service.client.get(
        "/v1/check-batches", params={"flagged": "true"}, headers=service.as_office()
    )
    [kept] = office.json()
    assert kept["department"] == "youth-league" and kept["codes"] == 2_293
    assert kept["business_reference"] == "许可-2026-001"
    assert kept["flags"][0].startswith("refused: 2293 resident IDs share")
    metrics = (await service.client.get("/metrics")).text
    assert "jrp_check_batches_refused_total 1.0" in metrics
    # A few such codes (a family, a register extract) are checked as usual.
    few = {**body, "codes": codes[:50]}
    answered = await service.client.post(
        "/v1/checks/batch", json=few, headers=service.as_department("tax")
    )
    assert answered.status_code == 200, answered.text


async def test_a_batch_names_its_purpose_and_business_reference_kept_with_it(
    service: EnforcementUnderTest,
) -> None:
    own = service.as_department("tax")
    for missing in ("purpose", "business_reference"):
        body = {"purpose": "tender", "business_reference": "招标-7", "codes": [ENTERPRISE]}
        del body[missing]
        refused = await service.client.post("/v1/checks/batch", json=body, headers=own)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == f"body.{missing}"
    unknown = await service.client.post(
        "/v1/checks/batch",
        json={"purpose": "curiosity", "business_reference": "x", "codes": [ENTERPRISE]},
        headers=own,
    )
    assert unknown.status_code == 422
    # Many natural persons: answered, but flagged for the office (here over 1 person).
    _checks(service).batch_policy = BatchPolicy(max_codes_per_mask=50, flag_persons_over=1)
    answered = await service.client.post(
        "/v1/checks/batch",
        json={
            "purpose": "tender",
            "business_reference": "招标-7",
            "codes": [ENTERPRISE, PERSON, sample_resident_id(3)],
        },
        headers=own,
    )
    assert answered.status_code == 200, answered.text
    batches = await service.client.get("/v1/check-batches", headers=service.as_office())
    [kept] = batches.json()
    assert (kept["purpose"], kept["business_reference"]) == ("tender", "招标-7")
    assert (kept["codes"], kept["persons"], kept["listed"]) == (3, 2, 2)
    assert kept["flags"] == ["2 natural persons (more than 1)"]
    assert kept["batch_id"] == answered.json()["batch_id"]
    assert (await service.client.get("/v1/check-batches", headers=own)).status_code == 403
    metrics = (await service.client.get("/metrics")).text
    assert 'jrp_check_batches_total{purpose="tender",review="flagged"} 1.0' in metrics
