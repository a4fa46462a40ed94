"""Provable must-checks on a real PostgreSQL database (DOMAIN.md §6, issue 13): the audit read
back (who may see which check), its hash chain and `verify-audit`, and checks answered as of a
past instant from the entries' history. Entries go through the service's own handlers."""

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters.audit_chain import AuditSealer
from jrp_enforcement.cli import verify_audit
from jrp_enforcement.config import EnforcementSettings
from jrp_enforcement.service_layer.entries import (
    take_entry_in_force,
    take_entry_revoked,
    take_entry_suspended,
)
from jrp_enforcement.testing import ENTERPRISE, EnforcementUnderTest, entry_in_force
from jrp_shared.events.payloads import ListEntryRevoked, ListEntrySuspended
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import CaseKind

pytestmark = pytest.mark.integration

LISTED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
REVOKED_AT = LISTED_AT + timedelta(hours=2)
NOW = REVOKED_AT + timedelta(hours=2)
OTHER_CO = "91110000802100433B"


async def _take(service: EnforcementUnderTest) -> None:
    service.set_time(LISTED_AT)
    async with service.runtime.uow() as uow:
        await take_entry_in_force(uow, service.orders, entry_in_force())
        await uow.commit()


async def _revoke(service: EnforcementUnderTest) -> None:
    service.set_time(REVOKED_AT)
    revoked = ListEntryRevoked(
        entry_id="entry-1",
        version=1,
        subject_code=ENTERPRISE,
        reason="行政复议撤销",
        revoked_by="tax",
        # Decided before the as_of below, received after it: as_of answers what the platform
        # knew then (the receiver's time), so still listed.
        revoked_at=LISTED_AT + timedelta(minutes=10),
    )
    async with service.runtime.uow() as uow:
        await take_entry_revoked(uow, service.orders, revoked)
        await uow.commit()


async def _check(
    service: EnforcementUnderTest, code: str, department: str = "tax", **params: str
) -> Any:
    response = await service.client.get(
        f"/v1/checks/{code}", params=params, headers=service.as_department(department)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _seal(service: EnforcementUnderTest) -> None:
    sealer = AuditSealer(service.runtime.db, batch=3)  # several batches: the head carries on
    while await sealer.seal_once():
        pass


async def test_an_as_of_check_answers_what_was_known_then(
    enforcement: EnforcementUnderTest,
) -> None:
    await _take(enforcement)
    await _revoke(enforcement)
    enforcement.set_time(NOW)
    before = (LISTED_AT - timedelta(minutes=30)).isoformat()
    while_listed = (LISTED_AT + timedelta(minutes=30)).isoformat()
    after = (REVOKED_AT + timedelta(minutes=30)).isoformat()

    then = await _check(enforcement, ENTERPRISE, as_of=while_listed)
    assert then["listed"] is True and [e["entry_id"] for e in then["entries"]] == ["entry-1"]
    assert then["mandatory_measures"] + then["recommended_measures"], "its measures then"
    assert then["as_of"] == while_listed and then["on"] == "2026-11-23"
    # The same for the legal representative, a linked person of the entry.
    person = await _check(enforcement, "11010519491231002X", as_of=while_listed)
    assert person["listed"] is True
    assert (await _check(enforcement, ENTERPRISE, as_of=before))["listed"] is False
    revoked = await _check(enforcement, ENTERPRISE, as_of=after)
    assert revoked["listed"] is False and revoked["entries"] == []

    async def now_unlisted() -> bool:
        return (await _check(enforcement, ENTERPRISE))["listed"] is False

    await eventually(now_unlisted)

    future = await enforcement.client.get(
        f"/v1/checks/{ENTERPRISE}",
        params={"as_of": (NOW + timedelta(days=1)).isoformat()},
        headers=enforcement.as_department("tax"),
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["reason"] == "in_the_future"
    naive = await enforcement.client.get(
        f"/v1/checks/{ENTERPRISE}",
        params={"as_of": "2026-11-23T10:00:00"},
        headers=enforcement.as_department("tax"),
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["reason"] == "timezone_required"

    # The as_of check is audited, saying so, with the answer as given then.
    audited = (
        await enforcement.client.get(
            f"/v1/checks/audit/{then['check_id']}", headers=enforcement.as_department("tax")
        )
    ).json()
    assert audited["as_of"] is not None
    assert datetime.fromisoformat(audited["as_of"]) == datetime.fromisoformat(while_listed)
    assert audited["listed"] is True and audited["answer"]["entry_versions"] == {"entry-1": 1}


async def test_the_audit_is_read_back_by_the_asker_or_the_office_only(
    enforcement: EnforcementUnderTest,
) -> None:
    await _take(enforcement)
    enforcement.set_time(NOW)

    async def listed_now() -> bool:
        return (await _check(enforcement, OTHER_CO))["listed"] is False and (
            await _check(enforcement, ENTERPRISE, "finance")
        )["listed"] is True

    await eventually(listed_now)
    mine = await _check(
        enforcement,
        ENTERPRISE,
        purpose="licensing",
        business_reference="闽税许〔2026〕88号",
    )
    assert mine["listed"] is True
    url = f"/v1/checks/audit/{mine['check_id']}"

    own = await enforcement.client.get(url, headers=enforcement.as_department("tax"))
    assert own.status_code == 200, own.text
    row = own.json()
    assert (row["department"], row["subject_code"]) == ("tax", ENTERPRISE)
    assert (row["purpose"], row["business_reference"]) == ("licensing", "闽税许〔2026〕88号")
    assert row["batch_id"] is None and row["as_of"] is None and row["correlation_id"]
    # The answer as recorded: entries with their versions, measures with theirs, list types.
    answer = row["answer"]
    assert answer["check_id"] == mine["check_id"] and answer["entries"] == ["entry-1"]
    assert answer["entry_versions"] == {"entry-1": 1}
    assert answer["list_type_versions"] == {"black.tax.major-violation": 1}
    given = mine["mandatory_measures"] + mine["recommended_measures"]
    assert answer["measure_versions"] == {m["code"]: m["version"] for m in given}

    for bad, reason in (
        ({"purpose": "curiosity"}, "enum"),
        ({"business_reference": "x" * 201}, "string_length"),
    ):
        refused_check = await enforcement.client.get(
            f"/v1/checks/{ENTERPRISE}", params=bad, headers=enforcement.as_department("tax")
        )
        assert refused_check.status_code == 422
        assert refused_check.json()["errors"][0]["reason"] == reason

    office = await enforcement.client.get(url, headers=enforcement.as_office())
    assert office.status_code == 200 and office.json()["check_id"] == mine["check_id"]
    other = await enforcement.client.get(url, headers=enforcement.as_department("finance"))
    unknown = await enforcement.client.get(
        "/v1/checks/audit/nope", headers=enforcement.as_department("finance")
    )
    assert other.status_code == unknown.status_code == 404  # no hint that it exists
    assert other.json()["code"] == unknown.json()["code"] == "not_found"

    async def listing(headers: dict[str, str], **params: Any) -> Any:
        response = await enforcement.client.get("/v1/checks/audit", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    tax = enforcement.as_department("tax")
    rows = await listing(tax)
    assert rows and {r["department"] for r in rows} == {"tax"}
    stamps = [r["asked_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    finance_rows = await listing(enforcement.as_department("finance"))
    assert finance_rows and {r["department"] for r in finance_rows} == {"finance"}
    refused = await enforcement.client.get(
        "/v1/checks/audit",
        params={"department": "tax"},
        headers=enforcement.as_department("finance"),
    )
    assert refused.status_code == 403
    assert {r["department"] for r in await listing(enforcement.as_office(), department="tax")} == {
        "tax"
    }
    assert {r["subject_code"] for r in await listing(tax, subject_code=OTHER_CO)} == {OTHER_CO}
    assert len(await listing(tax, limit=1)) == 1
    assert await listing(tax, **{"from": (NOW + timedelta(seconds=1)).isoformat()}) == []
    assert len(await listing(tax, to=(NOW + timedelta(seconds=1)).isoformat())) == len(rows)
    too_many = await enforcement.client.get("/v1/checks/audit", params={"limit": 501}, headers=tax)
    assert too_many.status_code == 422


async def test_verify_audit_names_the_first_altered_row(
    enforcement: EnforcementUnderTest, capsys: pytest.CaptureFixture[str]
) -> None:
    await _take(enforcement)
    enforcement.set_time(NOW)
    for _ in range(7):
        await _check(enforcement, OTHER_CO)
    await _seal(enforcement)
    db = enforcement.runtime.db
    settings = EnforcementSettings(database_url=enforcement.runtime.settings.database_url)

    assert await verify_audit(settings, chunk=2) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["sealed_rows_verified"] >= 7
    assert report["unsealed_rows"] == 0

    a = orm.check_audit
    async with db.engine.begin() as conn:
        chain = (
            await conn.execute(select(a.c.id, a.c.chain_seq, a.c.check_id).order_by(a.c.chain_seq))
        ).all()
        altered, removed = chain[2], chain[4]
        # "It was listed" rewritten into "it was not" after the fact, and a check deleted.
        await conn.execute(update(a).where(a.c.id == altered.id).values(listed=True))
        await conn.execute(delete(a).where(a.c.id == removed.id))
    await _check(enforcement, OTHER_CO)  # one not sealed yet

    assert await verify_audit(settings, chunk=2) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["unsealed_rows"] == 1
    first = report["first_problem"]
    assert (first["fault"], first["chain_seq"], first["id"]) == (
        "altered",
        altered.chain_seq,
        altered.id,
    )
    faults = [(p["fault"], p["chain_seq"]) for p in report["problems"]]
    assert ("removed", removed.chain_seq) in faults

    # Read back, a row before the alteration verifies; the altered one does not.
    tax = enforcement.as_department("tax")
    good = await enforcement.client.get(f"/v1/checks/audit/{chain[1].check_id}", headers=tax)
    bad = await enforcement.client.get(f"/v1/checks/audit/{altered.check_id}", headers=tax)
    assert good.json()["chain_link_verified"] is True
    assert good.json()["chain_seq"] == chain[1].chain_seq
    assert bad.json()["chain_link_verified"] is False
    # The row after the altered one no longer links to it either.
    after = await enforcement.client.get(f"/v1/checks/audit/{chain[3].check_id}", headers=tax)
    assert after.json()["chain_link_verified"] is False


async def test_a_tail_cut_off_is_found_against_the_head(
    enforcement: EnforcementUnderTest,
) -> None:
    enforcement.set_time(NOW)
    for _ in range(4):
        await _check(enforcement, OTHER_CO)
    await _seal(enforcement)
    a = orm.check_audit
    async with enforcement.runtime.db.engine.begin() as conn:
        last = await conn.scalar(select(a.c.chain_seq).order_by(a.c.chain_seq.desc()).limit(1))
        await conn.execute(delete(a).where(a.c.chain_seq == last))
    # The command itself, as an operator runs it.
    url = enforcement.runtime.settings.database_url
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "jrp_enforcement.cli",
        "verify-audit",
        env={**os.environ, "JRP_ENFORCEMENT_DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await run.communicate()
    assert run.returncode == 1
    first = json.loads(out)["first_problem"]
    assert (first["fault"], first["chain_seq"], first["id"]) == ("truncated", last, None)


async def test_as_of_follows_corrections_and_suspensions(
    enforcement: EnforcementUnderTest,
) -> None:
    person = "11010519491231002X"
    await _take(enforcement)
    corrected_at = LISTED_AT + timedelta(hours=1)
    enforcement.set_time(corrected_at)
    async with enforcement.runtime.uow() as uow:  # v2 no longer names the legal representative
        await take_entry_in_force(
            uow, enforcement.orders, entry_in_force(version=2, linked_persons=[])
        )
        await uow.commit()
    suspended_at = corrected_at + timedelta(hours=1)
    enforcement.set_time(suspended_at)
    async with enforcement.runtime.uow() as uow:
        await take_entry_suspended(
            uow,
            enforcement.orders,
            ListEntrySuspended(
                entry_id="entry-1",
                version=2,
                subject_code=ENTERPRISE,
                case_kind=CaseKind.OBJECTION,
                case_id="objection-1",
                suspended_at=suspended_at,
            ),
        )
        await uow.commit()
    enforcement.set_time(NOW)

    def at(moment: datetime) -> str:
        return (moment + timedelta(minutes=30)).isoformat()

    v1 = await _check(enforcement, person, as_of=at(LISTED_AT))
    assert v1["listed"] is True  # the person was named by version 1
    assert (await _check(enforcement, person, as_of=at(corrected_at)))["listed"] is False
    v2 = await _check(enforcement, ENTERPRISE, as_of=at(corrected_at))
    assert v2["listed"] is True and v2["suspended"] is False
    held = await _check(enforcement, ENTERPRISE, as_of=at(suspended_at))
    assert held["listed"] is False and held["suspended"] is True
    assert held["mandatory_measures"] == [] and held["entries"][0]["status"] == "suspended"
    for body, version in ((v1, 1), (v2, 2)):
        row = (
            await enforcement.client.get(
                f"/v1/checks/audit/{body['check_id']}", headers=enforcement.as_department("tax")
            )
        ).json()
        assert row["answer"]["entry_versions"] == {"entry-1": version}
