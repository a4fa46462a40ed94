"""Benchmark of must-check (DOMAIN.md §6): single checks and a 100,000-code batch, against a
bare FastAPI app on the same machine.

1. Seeds a fresh enforcement database on the local PostgreSQL (`jrp_bench_checks`, migrated)
   with N entries in force (default 1,000,000): an enterprise and, on black lists, its legal
   representative, with the orders the real seed catalog gives a few departments, written
   with COPY. The catalog copy holds the seed catalog's list types.
2. Starts the enforcement service (`jrp-enforcement serve`, one uvicorn worker, embedded bus)
   and waits until /readyz says the index is loaded; records its load time and the process
   RSS. Starts `bench.hello` (bare FastAPI) as another process.
3. Drives both with wrk (Debian package; `apt-get install wrk`): checks of random codes, a mix
   of listed enterprises, legal representatives and unlisted codes; then the hello endpoint
   with the same connections and duration. Then times POST /v1/checks/batch with 100,000
   codes, and verifies every check left its audit row.

Needs `eval "$(deploy/local/infra.sh env)"` (JRP_TEST_POSTGRES_URL). Writes a markdown section
to stdout and the figures as JSON (--json). A smoke run: `--entries 20000 --duration 5`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from jrp_enforcement.cli import MIGRATIONS
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared import migrations
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, TokenIssuer, generate_keypair
from jrp_shared.clock import china_date
from jrp_shared.events.payloads import ListTypePublished
from jrp_shared.testing import sample_resident_id, sample_uscc

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "jrp_bench_checks"
CHUNK = 20_000


def log(message: str) -> None:
    print(f"[bench.checks] {message}", file=sys.stderr, flush=True)


# --- identities -------------------------------------------------------------------------------


def uscc(n: int) -> str:
    """A valid USCC per n: market-regulated enterprise in Fuzhou, organisation code from n."""
    return sample_uscc(n)


def unlisted_uscc(n: int) -> str:
    """A valid USCC no entry names (other division, Xiamen)."""
    return sample_uscc(n, division="350200")


resident_id = sample_resident_id


# --- the data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What one list type's entries look like: their orders' measures per department."""

    list_type: ListTypePublished
    subject_measures: dict[str, str]
    """department → measures JSON (OrderedMeasure list) for the enterprise"""
    person_measures: dict[str, str]
    """department → measures JSON for the legal representative (black lists only)"""
    payload_template: str


def _measures_json(measures: Sequence[Any]) -> str:
    return json.dumps(
        [
            {
                "code": m.code,
                "version": 1,
                "content": m.content,
                "content_en": m.content_en,
                "kind": m.kind.value,
                "mandatory": m.mandatory,
                "legal_basis": m.legal_basis,
            }
            for m in sorted(measures, key=lambda m: m.code)
        ],
        ensure_ascii=False,
    )


def _payload_template(t: ListTypePublished, with_person: bool) -> str:
    """ListEntryInForce as JSON with %(name)s slots for what differs per entry."""
    body: dict[str, Any] = {
        "entry_id": "%(entry_id)s",
        "version": 1,
        "record_id": "%(record_id)s",
        "initiating_department": t.initiating_departments[0],
        "subject": {
            "code": "%(subject)s",
            "subject_type": "legal_person",
            "name": "%(name)s",
        },
        "list_type": t.code,
        "list_type_version": 1,
        "colour": t.colour.value,
        "grounds": t.grounds,
        "legal_basis": t.legal_basis,
        "decision_document": {"number": "%(number)s", "date": "%(start)s"},
        "period": {"start": "%(start)s", "end": "%(end)s"},
        "disclosure_class": "public",
        "linked_persons": (
            [
                {
                    "role": "legal_representative",
                    "name": "%(person_name)s",
                    "resident_id": "%(person)s",
                }
            ]
            if with_person
            else []
        ),
        "evidence_references": [],
        "recorded_at": "%(start)sT02:00:00+00:00",
    }
    text = json.dumps(body, ensure_ascii=False)
    return text.replace("%", "%%").replace("%%(", "%(")


def layouts(departments: Sequence[str]) -> list[Layout]:
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    out = []
    for definition in bundle.list_types:
        t = ListTypePublished(
            version=1, effective_from=bundle.effective_from, **definition.model_dump()
        )
        with_person = t.colour.value == "black" and t.includes_linked_persons
        measures = [m for m in bundle.measures if t.code in m.list_types]
        subject: dict[str, str] = {}
        person: dict[str, str] = {}
        for department in departments:
            own = [m for m in measures if m.implementing_department == department]
            company = [m for m in own if "legal_person" in m.applies_to]
            people = [m for m in own if "natural_person" in m.applies_to]
            if company:
                subject[department] = _measures_json(company)
            if people and with_person:
                person[department] = _measures_json(people)
        out.append(Layout(t, subject, person, _payload_template(t, with_person)))
    return out


def pick_layouts(all_layouts: list[Layout]) -> list[Layout]:
    """Black lists nine times in ten (what must-check mostly finds), red lists the rest."""
    black = [x for x in all_layouts if x.list_type.colour.value == "black"]
    red = [x for x in all_layouts if x.list_type.colour.value == "red"]
    return black * 9 * max(len(red), 1) + red * len(black)


@dataclass
class Rows:
    entries: list[tuple[Any, ...]]
    targets: list[tuple[Any, ...]]
    orders: list[tuple[Any, ...]]


ENTRY_COLUMNS = (
    "entry_id", "version", "subject_code", "list_type", "colour", "initiating_department",
    "period_start", "period_end", "status", "payload", "received_at", "updated_at",
)  # fmt: skip
TARGET_COLUMNS = ("entry_id", "code", "role", "subject_type", "name")
ORDER_COLUMNS = (
    "order_id", "revision", "sequence", "entry_id", "entry_version", "department",
    "listed_subject_code", "target_code", "target_role", "list_type", "colour", "measures",
    "state", "issued_at", "receipt_due", "feedback_due", "deadlines_provisional",
)  # fmt: skip


def generate(start_at: int, count: int, mix: list[Layout], today: date) -> Rows:
    rng = random.Random(start_at)
    now = datetime.now(UTC)
    rows = Rows([], [], [])
    for i in range(start_at, start_at + count):
        layout = mix[i % len(mix)]
        t = layout.list_type
        entry_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        subject, person = uscc(i), resident_id(i)
        start = today - timedelta(days=rng.randrange(700))
        end = start + timedelta(days=365 * 3)
        name, person_name = f"示例企业{i}有限公司", f"法人{i}"
        payload = layout.payload_template % {
            "entry_id": entry_id,
            "record_id": f"bench-{i}",
            "subject": subject,
            "name": name,
            "number": f"闽罚〔2026〕{i}号",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "person": person,
            "person_name": person_name,
        }
        rows.entries.append(
            (entry_id, 1, subject, t.code, t.colour.value, t.initiating_departments[0],
             start, end, "in_force", payload, now, now)
        )  # fmt: skip
        rows.targets.append((entry_id, subject, "subject", "legal_person", name))
        if layout.person_measures or (t.colour.value == "black" and t.includes_linked_persons):
            rows.targets.append(
                (entry_id, person, "legal_representative", "natural_person", person_name)
            )
        for target, role, by_department in (
            (subject, "subject", layout.subject_measures),
            (person, "legal_representative", layout.person_measures),
        ):
            for department, measures in by_department.items():
                order_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{entry_id}/{department}/{role}"))
                rows.orders.append(
                    (order_id, 1, 1, entry_id, 1, department, subject, target, role, t.code,
                     t.colour.value, measures, "issued", now, today + timedelta(days=5),
                     today + timedelta(days=30), False)
                )  # fmt: skip
    return rows


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_database(admin_url: str, database: str) -> str:
    conn = await asyncpg.connect(_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + f"/{database}"


async def seeded(url: str) -> dict[str, Any] | None:
    """What the bench database holds, if it exists."""
    try:
        conn = await asyncpg.connect(_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("list_entries", "entry_targets", "sanction_orders")
        }
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()
    return {
        "entries": counts["list_entries"],
        "targets": counts["entry_targets"],
        "orders": counts["sanction_orders"],
        "database_size": size,
    }


async def seed(url: str, n: int, departments: Sequence[str]) -> dict[str, Any]:
    all_layouts = layouts(departments)
    mix = pick_layouts(all_layouts)
    today = china_date(datetime.now(UTC))
    started = time.perf_counter()
    conn = await asyncpg.connect(_dsn(url))
    totals = {"entries": 0, "targets": 0, "orders": 0}
    try:
        await conn.copy_records_to_table(
            "catalog_list_types",
            records=[
                (x.list_type.code, 1, x.list_type.effective_from, x.list_type.model_dump_json())
                for x in all_layouts
            ],
            columns=("code", "version", "effective_from", "payload"),
        )
        # Secondary indexes are built once at the end: faster than maintaining them per row.
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1) "
            "AND indexname NOT LIKE '%pkey'",
            ["list_entries", "entry_targets", "sanction_orders"],
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        for start_at in range(0, n, CHUNK):
            rows = generate(start_at, min(CHUNK, n - start_at), mix, today)
            await conn.copy_records_to_table(
                "list_entries", records=rows.entries, columns=ENTRY_COLUMNS
            )
            await conn.copy_records_to_table(
                "entry_targets", records=rows.targets, columns=TARGET_COLUMNS
            )
            await conn.copy_records_to_table(
                "sanction_orders", records=rows.orders, columns=ORDER_COLUMNS
            )
            totals["entries"] += len(rows.entries)
            totals["targets"] += len(rows.targets)
            totals["orders"] += len(rows.orders)
            if start_at and start_at % (CHUNK * 10) == 0:
                log(f"seeded {start_at} entries")
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("ANALYZE")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    finally:
        await conn.close()
    return {**totals, "seconds": round(time.perf_counter() - started, 1), "database_size": size}


# --- processes ----------------------------------------------------------------------------------


def server_stack(python: str) -> dict[str, str]:
    """What uvicorn's "auto" picks for that interpreter (httptools and uvloop if installed)."""
    probe = (
        "import importlib.util as u; "
        "print(*(bool(u.find_spec(m)) for m in ('httptools', 'uvloop')))"
    )
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    httptools, uvloop = (flag == "True" for flag in found.stdout.split())
    return {"http": "httptools" if httptools else "h11", "loop": "uvloop" if uvloop else "asyncio"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def start_enforcement(
    python: str, url: str, port: int, work: Path, public_key: Path, kafka: str | None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "JRP_ENFORCEMENT_DATABASE_URL": url,
            "JRP_ENFORCEMENT_PORT": str(port),
            "JRP_ENFORCEMENT_BUS": "embedded",
            "JRP_ENFORCEMENT_EMBEDDED_BUS_PATH": str(work / "bus.sqlite3"),
            "JRP_ENFORCEMENT_AUTH_PUBLIC_KEY_FILE": str(public_key),
            "JRP_ENFORCEMENT_LOG_JSON": "true",
            # The synthetic resident IDs (sample_resident_id) share a few masked patterns by
            # the thousand, which a real population does not; the refusal of enumerating
            # batches (docs/security.md) is lifted for the benchmark's 100,000-code batch.
            "JRP_ENFORCEMENT_BATCH_MAX_CODES_PER_MASK": "100000",
        }
    )
    if kafka:
        env.update(
            {
                "JRP_ENFORCEMENT_BUS": "kafka",
                "JRP_ENFORCEMENT_KAFKA_BOOTSTRAP_SERVERS": kafka,
                "JRP_ENFORCEMENT_TOPIC_NAMESPACE": f"bench{int(time.time())}",
            }
        )
    out = (work / "enforcement.log").open("wb")
    return subprocess.Popen(
        [python, "-m", "jrp_enforcement.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def start_hello(python: str, port: int, work: Path) -> subprocess.Popen[bytes]:
    out = (work / "hello.log").open("wb")
    return subprocess.Popen(
        [python, "-m", "uvicorn", "bench.hello:app", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def wait_ready(url: str, proc: subprocess.Popen[bytes], within: float) -> float:
    started = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - started < within:
            if proc.poll() is not None:
                raise SystemExit(f"{url} exited with {proc.returncode}; see its log")
            try:
                if (await client.get(url, timeout=5)).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} not ready within {within}s")


# --- load -------------------------------------------------------------------------------------


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    token: str | None = None,
    codes: Path | None = None,
    prefix: str = "/",
) -> dict[str, Any]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "5s",
        "-s", str(ROOT / "bench" / "wrk_report.lua"),
    ]  # fmt: skip
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    env = dict(os.environ, BENCH_PREFIX=prefix)
    if codes is not None:
        env["BENCH_CODES"] = str(codes)
    result = subprocess.run([*command, url], env=env, capture_output=True, text=True, check=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            report: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            report["per_second"] = round(report["requests"] / (report["duration_us"] / 1e6), 1)
            return report
    raise SystemExit(f"wrk gave no report:\n{result.stdout}\n{result.stderr}")


def check_codes(n: int, count: int, rng: random.Random, listed: float) -> Iterator[str]:
    """A share `listed` of codes named by entries (two thirds enterprises, one third legal
    representatives), the rest on no list."""
    for _ in range(count):
        roll, i = rng.random(), rng.randrange(n)
        if roll < listed * 2 / 3:
            yield uscc(i)
        elif roll < listed:
            yield resident_id(i)
        else:
            yield unlisted_uscc(i)


async def batch(port: int, token: str, codes: list[str], runs: int) -> dict[str, Any]:
    body = json.dumps(
        {"purpose": "licensing", "business_reference": "bench-batch", "codes": codes}
    ).encode()
    seconds: list[float] = []
    listed: list[int] = []
    async with httpx.AsyncClient(timeout=120) as client:
        for _ in range(runs):
            started = time.perf_counter()
            response = await client.post(
                f"http://127.0.0.1:{port}/v1/checks/batch",
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            answer = response.json()
            assert answer["checked"] == len(codes), answer["checked"]
            listed.append(answer["listed"])
    return {
        "codes": len(codes),
        "runs": [round(s, 3) for s in seconds],
        "median_seconds": round(statistics.median(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "listed": listed[0],
        "response_bytes": len(response.content),
    }


async def audit_rows(url: str) -> int:
    conn = await asyncpg.connect(_dsn(url))
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM check_audit")
        return count
    finally:
        await conn.close()


# --- the run ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    admin = args.admin_url or os.environ.get("JRP_TEST_POSTGRES_URL")
    if not admin:
        raise SystemExit('run `eval "$(deploy/local/infra.sh env)"` first (or pass --admin-url)')
    url = admin.rsplit("/", 1)[0] + f"/{args.database}"
    results: dict[str, Any] = {"entries": args.entries, "departments": args.departments}
    existing = await seeded(url) if args.reuse else None
    if existing is not None and existing["entries"] == args.entries:
        log(f"reusing {args.database} with {args.entries} entries")
        # The schema may be behind the code (nullable columns added since it was seeded).
        await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
        results["seed"] = {**existing, "reused": True}
    else:
        url = await create_database(admin, args.database)
        await asyncio.to_thread(migrations.upgrade, MIGRATIONS, url)
        log(f"seeding {args.entries} entries into {args.database}")
        results["seed"] = await seed(url, args.entries, args.departments.split(","))
        log(f"seeded: {results['seed']}")

    if args.seed_only:
        return results
    work = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    private_pem, public_pem = generate_keypair()
    (work / "public.pem").write_text(public_pem)
    issuer = TokenIssuer(private_pem, issuer="jrp-registry", audience="jrp", ttl_seconds=3600)
    token, _ = issuer.issue(args.department, frozenset({ROLE_IMPLEMENTER}))
    office, _ = issuer.issue("credit-office", frozenset({ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR}))
    rng = random.Random(42)
    codes_file = work / "codes.txt"
    codes_file.write_text("\n".join(check_codes(args.entries, 50_000, rng, args.listed)) + "\n")

    results["server"] = server_stack(args.python)
    port, hello_port = free_port(), free_port()
    load_before = os.getloadavg()[0]
    before = await audit_rows(url)
    kafka = os.environ.get("JRP_TEST_KAFKA_BOOTSTRAP") if args.bus == "kafka" else None
    if args.bus == "kafka" and not kafka:
        raise SystemExit("--bus kafka needs JRP_TEST_KAFKA_BOOTSTRAP (deploy/local/infra.sh env)")
    results["bus"] = args.bus
    enforcement = start_enforcement(args.python, url, port, work, work / "public.pem", kafka)
    hello = start_hello(args.python, hello_port, work)
    try:
        ready = await wait_ready(f"http://127.0.0.1:{port}/readyz", enforcement, 3600)
        await wait_ready(f"http://127.0.0.1:{hello_port}/hello", hello, 60)
        async with httpx.AsyncClient() as client:
            stats = (
                await client.get(
                    f"http://127.0.0.1:{port}/v1/check-index",
                    headers={"Authorization": f"Bearer {office}"},
                )
            ).json()
        results["index"] = {
            "ready_after_seconds": round(ready, 1),
            "load_seconds": stats["load_seconds"],
            "entries": stats["entries"],
            "codes": stats["codes"],
            "rss_bytes": rss_of(enforcement.pid),
            "rss_growth_bytes_at_load": stats["rss_growth_bytes_at_load"],
            "bytes_per_entry": stats["bytes_per_entry_at_load"],
        }
        log(f"index: {results['index']}")

        checks_url, hello_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{hello_port}/hello"
        levels = [int(c) for c in args.connections.split(",")]
        wrk(checks_url, connections=levels[0], seconds=3, token=token,
            codes=codes_file, prefix="/v1/checks/")  # fmt: skip
        wrk(hello_url, connections=levels[0], seconds=3)
        results["load"] = []
        for connections in levels:
            checks = wrk(checks_url, connections=connections, seconds=args.duration,
                         token=token, codes=codes_file, prefix="/v1/checks/")  # fmt: skip
            hello_run = wrk(hello_url, connections=connections, seconds=args.duration)
            level = {
                "connections": connections,
                "checks": checks,
                "hello": hello_run,
                "ratio": round(checks["per_second"] / hello_run["per_second"], 3),
            }
            log(f"load: {level}")
            results["load"].append(level)

        batch_codes = list(check_codes(args.entries, args.batch_size, rng, args.batch_listed))
        results["batch"] = await batch(port, token, batch_codes, args.batch_runs)
        log(f"batch: {results['batch']}")
        results["index"]["rss_bytes_after_load_test"] = rss_of(enforcement.pid)
    except BaseException:
        log(f"the servers' logs are kept in {work}")
        raise
    finally:
        stop(enforcement)
        stop(hello)
    answered = results["batch"]["codes"] * args.batch_runs + sum(
        level["checks"]["requests"] - level["checks"]["non_2xx"] for level in results["load"]
    )
    results["machine"] = (
        f"{os.cpu_count()} CPUs; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after."
    )
    stored = await audit_rows(url) - before
    # The warm-up's checks were answered, and audited, too.
    results["audit"] = {"rows_stored": stored, "answers_measured": answered}
    if stored < answered:
        raise SystemExit(f"only {stored} audit rows for {answered} answers")
    shutil.rmtree(work, ignore_errors=True)
    return results


def markdown(r: dict[str, Any]) -> str:
    b, i = r["batch"], r["index"]
    mb = 1024 * 1024

    def ms(report: dict[str, Any], key: str) -> str:
        return f"{report['latency_us'][key] / 1000:.2f}"

    rows = [
        f"| {x['connections']} | {x['checks']['per_second']:,.0f} | {ms(x['checks'], 'p50')} / "
        f"{ms(x['checks'], 'p99')} / {ms(x['checks'], 'p999')} | "
        f"{x['hello']['per_second']:,.0f} | {ms(x['hello'], 'p99')} | {x['ratio']:.2f} | "
        f"{x['checks']['non_2xx']} |"
        for x in r["load"]
    ]
    return "\n".join(
        [
            "## Must-check",
            "",
            f"{r['entries']:,} entries in force ({r['seed'].get('orders', '?')} orders); one "
            f"enforcement process (uvicorn, one worker, HTTP {r['server']['http']}, loop "
            f"{r['server']['loop']}, {r['bus']} bus) against a bare FastAPI app on the same "
            "server; wrk, one "
            f"thread, {r['duration']:g} s per run; single checks ask about listed codes "
            f"{r['listed']:.0%} of the time (two thirds enterprises, one third legal "
            "representatives); every check audited (group commit). "
            f"{r['machine']}",
            "",
            "| connections | checks/s | check p50 / p99 / p99.9 ms | hello/s | hello p99 ms "
            "| ratio | non-2xx |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| batch of {b['codes']:,} codes ({r['batch_listed']:.0%} listed) | median "
            f"{b['median_seconds']:.2f} s, max {b['max_seconds']:.2f} s "
            f"({b['response_bytes'] / mb:.1f} MiB answer) |",
            f"| index load | {i['load_seconds']:.1f} s (ready after {i['ready_after_seconds']} s)"
            " |",
            f"| process RSS after load | {i['rss_bytes'] / mb:,.0f} MiB (≈ "
            f"{i['bytes_per_entry']} bytes per entry grown at load) |",
            f"| audit rows stored / answers measured | {r['audit']['rows_stored']:,} / "
            f"{r['audit']['answers_measured']:,} |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checks", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--departments", default="finance,market,tax",
                        help="the departments whose orders are seeded")  # fmt: skip
    parser.add_argument("--department", default="tax", help="the department asking")
    parser.add_argument("--connections", default="8",
                        help="wrk connections; several levels separated by commas")  # fmt: skip
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--listed", type=float, default=0.6,
                        help="share of single checks about listed codes")  # fmt: skip
    parser.add_argument("--batch-size", type=int, default=100_000)
    parser.add_argument("--batch-listed", type=float, default=0.05,
                        help="share of a batch's codes that are listed")  # fmt: skip
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--admin-url", help="PostgreSQL URL (default $JRP_TEST_POSTGRES_URL)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database if it already holds --entries entries")  # fmt: skip
    parser.add_argument("--bus", choices=("embedded", "kafka"), default="embedded")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter of both servers (uvloop, httptools?)")  # fmt: skip
    parser.add_argument("--database", default=DATABASE, help="the bench database's name")
    parser.add_argument("--seed-only", action="store_true", help="seed the database and stop")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "checks.json")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    if args.seed_only:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    results.update(duration=args.duration, listed=args.listed, batch_listed=args.batch_listed)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
