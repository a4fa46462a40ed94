"""Eligibility from history across the mesh, over the real broker (DOMAIN.md §6; 000 (十一),
004 一(三)): the three-year green channel of an A-grade taxpayer.

The tax authority posts this year's A-grade rating through trigger: the tax department's order
(on its own topic) carries the A-grade rewards but not the green channel, and a check says why.
The two earlier years' ratings arrive on `list-entries.v1` as trigger's relay writes them (taken
over from the previous platform: trigger itself accepts decisions only from the date the
catalog's A-grade list took effect, 2026-01-01): the order is re-issued with the green channel.
A black-list entry posted through trigger takes it away again (re-issued without it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from test_loop_over_kafka import catalog_ready, tax_entry

from harness import Mesh
from jrp_shared.clock import china_date
from jrp_shared.events import topics
from jrp_shared.events.payloads import (
    DecisionDocument,
    ListEntryInForce,
    Period,
    SubjectReference,
)
from jrp_shared.identifiers import uscc_check_character
from jrp_shared.testing import TopicReader, eventually
from jrp_shared.vocabulary import DisclosureClass, ListColour, SubjectType

pytestmark = pytest.mark.integration

A_GRADE = "red.tax.a-grade-taxpayer"
GREEN = "tax.green-channel-3y"
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
TAXPAYER = "91350100MA0000E01" + uscc_check_character("91350100MA0000E01")
NAME = "福州三年守信纳税人有限公司"
TODAY = china_date(datetime.now(UTC))
YEAR = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
"""The year of the rating in force today (ratings run April to March)."""


def rating_body(year: int) -> dict[str, Any]:
    return {
        "record_id": f"闽税A-{year}-E01",
        "subject": {"code": TAXPAYER, "subject_type": "legal_person", "name": NAME},
        "list_type": A_GRADE,
        "grounds": f"{year}年度纳税信用评价为A级",
        "legal_basis": "《纳税信用管理办法（试行）》",
        "decision_document": {"number": f"闽税A〔{year}〕1号", "date": f"{year}-04-01"},
        "period": {"start": f"{year}-04-01", "end": f"{year + 1}-03-31"},
        "disclosure_class": "public",
        "linked_persons": [],
        "evidence_references": [f"{year}年度纳税信用评价结果"],
    }


def taken_over(year: int) -> ListEntryInForce:
    """An earlier year's rating as trigger's relay writes it to list-entries.v1."""
    return ListEntryInForce(
        entry_id=f"taken-over-a-grade-{year}-E01",
        version=1,
        record_id=f"闽税A-{year}-E01",
        initiating_department="tax",
        subject=SubjectReference(code=TAXPAYER, subject_type=SubjectType.LEGAL_PERSON, name=NAME),
        list_type=A_GRADE,
        list_type_version=1,
        colour=ListColour.RED,
        grounds=f"{year}年度纳税信用评价为A级",
        legal_basis="《纳税信用管理办法（试行）》",
        decision_document=DecisionDocument(number=f"闽税A〔{year}〕1号", date=date(year, 4, 1)),
        period=Period(start=date(year, 4, 1), end=date(year + 1, 3, 31)),
        disclosure_class=DisclosureClass.PUBLIC,
        linked_persons=[],
        evidence_references=[],
        recorded_at=datetime(year, 4, 1, 2, 0, tzinfo=UTC),
    )


async def tax_orders(
    mesh: Mesh, reader: TopicReader, entry_id: str, revision: int
) -> dict[str, Any]:
    """The tax department's order of the entry at `revision`, once on its topic."""

    async def arrived() -> dict[str, Any] | None:
        for message in await reader.read(mesh.topic(topics.sanctions("tax"))):
            body = message.body
            if (
                message.headers.get("ce_type") == ISSUED
                and body["entry_id"] == entry_id
                and body["revision"] == revision
            ):
                found: dict[str, Any] = body
                return found
        return None

    found = await eventually(arrived, within=60)
    assert found is not None
    return found


async def test_the_green_channel_comes_with_the_third_a_grade_year_and_goes_with_a_black_listing(
    mesh: Mesh,
) -> None:
    await catalog_ready(mesh)
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    tax_initiator = mesh.keys.headers("tax", "initiator")
    tax_implementer = mesh.keys.headers("tax", "implementer")

    async def check() -> dict[str, Any]:
        r = await enforcement.client.get(f"/v1/checks/{TAXPAYER}", headers=tax_implementer)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    posted = await trigger.client.post(
        "/v1/list-entries", json=rating_body(YEAR), headers=tax_initiator
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]

    async with TopicReader(mesh.kafka_bootstrap) as reader:
        # First year: the A-grade rewards, not the three-year green channel.
        first = await tax_orders(mesh, reader, entry_id, 1)
        codes = {m["code"] for m in first["measures"]}
        assert "tax.invoice-on-demand" in codes and GREEN not in codes

        async def rewarded() -> dict[str, Any] | None:
            answer = await check()
            return answer if answer["rewarded"] else None

        answer = await eventually(rewarded, within=60)
        assert GREEN not in {m["code"] for m in answer["rewards"]}
        [withheld] = answer["withheld"]
        assert withheld["code"] == GREEN
        assert withheld["unmet"][0]["missing_years"] == [YEAR - 2, YEAR - 1]

        # The two earlier years arrive: the third consecutive year, the order re-issued.
        await mesh.send(*(taken_over(y).message("/jrp/trigger") for y in (YEAR - 2, YEAR - 1)))
        second = await tax_orders(mesh, reader, entry_id, 2)
        assert GREEN in {m["code"] for m in second["measures"]}

        async def green() -> dict[str, Any] | None:
            answer = await check()
            return answer if GREEN in {m["code"] for m in answer["rewards"]} else None

        await eventually(green, within=60)

        # A black-list entry within three years: the green channel goes again.
        black = tax_entry(
            record_id="闽税-2026-E01",
            subject={"code": TAXPAYER, "subject_type": "legal_person", "name": NAME},
            linked_persons=[],
            period={"start": str(TODAY), "end": str(TODAY + timedelta(days=365))},
            decision_document={"number": "闽税稽罚〔2026〕E01号", "date": str(TODAY)},
        )
        posted = await trigger.client.post("/v1/list-entries", json=black, headers=tax_initiator)
        assert posted.status_code == 201, posted.text
        third = await tax_orders(mesh, reader, entry_id, 3)
        codes = {m["code"] for m in third["measures"]}
        assert GREEN not in codes and "tax.invoice-on-demand" in codes

        async def withheld_again() -> dict[str, Any] | None:
            answer = await check()
            return answer if answer["listed"] and answer["withheld"] else None

        answer = await eventually(withheld_again, within=60)
        assert answer["withheld"][0]["unmet"][0]["kind"] == "no_black_list_within_years"
        assert GREEN not in {m["code"] for m in answer["rewards"]}
