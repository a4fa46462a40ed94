"""The must-check's own route (served before FastAPI's routing, `_HotCheckRoute`) refuses an
unknown query parameter like every other route (issue 17; docs/security.md, "Errors")."""

import pytest

from jrp_enforcement.testing import EnforcementUnderTest

pytestmark = pytest.mark.integration

ENTERPRISE = "91350100M000100Y43"


async def test_the_check_refuses_an_unknown_query_parameter(
    enforcement: EnforcementUnderTest,
) -> None:
    own = enforcement.as_department("finance")
    known = await enforcement.client.get(
        f"/v1/checks/{ENTERPRISE}",
        params={"purpose": "licensing", "business_reference": "ref-1"},
        headers=own,
    )
    assert known.status_code == 200, known.text
    typo = await enforcement.client.get(
        f"/v1/checks/{ENTERPRISE}", params={"purpose": "licensing", "deparment": "x"}, headers=own
    )
    assert typo.status_code == 422
    assert typo.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["reason"]) for e in typo.json()["errors"]] == [
        ("query.deparment", "unknown_parameter")
    ]
    listing = await enforcement.client.get("/v1/sanction-orders", params={"sort": "x"}, headers=own)
    assert listing.status_code == 422 and listing.json()["errors"][0]["field"] == "query.sort"
