"""Issue 11 over the real broker: a department whose credentials changed is refused by every
service (finding 8), and only a department holding an order from an entry may object to it
(finding 6)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from test_due_process_over_kafka import entry_in_appeals, order_known_to_appeals, post_entry
from test_loop_over_kafka import TAX_LIST, catalog_ready, expected_orders, tax_entry

from harness import Mesh
from jrp_registry.app import registry_of
from jrp_registry.service_layer import handlers
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration


async def test_a_rotated_secret_revokes_the_old_token_on_every_service(mesh: Mesh) -> None:
    await mesh.registry.seed_catalog()
    async with registry_of(mesh.registry.app).runtime.uow() as uow:
        await handlers.set_client_secret(uow, "tax", "first-secret", "test")
    issued = await mesh.registry.client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "tax",
            "client_secret": "first-secret",
        },
    )
    assert issued.status_code == 200, issued.text
    old = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    for service in mesh.followers.values():
        answer = await service.client.get("/v1/catalog/list-types", headers=old)
        assert answer.status_code == 200, (service.name, answer.text)

    rotated = await mesh.registry.client.post(
        "/v1/departments/tax/credentials", headers=mesh.registry.as_office()
    )
    assert rotated.status_code == 201, rotated.text
    for service in mesh.followers.values():

        async def refused(client: AsyncClient = service.client) -> bool:
            answer = await client.get("/v1/catalog/list-types", headers=old)
            return answer.status_code == 401 and "revoked" in answer.json()["detail"]

        await eventually(refused, within=60)
    # The new secret's token works everywhere.
    fresh = await mesh.registry.client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "tax",
            "client_secret": rotated.json()["client_secret"],
        },
    )
    new = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    for service in mesh.followers.values():
        assert (await service.client.get("/v1/catalog/list-types", headers=new)).status_code == 200


async def test_only_a_department_holding_an_order_from_the_entry_may_object(mesh: Mesh) -> None:
    await catalog_ready(mesh)
    departments = {
        d for d, _ in expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    }
    assert "finance" in departments and "youth-league" not in departments
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    await order_known_to_appeals(mesh, entry_id, "finance")
    appeals = mesh.followers["appeals"].client
    body = {"entry_id": entry_id, "grounds": "与本部门无关的异议", "evidence_references": []}
    stranger = await appeals.post(
        "/v1/objections", json=body, headers=mesh.keys.headers("youth-league", "implementer")
    )
    assert stranger.status_code == 403, stranger.text
    holder = await appeals.post(
        "/v1/objections", json=body, headers=mesh.keys.headers("finance", "implementer")
    )
    assert holder.status_code == 201, holder.text
