"""Whistle-blower reports through the HTTP API on a real PostgreSQL (DOMAIN.md §9): anyone
submits without a token and follows with the query code; the report goes to the departments
responsible for its domain; no department ever sees the reporter's identity; only the office
lifts it, and that is recorded; evidence and requests are bounded."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jrp_appeals.adapters import orm
from jrp_appeals.cli import MIGRATIONS
from jrp_appeals.config import AppealsSettings
from jrp_appeals.testing import ENTERPRISE, LEGAL_REPRESENTATIVE, AppealsUnderTest, running_appeals
from jrp_shared.events.payloads import DepartmentPublished, ListTypePublished
from jrp_shared.testing import Keys, PostgresDatabases, eventually
from jrp_shared.vocabulary import DepartmentLevel

pytestmark = pytest.mark.integration

PATH = "/v1/whistleblower-reports"
NAME, PHONE, EMAIL = "赵举报", "13912345678", "whistle@example.cn"
DEPARTMENTS = [
    ("credit-office", "福州市社会信用体系建设领导小组办公室", [], False),
    ("tax", "国家税务总局福州市税务局", ["tax"], True),
    ("market", "福州市市场监督管理局", ["market", "food-drug"], True),
    ("drug", "福建省药品监督管理局", ["food-drug"], True),
]


async def _with_departments(service: AppealsUnderTest) -> AppealsUnderTest:
    await service.publish(
        *(
            DepartmentPublished(
                code=code,
                name=name,
                name_en=code,
                level=DepartmentLevel.MUNICIPAL,
                region="350100",
                domains=domains,
                initiates=initiates,
                implements=True,
            )
            for code, name, domains, initiates in DEPARTMENTS
        ),
        source="/jrp/registry",
    )

    async def copied() -> bool:
        return await service.count("departments_copy") == len(DEPARTMENTS)

    await eventually(copied, within=20)
    return service


async def _service(
    postgres: PostgresDatabases,
    keys: Keys,
    tmp_path: Path,
    list_types: list[ListTypePublished],
    **settings: Any,
) -> AsyncIterator[AppealsUnderTest]:
    (tmp_path / "k1").write_text("11" * 32)
    config = AppealsSettings(
        database_url=await postgres.fresh("appeals", MIGRATIONS),
        bus="embedded",
        embedded_bus_path=tmp_path / "bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        log_level="WARNING",
        whistleblower_identity_key_files={"k1": tmp_path / "k1"},
        **settings,
    )
    async with running_appeals(config, keys) as service:
        await service.seed_catalog(list_types)
        yield await _with_departments(service)


@pytest.fixture
async def whistle(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, list_types: list[ListTypePublished]
) -> AsyncIterator[AppealsUnderTest]:
    async for service in _service(
        postgres,
        keys,
        tmp_path,
        list_types,
        whistleblower_attachment_max_bytes=4096,
        whistleblower_attachments_max_total_bytes=6144,
    ):
        yield service


@pytest.fixture
async def throttled(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, list_types: list[ListTypePublished]
) -> AsyncIterator[AppealsUnderTest]:
    async for service in _service(
        postgres,
        keys,
        tmp_path,
        list_types,
        public_rate_limit="4/minute",
        whistleblower_code_failures="2/hour",
    ):
        yield service


def report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": {"code": ENTERPRISE, "name": "福州示例科技有限公司"},
        "domain": "tax",
        "facts": "该公司长期通过虚开发票抵扣税款，财务人员曾多次提及。",
        "occurred_on": "2026-10-15",
        "place": "福州市鼓楼区",
    }
    body.update(changes)
    return body


NAMED = {"name": NAME, "phone": PHONE, "id_number": LEGAL_REPRESENTATIVE, "email": EMAIL}
EVIDENCE = {
    "filename": "发票照片.png",
    "content_type": "image/png",
    "content_base64": base64.b64encode(b"\x89PNG fake evidence").decode(),
}


async def submit(service: AppealsUnderTest, **changes: Any) -> dict[str, Any]:
    r = await service.client.post(PATH, json=report(**changes))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def follow(service: AppealsUnderTest, number: str, code: str) -> Any:
    return await service.client.get(f"{PATH}/{number}", headers={"X-Query-Code": code})


def _no_identity(text: str) -> None:
    for secret in (NAME, PHONE, LEGAL_REPRESENTATIVE, EMAIL):
        assert secret not in text, "a department's answer carries the reporter's identity"


async def test_an_anonymous_report_is_numbered_routed_and_followed(
    whistle: AppealsUnderTest,
) -> None:
    first = await submit(whistle)
    second = await submit(whistle, domain="food-drug")
    year = whistle.appeals.today().year
    assert re.fullmatch(rf"JB-{year}-\d{{6}}", first["number"])
    assert int(second["number"][-6:]) == int(first["number"][-6:]) + 1
    assert first["status"] == "received"
    assert first["routed_to"] == [{"code": "tax", "name": "国家税务总局福州市税务局"}]
    assert [d["code"] for d in second["routed_to"]] == ["drug", "market"]
    code = first["query_code"]

    r = await follow(whistle, first["number"], code)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["status"] == "received" and r.json()["outcome"] is None
    assert r.json()["routed_to"][0]["name"] == "国家税务总局福州市税务局"

    wrong = await follow(whistle, first["number"], second["query_code"])
    unknown = await follow(whistle, "JB-2000-999999", code)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()

    async with whistle.appeals.runtime.db.sessions() as session:
        stored = await session.scalar(
            select(orm.whistleblower_reports.c.query_code_hash).where(
                orm.whistleblower_reports.c.number == first["number"]
            )
        )
    assert stored is not None and stored.startswith("scrypt$") and code not in stored


async def test_a_domain_nobody_initiates_in_goes_to_the_office(whistle: AppealsUnderTest) -> None:
    done = await submit(whistle, domain="customs")
    assert [d["code"] for d in done["routed_to"]] == ["credit-office"]


async def test_no_department_ever_sees_the_reporter_and_the_office_lifts_it(
    whistle: AppealsUnderTest,
) -> None:
    done = await submit(whistle, reporter=NAMED, attachments=[EVIDENCE])
    number, code = done["number"], done["query_code"]
    tax = whistle.as_department("tax")
    answers: list[str] = []

    inbox = await whistle.client.get(PATH, headers=tax)
    answers.append(inbox.text)
    assert [r["number"] for r in inbox.json()] == [number]
    handling = await whistle.client.get(f"{PATH}/{number}/handling", headers=tax)
    answers.append(handling.text)
    read = handling.json()
    assert read["facts"].startswith("该公司") and read["subject"]["code"] == ENTERPRISE
    assert read["anonymous"] is None and read["disclosures"] is None
    assert read["attachments"][0]["filename"] == "发票照片.png"
    assert read["history"][0]["action"] == "submitted"
    file = await whistle.client.get(f"{PATH}/{number}/attachments/0", headers=tax)
    assert file.status_code == 200 and file.content == b"\x89PNG fake evidence"

    accepted = await whistle.client.post(f"{PATH}/{number}/acceptance", headers=tax)
    answers.append(accepted.text)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    decided = await whistle.client.post(
        f"{PATH}/{number}/decision",
        json={
            "outcome": "substantiated",
            "reasons": "经稽查查实虚开发票",
            "entry_id": "entry-77",
            "reward": {"amount": "2000.00", "description": "举报奖励金"},
        },
        headers=tax,
    )
    answers.append(decided.text)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"]["reward"]["amount"] == "2000.00"
    assert [h["action"] for h in decided.json()["history"]] == ["submitted", "accepted", "decided"]
    refused = await whistle.client.post(
        f"{PATH}/{number}/identity-disclosures", json={"reason": "想知道"}, headers=tax
    )
    answers.append(refused.text)
    assert refused.status_code == 403
    for text in answers:
        _no_identity(text)

    followed = (await follow(whistle, number, code)).json()
    assert followed["status"] == "decided" and followed["outcome"] == "substantiated"
    assert followed["reward"] == {"amount": "2000.00", "description": "举报奖励金"}
    _no_identity(json.dumps(followed, ensure_ascii=False))

    async with whistle.appeals.runtime.db.sessions() as session:
        row = (
            await session.execute(
                select(orm.whistleblower_reports).where(
                    orm.whistleblower_reports.c.number == number
                )
            )
        ).one()
    assert row.identity_key_id == "k1" and row.anonymous is False
    sealed = bytes(row.identity_sealed)
    assert NAME.encode() not in sealed and PHONE.encode() not in sealed

    office = whistle.as_office()
    lifted = await whistle.client.post(
        f"{PATH}/{number}/identity-disclosures",
        json={"reason": "举报人申请领取奖励，需核实身份"},
        headers=office,
    )
    assert lifted.status_code == 201, lifted.text
    assert lifted.json()["identity"] == NAMED
    assert lifted.json()["disclosed_by"] == "credit-office"
    seen = (await whistle.client.get(f"{PATH}/{number}/handling", headers=office)).json()
    assert seen["anonymous"] is False
    [disclosure] = seen["disclosures"]
    assert disclosure["disclosed_by"] == "credit-office"
    assert disclosure["reason"] == "举报人申请领取奖励，需核实身份"
    after = await whistle.client.get(f"{PATH}/{number}/handling", headers=tax)
    assert after.json()["disclosures"] is None
    _no_identity(after.text)


async def test_an_anonymous_report_has_no_identity_to_lift(whistle: AppealsUnderTest) -> None:
    done = await submit(whistle)
    r = await whistle.client.post(
        f"{PATH}/{done['number']}/identity-disclosures",
        json={"reason": "核实"},
        headers=whistle.as_office(),
    )
    assert r.status_code == 409 and "anonymous" in r.json()["detail"]


async def test_a_department_cannot_read_another_departments_report(
    whistle: AppealsUnderTest,
) -> None:
    done = await submit(whistle, reporter=NAMED)
    number = done["number"]
    market = whistle.as_department("market")
    assert (await whistle.client.get(PATH, headers=market)).json() == []
    for r in (
        await whistle.client.get(f"{PATH}/{number}/handling", headers=market),
        await whistle.client.get(f"{PATH}/{number}/attachments/0", headers=market),
        await whistle.client.post(f"{PATH}/{number}/acceptance", headers=market),
    ):
        assert r.status_code == 404, r.text
        _no_identity(r.text)
    no_token = await whistle.client.get(PATH)
    assert no_token.status_code == 401


async def test_the_office_transfers_and_lists_the_overdue(whistle: AppealsUnderTest) -> None:
    done = await submit(whistle)
    number = done["number"]
    tax, office = whistle.as_department("tax"), whistle.as_office()
    refused = await whistle.client.post(
        f"{PATH}/{number}/transfer", json={"departments": ["market"], "reason": "x"}, headers=tax
    )
    assert refused.status_code == 403
    unknown = await whistle.client.post(
        f"{PATH}/{number}/transfer", json={"departments": ["nobody"], "reason": "x"}, headers=office
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["reason"] == "unknown_department"
    moved = await whistle.client.post(
        f"{PATH}/{number}/transfer",
        json={"departments": ["market"], "reason": "涉及虚假广告，属市场监管"},
        headers=office,
    )
    assert moved.status_code == 200, moved.text
    assert [d["code"] for d in moved.json()["routed_to"]] == ["market"]
    assert moved.json()["history"][-1]["detail"]["from"] == ["tax"]
    assert (await whistle.client.get(PATH, headers=tax)).json() == []
    market = whistle.as_department("market")
    assert [r["number"] for r in (await whistle.client.get(PATH, headers=market)).json()] == [
        number
    ]
    early = await whistle.client.post(
        f"{PATH}/{number}/decision",
        json={"outcome": "unsubstantiated", "reasons": "未查实"},
        headers=market,
    )
    assert early.status_code == 409  # accept first

    # 20 working days are at least 26 calendar days: 40 days on, it is overdue.
    whistle.shift_time(timedelta(days=40))
    overdue = await whistle.client.get(PATH, params={"overdue": "true"}, headers=market)
    assert [r["number"] for r in overdue.json()] == [number]
    assert overdue.json()[0]["overdue"] is True
    received = await whistle.client.get(PATH, params={"status": "decided"}, headers=office)
    assert received.json() == []


async def test_bounds_answer_413_and_422(whistle: AppealsUnderTest) -> None:
    big = {**EVIDENCE, "content_base64": base64.b64encode(b"x" * 5000).decode()}
    r = await whistle.client.post(PATH, json=report(attachments=[big]))
    assert r.status_code == 413, r.text
    assert r.json()["errors"][0]["reason"] == "file_too_large"
    three = {**EVIDENCE, "content_base64": base64.b64encode(b"x" * 3000).decode()}
    r = await whistle.client.post(PATH, json=report(attachments=[three, three, three]))
    assert r.status_code == 413 and r.json()["errors"][0]["reason"] == "total_too_large"
    r = await whistle.client.post(PATH, json=report(domain="astrology"))
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "unknown_domain"
    r = await whistle.client.post(
        PATH, json=report(attachments=[{**EVIDENCE, "content_type": "application/x-sh"}])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "content_type_not_allowed"
    r = await whistle.client.post(
        PATH, json=report(attachments=[{**EVIDENCE, "content_base64": "!!not base64!!"}])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "invalid_base64"
    r = await whistle.client.post(PATH, json=report(facts="短"))
    assert r.status_code == 422
    bad_id = LEGAL_REPRESENTATIVE[:17] + "1"
    r = await whistle.client.post(PATH, json=report(reporter={"id_number": bad_id}))
    assert r.status_code == 422 and bad_id not in r.text
    assert await whistle.count("whistleblower_reports") == 0


async def test_over_the_limit_answers_429(throttled: AppealsUnderTest) -> None:
    done = await submit(throttled)
    number = done["number"]
    wrong = [await follow(throttled, number, "AAAA-AAAA-AAAA-AAAA") for _ in range(2)]
    assert [r.status_code for r in wrong] == [404, 404]
    guessed_out = await follow(throttled, number, done["query_code"])
    assert guessed_out.status_code == 429 and int(guessed_out.headers["retry-after"]) > 0
    spent = await throttled.client.post(PATH, json=report())
    assert spent.status_code == 429 and int(spent.headers["retry-after"]) > 0


async def test_identity_keys_rotate_across_restarts(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path, list_types: list[ListTypePublished]
) -> None:
    """Sealed under k1; then k2 seals and k1 still opens the old report; without k1 the old
    identity answers 409 naming its key, and the new one still opens."""
    (tmp_path / "k1").write_text("11" * 32)
    (tmp_path / "k2").write_bytes(base64.b64encode(b"\x22" * 32))
    url = await postgres.fresh("appeals", MIGRATIONS)

    def settings(files: dict[str, Path], current: str) -> AppealsSettings:
        return AppealsSettings(
            database_url=url,
            bus="embedded",
            embedded_bus_path=tmp_path / "bus.sqlite3",
            auth_public_key_file=keys.public_key_file,
            log_json=False,
            log_level="WARNING",
            whistleblower_identity_key_files=files,
            whistleblower_identity_key_id=current,
        )

    async def lift(service: AppealsUnderTest, number: str) -> Any:
        return await service.client.post(
            f"{PATH}/{number}/identity-disclosures",
            json={"reason": "核实领奖人身份"},
            headers=service.as_office(),
        )

    async with running_appeals(settings({"k1": tmp_path / "k1"}, "k1"), keys) as first:
        await first.seed_catalog(list_types)
        old = (await submit(await _with_departments(first), reporter=NAMED))["number"]
    both = {"k1": tmp_path / "k1", "k2": tmp_path / "k2"}
    async with running_appeals(settings(both, "k2"), keys) as second:
        new = (await submit(second, reporter={"name": "钱二", "email": EMAIL}))["number"]
        r = await lift(second, old)
        assert r.status_code == 201 and r.json()["identity"] == NAMED
        async with second.appeals.runtime.db.sessions() as session:
            t = orm.whistleblower_reports
            rows = await session.execute(select(t.c.number, t.c.identity_key_id))
            sealed_with = {row.number: row.identity_key_id for row in rows}
        assert sealed_with == {old: "k1", new: "k2"}
    async with running_appeals(settings({"k2": tmp_path / "k2"}, "k2"), keys) as third:
        gone = await lift(third, old)
        assert gone.status_code == 409 and "k1" in gone.json()["detail"]
        _no_identity(gone.text)
        kept = await lift(third, new)
        assert kept.status_code == 201 and kept.json()["identity"]["name"] == "钱二"
        [disclosure] = (
            await third.client.get(f"{PATH}/{old}/handling", headers=third.as_office())
        ).json()["disclosures"]  # the refused attempt recorded nothing
        assert disclosure["reason"] == "核实领奖人身份"


async def test_every_handling_step_records_the_officer_who_took_it(
    whistle: AppealsUnderTest,
) -> None:
    """Issue 16 (docs/security.md, "Officers"): transfer, acceptance, decision and the lifting
    of the identity name the officer besides the department, in the read model, the history
    and the disclosure record; a department system's own token names none."""
    done = await submit(whistle, reporter=NAMED)
    number = done["number"]
    office_officer, handler = "officer-0ff1ce000001", "officer-7a8b9c0d1e2f"
    office = whistle.keys.officer_headers("credit-office", office_officer, "administrator")
    market = whistle.keys.officer_headers("market", handler, "initiator", "reviewer")

    moved = await whistle.client.post(
        f"{PATH}/{number}/transfer",
        json={"departments": ["market"], "reason": "涉及虚假广告，属市场监管"},
        headers=office,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["history"][-1]["actor"] == "credit-office"
    assert moved.json()["history"][-1]["detail"]["officer"] == office_officer
    accepted = await whistle.client.post(f"{PATH}/{number}/acceptance", headers=market)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["accepted_by"] == "market"
    assert accepted.json()["accepted_by_officer"] == handler
    decided = await whistle.client.post(
        f"{PATH}/{number}/decision",
        json={"outcome": "unsubstantiated", "reasons": "经核查未发现虚假广告"},
        headers=market,
    )
    assert decided.status_code == 200, decided.text
    decision = decided.json()["decision"]
    assert (decision["decided_by"], decision["decided_by_officer"]) == ("market", handler)
    assert [(h["action"], h["detail"].get("officer")) for h in decided.json()["history"]] == [
        ("submitted", None),
        ("transferred", office_officer),
        ("accepted", handler),
        ("decided", handler),
    ]
    lifted = await whistle.client.post(
        f"{PATH}/{number}/identity-disclosures",
        json={"reason": "举报人申请领取奖励，需核实身份"},
        headers=office,
    )
    assert lifted.status_code == 201, lifted.text
    assert lifted.json()["disclosed_by"] == "credit-office"
    assert lifted.json()["disclosed_by_officer"] == office_officer
    again = await whistle.client.post(
        f"{PATH}/{number}/identity-disclosures",
        json={"reason": "复核奖励发放"},
        headers=whistle.as_office(),
    )
    assert again.status_code == 201 and again.json()["disclosed_by_officer"] is None
    seen = (await whistle.client.get(f"{PATH}/{number}/handling", headers=office)).json()
    assert [(d["disclosed_by"], d["disclosed_by_officer"]) for d in seen["disclosures"]] == [
        ("credit-office", office_officer),
        ("credit-office", None),
    ]
    assert seen["accepted_by_officer"] == handler
    assert seen["decision"]["decided_by_officer"] == handler
    listed = await whistle.client.get(PATH, headers=whistle.as_department("market"))
    assert listed.json()[0]["accepted_by_officer"] == handler
    async with whistle.appeals.runtime.db.sessions() as session:
        stored = (
            await session.execute(select(orm.whistleblower_disclosures.c.disclosed_by_officer))
        ).scalars()
        assert sorted(stored, key=str) == sorted([office_officer, None], key=str)
