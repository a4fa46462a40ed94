"""Every moment an API answers with carries its UTC offset, on the embedded default too.

`make run` keeps each service on SQLite, which has no time zone type: a plain
`DateTime(timezone=True)` came back naive and the answers said `"2026-11-29T10:00:00"` with no
offset, where PostgreSQL's said `+00:00` (issue "date-times always with their offset"). The four
services run here in this process on SQLite files and the embedded bus, as `make run` has them;
the loop runs through their APIs (an entry, its orders received and fed back, must-checks, an
objection decided, officers, a subject's record and history), then every GET of their OpenAPI
documents is asked with the identifiers the flow made. Every 2xx JSON answer is walked: each
string that reads as an ISO date-time with a time of day must carry an offset.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from test_loop_over_kafka import ENTERPRISE, LEGAL_REPRESENTATIVE, catalog_ready, tax_entry

from harness import Mesh, Service, key_secret_file
from jrp_appeals import cli as appeals_cli
from jrp_appeals.app import create_app as create_appeals
from jrp_appeals.config import AppealsSettings
from jrp_enforcement import cli as enforcement_cli
from jrp_enforcement.app import create_app as create_enforcement
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.cli import MIGRATIONS as REGISTRY_MIGRATIONS
from jrp_registry.config import RegistrySettings
from jrp_registry.testing import running_registry
from jrp_shared import migrations
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, eventually, serving
from jrp_trigger import cli as trigger_cli
from jrp_trigger.app import create_app as create_trigger
from jrp_trigger.config import TriggerSettings

_LOOKS_LIKE_A_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def moments_in(value: Any, where: str = "$") -> Iterator[tuple[str, str, bool]]:
    """(JSON path, string, has an offset) for every string in `value` that parses as an ISO
    date-time with a time of day (dates alone, "2026-11-29", are days, not moments)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from moments_in(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from moments_in(item, f"{where}[{i}]")
    elif isinstance(value, str) and _LOOKS_LIKE_A_MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return
        yield where, value, moment.tzinfo is not None


def test_the_walk_finds_moments_without_offsets() -> None:
    """The check itself: nested moments found, naive ones told apart, days and text ignored."""
    body = {
        "a": [{"at": "2026-11-29T10:00:00"}, {"at": "2026-11-29T10:00:00+08:00"}],
        "day": "2026-11-29",
        "z": "2026-11-29T02:00:00.123456Z",
        "note": "2026-11-29 10:00 开会",
    }
    assert sorted(moments_in(body)) == [
        ("$.a[0].at", "2026-11-29T10:00:00", False),
        ("$.a[1].at", "2026-11-29T10:00:00+08:00", True),
        ("$.z", "2026-11-29T02:00:00.123456Z", True),
    ]


@dataclass
class Answers:
    """Every 2xx JSON answer the services gave during the test, with the moments in it."""

    moments: dict[str, int] = field(default_factory=dict)
    """request ("GET /v1/…") → how many moments its answers carried"""
    naive: list[str] = field(default_factory=list)
    json_answers: int = 0

    async def record(self, response: httpx.Response) -> None:
        if not 200 <= response.status_code < 300:
            return
        if not response.headers.get("content-type", "").startswith("application/json"):
            return
        if response.request.url.path == "/openapi.json":  # the documents, not an answer
            return
        await response.aread()
        self.json_answers += 1
        request = f"{response.request.method} {response.request.url.raw_path.decode()}"
        self.moments.setdefault(request, 0)
        for where, value, aware in moments_in(response.json()):
            self.moments[request] += 1
            if not aware:
                self.naive.append(f"{request} {where} = {value!r}")

    def carried(self, request: str) -> int:
        """Moments carried by the answers to requests starting with `request`."""
        return sum(n for r, n in self.moments.items() if r.startswith(request))


@asynccontextmanager
async def embedded_mesh(keys: Keys, directory: Path, answers: Answers) -> AsyncIterator[Mesh]:
    """The four services in this process as `make run` has them: each on its own SQLite file,
    all on one embedded bus file; every client's answers go to `answers`."""
    common: dict[str, Any] = {
        "bus": "embedded",
        "embedded_bus_path": directory / "bus.sqlite3",
        "kafka_key_secret_file": key_secret_file(keys),
        "auth_public_key_file": keys.public_key_file,
        "log_json": False,
        "log_level": "WARNING",
    }

    async def database(name: str, scripts: Path) -> str:
        url = f"sqlite+aiosqlite:///{directory / f'{name}.db'}"
        await asyncio.to_thread(migrations.upgrade, scripts, url)
        return url

    async with AsyncExitStack() as stack:
        registry = await stack.enter_async_context(
            running_registry(
                RegistrySettings(
                    database_url=await database("registry", REGISTRY_MIGRATIONS),
                    signing_key_file=keys.private_key_file,
                    **common,
                ),
                keys,
            )
        )
        registry.client.event_hooks["response"].append(answers.record)
        followers = {}
        kinds: list[tuple[str, Callable[..., FastAPI], type[ServiceSettings], Path]] = [
            ("trigger", create_trigger, TriggerSettings, trigger_cli.MIGRATIONS),
            ("enforcement", create_enforcement, EnforcementSettings, enforcement_cli.MIGRATIONS),
            ("appeals", create_appeals, AppealsSettings, appeals_cli.MIGRATIONS),
        ]
        for name, factory, settings_class, scripts in kinds:
            settings = settings_class(database_url=await database(name, scripts), **common)
            app = factory(settings)
            client = await stack.enter_async_context(serving(app, name))
            client.event_hooks["response"].append(answers.record)
            followers[name] = Service(name, app, client)
        yield Mesh(registry, followers, "", keys, "")


def _ok(response: httpx.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200,)), response.text
    return response.json()


async def test_every_answer_of_the_loop_on_sqlite_carries_offsets(
    keys: Keys, tmp_path: Path
) -> None:
    answers = Answers()
    async with embedded_mesh(keys, tmp_path, answers) as mesh:
        ids = await _run_the_loop(mesh)
        await _ask_every_get(mesh, ids)

    assert not answers.naive, "moments without an offset:\n" + "\n".join(answers.naive[:50])
    # The walk saw the flows' moments (not an empty pass): each area answered with some.
    for request in (
        "POST /v1/officers",
        "GET /v1/officers",
        "POST /v1/list-entries",
        f"GET /v1/list-entries/{ids['entry_id']}",
        "GET /v1/sanction-orders",
        f"GET /v1/sanction-orders/{ids['order_id']}",
        f"POST /v1/sanction-orders/{ids['order_id']}/feedback",
        f"GET /v1/checks/{ENTERPRISE}",
        "GET /v1/checks/audit",
        "POST /v1/objections",
        f"GET /v1/objections/{ids['objection_id']}",
        f"POST /v1/objections/{ids['objection_id']}/decision",
        "GET /v1/notifications",
        f"POST /v1/objections/{ids['objection_id']}/complaint",
        f"GET /v1/complaints/{ids['complaint_id']}",
        f"GET /v1/subjects/{ENTERPRISE}/history",
        f"GET /v1/entries/{ids['entry_id']}",
    ):
        assert answers.carried(request) > 0, f"no moment in the answers to {request}"
    assert answers.json_answers > 60 and sum(answers.moments.values()) > 150, answers.moments


async def _run_the_loop(mesh: Mesh) -> dict[str, str]:
    """Registry → trigger → enforcement → appeals through the APIs; the identifiers made."""
    await catalog_ready(mesh)
    registry = mesh.registry
    trigger, enforcement, appeals = (
        mesh.followers["trigger"],
        mesh.followers["enforcement"],
        mesh.followers["appeals"],
    )
    office = registry.as_office()
    tax = mesh.keys.headers("tax", "initiator")
    finance = mesh.keys.headers("finance", "implementer")
    subject = mesh.keys.subject_headers(ENTERPRISE)

    # Officers (registry).
    officer = _ok(
        await registry.client.post(
            "/v1/officers",
            json={
                "username": "zhang.wei",
                "display_name": "张伟",
                "department": "tax",
                "roles": ["initiator", "reviewer"],
            },
            headers=office,
        ),
        201,
    )
    _ok(await registry.client.get("/v1/officers", params={"department": "tax"}, headers=office))

    # The entry (trigger), then its orders (enforcement): received and fed back by finance.
    posted = await trigger.client.post("/v1/list-entries", json=tax_entry(), headers=tax)
    entry_id = str(_ok(posted, 201)["entry_id"])

    async def finance_orders() -> list[dict[str, Any]] | None:
        r = await enforcement.client.get("/v1/sanction-orders", headers=finance)
        found: list[dict[str, Any]] = r.json() if r.status_code == 200 else []
        return [o for o in found if o["entry_id"] == entry_id] or None

    orders = await eventually(finance_orders, within=90)
    for order in orders:
        url = f"/v1/sanction-orders/{order['order_id']}"
        _ok(
            await enforcement.client.post(
                f"{url}/receipt", json={"note": "已接收"}, headers=finance
            )
        )
        detail = _ok(await enforcement.client.get(url, headers=finance))
        feedback = [
            {
                "measure": m["code"],
                "outcome": "applied" if m["mandatory"] else "not_applicable",
                "business_reference": "finance-case-1",
                "executed_at": datetime.now(UTC).isoformat(),
            }
            for m in detail["measures"]
        ]
        _ok(
            await enforcement.client.post(
                f"{url}/feedback", json={"measures": feedback}, headers=finance
            )
        )
        _ok(await enforcement.client.get(url, headers=finance))
    order_id = str(orders[0]["order_id"])

    # Must-checks: the enterprise and its legal representative, now and as of a past moment.
    listed = _ok(await enforcement.client.get(f"/v1/checks/{ENTERPRISE}", headers=finance))
    assert listed["listed"] is True
    _ok(await enforcement.client.get(f"/v1/checks/{LEGAL_REPRESENTATIVE}", headers=finance))
    _ok(
        await enforcement.client.get(
            f"/v1/checks/{ENTERPRISE}",
            params={"as_of": datetime.now(UTC).isoformat()},
            headers=finance,
        )
    )
    audit = _ok(await enforcement.client.get("/v1/checks/audit", headers=finance))
    check_id = str(audit[0]["check_id"])

    # The initiator sees finance's feedback on its entry.
    async def fed_back() -> dict[str, Any] | None:
        body = _ok(await trigger.client.get(f"/v1/list-entries/{entry_id}", headers=tax))
        states = [
            o["state"]
            for d in body["departments"]
            if d["department"] == "finance"
            for o in d["orders"]
        ]
        return body if states and set(states) == {"fed_back"} else None

    await eventually(fed_back, within=60)

    # An objection (appeals) by the enterprise, decided by tax: its answers and notices.
    async def known_to_appeals() -> bool:
        r = await appeals.client.get(f"/v1/entries/{entry_id}", headers=office)
        return r.status_code == 200

    await eventually(known_to_appeals, within=60)
    objection = _ok(
        await appeals.client.post(
            "/v1/objections",
            json={
                "entry_id": entry_id,
                "grounds": "所列欠税已于稽查前缴清",
                "evidence_references": ["完税凭证-001"],
            },
            headers=subject,
        ),
        201,
    )
    objection_id = str(objection["objection_id"])
    _ok(await appeals.client.get(f"/v1/objections/{objection_id}", headers=tax))
    _ok(
        await appeals.client.post(
            f"/v1/objections/{objection_id}/decision",
            json={"outcome": "information_right", "reasons": "经核查，稽查认定事实清楚"},
            headers=tax,
        )
    )
    _ok(await appeals.client.get("/v1/notifications", headers=subject))
    # Not satisfied, the enterprise complains to the joint conference office.
    complaint = _ok(
        await appeals.client.post(
            f"/v1/objections/{objection_id}/complaint",
            json={"grounds": "异议答复未说明依据", "evidence_references": ["申辩书-002"]},
            headers=subject,
        ),
        201,
    )

    # The registry's record of the subject learnt of the entry and the objection.
    async def history() -> bool:
        r = await registry.client.get(f"/v1/subjects/{ENTERPRISE}/history", headers=office)
        return r.status_code == 200 and bool(r.json())

    await eventually(history, within=60)
    return {
        "entry_id": entry_id,
        "order_id": order_id,
        "objection_id": objection_id,
        "officer_id": str(officer["id"]),
        "check_id": check_id,
        "complaint_id": str(complaint["complaint_id"]),
    }


async def _ask_every_get(mesh: Mesh, ids: dict[str, str]) -> None:
    """Every GET each service documents, with the flow's identifiers in its path, as each kind
    of caller in turn until one is let in (the answers are recorded by the clients' hook)."""
    values = {
        **ids,
        "code": ENTERPRISE,
        "subject_code": ENTERPRISE,
    }
    callers = [
        mesh.registry.as_office(),
        mesh.keys.headers("tax", "initiator", "implementer", "reviewer"),
        mesh.keys.headers("finance", "implementer"),
        mesh.keys.subject_headers(ENTERPRISE),
    ]
    clients = [mesh.registry.client, *(s.client for s in mesh.followers.values())]
    for client in clients:
        document = (await client.get("/openapi.json")).json()
        for template, operations in document["paths"].items():
            if "get" not in operations or template in ("/metrics",):
                continue
            names = re.findall(r"\{(\w+)\}", template)
            if any(n not in values for n in names):
                continue
            path = template
            for n in names:
                path = path.replace("{" + n + "}", values[n])
            for headers in callers:
                r = await client.get(path, headers=headers)
                if r.status_code not in (401, 403):
                    break
