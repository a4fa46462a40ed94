"""Eligibility from history through the bus and the HTTP API on a real PostgreSQL database
(DOMAIN.md §6; 000 (十一), 004 一(三)): a first-year A-grade taxpayer gets the A-grade rewards
but not the three-year green channel; its earlier two years' ratings arriving give it; a
black-list entry within three years takes it (and the licensing green channel) away, its
revocation gives them back. Orders are re-planned each time; the check says why a reward is
withheld.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jrp_enforcement.domain.eligibility import years_before
from jrp_enforcement.service_layer.entries import review_eligibility
from jrp_enforcement.testing import EnforcementUnderTest, entry_in_force
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import (
    DecisionDocument,
    ListEntryInForce,
    ListEntryRevoked,
    Period,
    SubjectReference,
)
from jrp_shared.identifiers import uscc_check_character
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import ListColour, SubjectType

pytestmark = pytest.mark.integration

A_GRADE = "red.tax.a-grade-taxpayer"
GREEN = "tax.green-channel-3y"
LICENSING_GREEN = "trading.licensing-green-channel"
TODAY = china_date(datetime.now(UTC))
YEAR = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
"""The year of the rating in force today (ratings run April to March)."""
TAXPAYER = "91350100MA0000A01" + uscc_check_character("91350100MA0000A01")


def rating(year: int) -> ListEntryInForce:
    """The A-grade rating of `year`, in force from April 1 for a year."""
    return entry_in_force(
        entry_id=f"a-grade-{year}",
        record_id=f"闽税A-{year}",
        subject=SubjectReference(
            code=TAXPAYER, subject_type=SubjectType.LEGAL_PERSON, name="福州守信纳税人有限公司"
        ),
        list_type=A_GRADE,
        colour=ListColour.RED,
        grounds="年度纳税信用评价为A级",
        legal_basis="《纳税信用管理办法（试行）》",
        decision_document=DecisionDocument(number=f"闽税A〔{year}〕1号", date=date(year, 4, 1)),
        period=Period(start=date(year, 4, 1), end=date(year + 1, 3, 31)),
        linked_persons=[],
    )


BLACK = entry_in_force(
    entry_id="black-1",
    subject=SubjectReference(
        code=TAXPAYER, subject_type=SubjectType.LEGAL_PERSON, name="福州守信纳税人有限公司"
    ),
    period=Period(start=TODAY, end=date(TODAY.year + 3, 1, 1)),
    linked_persons=[],
)


async def check(service: EnforcementUnderTest, department: str) -> dict[str, Any]:
    r = await service.client.get(
        f"/v1/checks/{TAXPAYER}", headers=service.as_department(department)
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def order_measures(service: EnforcementUnderTest, department: str) -> set[str] | None:
    """The measures of the department's open order of the current rating (None: none)."""
    r = await service.client.get(
        "/v1/sanction-orders",
        params={"entry_id": f"a-grade-{YEAR}", "department": department},
        headers=service.as_office(),
    )
    assert r.status_code == 200, r.text
    for order in r.json():
        issued = order["issued"]
        if (
            issued["entry_id"] == f"a-grade-{YEAR}"
            and order["department"] == department
            and order["state"] != "lifted"
        ):
            return {m["code"] for m in issued["measures"]}
    return None


def rewards(answer: dict[str, Any]) -> set[str]:
    return {m["code"] for m in answer["rewards"]}


async def test_green_channel_from_three_a_grade_years_and_taken_away_by_a_black_listing(
    enforcement: EnforcementUnderTest,
) -> None:
    # First year on the A-grade list: the A-grade rewards, not the three-year green channel.
    await enforcement.publish(rating(YEAR))

    async def first_year() -> dict[str, Any] | None:
        answer = await check(enforcement, "tax")
        return answer if answer["rewarded"] else None

    answer = await eventually(first_year)
    assert {"tax.a-grade-publicity", "tax.invoice-on-demand"} <= rewards(answer)
    assert GREEN not in rewards(answer)
    [withheld] = answer["withheld"]
    assert withheld["code"] == GREEN and withheld["entry_ids"] == [f"a-grade-{YEAR}"]
    [unmet] = withheld["unmet"]
    assert unmet["kind"] == "on_list_consecutive_years"
    assert unmet["missing_years"] == [YEAR - 2, YEAR - 1]
    assert unmet["reason"] == (
        f"需连续三年列入纳税信用A级纳税人名单：{YEAR - 2}、{YEAR - 1}年未在纳税信用A级纳税人名单"
    )
    tax_order = await order_measures(enforcement, "tax")
    assert tax_order is not None and GREEN not in tax_order
    assert "tax.invoice-on-demand" in tax_order
    # No bad record: the licensing green channel needs only that.
    assert LICENSING_GREEN in rewards(await check(enforcement, "trading"))

    # The two earlier years' ratings arrive (ended already): the third year running.
    await enforcement.publish(rating(YEAR - 2), rating(YEAR - 1))

    async def re_planned_with_green() -> set[str] | None:
        found = await order_measures(enforcement, "tax")
        return found if found is not None and GREEN in found else None

    await eventually(re_planned_with_green)
    answer = await check(enforcement, "tax")
    assert GREEN in rewards(answer) and answer["withheld"] == []

    # A black-list entry in force: both green channels go, from the orders and the check.
    await enforcement.publish(BLACK)

    async def re_planned_without_green() -> set[str] | None:
        found = await order_measures(enforcement, "tax")
        return found if found is not None and GREEN not in found else None

    tax_order = await eventually(re_planned_without_green)
    assert "tax.invoice-on-demand" in tax_order  # the unconditional rewards stay
    trading = await order_measures(enforcement, "trading")
    assert trading is not None and LICENSING_GREEN not in trading

    async def withheld_for_black() -> dict[str, Any] | None:
        # The record is read at check time; the index learns of the black entry just after.
        answer = await check(enforcement, "tax")
        return answer if answer["withheld"] and answer["listed"] else None

    answer = await eventually(withheld_for_black)
    assert GREEN not in rewards(answer)
    [withheld] = answer["withheld"]
    [unmet] = withheld["unmet"]
    assert unmet["kind"] == "no_black_list_within_years"
    assert unmet["entry_ids"] == ["black-1"]
    assert "三年内无失信黑名单记录" in unmet["reason"]
    assert LICENSING_GREEN not in rewards(await check(enforcement, "trading"))

    # The black-list entry was wrong and is revoked: it does not count, the rewards return.
    await enforcement.publish(
        ListEntryRevoked(
            entry_id="black-1",
            version=1,
            subject_code=TAXPAYER,
            reason="行政复议撤销",
            revoked_by="tax",
            revoked_at=datetime.now(UTC),
        )
    )
    await eventually(re_planned_with_green)

    async def green_again() -> dict[str, Any] | None:
        answer = await check(enforcement, "tax")
        return answer if GREEN in rewards(answer) and not answer["listed"] else None

    await eventually(green_again)


async def test_the_daily_review_grants_the_green_channel_once_a_black_entry_is_three_years_old(
    enforcement: EnforcementUnderTest,
) -> None:
    """Eligibility changes with time alone (DOMAIN.md §6): an expired black-list entry stops
    counting three years after its end; the daily review re-issues the order with the reward."""
    now = datetime.now(UTC)
    enforcement.set_time(now)
    ended = years_before(TODAY, 3)  # ended exactly three years ago: still counts today
    old_black = entry_in_force(
        entry_id="black-old",
        subject=BLACK.subject,
        decision_document=DecisionDocument(
            number="闽税稽罚〔旧〕1号", date=ended - timedelta(days=400)
        ),
        period=Period(start=ended - timedelta(days=400), end=ended),
        linked_persons=[],
    )
    await enforcement.publish(old_black, rating(YEAR - 2), rating(YEAR - 1), rating(YEAR))

    async def planned() -> set[str] | None:
        return await order_measures(enforcement, "tax")

    tax_order = await eventually(planned)
    assert GREEN not in tax_order

    async def withheld_for_the_old_entry() -> dict[str, Any] | None:
        answer = await check(enforcement, "tax")
        return answer if answer["withheld"] else None

    answer = await eventually(withheld_for_the_old_entry)
    assert answer["withheld"][0]["unmet"][0]["entry_ids"] == ["black-old"]

    # The next day the entry is over three years old: the review re-issues the order with it.
    enforcement.set_time(now + timedelta(days=1))
    assert await review_eligibility(enforcement.runtime.uow, enforcement.orders) == 1
    reviewed = await order_measures(enforcement, "tax")
    assert reviewed is not None and GREEN in reviewed
    # A second review the same day changes nothing (only changed orders are re-issued).
    issued = len(await enforcement.emitted("cn.jrp.enforcement.sanction-order.issued.v1"))
    await review_eligibility(enforcement.runtime.uow, enforcement.orders)
    assert len(await enforcement.emitted("cn.jrp.enforcement.sanction-order.issued.v1")) == issued


async def test_a_black_entry_in_the_same_poll_as_the_ratings_re_plans_them(
    enforcement: EnforcementUnderTest,
) -> None:
    """Entries of one poll are written together at its end: the re-plan finds the rating
    taken earlier in the same poll among the rows kept in memory (no early flush)."""
    await enforcement.publish(rating(YEAR - 2), rating(YEAR - 1), rating(YEAR), BLACK)

    async def re_issued() -> set[str] | None:
        r = await enforcement.client.get(
            "/v1/sanction-orders",
            params={"entry_id": f"a-grade-{YEAR}", "department": "tax"},
            headers=enforcement.as_office(),
        )
        orders = r.json()
        if len(orders) == 1 and orders[0]["issued"]["revision"] == 2:
            return {m["code"] for m in orders[0]["issued"]["measures"]}
        return None

    tax_order = await eventually(re_issued)
    assert GREEN not in tax_order and "tax.invoice-on-demand" in tax_order
