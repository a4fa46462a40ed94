"""Benchmark of the loop on Kafka and PostgreSQL: bulk import and post → orders latency.

Starts the whole mesh as separate processes (deploy/local/run_mesh.py) on fresh PostgreSQL
databases and a fresh Kafka namespace, then measures:

1. bulk import: one `POST /v1/list-entries/bulk` of N NDJSON entries, timed from the first
   byte sent until every sanction order they cause is on the department topics (summed end
   offsets of all `sanctions.v1.*` topics);
2. latency: single `POST /v1/list-entries` at a steady rate; for each entry, the time from
   sending the request until the last of its orders is readable on the topics (p50/p99).

Needs the local infrastructure (`make infra`; JRP_TEST_POSTGRES_URL and
JRP_TEST_KAFKA_BOOTSTRAP from `deploy/local/infra.sh env`). Prints JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.checks import log, resident_id, uscc
from jrp_enforcement.testing import comparable
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_trigger.testing import prior_notice

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "services/registry/data/catalog"
SERVICES = ("registry", "trigger", "enforcement", "appeals")
LIST_TYPE = "black.tax.major-violation"
DEPARTMENT = "tax"


def orders_per_entry(list_type: str, with_person: bool) -> int:
    """How many orders one entry causes: departments with a measure for the enterprise, plus
    (for the legal representative) departments with a measure for natural persons."""
    measures = read_catalog(CATALOG).measures
    relevant = [m for m in measures if list_type in m.list_types]
    company = {m.implementing_department for m in relevant if "legal_person" in m.applies_to}
    person = {m.implementing_department for m in relevant if "natural_person" in m.applies_to}
    return len(company) + (len(person) if with_person else 0)


def entry(n: int, *, run: str, with_person: bool) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "record_id": f"{run}-{n}",
        "subject": {"code": uscc(n), "subject_type": "legal_person", "name": f"示例企业{n}"},
        "list_type": LIST_TYPE,
        "grounds": "虚开增值税专用发票",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_document": {"number": f"闽税稽罚〔2026〕{n}号", "date": str(today)},
        # Told before listing and answered (国办发〔2020〕49号; the list type requires it).
        "prior_notice": prior_notice(today),
        "period": {"start": str(today), "end": str(today + timedelta(days=700))},
        "disclosure_class": "public",
        "evidence_references": [f"evidence-{n}"],
    }
    if with_person:
        body["linked_persons"] = [
            {"role": "legal_representative", "name": f"法人{n}", "resident_id": resident_id(n)}
        ]
    return body


async def create_databases(admin_url: str) -> dict[str, str]:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    urls = {}
    async with engine.connect() as conn:
        for name in SERVICES:
            db = f"jrp_bench_{name}"
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{db}" OWNER jrp'))
            urls[name] = admin_url.rsplit("/", 1)[0] + f"/{db}"
    await engine.dispose()
    return urls


def start_mesh(
    var: Path, urls: dict[str, str], bootstrap: str, namespace: str, replicas: int = 1
) -> Any:
    env = dict(os.environ)
    for name, url in urls.items():
        prefix = f"JRP_{name.upper()}_"
        env[prefix + "DATABASE_URL"] = url
        env[prefix + "BUS"] = "kafka"
        env[prefix + "KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        env[prefix + "TOPIC_NAMESPACE"] = namespace
        env[prefix + "LOG_LEVEL"] = "WARNING"
    # Synthetic resident IDs share masked patterns by the thousand (docs/security.md).
    env["JRP_ENFORCEMENT_BATCH_MAX_CODES_PER_MASK"] = "100000"
    var.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "deploy/local/run_mesh.py"),
            "--var-dir",
            str(var),
            "--enforcement-replicas",
            str(replicas),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "The mesh is up" in line:
            return proc
    raise SystemExit("the mesh did not come up; see var/bench/logs")


async def wait_for_catalog(
    client: httpx.AsyncClient, token: str, list_type: str = LIST_TYPE
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for port in (8002, 8003):
        for _ in range(600):
            r = await client.get(
                f"http://127.0.0.1:{port}/v1/catalog/list-types/{list_type}", headers=headers
            )
            if r.status_code == 200:
                break
            await asyncio.sleep(0.1)
        else:
            raise SystemExit(f"catalog never reached port {port}")
    await asyncio.sleep(2.0)  # measures follow the list types on the same topic


def listed_subject_of(record: Any) -> str | None:
    """The listed subject's code of an order message, read from its body: the key is a keyed
    pseudonym when the code has the shape of a resident ID (jrp_shared.pseudonyms), so a
    consumer never takes the subject from the key."""
    body = json.loads(record.value)
    code = body.get("listed_subject_code")
    if code is None and "listed_subject" in body:
        code = body["listed_subject"]["code"]
    return code if isinstance(code, str) else None


_TICKS = os.sysconf("SC_CLK_TCK")


def service_name(cmdline: str, environ: bytes) -> str | None:
    """Which mesh service a process is (`jrp-<name> serve`), enforcement replicas apart by
    port (`enforcement@8013`); None for any other process."""
    match = re.search(r"jrp_(\w+)\.cli serve", cmdline)
    if not match:
        return None
    name = match.group(1)
    port = re.search(rb"JRP_ENFORCEMENT_PORT=(\d+)", environ)
    if name == "enforcement" and port and port.group(1) != b"8003":
        name += f"@{port.group(1).decode()}"
    return name


def service_processes(namespace: str | None = None) -> dict[int, str]:
    """The running mesh services' process ids and names (Linux /proc); with `namespace`, only
    those of the mesh on that topic namespace (not a test's mesh running beside it)."""
    found = {}
    wanted = f"_TOPIC_NAMESPACE={namespace}\0".encode() if namespace else b""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "jrp_" not in cmdline:
                continue
            environ = (proc / "environ").read_bytes() + b"\0"
            name = service_name(cmdline, environ)
        except (OSError, UnicodeDecodeError):
            continue
        if name and wanted in environ:
            found[int(proc.name)] = name
    return found


def cpu_by_process() -> dict[str, float]:
    """CPU seconds (user + system) used so far, summed by what the process is: each mesh
    service (replicas apart), PostgreSQL, the Kafka broker, this benchmark (Linux /proc)."""
    totals: dict[str, float] = defaultdict(float)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (stat.parent / "environ").read_bytes() if "jrp_" in cmdline else b""
        except (OSError, IndexError, UnicodeDecodeError):
            continue
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        name = service_name(cmdline, environ)
        if name:
            totals[name] += seconds
        elif cmdline.startswith("postgres"):
            totals["postgresql"] += seconds
        elif "kafka.Kafka" in cmdline:
            totals["kafka"] += seconds
        elif stat.parent.name == str(os.getpid()):
            totals["bench"] += seconds
    return dict(totals)


def cpu_per_entry(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    """Milliseconds of CPU per entry, by process, between two `cpu_by_process` readings."""
    return {
        name: round((after[name] - before.get(name, 0.0)) * 1000 / n, 2)
        for name in sorted(after)
        if after[name] - before.get(name, 0.0) > 0
    }


class SanctionOffsets:
    """The summed end offsets of the namespace's `sanctions.v1.*` topics. The topic list
    (a metadata request for every topic on the broker) is read again at most every 2 s;
    only the end offsets are asked each time, so the probe does not load the broker."""

    def __init__(self, consumer: AIOKafkaConsumer, namespace: str) -> None:
        self._consumer = consumer
        self.namespace = namespace
        self._pattern = re.compile(rf"^{re.escape(namespace)}\.sanctions\.v1\.")
        self._partitions: list[TopicPartition] = []
        self._listed_at = 0.0

    async def total(self) -> int:
        consumer = self._consumer
        if time.perf_counter() - self._listed_at > 2.0:
            topics = [t for t in await consumer.topics() if self._pattern.match(t)]
            self._partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
            self._listed_at = time.perf_counter()
        if not self._partitions:
            return 0
        return sum((await consumer.end_offsets(self._partitions)).values())


async def bulk(
    client: httpx.AsyncClient,
    token: str,
    namespace: str,
    bootstrap: str,
    n: int,
    run: str,
    with_person: bool,
) -> dict[str, Any]:
    expected = n * orders_per_entry(LIST_TYPE, with_person)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, metadata_max_age_ms=1000)
    await probe.start()
    try:
        offsets = SanctionOffsets(probe, namespace)
        before = await offsets.total()

        async def body() -> AsyncIterator[bytes]:
            chunk: list[str] = []
            for i in range(n):
                chunk.append(json.dumps(entry(i, run=run, with_person=with_person)))
                if len(chunk) == 500:
                    yield ("\n".join(chunk) + "\n").encode()
                    chunk = []
            if chunk:
                yield ("\n".join(chunk) + "\n").encode()

        started = time.perf_counter()
        cpu_before = cpu_by_process()
        statuses: Counter[str] = Counter()
        async with client.stream(
            "POST",
            "http://127.0.0.1:8002/v1/list-entries/bulk",
            content=body(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/x-ndjson",
            },
            timeout=None,
        ) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.strip():
                    result = json.loads(line)
                    statuses[str(result.get("status", "summary"))] += 1
        answered = time.perf_counter() - started
        while True:
            published = await offsets.total() - before
            if published >= expected:
                break
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"only {published} of {expected} orders after 30 min")
            await asyncio.sleep(0.2)
        done = time.perf_counter() - started
        cpu = cpu_per_entry(cpu_before, cpu_by_process(), n)
    finally:
        await probe.stop()
    return {
        "entries": n,
        "with_legal_representative": with_person,
        "orders": expected,
        "results": dict(statuses),
        "response_seconds": round(answered, 2),
        "seconds_to_all_orders": round(done, 2),
        "entries_per_second": round(n / done),
        "orders_per_second": round(expected / done),
        "cpu_ms_per_entry": cpu,
        "cpu_ms_per_entry_total": round(sum(cpu.values()), 2),
    }


Listener = Callable[[Any, float], None]
"""Called with each record on a department topic and the moment it was read."""


@asynccontextmanager
async def listening_to_sanctions(
    bootstrap: str, namespace: str, on_record: Listener
) -> AsyncIterator[None]:
    """Every record on the namespace's `sanctions.v1.*` topics from now on, handed to
    `on_record` as it is read (a consumer of its own, positioned at the end)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        metadata_max_age_ms=1000,
        fetch_max_wait_ms=5,
    )
    consumer.subscribe(pattern=rf"^{re.escape(namespace)}\.sanctions\.v1\..*")
    await consumer.start()
    stop = asyncio.Event()

    async def listen() -> None:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=50)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    on_record(record, now)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(3.0)  # partitions assigned, positioned at the end
    try:
        yield
    finally:
        stop.set()
        await listener
        await consumer.stop()


async def paced(rate: float, calls: Sequence[Callable[[], Coroutine[Any, Any, None]]]) -> None:
    """Start the calls at a steady `rate` per second and wait for all of them."""
    tasks = []
    started = time.perf_counter()
    for i, call in enumerate(calls):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(call()))
    await asyncio.gather(*tasks)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-quantile of sorted values (milliseconds, one decimal); -1 when there are none."""
    if not sorted_values:
        return -1.0
    return round(sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))], 1)


async def latency(
    client: httpx.AsyncClient,
    token: str,
    namespace: str,
    bootstrap: str,
    rate: float,
    seconds: float,
    run: str,
    offset: int,
) -> dict[str, Any]:
    per_entry = orders_per_entry(LIST_TYPE, True)
    sent: dict[str, float] = {}
    arrived: dict[str, list[float]] = defaultdict(list)
    errors = 0

    def on_record(record: Any, now: float) -> None:
        code = listed_subject_of(record)
        if code is not None:
            arrived[code].append(now)

    async def post(i: int) -> None:
        nonlocal errors
        body = entry(offset + i, run=run, with_person=True)
        sent[body["subject"]["code"]] = time.perf_counter()
        r = await client.post(
            "http://127.0.0.1:8002/v1/list-entries",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        if r.status_code >= 300:
            errors += 1

    count = int(rate * seconds)
    async with listening_to_sanctions(bootstrap, namespace, on_record):
        await paced(rate, [partial(post, i) for i in range(count)])
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            if all(len(arrived[code]) >= per_entry for code in sent):
                break
            await asyncio.sleep(0.1)
    samples = sorted(
        (max(arrived[code][:per_entry]) - t) * 1000
        for code, t in sent.items()
        if len(arrived[code]) >= per_entry
    )
    missing = sum(1 for code in sent if len(arrived[code]) < per_entry)

    def pct(p: float) -> float:
        return percentile(samples, p)

    return {
        "rate_per_second": rate,
        "entries": count,
        "orders_per_entry": per_entry,
        "errors": errors,
        "incomplete": missing,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(samples[-1], 1),
    }


@asynccontextmanager
async def bench_mesh(
    prefix: str, replicas: int = 1
) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
    """The whole mesh as processes on fresh PostgreSQL databases and a fresh Kafka namespace:
    yields (bootstrap servers, namespace, development tokens by department) and stops it."""
    admin = os.environ.get("JRP_TEST_POSTGRES_URL")
    bootstrap = os.environ.get("JRP_TEST_KAFKA_BOOTSTRAP")
    if not admin or not bootstrap:
        raise SystemExit('run `eval "$(deploy/local/infra.sh env)"` first (make bench does)')
    namespace = f"{prefix}{int(time.time())}"
    urls = await create_databases(admin)
    var = ROOT / "var" / "bench"
    log(f"starting the mesh on PostgreSQL and Kafka (namespace {namespace})")
    mesh = start_mesh(var, urls, bootstrap, namespace, replicas)
    try:
        yield bootstrap, namespace, json.loads((var / "dev-credentials.json").read_text())
    finally:
        mesh.send_signal(signal.SIGINT)
        mesh.wait(timeout=60)


def enforcement_ports(replicas: int) -> list[int]:
    """Where run_mesh.py puts each enforcement replica."""
    return [8003 + 10 * i for i in range(replicas)]


async def agreement(
    client: httpx.AsyncClient, token: str, replicas: int, entries: int, singles: int = 200
) -> dict[str, Any]:
    """Ask every replica about the codes of the first `entries` entries (the enterprise and
    its legal representative each): one batch check, and `singles` single checks; count the
    answers that differ from the first replica's, and the codes not listed."""
    headers = {"Authorization": f"Bearer {token}"}
    codes = [code for i in range(entries) for code in (uscc(i), resident_id(i))]
    ports = enforcement_ports(replicas)
    batches = []
    for port in ports:
        r = await client.post(
            f"http://127.0.0.1:{port}/v1/checks/batch",
            json={"purpose": "licensing", "business_reference": "bench-agreement", "codes": codes},
            headers=headers,
            timeout=120,
        )
        r.raise_for_status()
        batches.append(comparable(r.json())["answers"])
    differ = sum(1 for i in range(len(codes)) if any(b[i] != batches[0][i] for b in batches[1:]))
    single_differ = 0
    for code in codes[:: max(len(codes) // singles, 1)]:
        answers = []
        for port in ports:
            r = await client.get(f"http://127.0.0.1:{port}/v1/checks/{code}", headers=headers)
            r.raise_for_status()
            answers.append(comparable(r.json()))
        single_differ += any(a != answers[0] for a in answers[1:])
    return {
        "replicas": replicas,
        "entries": entries,
        "codes": len(codes),
        "batch_answers_that_differ": differ,
        "single_checks": min(singles, len(codes)),
        "single_answers_that_differ": single_differ,
        "not_listed": sum(1 for a in batches[0] if not a.get("listed")),
    }


async def replica_spread(
    client: httpx.AsyncClient, tokens: dict[str, str], replicas: int, run: str, offset: int
) -> dict[str, Any]:
    """How long after one replica answers `listed` for a newly posted entry the last replica
    does (the follower's delay, whichever replica planned it): 50 entries posted one at a
    time, each code asked of every replica every 5 ms until all say listed."""
    check = {"Authorization": f"Bearer {tokens['finance']}"}
    post = {"Authorization": f"Bearer {tokens[DEPARTMENT]}"}
    spreads: list[float] = []
    for i in range(50):
        body = entry(offset + i, run=run, with_person=True)
        code = body["subject"]["code"]
        r = await client.post("http://127.0.0.1:8002/v1/list-entries", json=body, headers=post)
        r.raise_for_status()
        first: dict[int, float] = {}
        deadline = time.perf_counter() + 30
        while len(first) < replicas and time.perf_counter() < deadline:
            for port in enforcement_ports(replicas):
                if port in first:
                    continue
                answer = await client.get(
                    f"http://127.0.0.1:{port}/v1/checks/{code}", headers=check
                )
                if answer.status_code == 200 and answer.json()["listed"]:
                    first[port] = time.perf_counter()
            await asyncio.sleep(0.005)
        if len(first) == replicas:
            spreads.append((max(first.values()) - min(first.values())) * 1000)
    spreads.sort()
    return {
        "entries": 50,
        "answered_by_all": len(spreads),
        "p50_ms": percentile(spreads, 0.5),
        "p99_ms": percentile(spreads, 0.99),
        "max_ms": round(spreads[-1], 1) if spreads else -1.0,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    run = f"r{random.randrange(10**6)}"
    replicas = args.enforcement_replicas
    async with bench_mesh("bench", replicas) as (bootstrap, namespace, credentials):
        token = credentials[DEPARTMENT]
        async with httpx.AsyncClient(timeout=60) as client:
            await wait_for_catalog(client, token)
            results: dict[str, Any] = {"namespace": namespace, "enforcement_replicas": replicas}
            log(f"bulk import of {args.entries} entries")
            results["bulk"] = await bulk(
                client, token, namespace, bootstrap, args.entries, run, with_person=True
            )
            log(f"bulk: {results['bulk']}")
            checked = min(args.agreement_entries, args.entries)
            results["agreement"] = await agreement(
                client, credentials["finance"], replicas, checked
            )
            log(f"agreement: {results['agreement']}")
            if replicas > 1:
                results["replica_spread"] = await replica_spread(
                    client, credentials, replicas, run, offset=args.entries + 10**6
                )
                log(f"replica spread: {results['replica_spread']}")
            log(f"latency at {args.rate}/s for {args.seconds}s")
            results["latency"] = await latency(
                client,
                token,
                namespace,
                bootstrap,
                args.rate,
                args.seconds,
                run,
                offset=args.entries + 1,
            )
            log(f"latency: {results['latency']}")
            return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--enforcement-replicas", type=int, default=1)
    parser.add_argument(
        "--agreement-entries",
        type=int,
        default=2_000,
        help="entries whose codes are checked on every replica after the bulk import",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "loop.json")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
