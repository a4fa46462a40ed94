"""Benchmark of due process on Kafka and PostgreSQL: objection filed → suspension everywhere.

Starts the whole mesh as separate processes (deploy/local/run_mesh.py, as bench.loop does),
lists N enterprises (with their legal representatives) for major tax violations and waits for
every order, then has each enterprise object through the portal at a steady rate. For each
objection it measures the time from sending `POST /v1/objections` until both (a) every one of
the entry's orders has a `sanction-order.suspended` message on its department's topic and
(b) the must-check (`GET /v1/checks/{code}` by finance) answers `suspended`: p50/p90/p99. The
check is asked once the topics have everything, so (b) is at worst one request late.

Needs the local infrastructure (`make infra`; JRP_TEST_POSTGRES_URL and
JRP_TEST_KAFKA_BOOTSTRAP from `deploy/local/infra.sh env`). Prints JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from bench.checks import log
from bench.loop import (
    DEPARTMENT,
    LIST_TYPE,
    ROOT,
    SanctionOffsets,
    bench_mesh,
    entry,
    listed_subject_of,
    listening_to_sanctions,
    orders_per_entry,
    paced,
    percentile,
    wait_for_catalog,
)

REGISTRY, TRIGGER, ENFORCEMENT, APPEALS = (
    "http://127.0.0.1:8001",
    "http://127.0.0.1:8002",
    "http://127.0.0.1:8003",
    "http://127.0.0.1:8004",
)
SUSPENDED = b"cn.jrp.enforcement.sanction-order.suspended.v1"
PORTAL = "credit-office"
CHECKER = "finance"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def list_entries(
    client: httpx.AsyncClient, token: str, bootstrap: str, namespace: str, n: int, run: str
) -> list[tuple[str, str]]:
    """Post N entries (20 at a time) and wait until all their orders are on the topics.
    Returns (entry id, subject code) pairs."""
    expected = n * orders_per_entry(LIST_TYPE, True)
    listed: list[tuple[str, str]] = []
    for first in range(0, n, 20):
        bodies = [entry(i, run=run, with_person=True) for i in range(first, min(n, first + 20))]
        responses = await asyncio.gather(
            *(
                client.post(f"{TRIGGER}/v1/list-entries", json=b, headers=bearer(token))
                for b in bodies
            )
        )
        for body, r in zip(bodies, responses, strict=True):
            r.raise_for_status()
            listed.append((r.json()["entry_id"], body["subject"]["code"]))
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, metadata_max_age_ms=1000)
    await probe.start()
    try:
        deadline = time.perf_counter() + 600
        offsets = SanctionOffsets(probe, namespace)
        while await offsets.total() < expected:
            if time.perf_counter() > deadline:
                raise SystemExit("the orders of the listed entries never all arrived")
            await asyncio.sleep(0.5)
    finally:
        await probe.stop()
    return listed


async def subject_token(client: httpx.AsyncClient, portal: str, code: str) -> str:
    r = await client.post(
        f"{REGISTRY}/v1/oauth/subject-token", data={"subject_code": code}, headers=bearer(portal)
    )
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


async def wait_in_appeals(client: httpx.AsyncClient, admin: str, entry_ids: list[str]) -> None:
    for entry_id in entry_ids:
        for _ in range(600):
            r = await client.get(f"{APPEALS}/v1/entries/{entry_id}", headers=bearer(admin))
            if r.status_code == 200:
                break
            await asyncio.sleep(0.1)
        else:
            raise SystemExit(f"entry {entry_id} never reached appeals")


async def objections(
    client: httpx.AsyncClient,
    listed: list[tuple[str, str]],
    tokens: dict[str, str],
    checker: str,
    bootstrap: str,
    namespace: str,
    rate: float,
) -> dict[str, Any]:
    per_entry = orders_per_entry(LIST_TYPE, True)
    suspended_at: dict[str, list[float]] = defaultdict(list)
    complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
    samples: list[float] = []
    check_samples: list[float] = []
    errors = 0

    def on_record(record: Any, now: float) -> None:
        if ("ce_type", SUSPENDED) in record.headers:
            code = listed_subject_of(record)
            if code is None:
                return
            suspended_at[code].append(now)
            if len(suspended_at[code]) >= per_entry:
                complete[code].set()

    async def object_and_watch(entry_id: str, code: str) -> None:
        nonlocal errors
        sent = time.perf_counter()
        r = await client.post(
            f"{APPEALS}/v1/objections",
            json={"entry_id": entry_id, "grounds": "税款已于稽查前缴清", "evidence_references": []},
            headers=bearer(tokens[code]),
        )
        if r.status_code != 201:
            errors += 1
            if errors == 1:
                log(f"objection refused: {r.status_code} {r.text[:300]}")
            return
        # The topics first (no load on the services), then the check: polling every pending
        # code all along would load the services more than the objections themselves.
        deadline = sent + 30
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(complete[code].wait(), timeout=30)
        checked: float | None = None
        answer = ""
        while checked is None and time.perf_counter() < deadline:
            c = await client.get(f"{ENFORCEMENT}/v1/checks/{code}", headers=bearer(checker))
            if c.status_code == 200 and c.json().get("suspended"):
                checked = time.perf_counter()
            else:
                answer = f"{c.status_code} {c.text[:400]}"
                await asyncio.sleep(0.01)
        if checked is not None and len(suspended_at[code]) >= per_entry:
            topics_done = sorted(suspended_at[code])[per_entry - 1]
            samples.append((max(checked, topics_done) - sent) * 1000)
            check_samples.append((checked - sent) * 1000)
            return
        errors += 1
        if errors == 1:
            log(
                f"no suspension for {code} within 30 s (check: {checked is not None}; "
                f"last answer: {answer})"
            )

    async with listening_to_sanctions(bootstrap, namespace, on_record):
        await paced(rate, [partial(object_and_watch, e, c) for e, c in listed])
    samples.sort()
    check_samples.sort()

    return {
        "rate_per_second": rate,
        "objections": len(listed),
        "orders_per_entry": per_entry,
        "errors": errors,
        "p50_ms": percentile(samples, 0.50),
        "p90_ms": percentile(samples, 0.90),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": round(samples[-1], 1) if samples else -1.0,
        "check_p99_ms": percentile(check_samples, 0.99),
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    run = f"o{random.randrange(10**6)}"
    async with (
        bench_mesh("benchobj") as (bootstrap, namespace, credentials),
        httpx.AsyncClient(timeout=60) as client,
    ):
        await wait_for_catalog(client, credentials[DEPARTMENT])
        log(f"listing {args.entries} enterprises")
        listed = await list_entries(
            client, credentials[DEPARTMENT], bootstrap, namespace, args.entries, run
        )
        await wait_in_appeals(client, credentials[PORTAL], [e for e, _ in listed])
        tokens = {
            code: await subject_token(client, credentials[PORTAL], code) for _, code in listed
        }
        log(f"objections at {args.rate}/s")
        figures = await objections(
            client, listed, tokens, credentials[CHECKER], bootstrap, namespace, args.rate
        )
        log(f"objections: {figures}")
        return {"namespace": namespace, "objections": figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=400)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "objections.json")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
