"""Nothing lost, nothing doubled (issue 10): the four services as separate processes on the
real Kafka and a durable PostgreSQL cluster of the test's own, 300 tax entries posted while
the database is crashed and restarted, or while each service in turn is killed with SIGKILL.
Every effect of every accepted entry must then be present exactly once in every service's
database and on the department topics, with no dead letter. The same harness (bench/faults.py)
produces the figures of `make chaos` (docs/reliability.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.faults import FaultMesh, run_fault
from jrp_shared.local_mesh import SERVICES
from jrp_shared.testing import private_cluster

pytestmark = pytest.mark.integration


@pytest.fixture
async def fault_mesh(
    pytestconfig: pytest.Config, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> AsyncIterator[FaultMesh]:
    databases = tuple(f"jrp_{name}" for name in SERVICES)
    async with private_cluster(pytestconfig.rootpath, databases) as cluster:
        mesh = FaultMesh(tmp_path, cluster, kafka_bootstrap, namespace)
        try:
            await asyncio.to_thread(mesh.start)
            yield mesh
        finally:
            await asyncio.to_thread(mesh.stop)


async def test_a_database_crash_and_restart_mid_load_loses_and_doubles_nothing(
    fault_mesh: FaultMesh,
) -> None:
    outcome = await run_fault(fault_mesh, "postgres-restart", entries=300, rate=30, down=3)

    assert outcome.problems() == []
    assert outcome.accepted == 300
    # A real outage: posts were refused with 503 while it lasted, and the mesh caught up.
    assert any(reason.startswith("503") for reason in outcome.refusals), outcome.refusals
    (step,) = outcome.injected
    assert step.recovered is not None


async def test_killing_each_service_in_turn_mid_load_loses_and_doubles_nothing(
    fault_mesh: FaultMesh,
) -> None:
    outcome = await run_fault(fault_mesh, "kill-each", entries=300, rate=15, down=1)

    assert outcome.problems() == []
    assert outcome.accepted == 300
    assert [step.what for step in outcome.injected] == [f"kill-{name}" for name in SERVICES]
    assert all(step.recovered is not None for step in outcome.injected)
