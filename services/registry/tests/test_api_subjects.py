"""Subjects through the HTTP API, on a real PostgreSQL database."""

import pytest
from sqlalchemy import func, select

from jrp_registry.adapters import orm
from jrp_registry.app import registry_of
from jrp_registry.testing import RegistryUnderTest
from jrp_shared.identifiers import resident_id_check_character

pytestmark = pytest.mark.integration

VALID_USCC = "91350100M000100Y43"
PERSON = "11010519491231002X"


def _enterprise(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": VALID_USCC,
        "subject_type": "legal_person",
        "name": "福州示例科技有限公司",
        "linked_persons": [{"role": "legal_representative", "name": "张三", "resident_id": PERSON}],
    }
    body.update(overrides)
    return body


async def test_a_wrong_uscc_check_character_is_refused_naming_it(
    registry: RegistryUnderTest,
) -> None:
    response = await registry.client.post(
        "/v1/subjects",
        json=_enterprise(code="91350100M000100Y42"),
        headers=registry.as_department(),
    )
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "body.code"
    assert problem["reason"] == "uscc_check_character"
    assert problem["position"] == 18
    assert "check character (position 18) is '2' but should be '3'" in problem["message"]
    async with registry_of(registry.app).runtime.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(orm.subjects)) == 0


async def test_a_valid_subject_is_stored_fetched_back_and_found(
    registry: RegistryUnderTest,
) -> None:
    headers = registry.as_department("market")
    created = await registry.client.post("/v1/subjects", json=_enterprise(), headers=headers)
    assert created.status_code == 201, created.text
    fetched = await registry.client.get(f"/v1/subjects/{VALID_USCC}", headers=headers)
    assert fetched.status_code == 200
    subject = fetched.json()
    assert subject["name"] == "福州示例科技有限公司"
    assert subject["division_code"] == "350100"
    assert subject["revision"] == 1
    assert subject["linked_persons"] == [
        {"role": "legal_representative", "name": "张三", "resident_id_masked": "110105********002X"}
    ]
    assert PERSON not in fetched.text  # DOMAIN.md §2: never in clear
    by_name = await registry.client.get("/v1/subjects", params={"q": "示例科技"}, headers=headers)
    assert [s["code"] for s in by_name.json()] == [VALID_USCC]
    wildcard = await registry.client.get("/v1/subjects", params={"q": "%"}, headers=headers)
    assert wildcard.json() == []  # LIKE wildcards in a query are matched literally
    by_code = await registry.client.get(
        "/v1/subjects", params={"q": VALID_USCC.lower()}, headers=headers
    )
    assert [s["code"] for s in by_code.json()] == [VALID_USCC]


async def test_updates_make_a_new_revision_and_an_event(registry: RegistryUnderTest) -> None:
    headers = registry.as_department()
    await registry.client.post("/v1/subjects", json=_enterprise(), headers=headers)
    updated = await registry.client.put(
        f"/v1/subjects/{VALID_USCC}",
        json={"name": "福州示例科技股份有限公司", "linked_persons": []},
        headers=headers,
    )
    assert updated.status_code == 200
    assert updated.json()["revision"] == 2
    assert updated.json()["linked_persons"] == []
    async with registry_of(registry.app).runtime.db.sessions() as session:
        events = (
            await session.scalars(
                select(orm.messaging.outbox.c.body)
                .where(orm.messaging.outbox.c.event_type == "cn.jrp.registry.subject.recorded.v1")
                .order_by(orm.messaging.outbox.c.id)
            )
        ).all()
    assert len(events) == 2
    assert '"revision":2' in events[1]


async def test_natural_persons_need_a_resident_id_and_are_masked_in_searches(
    registry: RegistryUnderTest,
) -> None:
    headers = registry.as_department()
    wrong_type = await registry.client.post(
        "/v1/subjects",
        json={"code": VALID_USCC, "subject_type": "natural_person", "name": "李四"},
        headers=headers,
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"][0]["reason"].startswith("resident_id_")
    person = "35010219800101001" + resident_id_check_character("35010219800101001")
    created = await registry.client.post(
        "/v1/subjects",
        json={"code": person, "subject_type": "natural_person", "name": "李四"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["division_code"] == "350102"
    found = await registry.client.get("/v1/subjects", params={"q": "李四"}, headers=headers)
    assert found.json()[0]["code"] == person[:6] + "********" + person[-4:]


async def test_bad_input_gets_a_machine_readable_4xx(registry: RegistryUnderTest) -> None:
    headers = registry.as_department()
    bad_person = await registry.client.post(
        "/v1/subjects",
        json=_enterprise(
            linked_persons=[
                {
                    "role": "legal_representative",
                    "name": "张三",
                    "resident_id": "110105194912310021",
                }
            ]
        ),
        headers=headers,
    )
    assert bad_person.status_code == 422
    problem = bad_person.json()["errors"][0]
    assert problem["field"] == "body.linked_persons.0.resident_id"
    assert problem["reason"] == "resident_id_check_character"
    assert "110105194912310021" not in bad_person.text  # the input is never echoed

    unknown_type = await registry.client.post(
        "/v1/subjects", json=_enterprise(subject_type="company"), headers=headers
    )
    assert unknown_type.status_code == 422
    assert unknown_type.json()["errors"][0]["field"] == "body.subject_type"

    await registry.client.post("/v1/subjects", json=_enterprise(), headers=headers)
    again = await registry.client.post("/v1/subjects", json=_enterprise(), headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"

    missing = await registry.client.get("/v1/subjects/91110000802100433B", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_every_call_is_attributed_to_a_department_or_refused(
    registry: RegistryUnderTest,
) -> None:
    anonymous = await registry.client.get(f"/v1/subjects/{VALID_USCC}")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    forged = await registry.client.get(
        f"/v1/subjects/{VALID_USCC}", headers={"Authorization": "Bearer not.a.token"}
    )
    assert forged.status_code == 401
    assert forged.json()["code"] == "unauthenticated"
    await registry.client.post("/v1/subjects", json=_enterprise(), headers=registry.as_department())
    async with registry_of(registry.app).runtime.db.sessions() as session:
        created_by = await session.scalar(select(orm.subjects.c.created_by))
    assert created_by == "tax"


async def test_an_unrelated_department_cannot_rewrite_a_subject(
    registry: RegistryUnderTest,
) -> None:
    """Issue 11 finding 5: the youth league renamed a market-regulation enterprise and removed
    its legal representative. Now refused; the registering authorities keep the history."""
    created = await registry.client.post(
        "/v1/subjects", json=_enterprise(), headers=registry.as_department("tax")
    )
    assert created.status_code == 201, created.text
    rewrite = {"name": "改名公司", "linked_persons": []}
    refused = await registry.client.put(
        f"/v1/subjects/{VALID_USCC}", json=rewrite, headers=registry.as_department("youth-league")
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "forbidden"
    unchanged = await registry.client.get(
        f"/v1/subjects/{VALID_USCC}", headers=registry.as_department("youth-league")
    )
    assert unchanged.json()["name"] == "福州示例科技有限公司"
    assert unchanged.json()["revision"] == 1

    # The market regulator keeps the register a 9… code comes from; the office coordinates.
    by_market = await registry.client.put(
        f"/v1/subjects/{VALID_USCC}",
        json={**rewrite, "name": "福州示例科技股份有限公司"},
        headers=registry.as_department("market"),
    )
    assert by_market.status_code == 200, by_market.text
    by_office = await registry.client.put(
        f"/v1/subjects/{VALID_USCC}",
        json={
            "name": "福州示例科技股份有限公司",
            "linked_persons": _enterprise()["linked_persons"],
        },
        headers=registry.as_office(),
    )
    assert by_office.status_code == 200, by_office.text

    history = await registry.client.get(
        f"/v1/subjects/{VALID_USCC}/history", headers=registry.as_department("youth-league")
    )
    assert history.status_code == 200, history.text
    revisions = history.json()
    assert [(r["revision"], r["recorded_by"]) for r in revisions] == [
        (1, "tax"),
        (2, "market"),
        (3, "credit-office"),
    ]
    assert revisions[0]["name"] == "福州示例科技有限公司"
    assert revisions[1]["linked_persons"] == []
    assert revisions[2]["linked_persons"][0]["resident_id_masked"] == "110105********002X"
    assert PERSON not in history.text  # DOMAIN.md §2: never in clear
    async with registry_of(registry.app).runtime.db.sessions() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(orm.messaging.outbox)
            .where(orm.messaging.outbox.c.event_type == "cn.jrp.registry.subject.recorded.v1")
        )
    assert events == 3  # the refused rewrite was never republished on subjects.v1

    missing = await registry.client.get(
        "/v1/subjects/91110000802100433B/history", headers=registry.as_department()
    )
    assert missing.status_code == 404
