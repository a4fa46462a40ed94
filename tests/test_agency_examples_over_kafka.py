"""The example agency consumers of docs/examples/agency/ work against the real mesh (issue 17).

The tax authority lists an enterprise with its legal representative; the Python example reads
finance's topic, the Java example (kafka-clients, compiled here with `javac`) reads a second
department's topic, each with its own consumer group: each prints exactly its department's
orders, validates them against the schema its `ce_dataschema` names (the registry served on a
loopback port, as a deployment's `EVENT_SCHEMA_BASE_URL`), and acknowledges receipt over HTTP
with its department's token, which enforcement then shows. After a revocation, the Python
example, run again in the same group with its state file, reads only the lifts (offsets were
committed) and skips a redelivered copy of an order by its `ce_id` (docs/loop.md, "What delivery
you get").
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from test_loop_over_kafka import TAX_LIST, catalog_ready, expected_orders, tax_entry

from harness import Mesh, running_mesh
from jrp_shared.events import topics
from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE, set_schema_base
from jrp_shared.testing import (
    Keys,
    PostgresDatabases,
    TopicReader,
    eventually,
    free_port,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples" / "agency"
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"
JARS = ("kafka-clients", "slf4j-api", "lz4-java", "snappy-java", "zstd-jni")
"""kafka-clients and its runtime dependencies, from the jars Maven fetched for the test broker
(deploy/local/kafka.sh: `$JRP_CACHE_DIR/kafka-<version>/libs`)."""


@asynccontextmanager
async def listening(app: FastAPI, port: int) -> AsyncIterator[str]:
    """An app of the mesh (already started) also served on a loopback port, in this loop."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served_mesh(
    postgres: PostgresDatabases, keys: Keys, kafka_bootstrap: str, namespace: str
) -> AsyncIterator[tuple[Mesh, str]]:
    """The mesh with the registry (answering `ce_dataschema`) and enforcement (receipts) on
    loopback ports, as agencies reach them; yields the mesh and enforcement's URL."""
    registry_port, enforcement_port = free_port(), free_port()
    base = f"http://127.0.0.1:{registry_port}/schemas/events/"
    try:
        async with (
            running_mesh(
                postgres, keys, kafka_bootstrap, namespace, event_schema_base_url=base
            ) as mesh,
            listening(mesh.registry.app, registry_port),
            listening(mesh.followers["enforcement"].app, enforcement_port) as enforcement_url,
        ):
            yield mesh, enforcement_url
    finally:
        set_schema_base(DEFAULT_SCHEMA_BASE)  # one value per process: leave the default


def kafka_client_jars() -> list[Path]:
    version = re.search(
        r"<kafka\.version>([^<]+)</kafka\.version>",
        (ROOT / "deploy" / "kafka" / "pom.xml").read_text(encoding="utf-8"),
    )
    assert version, "no <kafka.version> in deploy/kafka/pom.xml"
    cache = Path(os.environ.get("JRP_CACHE_DIR", Path.home() / ".cache" / "jrp"))
    libs = cache / f"kafka-{version.group(1)}" / "libs"
    jars = [next(iter(sorted(libs.glob(f"{name}-[0-9]*.jar"))), None) for name in JARS]
    missing = [name for name, jar in zip(JARS, jars, strict=True) if jar is None]
    assert not missing, (
        f"{missing} not in {libs}: deploy/local/kafka.sh fetches them from Maven Central "
        "when it first starts the test broker (make infra)"
    )
    return [jar for jar in jars if jar is not None]


async def run(*command: str | Path, within: float) -> list[str]:
    """Run a command to its end (bounded); its output lines, or a failure with its output."""
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=within)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        pytest.fail(f"{command[0]} still running after {within}s:\n{output.decode()}")
    text = output.decode()
    assert process.returncode == 0, f"{command} exited {process.returncode}:\n{text}"
    return text.splitlines()


def field_of(lines: list[str], event: str, name: str) -> list[str]:
    """The `name=` value of every line that starts with `event`."""
    return [
        re.search(rf"\b{name}=(\S+)", line)[1]  # type: ignore[index]
        for line in lines
        if line.startswith(f"{event} ")
    ]


async def orders_of(mesh: Mesh, department: str, count: int) -> dict[str, dict[str, Any]]:
    """Enforcement's view of the department's orders, once it has `count` of them."""
    enforcement = mesh.followers["enforcement"]

    async def issued() -> dict[str, dict[str, Any]] | None:
        r = await enforcement.client.get(
            "/v1/sanction-orders", headers=mesh.keys.headers(department, "implementer")
        )
        assert r.status_code == 200, r.text
        found = {o["order_id"]: o for o in r.json()}
        return found if len(found) >= count else None

    result = await eventually(issued, within=60)
    assert result is not None and len(result) == count
    return result


async def test_the_example_agency_consumers(served_mesh: tuple[Mesh, str], tmp_path: Path) -> None:
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "the Java example needs a JDK 17 (javac and java) on PATH"
    classpath = os.pathsep.join(str(jar) for jar in kafka_client_jars())
    compiled = tmp_path / "classes"
    await run(
        javac,
        "-cp",
        classpath,
        "-d",
        compiled,
        EXAMPLES / "java" / "AgencyConsumer.java",
        within=120,
    )

    mesh, enforcement_url = served_mesh
    await catalog_ready(mesh)
    expected = expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    other = sorted(d for d, _ in expected if d != "finance")[0]
    counts = {d: sum(1 for dept, _ in expected if dept == d) for d in ("finance", other)}
    assert counts["finance"] == 2  # the enterprise and its legal representative

    posted = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]
    finance_orders = await orders_of(mesh, "finance", counts["finance"])
    other_orders = await orders_of(mesh, other, counts[other])

    tokens = {}
    for department in ("finance", other):
        tokens[department] = tmp_path / f"{department}.token"
        tokens[department].write_text(mesh.keys.token(department, "implementer"))
    state = tmp_path / "finance-state.json"

    def python_example(limit: int) -> list[str | Path]:
        return [
            sys.executable,
            EXAMPLES / "python" / "agency_consumer.py",
            "--bootstrap",
            mesh.kafka_bootstrap,
            "--topic",
            mesh.topic(topics.sanctions("finance")),
            "--group",
            f"{mesh.namespace}.dept.finance.example",
            "--enforcement-url",
            enforcement_url,
            "--token-file",
            str(tokens["finance"]),
            "--state",
            str(state),
            "--max-messages",
            str(limit),
            "--timeout",
            "60",
        ]

    python_out, java_out = await asyncio.gather(
        run(*python_example(counts["finance"]), within=90),
        run(
            java,
            "-cp",
            os.pathsep.join([str(compiled), classpath]),
            "AgencyConsumer",
            "--bootstrap",
            mesh.kafka_bootstrap,
            "--topic",
            mesh.topic(topics.sanctions(other)),
            "--group",
            f"{mesh.namespace}.dept.{other}.example-java",
            "--enforcement-url",
            enforcement_url,
            "--token-file",
            str(tokens[other]),
            "--max-messages",
            str(counts[other]),
            "--timeout",
            "60",
            within=120,
        ),
    )

    # Each printed exactly its department's orders, with their measures, and receipted each.
    for department, out, orders in (
        ("finance", python_out, finance_orders),
        (other, java_out, other_orders),
    ):
        assert sorted(field_of(out, "issued", "order")) == sorted(orders), "\n".join(out)
        assert sorted(field_of(out, "receipt", "order")) == sorted(orders), "\n".join(out)
        assert set(field_of(out, "receipt", "status")) == {"200"}
        ids, codes = field_of(out, "issued", "order"), field_of(out, "issued", "measures")
        printed = dict(zip(ids, codes, strict=True))
        for order_id, order in orders.items():
            assert printed[order_id].split(",") == [m["code"] for m in order["issued"]["measures"]]
        assert not any(line.startswith("rejected") for line in out), "\n".join(out)
        assert out[-1] == f"done messages={len(orders)} orders={len(orders)}", department

    # Enforcement shows them received, by the examples' receipts.
    for department, orders, note in (
        ("finance", finance_orders, "received by the example agency consumer"),
        (other, other_orders, "received by the example Java consumer"),
    ):
        for order_id in orders:
            r = await mesh.followers["enforcement"].client.get(
                f"/v1/sanction-orders/{order_id}",
                headers=mesh.keys.headers(department, "implementer"),
            )
            order = r.json()
            assert order["state"] == "received", order
            assert order["received_at"] is not None and order["receipt_note"] == note

    # Redelivery and lifting: a copy of an issued order (the same ce_id) and the lifts after a
    # revocation; the second run in the same group reads only these, skips the copy.
    async with TopicReader(mesh.kafka_bootstrap) as reader:
        first = next(
            m
            for m in await reader.read(mesh.topic(topics.sanctions("finance")))
            if m.headers["ce_type"] == ISSUED
        )
    producer = AIOKafkaProducer(bootstrap_servers=mesh.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            mesh.topic(topics.sanctions("finance")),
            json.dumps(first.body).encode(),
            key=first.key.encode() if first.key else None,
            headers=[(k, v.encode()) for k, v in first.headers.items()],
        )
    finally:
        await producer.stop()
    revoked = await mesh.followers["trigger"].client.post(
        f"/v1/list-entries/{entry_id}/revocation",
        json={"reason": "行政复议撤销原处罚决定"},
        headers=mesh.keys.headers("tax", "initiator"),
    )
    assert revoked.status_code == 200, revoked.text

    again = await run(*python_example(1 + counts["finance"]), within=90)
    assert field_of(again, "duplicate", "ce_id") == [first.headers["ce_id"]], "\n".join(again)
    assert not field_of(again, "issued", "order") and not field_of(again, "receipt", "order")
    assert sorted(field_of(again, "lifted", "order")) == sorted(finance_orders), "\n".join(again)
    assert set(field_of(again, "lifted", "why")) == {"revoked"}
