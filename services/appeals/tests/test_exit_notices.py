"""Exit notices (发改财金规〔2017〕1798号, DOMAIN.md §8, §11) and the 两书同达 notice: the subject
and the linked persons are told once when an entry is revoked, repaired or expires, whatever
is redelivered or swept twice; a penalty decision's counterpart gets the repair guidance once
per decision, not per version."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from jrp_appeals.service_layer.exits import sweep_expired
from jrp_appeals.testing import (
    ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    OTHER_ENTERPRISE,
    AppealsUnderTest,
    entry_in_force,
)
from jrp_shared.events.payloads import (
    ListEntryRepaired,
    ListEntryRevoked,
    ListEntrySuspended,
    PenaltyDetails,
    Period,
    PublicityCounterpart,
    PublicityDecisionPublished,
    SubjectNotified,
)
from jrp_shared.testing import eventually
from jrp_shared.vocabulary import (
    CaseKind,
    DishonestySeverity,
    PenaltyType,
    PublicityKind,
    SubjectType,
)

pytestmark = pytest.mark.integration


async def notices(appeals: AppealsUnderTest, about: str) -> list[dict[str, Any]]:
    return [
        p for _, _, p in await appeals.emitted(SubjectNotified.event_type) if p["about"] == about
    ]


async def notices_to(appeals: AppealsUnderTest, code: str) -> list[dict[str, Any]]:
    r = await appeals.client.get(
        "/v1/notifications", params={"subject_code": code}, headers=appeals.as_office()
    )
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def revoked(
    entry_id: str = "entry-1", reason: str = "认定依据的处罚决定已被撤销"
) -> ListEntryRevoked:
    return ListEntryRevoked(
        entry_id=entry_id,
        version=1,
        subject_code=ENTERPRISE,
        reason=reason,
        revoked_by="tax",
        revoked_at=datetime.now(UTC),
    )


async def test_a_revoked_entry_tells_the_subject_and_the_linked_person_once(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.list_entry()
    await appeals.publish(revoked())
    await appeals.entry_reaches("entry-1", status="revoked")
    # A late duplicate (another event id, same revocation) and a marker behind it.
    await appeals.publish(revoked(reason="重复"))
    await appeals.list_entry(entry_in_force(entry_id="marker", record_id="marker"))

    sent = await eventually(lambda: notices(appeals, "exit"))
    assert sorted(n["subject_code"] for n in sent) == sorted([ENTERPRISE, LEGAL_REPRESENTATIVE])
    one = next(n for n in sent if n["subject_code"] == ENTERPRISE)
    assert one["entry_id"] == "entry-1"
    assert one["title"] == "黑名单移出通知"
    assert "已由认定部门撤销" in one["body"] and "认定依据的处罚决定已被撤销" in one["body"]
    assert "不再据此实施联合惩戒措施" in one["body"] and "后台留存" in one["body"]
    assert "重复" not in one["body"]
    # The record the subject reads says the same.
    [read] = [n for n in await notices_to(appeals, ENTERPRISE) if n["about"] == "exit"]
    assert read["title"] == "黑名单移出通知"


async def test_a_repaired_entry_sends_its_exit_notice(appeals: AppealsUnderTest) -> None:
    await appeals.list_entry(entry_in_force(linked_persons=[]))
    await appeals.publish(
        ListEntryRepaired(
            entry_id="entry-1",
            version=1,
            subject_code=ENTERPRISE,
            repair_id="repair-1",
            repaired_by="tax",
            repaired_at=datetime.now(UTC),
        )
    )
    await appeals.entry_reaches("entry-1", status="repaired")
    [sent] = await eventually(lambda: notices(appeals, "exit"))
    assert sent["subject_code"] == ENTERPRISE
    assert "经信用修复提前移出" in sent["body"]


async def test_the_expiry_sweep_notifies_once_even_when_two_replicas_sweep(
    appeals: AppealsUnderTest,
) -> None:
    start = date(2026, 1, 5)
    ended = entry_in_force(period=Period(start=start, end=date(2026, 6, 30)))
    running = entry_in_force(
        entry_id="entry-2", record_id="r-2", period=Period(start=start, end=date(2027, 6, 30))
    )
    paused = entry_in_force(
        entry_id="entry-3", record_id="r-3", period=Period(start=start, end=date(2026, 6, 1))
    )
    for entry in (ended, running, paused):
        await appeals.list_entry(entry)
    await appeals.publish(
        ListEntrySuspended(
            entry_id="entry-3",
            version=1,
            subject_code=ENTERPRISE,
            case_kind=CaseKind.OBJECTION,
            case_id="case-1",
            suspended_at=datetime.now(UTC),
        )
    )
    await appeals.entry_reaches("entry-3", status="suspended")

    # 2026-06-30 is the last day in force; nothing on that day (China), the notice the next.
    appeals.set_time(datetime(2026, 6, 30, 15, 0, tzinfo=UTC))  # 23:00 in China
    service = appeals.appeals
    assert await sweep_expired(service.runtime.uow, service.context()) == []
    appeals.set_time(datetime(2026, 6, 30, 16, 30, tzinfo=UTC))  # 07-01 00:30 in China
    one, two = await asyncio.gather(
        sweep_expired(service.runtime.uow, service.context()),
        sweep_expired(service.runtime.uow, service.context()),
    )
    assert sorted(one + two) == ["entry-1"]
    sent = await notices(appeals, "exit")
    assert sorted(n["subject_code"] for n in sent) == sorted([ENTERPRISE, LEGAL_REPRESENTATIVE])
    assert all(n["entry_id"] == "entry-1" for n in sent)
    assert "有效期已届满，自动移出（有效期至2026-06-30）" in sent[0]["body"]
    assert all(n["created_at"].startswith("2026-06-30T16:30") for n in sent)

    # Sweeping again, or the entry revoked after it expired, sends nothing more.
    assert await sweep_expired(service.runtime.uow, service.context()) == []
    await appeals.publish(revoked())
    await appeals.entry_reaches("entry-1", status="revoked")
    await appeals.list_entry(entry_in_force(entry_id="marker", record_id="marker"))
    assert len(await notices(appeals, "exit")) == 2


def penalty(version: int, **changes: Any) -> PublicityDecisionPublished:
    fields: dict[str, Any] = {
        "decision_id": "decision-1",
        "version": version,
        "record_id": "rec-1",
        "kind": PublicityKind.PENALTY,
        "department": "market",
        "counterpart": PublicityCounterpart(
            name="福州示例科技有限公司",
            category=SubjectType.LEGAL_PERSON,
            code=ENTERPRISE,
            legal_representative="张三",
        ),
        "decision_number": "榕市监罚〔2026〕15号",
        "decision_date": date(2026, 3, 2),
        "penalty": PenaltyDetails(
            illegal_act="销售不合格产品",
            provision_violated="《产品质量法》第四十九条",
            legal_basis="《产品质量法》第四十九条",
            penalty_types=[PenaltyType.FINE],
            content="罚款人民币五万元",
            fine_amount=50000,
            severity=DishonestySeverity.GENERAL,
        ),
        "publication_due": date(2026, 3, 11),
        "published_at": datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        "late": False,
        "publication_ends": date(2027, 3, 2),
        "repair_guidance": "自公示之日起满三个月后，可通过信用中国网站申请信用修复。",
    }
    fields.update(changes)
    return PublicityDecisionPublished(**fields)


async def test_a_penalty_decision_reaches_its_counterpart_with_the_repair_guidance_once(
    appeals: AppealsUnderTest,
) -> None:
    await appeals.publish(
        penalty(1),
        penalty(2, publication_ends=date(2027, 6, 2)),  # a correction: no second notice
        penalty(1),  # redelivered as a new message
        penalty(1, decision_id="decision-2", repair_guidance=None),  # nothing to deliver
        penalty(
            1,
            decision_id="decision-3",
            counterpart=PublicityCounterpart(
                name="北京示例有限公司", category=SubjectType.LEGAL_PERSON, code=OTHER_ENTERPRISE
            ),
        ),
    )

    # Behind them on the same partition (keyed by the counterpart): a marker decision.
    await appeals.publish(penalty(1, decision_id="marker"))

    async def marker_reached() -> list[dict[str, Any]] | None:
        sent = await notices(appeals, "penalty_decision")
        return sent if any(n["case_id"] == "marker" for n in sent) else None

    sent = [n for n in await eventually(marker_reached) if n["case_id"] != "marker"]
    assert sorted((n["case_id"], n["subject_code"]) for n in sent) == [
        ("decision-1", ENTERPRISE),
        ("decision-3", OTHER_ENTERPRISE),
    ]
    first = next(n for n in sent if n["case_id"] == "decision-1")
    assert "榕市监罚〔2026〕15号" in first["body"]
    assert "可通过信用中国网站申请信用修复" in first["body"]
    assert first["title"] == "行政处罚决定书及信用修复告知书"
    assert await appeals.dead_letters() == []
