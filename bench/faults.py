"""Fault runs: one fault in the middle of a load, and a ledger of every effect it should have.

The mesh runs as four separate processes (jrp_shared.local_mesh) on a durable PostgreSQL
cluster of the run's own (so it may be crashed) and the real Kafka, under a fresh topic
namespace. A load posts tax black-list entries (`POST /v1/list-entries`, each with its legal
representative: 19 sanction orders) at a steady rate; the client retries a refused or
interrupted post with the same record id, as a department system must (README, "Posting
entries"). One fault is injected while the load runs:

* `postgres-restart`: the cluster is stopped immediately (`pg_ctl -m immediate`, as a crash:
  every connection dies, no checkpoint), left down a few seconds, started again (crash recovery);
* `kill-<service>`: the service's process gets SIGKILL and is started again;
* `kill-each`: the same for the four services in turn;
* `broker-restart`: the Kafka broker gets SIGKILL and is started again (only where the run owns
  the broker: `make chaos`);
* `none`: the baseline.

The ledger then counts, in every service's database and on the department topics, each effect
the accepted entries must have had: expected, present (distinct), lost (expected − present),
doubled (rows beyond one per effect), plus duplicate messages on the topics (the same CloudEvents
id twice: at-least-once delivery, which agencies de-duplicate, docs/loop.md) and dead letters.
Used by `make chaos` (bench/chaos.py, figures in docs/reliability.md) and by the cross-service
fault tests (tests/test_faults_over_kafka.py) with the same code.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.loop import CATALOG, DEPARTMENT, LIST_TYPE, entry, orders_per_entry
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_shared.events import topics
from jrp_shared.local_mesh import (
    ROOT,
    SERVICES,
    ServiceProcess,
    ensure_keys,
    log,
    mesh_processes,
    prepare,
    service_env,
    stop_all,
    wait_ready,
)
from jrp_shared.testing import PrivatePostgres, TopicReader, free_port

FAULTS = (
    "none",
    "postgres-restart",
    "kill-registry",
    "kill-trigger",
    "kill-enforcement",
    "kill-appeals",
    "kill-each",
    "broker-restart",
)
ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"


@dataclass(frozen=True)
class Effect:
    """One kind of row an accepted entry must cause: `per_entry` of them, each once.
    `sql` answers (present, rows): distinct effects found and rows holding them."""

    service: str
    name: str
    per_entry: int
    sql: str


def effects() -> list[Effect]:
    orders = orders_per_entry(LIST_TYPE, with_person=True)
    return [
        Effect(
            "trigger",
            "list entries",
            1,
            "SELECT count(DISTINCT record_id), count(*) FROM list_entries "
            "WHERE department = :department AND record_id = ANY(:records)",
        ),
        Effect(
            "trigger",
            "order statuses seen by the initiator",
            orders,
            "SELECT count(DISTINCT order_id), count(*) FROM order_statuses "
            "WHERE entry_id = ANY(:entries)",
        ),
        Effect(
            "enforcement",
            "entries in force",
            1,
            "SELECT count(DISTINCT entry_id), count(*) FROM list_entries "
            "WHERE entry_id = ANY(:entries)",
        ),
        Effect(
            "enforcement",
            "sanction orders",
            orders,
            "SELECT count(DISTINCT (entry_id, department, target_code, target_role)), count(*) "
            "FROM sanction_orders WHERE entry_id = ANY(:entries)",
        ),
        Effect(
            "enforcement",
            "order issued in the history",
            orders,
            "SELECT count(DISTINCT h.order_id), count(*) FROM order_history h "
            "JOIN sanction_orders o ON o.order_id = h.order_id "
            "WHERE o.entry_id = ANY(:entries) AND h.change = 'issued'",
        ),
        Effect(
            "appeals",
            "entries open to objection",
            1,
            "SELECT count(DISTINCT entry_id), count(*) FROM entries WHERE entry_id = ANY(:entries)",
        ),
        Effect(
            "appeals",
            "linked persons who may object",
            1,
            "SELECT count(DISTINCT (entry_id, resident_id)), count(*) FROM entry_linked_persons "
            "WHERE entry_id = ANY(:entries)",
        ),
    ]


@dataclass
class Count:
    service: str
    effect: str
    expected: int
    present: int
    rows: int

    @property
    def lost(self) -> int:
        return max(self.expected - self.present, 0)

    @property
    def doubled(self) -> int:
        return self.rows - self.present

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "effect": self.effect,
            "expected": self.expected,
            "present": self.present,
            "lost": self.lost,
            "doubled": self.doubled,
        }


@dataclass
class Accepted:
    """What the load got accepted: record id → entry id, and when."""

    entries: dict[str, str] = field(default_factory=dict)
    at: dict[str, float] = field(default_factory=dict)
    retries: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    def before(self, moment: float) -> tuple[list[str], list[str]]:
        records = [r for r, t in self.at.items() if t <= moment]
        return records, [self.entries[r] for r in records]


class Ledger:
    """Counts every effect of a set of accepted entries in the four databases."""

    def __init__(self, urls: dict[str, str]) -> None:
        self._engines: dict[str, AsyncEngine] = {
            name: create_async_engine(url, pool_pre_ping=True, pool_size=1, max_overflow=0)
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()

    async def count(self, records: list[str], entries: list[str]) -> list[Count]:
        params = {"records": records, "entries": entries, "department": DEPARTMENT}
        counts = []
        for effect in effects():
            async with self._engines[effect.service].connect() as conn:
                present, rows = (await conn.execute(text(effect.sql), params)).one()
            counts.append(
                Count(effect.service, effect.name, effect.per_entry * len(records), present, rows)
            )
        return counts

    async def complete(self, records: list[str], entries: list[str]) -> bool:
        try:
            counts = await self.count(records, entries)
        except Exception:  # the database is down or starting: not complete yet
            return False
        return all(c.present >= c.expected for c in counts)


@dataclass
class Topics:
    """What the department topics and the dead-letter topic hold for the run's entries."""

    orders_expected: int
    orders_present: int  # distinct (order, revision) issued
    orders_doubled: int  # the same order issued under two message ids
    duplicate_messages: int  # the same message id delivered again (at-least-once)
    dead_letters: int
    dead_letter_reasons: list[str]


async def read_topics(
    bootstrap: str, namespace: str, entries: set[str], orders_expected: int
) -> Topics:
    departments = sorted({m.implementing_department for m in read_catalog(CATALOG).measures})
    names = [topics.qualified(namespace, topics.sanctions(d)) for d in departments]
    dead_topic = topics.qualified(namespace, topics.DEAD_LETTER)
    async with TopicReader(bootstrap) as reader:
        found = await reader.read_many([*names, dead_topic])
    ids: list[str] = []
    orders: set[tuple[str, int]] = set()
    for name in names:
        for message in found[name]:
            if message.headers.get("ce_type") != ISSUED:
                continue
            if message.body.get("entry_id") not in entries:
                continue
            ids.append(message.headers.get("ce_id", ""))
            orders.add((str(message.body["order_id"]), int(message.body["revision"])))
    dead = found[dead_topic]
    return Topics(
        orders_expected=orders_expected,
        orders_present=len(orders),
        orders_doubled=len(set(ids)) - len(orders),
        duplicate_messages=len(ids) - len(set(ids)),
        dead_letters=len(dead),
        dead_letter_reasons=[str(m.body.get("reason", ""))[:200] for m in dead[:5]],
    )


@dataclass
class Injected:
    """One fault as it happened: when it began and ended (monotonic seconds), and when every
    entry accepted before it had all its effects again."""

    what: str
    began: float
    ended: float
    recovered: float | None = None

    def as_dict(self, origin: float) -> dict[str, Any]:
        return {
            "what": self.what,
            "at_s": round(self.began - origin, 1),
            "down_s": round(self.ended - self.began, 1),
            "recovery_s": None if self.recovered is None else round(self.recovered - self.ended, 1),
        }


class FaultMesh:
    """The mesh's four processes on `cluster` and the broker at `bootstrap`."""

    def __init__(
        self, work: Path, cluster: PrivatePostgres, bootstrap: str, namespace: str
    ) -> None:
        self.work = work
        self.cluster = cluster
        self.bootstrap = bootstrap
        self.namespace = namespace
        self.urls = {name: cluster.url_of(f"jrp_{name}") for name in SERVICES}
        private, public = ensure_keys(work)
        base: dict[str, str] = {}
        for name in SERVICES:
            prefix = f"JRP_{name.upper()}_"
            base[prefix + "DATABASE_URL"] = self.urls[name]
            base[prefix + "BUS"] = "kafka"
            base[prefix + "KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
            base[prefix + "TOPIC_NAMESPACE"] = namespace
            base[prefix + "PORT"] = str(free_port())
            base[prefix + "LOG_JSON"] = "false"
        self.env = service_env(work, private, public, {**os.environ, **base})
        self.processes: dict[str, ServiceProcess] = {
            p.label: p for p in mesh_processes(self.env, work / "logs")
        }

    def url(self, service: str) -> str:
        return self.processes[service].url

    def start(self, ready_timeout: float = 90.0) -> None:
        prepare(self.work, self.env)
        for process in self.processes.values():
            process.start()
        wait_ready(self.processes.values(), ready_timeout)

    def stop(self) -> None:
        stop_all(self.processes.values())

    def token(self, department: str = DEPARTMENT) -> str:
        credentials = json.loads((self.work / "dev-credentials.json").read_text())
        return str(credentials[department])

    async def catalog_ready(self, client: httpx.AsyncClient, within: float = 60.0) -> None:
        """Trigger knows the list type and enforcement every measure (they follow the catalog
        topic): until then an entry would be refused or planned without some measures."""
        catalog = read_catalog(CATALOG)
        headers = {"Authorization": f"Bearer {self.token()}"}
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            types = await client.get(
                f"{self.url('trigger')}/v1/catalog/list-types/{LIST_TYPE}", headers=headers
            )
            measures = await client.get(
                f"{self.url('enforcement')}/v1/catalog/measures", headers=headers
            )
            if (
                types.status_code == 200
                and measures.status_code == 200
                and len(measures.json()) >= len(catalog.measures)
            ):
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the catalog did not reach trigger and enforcement in time")

    # --- faults -------------------------------------------------------------------------

    async def kill(self, service: str, down: float) -> None:
        process = self.processes[service]
        await asyncio.to_thread(process.kill)
        await asyncio.sleep(down)
        process.start()
        await asyncio.to_thread(wait_ready, [process], 90.0)

    async def restart_postgres(self, down: float) -> None:
        await self.cluster.crash()
        await asyncio.sleep(down)
        await self.cluster.start()

    async def restart_broker(self, down: float) -> None:
        script = str(ROOT / "deploy/local/kafka.sh")
        await asyncio.to_thread(subprocess.run, [script, "crash"], check=True)
        await asyncio.sleep(down)
        await asyncio.to_thread(subprocess.run, [script, "up"], check=True, capture_output=True)


async def post_entries(
    client: httpx.AsyncClient,
    url: str,
    token: str,
    run: str,
    count: int,
    rate: float,
    accepted: Accepted,
    give_up_after: float = 300.0,
) -> None:
    """Post `count` entries at `rate` per second; each is retried with the same record id
    until accepted (201, or 200: the same entry already made), as a department system must."""
    headers = {"Authorization": f"Bearer {token}"}

    async def post(n: int) -> None:
        body = entry(n, run=run, with_person=True)
        record = body["record_id"]
        deadline = time.monotonic() + give_up_after
        pause = 0.2
        while time.monotonic() < deadline:
            try:
                r = await client.post(url, json=body, headers=headers, timeout=15.0)
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            else:
                if r.status_code in (200, 201):
                    accepted.entries[record] = r.json()["entry_id"]
                    accepted.at[record] = time.monotonic()
                    return
                if r.status_code not in (429, 500, 502, 503, 504):
                    accepted.unexpected.append(f"{record}: {r.status_code} {r.text[:200]}")
                    return
                reason = f"{r.status_code} {r.json().get('code', '') if r.content else ''}"
            accepted.retries += 1
            accepted.refusals[reason] = accepted.refusals.get(reason, 0) + 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        accepted.unexpected.append(f"{record}: not accepted within {give_up_after:.0f}s")

    tasks = []
    started = time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(post(n)))
    await asyncio.gather(*tasks)


@dataclass
class Outcome:
    fault: str
    entries: int
    accepted: int
    counts: list[Count]
    topics: Topics
    injected: list[Injected]
    load_s: float
    drain_s: float | None
    retries: int
    refusals: dict[str, int]
    unexpected: list[str]
    origin: float

    @property
    def lost(self) -> int:
        return sum(c.lost for c in self.counts) + max(
            self.topics.orders_expected - self.topics.orders_present, 0
        )

    @property
    def doubled(self) -> int:
        return sum(c.doubled for c in self.counts) + self.topics.orders_doubled

    def problems(self) -> list[str]:
        """Everything that breaks "nothing lost, nothing doubled" (empty when it holds)."""
        found = [
            f"{c.service}: {c.effect}: expected {c.expected}, present {c.present}, "
            f"doubled {c.doubled}"
            for c in self.counts
            if c.lost or c.doubled
        ]
        t = self.topics
        if t.orders_present < t.orders_expected or t.orders_doubled:
            found.append(
                f"department topics: {t.orders_present} of {t.orders_expected} orders, "
                f"{t.orders_doubled} doubled"
            )
        if t.dead_letters:
            found.append(f"{t.dead_letters} dead letters: {t.dead_letter_reasons}")
        if self.accepted < self.entries or self.unexpected:
            found.append(f"accepted {self.accepted} of {self.entries}: {self.unexpected[:5]}")
        return found

    def as_dict(self) -> dict[str, Any]:
        t = self.topics
        return {
            "fault": self.fault,
            "entries": self.entries,
            "accepted": self.accepted,
            "effects_expected": sum(c.expected for c in self.counts) + t.orders_expected,
            "effects_present": sum(min(c.present, c.expected) for c in self.counts)
            + min(t.orders_present, t.orders_expected),
            "lost": self.lost,
            "doubled": self.doubled,
            "duplicate_messages": t.duplicate_messages,
            "dead_letters": t.dead_letters,
            "injected": [i.as_dict(self.origin) for i in self.injected],
            "recovery_s": max(
                (i.recovered - i.ended for i in self.injected if i.recovered is not None),
                default=None,
            ),
            "load_s": round(self.load_s, 1),
            "drain_s": None if self.drain_s is None else round(self.drain_s, 1),
            "client_retries": self.retries,
            "client_refusals": self.refusals,
            "counts": [c.as_dict() for c in self.counts],
            "topic_orders": {
                "expected": t.orders_expected,
                "present": t.orders_present,
                "doubled": t.orders_doubled,
            },
        }


def schedule(fault: str, entries: int) -> list[tuple[int, str]]:
    """(accepted entries before it, what) for each step of a fault."""
    if fault == "none":
        return []
    if fault == "kill-each":
        return [(entries * (i + 1) // 6, f"kill-{name}") for i, name in enumerate(SERVICES)]
    return [(entries // 3, fault)]


async def run_fault(
    mesh: FaultMesh,
    fault: str,
    *,
    entries: int,
    rate: float,
    down: float,
    drain_within: float = 180.0,
) -> Outcome:
    """Post `entries` at `rate`/s, inject `fault` while they go in, wait until every effect is
    there (or `drain_within` seconds after the load), and count."""
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
    run = f"chaos-{uuid.uuid4().hex[:8]}"
    accepted = Accepted()
    ledger = Ledger(mesh.urls)
    injected: list[Injected] = []
    watchers: list[asyncio.Task[None]] = []

    async def watch_recovery(step: Injected, records: list[str], ids: list[str]) -> None:
        while True:
            if await ledger.complete(records, ids):
                step.recovered = time.monotonic()
                return
            await asyncio.sleep(0.25)

    def killing(service: str) -> Callable[[], Awaitable[None]]:
        return lambda: mesh.kill(service, down)

    actions: dict[str, Callable[[], Awaitable[None]]] = {
        "postgres-restart": lambda: mesh.restart_postgres(down),
        "broker-restart": lambda: mesh.restart_broker(down),
        **{f"kill-{service}": killing(service) for service in SERVICES},
    }

    async def inject() -> None:
        for threshold, what in schedule(fault, entries):
            while True:
                if len(accepted.entries) >= threshold:
                    break
                await asyncio.sleep(0.05)
            began = time.monotonic()
            log(f"fault: {what} after {len(accepted.entries)} accepted entries")
            records, ids = accepted.before(began)
            await actions[what]()
            step = Injected(what, began, time.monotonic())
            injected.append(step)
            watchers.append(asyncio.create_task(watch_recovery(step, records, ids)))

    try:
        async with httpx.AsyncClient(
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16)
        ) as client:
            await mesh.catalog_ready(client)
            faults = asyncio.create_task(inject())
            load_started = time.monotonic()
            await post_entries(
                client,
                f"{mesh.url('trigger')}/v1/list-entries",
                mesh.token(),
                run,
                entries,
                rate,
                accepted,
            )
            load_ended = time.monotonic()
            await faults
        records, ids = list(accepted.entries), list(accepted.entries.values())
        drained: float | None = None
        deadline = time.monotonic() + drain_within
        while time.monotonic() < deadline:
            if await ledger.complete(records, ids):
                drained = time.monotonic() - load_ended
                break
            await asyncio.sleep(0.5)
        for watcher in watchers:
            if not watcher.done():
                watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        if drained is not None:
            # A watcher cancelled between its checks: the effects of the entries before its
            # fault were complete at the latest when every effect was (a subset of them).
            for step in injected:
                if step.recovered is None:
                    step.recovered = load_ended + drained
        await asyncio.sleep(2.0)  # late doubles or dead letters would show now
        counts = await ledger.count(records, ids)
    finally:
        await ledger.close()
    per_entry = orders_per_entry(LIST_TYPE, with_person=True)
    found = await read_topics(mesh.bootstrap, mesh.namespace, set(ids), per_entry * len(ids))
    return Outcome(
        fault=fault,
        entries=entries,
        accepted=len(accepted.entries),
        counts=counts,
        topics=found,
        injected=injected,
        load_s=load_ended - load_started,
        drain_s=drained,
        retries=accepted.retries,
        refusals=accepted.refusals,
        unexpected=accepted.unexpected,
        origin=load_started,
    )
