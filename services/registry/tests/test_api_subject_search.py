"""Issue 11 finding 4: a masked resident ID cannot be recovered through the subject search."""

import pytest

from jrp_registry.testing import RegistryUnderTest
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.testing import sample_resident_id, sample_uscc

pytestmark = pytest.mark.integration


async def _found(registry: RegistryUnderTest, q: str) -> list[str]:
    response = await registry.client.get(
        "/v1/subjects", params={"q": q}, headers=registry.as_department("youth-league")
    )
    assert response.status_code == 200, response.text
    return [s["code"] for s in response.json()]


async def test_the_digit_by_digit_unmasking_of_a_resident_id_finds_nothing(
    registry: RegistryUnderTest,
) -> None:
    person = sample_resident_id(7_777)
    created = await registry.client.post(
        "/v1/subjects",
        json={"code": person, "subject_type": "natural_person", "name": "王五"},
        headers=registry.as_department(),
    )
    assert created.status_code == 201, created.text
    masked = mask_resident_id(person)
    # The attack of the finding: extend the visible prefix one digit at a time, keeping the
    # digit whose query still finds someone (at most 8 x 10 queries, 41 on average).
    known, queries = masked[:6], 0
    while len(known) < 14:
        for digit in "0123456789":
            queries += 1
            if await _found(registry, known + digit):
                known += digit
                break
        else:
            break
    assert len(known) == 6, f"recovered {known!r} in {queries} queries"
    assert await _found(registry, masked[:6]) == []
    assert await _found(registry, person[:17]) == []
    # The whole ID still finds the person, and the one who asks knows it already.
    assert await _found(registry, person) == [person]


async def test_a_uscc_prefix_still_finds_organisations(registry: RegistryUnderTest) -> None:
    code = sample_uscc(42)
    created = await registry.client.post(
        "/v1/subjects",
        json={"code": code, "subject_type": "legal_person", "name": "福州前缀测试有限公司"},
        headers=registry.as_department(),
    )
    assert created.status_code == 201, created.text
    assert await _found(registry, code[:8]) == [code]
