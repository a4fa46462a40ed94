"""The registry's copy of the double-publicity decisions (publicity.v1) and the public query
`GET /v1/public/decisions` (DOMAIN.md §9, §12): versions in order, withdrawals final, shown
only within the publication period by the date in China, a person's ID masked and never
found by a part of it, one rate limit for the public routes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from jrp_registry.adapters.publicity import PublicityRepository
from jrp_registry.app import registry_of
from jrp_registry.testing import RegistryUnderTest, registry_settings, running_registry
from jrp_shared.events.payloads import (
    LicenceDetails,
    PenaltyDetails,
    PublicityCounterpart,
    PublicityDecisionPublished,
    PublicityDecisionWithdrawn,
)
from jrp_shared.testing import Keys, PostgresDatabases, eventually
from jrp_shared.vocabulary import (
    DishonestySeverity,
    LicenceCategory,
    PenaltyType,
    PublicationEnd,
    PublicityKind,
    SubjectType,
)

pytestmark = pytest.mark.integration

TRIGGER = "/jrp/trigger"
USCC = "91350100M000100Y43"
OTHER = "91110000802100433B"
PERSON = "11010519491231002X"
PUBLISHED_AT = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 on 2026-03-03 in China
ENDS = date(2027, 3, 2)
SHOWN = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
_MARKERS = itertools.count(1)


def decision(
    decision_id: str = "d-1", version: int = 1, **changes: Any
) -> PublicityDecisionPublished:
    fields: dict[str, Any] = {
        "decision_id": decision_id,
        "version": version,
        "record_id": f"rec-{decision_id}",
        "kind": PublicityKind.PENALTY,
        "department": "market",
        "counterpart": PublicityCounterpart(
            name="福州示例科技有限公司",
            category=SubjectType.LEGAL_PERSON,
            code=USCC,
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
        "published_at": PUBLISHED_AT,
        "late": False,
        "publication_ends": ENDS,
        "repair_guidance": "满三个月后可申请信用修复",
    }
    fields.update(changes)
    return PublicityDecisionPublished(**fields)


def licence(decision_id: str, **changes: Any) -> PublicityDecisionPublished:
    fields: dict[str, Any] = {
        "kind": PublicityKind.LICENCE,
        "penalty": None,
        "repair_guidance": None,
        "decision_number": "榕市监许〔2026〕7号",
        "licence": LicenceDetails(
            document_name="食品经营许可决定书",
            category=LicenceCategory.ORDINARY,
            certificate_name="食品经营许可证",
            certificate_number="JY13501000000001",
            content="预包装食品销售",
            valid_from=date(2026, 3, 2),
            valid_to=date(2031, 3, 1),
        ),
    }
    fields.update(changes)
    return decision(decision_id, **fields)


def withdrawn(decision_id: str, version: int = 1) -> PublicityDecisionWithdrawn:
    return PublicityDecisionWithdrawn(
        decision_id=decision_id,
        version=version,
        counterpart_code=USCC,
        reason=PublicationEnd.REPAIRED,
        withdrawn_by="market",
        withdrawn_at=datetime(2026, 7, 1, 2, 0, tzinfo=UTC),
    )


async def _query(registry: RegistryUnderTest, **params: Any) -> tuple[int, Any]:
    r = await registry.client.get("/v1/public/decisions", params=params)  # no token
    return r.status_code, r.json()


async def _shown(registry: RegistryUnderTest, **params: Any) -> list[dict[str, Any]]:
    status, body = await _query(registry, **params)
    assert status == 200, body
    # Without the markers `_send_then_wait` put behind the events.
    found: list[dict[str, Any]] = [d for d in body if not d["decision_id"].startswith("marker")]
    return found


async def _send_then_wait(registry: RegistryUnderTest, *events: Any) -> None:
    """Send the events, then a marker decision behind them on the same partition (keyed by the
    counterpart), and wait until the marker is stored."""
    marker_id = f"marker-{next(_MARKERS)}"
    marker = decision(
        marker_id,
        decision_number="marker",
        counterpart=PublicityCounterpart(
            name="marker", category=SubjectType.LEGAL_PERSON, code=USCC
        ),
    )
    await registry.send(*(e.message(TRIGGER) for e in (*events, marker)))

    async def stored() -> bool:
        async with registry_of(registry.app).runtime.db.sessions() as session:
            return await PublicityRepository(session).version_of(marker_id) is not None

    await eventually(stored)


def _at(registry: RegistryUnderTest, moment: datetime) -> None:
    registry_of(registry.app).clock = lambda: moment


async def test_versions_replace_older_ones_and_a_withdrawal_hides_every_version(
    registry: RegistryUnderTest,
) -> None:
    _at(registry, SHOWN)
    corrected = decision(version=2, decision_number="榕市监罚〔2026〕16号")
    await _send_then_wait(
        registry,
        corrected,
        decision(version=1),  # late, older: changes nothing
        withdrawn("d-2"),  # withdrawn before it arrives: never shown
        decision("d-2"),
        licence("d-3"),
    )
    found = {d["decision_id"]: d for d in await _shown(registry, q="福州示例")}
    assert sorted(found) == ["d-1", "d-3"]
    assert found["d-1"]["version"] == 2
    assert found["d-1"]["decision_number"] == "榕市监罚〔2026〕16号"
    assert found["d-1"]["penalty"]["fine_amount"] == 50000
    assert found["d-1"]["counterpart"] == {
        "name": "福州示例科技有限公司",
        "category": "legal_person",
        "code": USCC,
        "legal_representative": "张三",
    }
    assert "repair_guidance" not in found["d-1"]
    assert found["d-3"]["licence"]["certificate_number"] == "JY13501000000001"
    assert [d["decision_id"] for d in await _shown(registry, q="福州示例", kind="licence")] == [
        "d-3"
    ]

    await _send_then_wait(registry, withdrawn("d-1", version=2), decision(version=3))
    assert [d["decision_id"] for d in await _shown(registry, q="福州示例")] == ["d-3"]


async def test_shown_from_the_day_published_to_the_publication_deadline_in_china(
    registry: RegistryUnderTest,
) -> None:
    await _send_then_wait(registry, decision())
    days = [
        (datetime(2026, 3, 2, 15, 59, tzinfo=UTC), False),  # 03-02 23:59 in China
        (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), True),  # 03-03 00:00: the day published
        (datetime(2027, 3, 2, 15, 59, tzinfo=UTC), True),  # the deadline's last minute
        (datetime(2027, 3, 2, 16, 0, tzinfo=UTC), False),  # 03-03 in China: past it
    ]
    for moment, shown in days:
        _at(registry, moment)
        found = [d["decision_id"] for d in await _shown(registry, q=USCC)]
        assert found == (["d-1"] if shown else []), moment
        async with registry_of(registry.app).runtime.db.sessions() as session:
            lookup = await PublicityRepository(session).published_for(
                USCC, registry_of(registry.app).today()
            )
        ids = [d.decision_id for d in lookup if not d.decision_id.startswith("marker")]
        assert ids == (["d-1"] if shown else []), moment


async def test_a_natural_person_is_masked_and_never_found_by_a_part_of_the_id(
    registry: RegistryUnderTest,
) -> None:
    _at(registry, SHOWN)
    person = decision(
        "d-p",
        counterpart=PublicityCounterpart(
            name="李四",
            category=SubjectType.NATURAL_PERSON,
            code=PERSON,
            legal_representative="不应公开",
        ),
        decision_number="榕市监罚〔2026〕1234号",
    )
    await _send_then_wait(registry, person)
    r = await registry.client.get("/v1/public/decisions", params={"q": "李四"})
    assert r.status_code == 200, r.text
    [found] = r.json()
    assert found["counterpart"]["code"] == "110105********002X"
    assert found["counterpart"]["legal_representative"] is None
    assert PERSON not in r.text
    assert r.headers["content-language"] == "zh-CN"

    # The complete decision number finds it, even with its four-digit serial.
    [by_number] = await _shown(registry, q="榕市监罚〔2026〕1234号")
    assert by_number["decision_id"] == "d-p"
    # A document number's year is not an identifier fragment.
    assert {d["decision_id"] for d in await _shown(registry, q="〔2026〕")} == {"d-p"}
    # Any other run of four or more digits is refused, the whole ID too, and never echoed.
    for q in (PERSON, PERSON[:6], "1101", "李四 19491231", "１１０１０５", "〔2026〕1234"):
        status, body = await _query(registry, q=q)
        assert status == 422, (q, body)
        [problem] = body["errors"]
        assert (problem["field"], problem["reason"]) == ("q", "identifier_fragment")
        assert PERSON[:6] not in str(body)
    # A complete USCC is no fragment.
    assert await _shown(registry, q=OTHER) == []


async def test_the_public_routes_are_rate_limited_per_address(
    postgres: PostgresDatabases, keys: Keys, tmp_path: Path
) -> None:
    settings = await registry_settings(
        postgres,
        keys,
        tmp_path,
        public_rate_limit="3/minute",
    )
    async with running_registry(settings, keys) as registry:
        for _ in range(3):
            assert (await _query(registry, q="福州"))[0] == 200
        r = await registry.client.get("/v1/public/decisions", params={"q": "福州"})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
