"""`make chaos`: every fault of bench/faults.py under load, figures into docs/reliability.md.

For each fault a fresh, durable PostgreSQL cluster of the run's own (it is crashed by the
`postgres-restart` fault), a fresh topic namespace on the local Kafka (killed and restarted by
`broker-restart`: the run owns the broker started by `make infra`), the four services as
processes, the same load, and the ledger of every effect. `none` is the baseline, in the same
run. Needs `make infra` (JRP_TEST_KAFKA_BOOTSTRAP from `deploy/local/infra.sh env`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.faults import FAULTS, FaultMesh, run_fault
from bench.report import machine
from jrp_shared.local_mesh import ROOT, SERVICES
from jrp_shared.testing import delete_namespace_topics, private_cluster

DESCRIPTIONS = {
    "none": "no fault (baseline)",
    "postgres-restart": "PostgreSQL stopped immediately (crash), down {down:.0f} s, started",
    "kill-registry": "registry killed (SIGKILL), restarted after {down:.0f} s",
    "kill-trigger": "trigger killed (SIGKILL), restarted after {down:.0f} s",
    "kill-enforcement": "enforcement killed (SIGKILL), restarted after {down:.0f} s",
    "kill-appeals": "appeals killed (SIGKILL), restarted after {down:.0f} s",
    "kill-each": "the four services killed in turn, each restarted after {down:.0f} s",
    "broker-restart": "Kafka broker killed (SIGKILL), restarted after {down:.0f} s",
}


async def one(
    fault: str, *, entries: int, rate: float, down: float, bootstrap: str, work: Path
) -> dict[str, Any]:
    await asyncio.to_thread(shutil.rmtree, work, True)
    await asyncio.to_thread(work.mkdir, parents=True)
    databases = tuple(f"jrp_{name}" for name in SERVICES)
    async with private_cluster(ROOT, databases) as cluster:
        namespace = f"chaos{uuid.uuid4().hex[:8]}"
        mesh = FaultMesh(work, cluster, bootstrap, namespace)
        try:
            await asyncio.to_thread(mesh.start)
            outcome = await run_fault(mesh, fault, entries=entries, rate=rate, down=down)
        finally:
            await asyncio.to_thread(mesh.stop)
            await delete_namespace_topics(bootstrap, namespace)
    result = outcome.as_dict()
    result["problems"] = outcome.problems()
    result["description"] = DESCRIPTIONS[fault].format(down=down)
    return result


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def down(run: dict[str, Any]) -> str:
    steps = run["injected"]
    return " + ".join(f"{s['down_s']:.1f}" for s in steps) if steps else "–"


def render(runs: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    lines = [
        "# Reliability: faults under load",
        "",
        "Produced by `make chaos` (bench/chaos.py, with bench/faults.py); do not edit by hand.",
        f"Measured {settings['measured_at']} on {settings['machine']}.",
        "",
        f"Each run: a fresh durable PostgreSQL cluster (`JRP_PG_DURABLE=1`: `fsync` and "
        f"`synchronous_commit` on), the local Kafka, the four services as separate processes; "
        f"{settings['entries']:,} tax black-list entries posted one by one at "
        f"{settings['rate']:.0f}/s, each with its legal representative, so 19 sanction orders "
        "per entry. The client retries a refused or interrupted post with the same record id "
        "(as a department system must). The fault starts after a third of the entries were "
        "accepted (`kill-each`: one service every sixth).",
        "",
        "**Effects** per accepted entry, counted in every service's database and on the "
        "department topics: trigger's entry (1) and the order statuses it sees (19); "
        "enforcement's entry (1), sanction orders (19) and their `issued` history rows (19); "
        "appeals' entry (1) and linked person (1); the orders issued on the department "
        "topics (19). *Lost*: expected but absent. *Doubled*: an effect present twice (two "
        "rows, or one order issued under two message ids). *Duplicate messages*: the same "
        "CloudEvents id delivered again on a department topic — at-least-once delivery, which "
        "agencies de-duplicate by `ce_id` (docs/loop.md). *Down*: from the fault until the "
        "part is back (PostgreSQL accepts connections, the service answers `/readyz`, the "
        "broker answers). *Recovery*: from then until every entry accepted before the fault "
        "had all its effects. *Drain*: from the last accepted post until every effect was "
        "present. *Client retries*: posts refused (503) or cut off and sent again.",
        "",
        "| fault | entries accepted | effects expected | present | lost | doubled "
        "| duplicate messages | dead letters | down s | recovery s | drain s | client retries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run['description']} | {run['accepted']:,} of {run['entries']:,} "
            f"| {run['effects_expected']:,} | {run['effects_present']:,} | {run['lost']} "
            f"| {run['doubled']} | {run['duplicate_messages']} | {run['dead_letters']} "
            f"| {down(run)} | {seconds(run['recovery_s'])} | {seconds(run['drain_s'])} "
            f"| {run['client_retries']} |"
        )
    lines += [
        "",
        "**Reading the figures.** *Lost* and *doubled* must be 0 for every fault, and dead "
        "letters too: a transient failure of the database or the broker is waited out, never "
        'dead-lettered (docs/architecture.md, "When the database or the bus is away"). '
        "*Duplicate messages* are allowed (at-least-once): they come from a relay that had "
        "published a batch but could not mark it sent before the fault, and are absorbed by "
        "every inbox. *Down* is bounded by the chosen outage plus the part's own start: a "
        "service process needs a few seconds (imports, database and broker connections, its "
        "consumers joining their groups, the must-check index loading); PostgreSQL its crash "
        "recovery; the broker its log recovery, then every client's reconnection and metadata "
        "refresh. *Recovery* and *drain* are bounded by the consumers' back-off while the part "
        "was away (at most a few seconds between attempts) and by the backlog built meanwhile, "
        "which the mesh then works off at its normal rate (docs/benchmarks.md). *Client "
        "retries* count what a department system sees: 503 `dependency_unavailable` with "
        "`Retry-After` while the database is away, refused connections while trigger is down.",
        "",
        "**Before** this work (issue 10's findings, a run of the same kind by hand): a PostgreSQL "
        "restart dead-lettered valid events — enforcement never planned 3 entries (57 orders), "
        "appeals lost 1 entry, trigger 3 status events — and the local PostgreSQL's "
        "`fsync=off` lost an acknowledged entry with its 19 orders after an immediate stop.",
        "",
        "## Per fault",
        "",
    ]
    for run in runs:
        refusals = ", ".join(f"{k}: {v}" for k, v in sorted(run["client_refusals"].items()))
        steps = "; ".join(
            f"{s['what']} at {s['at_s']} s into the load, down {s['down_s']} s, "
            f"recovered {seconds(s['recovery_s'])} s later"
            for s in run["injected"]
        )
        lines += [
            f"### {run['fault']}",
            "",
            f"- {run['description']}; load {run['load_s']} s.",
            f"- Steps: {steps or 'none'}.",
            f"- What the client was told while it lasted: {refusals or 'nothing refused'}.",
            "- Problems: " + ("; ".join(run["problems"]) if run["problems"] else "none") + ".",
            "",
            "| service | effect | expected | present | lost | doubled |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for c in run["counts"]:
            lines.append(
                f"| {c['service']} | {c['effect']} | {c['expected']:,} | {c['present']:,} "
                f"| {c['lost']} | {c['doubled']} |"
            )
        t = run["topic_orders"]
        lost = max(t["expected"] - t["present"], 0)
        lines += [
            f"| department topics | orders issued | {t['expected']:,} | {t['present']:,} "
            f"| {lost} | {t['doubled']} |",
            "",
        ]
    return "\n".join(lines) + "\n"


def rerender(args: argparse.Namespace) -> int:
    """Write the document again from the last run's results (no new run)."""
    saved = json.loads((args.var / "results.json").read_text())
    args.doc.write_text(render(saved["runs"], saved["settings"]))
    return 0


async def main_async(args: argparse.Namespace) -> int:
    bootstrap = os.environ.get("JRP_TEST_KAFKA_BOOTSTRAP")
    if not bootstrap:
        raise SystemExit("JRP_TEST_KAFKA_BOOTSTRAP is not set: run `make chaos` (or `make infra`)")
    runs = []
    for fault in args.faults:
        print(f"[chaos] {fault}", file=sys.stderr, flush=True)
        result = await one(
            fault,
            entries=args.entries,
            rate=args.rate,
            down=args.down,
            bootstrap=bootstrap,
            work=args.var / fault,
        )
        print(json.dumps({k: result[k] for k in ("fault", "lost", "doubled")}), flush=True)
        runs.append(result)
    settings = {
        "entries": args.entries,
        "rate": args.rate,
        "down": args.down,
        "measured_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "machine": machine(),
    }
    args.var.mkdir(parents=True, exist_ok=True)
    (args.var / "results.json").write_text(
        json.dumps({"settings": settings, "runs": runs}, indent=2, ensure_ascii=False)
    )
    args.doc.write_text(render(runs, settings))
    print(f"[chaos] figures in {args.doc}", file=sys.stderr)
    return 1 if any(run["problems"] for run in runs) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0, help="entries posted per second")
    parser.add_argument("--down", type=float, default=5.0, help="seconds a faulty part stays down")
    parser.add_argument("--faults", nargs="+", default=list(FAULTS), choices=FAULTS)
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "chaos")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the document from the last results"
    )
    args = parser.parse_args()
    if args.render_only:
        return rerender(args)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
