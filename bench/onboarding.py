"""Benchmark of onboarding the court's list through the sync feed, then a daily delta (issue 12).

Starts the whole mesh as processes on fresh PostgreSQL databases and a fresh Kafka namespace
(`bench.loop.bench_mesh`), then:

1. onboarding: generates a snapshot of N court-list entries (`bench.court_data`, default
   20,000; decided 2014 to yesterday, so most have already expired and arrive expired, with no
   orders) and sends it with the feed client (`jrp_trigger.feed_client`, what
   `jrp-trigger sync-feed` runs); times from the first byte until every order the entries in
   force cause is on the department topics (summed end offsets of `sanctions.v1.*`; the count
   comes from the catalog's measures and the data) and finance's must-check answers `listed`
   for a sample of their codes (and not for a sample of the expired ones);
2. delta: M changes (default a quarter of N, at most 20,000: additions, corrections, deletions
   of entries in force) timed until every issued, re-issued and lifted order is on the topics
   and the must-check agrees (added listed, deleted not);
3. memory: every service's RSS sampled each second (/proc) during both: peak and end.

The rate at N is extrapolated linearly to 1,000,000 entries (labelled so: one million would
take hours at today's fan-out, and the database grows meanwhile, so the real figure can only
be worse). Needs `make infra` (JRP_TEST_POSTGRES_URL, JRP_TEST_KAFKA_BOOTSTRAP).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from bench import court_data
from bench.loop import (
    CATALOG,
    ROOT,
    SanctionOffsets,
    bench_mesh,
    cpu_by_process,
    cpu_per_entry,
    service_processes,
    wait_for_catalog,
)
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_trigger.feed_client import FeedClient, FeedRequest, Progress, SourceFile, StaticToken

CHECKER = "finance"
SAMPLE = 1_000
ONE_MILLION = 1_000_000


def log(message: str) -> None:
    print(f"[bench.onboarding] {message}", file=sys.stderr, flush=True)


# --- the expected orders (pure) -----------------------------------------------------------------


@dataclass(frozen=True)
class Fanout:
    """Which departments a court-list entry reaches, by the target's subject type: the
    catalog's measures for the list type (DOMAIN.md §4), one order per (department, target)
    as `jrp_enforcement.domain.planning.plan_orders` makes them; linked persons are targets
    as natural persons when the list type includes them (DOMAIN.md §3)."""

    departments: Mapping[str, frozenset[str]]
    includes_linked_persons: bool

    @classmethod
    def of(cls, list_type: str, measures: Iterable[Any], includes_linked_persons: bool) -> Fanout:
        by_type: dict[str, set[str]] = {}
        for measure in measures:
            if list_type in measure.list_types:
                for subject_type in measure.applies_to:
                    by_type.setdefault(str(subject_type), set()).add(
                        measure.implementing_department
                    )
        return cls({k: frozenset(v) for k, v in by_type.items()}, includes_linked_persons)

    def orders(self, entry: Mapping[str, Any]) -> int:
        count = len(self.departments.get(entry["subject"]["subject_type"], ()))
        if self.includes_linked_persons:
            people = {(p["role"], p["resident_id"]) for p in entry.get("linked_persons", [])}
            count += len(people) * len(self.departments.get("natural_person", ()))
        return count


def catalog_fanout(list_type: str = court_data.LIST_TYPE) -> Fanout:
    catalog = read_catalog(CATALOG)
    definition = next(t for t in catalog.list_types if t.code == list_type)
    return Fanout.of(list_type, catalog.measures, definition.includes_linked_persons)


@dataclass(frozen=True)
class Expected:
    """The messages a snapshot and a delta put on the department topics."""

    onboarding_orders: int
    delta_issued: int
    delta_reissued: int
    delta_lifted: int

    @property
    def delta_messages(self) -> int:
        return self.delta_issued + self.delta_reissued + self.delta_lifted


def expected_messages(
    snapshot_orders: Mapping[str, int],
    delta: list[dict[str, Any]],
    outcome: court_data.Outcome,
    fanout: Fanout,
) -> Expected:
    """Entries in force issue their orders (`snapshot_orders`: record id → orders, of the
    entries in force); expired ones none. In the delta, additions issue, corrections re-issue
    every order (same targets, new revision), deletions lift every order
    (`jrp_enforcement.service_layer.entries`)."""
    lines = {line["record_id"]: line for line in delta}
    return Expected(
        onboarding_orders=sum(snapshot_orders[r] for r in outcome.created),
        delta_issued=sum(fanout.orders(lines[r]) for r in outcome.added),
        delta_reissued=sum(fanout.orders(lines[r]) for r in outcome.corrected),
        delta_lifted=sum(snapshot_orders[r] for r in outcome.deleted),
    )


def codes_of(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """The subjects' codes and their linked persons' resident IDs."""
    codes = []
    for entry in entries:
        codes.append(entry["subject"]["code"])
        codes += [p["resident_id"] for p in entry.get("linked_persons", [])]
    return codes


def default_changes(entries: int) -> int:
    """A quarter of the snapshot, at most the 20,000 of the target (issue 12)."""
    return max(min(20_000, entries // 4), 1)


def extrapolated_seconds(entries: int, seconds: float, to: int = ONE_MILLION) -> float:
    """Linear: the same rate at `to` entries (a lower bound; the database grows meanwhile)."""
    return seconds * to / entries


# --- memory -------------------------------------------------------------------------------------


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class MemorySampler:
    """Every service's RSS once a second while running: the peak and the last reading."""

    namespace: str | None = None
    interval: float = 1.0
    peak: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    samples: int = 0

    def sample(self) -> None:
        totals: dict[str, int] = {}
        for pid, name in service_processes(self.namespace).items():
            rss = rss_bytes(pid)
            if rss is not None:
                totals[name] = totals.get(name, 0) + rss
        for name, rss in totals.items():
            self.peak[name] = max(self.peak.get(name, 0), rss)
        self.last = totals
        self.samples += 1

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
        self.sample()

    def report(self) -> dict[str, Any]:
        mib = 2**20
        return {
            "samples": self.samples,
            "peak_mib": {k: round(v / mib, 1) for k, v in sorted(self.peak.items())},
            "end_mib": {k: round(v / mib, 1) for k, v in sorted(self.last.items())},
        }


# --- the run ------------------------------------------------------------------------------------


async def check_answers(client: httpx.AsyncClient, token: str, codes: list[str]) -> list[bool]:
    """Finance's must-check for `codes`: listed or not, in order."""
    if not codes:
        return []
    r = await client.post(
        "http://127.0.0.1:8003/v1/checks/batch",
        json={"purpose": "licensing", "business_reference": "bench-onboarding", "codes": codes},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    r.raise_for_status()
    return [bool(a.get("listed")) for a in r.json()["answers"]]


async def feed(path: Path, token: str, request: FeedRequest, rejected: Path) -> dict[str, Any]:
    """The feed client, as `jrp-trigger sync-feed` runs it, in a thread of its own."""

    def run() -> dict[str, Any]:
        source = SourceFile(path)
        with (
            httpx.Client(timeout=httpx.Timeout(60.0, read=None)) as http,
            rejected.open("w", encoding="utf-8") as out,
        ):
            client = FeedClient(http, "http://127.0.0.1:8002", StaticToken(token), log=log)
            return client.sync(source, request, out, Progress(source.lines, log, every=10.0))

    return await asyncio.to_thread(run)


async def timed_feed(
    *,
    client: httpx.AsyncClient,
    offsets: SanctionOffsets,
    path: Path,
    token: str,
    check_token: str,
    request: FeedRequest,
    messages: int,
    listed: list[str],
    not_listed: list[str],
    give_up_after: float,
) -> dict[str, Any]:
    """Send a file through the feed; the time until `messages` more messages are on the
    department topics, and until the must-check answers as expected for the samples."""
    before = await offsets.total()
    memory = MemorySampler(offsets.namespace)
    stop = asyncio.Event()
    sampler = asyncio.create_task(memory.run(stop))
    cpu_before = cpu_by_process()
    started = time.perf_counter()
    try:
        summary = await feed(path, token, request, path.with_suffix(".rejected.ndjson"))
        answered = time.perf_counter() - started
        while (published := await offsets.total() - before) < messages:
            if time.perf_counter() - started > give_up_after:
                raise SystemExit(
                    f"only {published} of {messages} messages after {give_up_after:.0f} s"
                )
            await asyncio.sleep(0.2)
        on_topics = time.perf_counter() - started
        codes = listed + not_listed
        expected = [True] * len(listed) + [False] * len(not_listed)
        while (answers := await check_answers(client, check_token, codes)) != expected:
            if time.perf_counter() - started > give_up_after:
                wrong = sum(a != e for a, e in zip(answers, expected, strict=True))
                raise SystemExit(f"{wrong} of {len(codes)} must-check answers still wrong")
            await asyncio.sleep(0.5)
        checked = time.perf_counter() - started
    finally:
        stop.set()
        await sampler
    lines = SourceFile(path).lines
    return {
        "lines": lines,
        "messages": messages,
        "published": await offsets.total() - before,
        "feed_summary": summary,
        "feed_answered_seconds": round(answered, 2),
        "seconds_to_all_orders": round(on_topics, 2),
        "seconds_to_must_check": round(checked, 2),
        "lines_per_second": round(lines / checked, 1),
        "messages_per_second": round(messages / on_topics, 1),
        "must_check_sample": {"listed": len(listed), "not_listed": len(not_listed)},
        "cpu_ms_per_line": cpu_per_entry(cpu_before, cpu_by_process(), max(lines, 1)),
        "memory": memory.report(),
    }


@dataclass
class Plan:
    """The files to send and what they must cause, computed while the snapshot is written
    (a million entries are never held at once: only their ids, orders and codes)."""

    snapshot_path: Path
    delta_path: Path
    outcome: court_data.Outcome
    expected: Expected
    samples: dict[str, list[str]]
    """Codes for the must-check: listed / not listed after the onboarding, after the delta."""

    def summary(self) -> dict[str, Any]:
        o, e = self.outcome, self.expected
        return {
            "in_force": len(o.created),
            "expired_on_arrival": len(o.expired_on_arrival),
            "added": len(o.added),
            "corrected": len(o.corrected),
            "deleted": len(o.deleted),
            "expected": {
                "onboarding_orders": e.onboarding_orders,
                "delta_issued": e.delta_issued,
                "delta_reissued": e.delta_reissued,
                "delta_lifted": e.delta_lifted,
            },
        }


def prepare(
    options: court_data.Options,
    changes: int,
    fmt: str,
    directory: Path,
    fanout: Fanout,
    sample_size: int = SAMPLE,
) -> Plan:
    """Write the snapshot (NDJSON or CSV) and the delta into `directory`; the expected
    outcome, orders and must-check samples."""
    directory.mkdir(parents=True, exist_ok=True)
    snapshot_path = directory / f"court-snapshot.{fmt}"
    delta_path = directory / "court-delta.ndjson"
    orders: dict[str, int] = {}
    codes: dict[str, list[str]] = {}
    expired: list[str] = []
    expired_codes: list[str] = []

    def noted(entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            if court_data.in_force(entry, options.as_of):
                orders[entry["record_id"]] = fanout.orders(entry)
                codes[entry["record_id"]] = codes_of([entry])
            else:
                expired.append(entry["record_id"])
                expired_codes.extend(codes_of([entry]))
            yield entry

    write = court_data.write_csv if fmt == "csv" else court_data.write_ndjson
    with snapshot_path.open("w", encoding="utf-8") as out:
        write(noted(court_data.snapshot(options)), out)
    delta = list(court_data.delta(options, changes))
    with delta_path.open("w", encoding="utf-8") as out:
        court_data.write_ndjson(delta, out)
    outcome = court_data.outcome_of(orders, expired, delta)
    rng = random.Random(options.seed)
    lines = {line["record_id"]: line for line in delta}

    def pick(found: Iterable[str]) -> list[str]:
        population = list(found)
        return rng.sample(population, min(sample_size, len(population)))

    samples = {
        "onboarding_listed": pick(c for r in sorted(outcome.created) for c in codes[r]),
        "onboarding_not_listed": pick(expired_codes),
        "delta_listed": pick(codes_of(lines[r] for r in sorted(outcome.added | outcome.corrected))),
        "delta_not_listed": pick(c for r in sorted(outcome.deleted) for c in codes[r]),
    }
    expected = expected_messages(orders, delta, outcome, fanout)
    return Plan(snapshot_path, delta_path, outcome, expected, samples)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    options = court_data.Options(
        entries=args.entries,
        seed=args.seed,
        as_of=date.today(),
        persons_share=args.persons_share,
        first_decision=args.since,
    )
    changes = args.changes or default_changes(args.entries)
    log(f"generating {args.entries:,} court-list entries and a delta of {changes:,} changes")
    plan = prepare(options, changes, args.format, ROOT / "var" / "bench", catalog_fanout())
    results: dict[str, Any] = {
        "entries": args.entries,
        "persons_share": args.persons_share,
        "decided_since": args.since.isoformat(),
        "format": args.format,
        "changes": changes,
        **plan.summary(),
    }
    expected, samples = plan.expected, plan.samples
    async with bench_mesh("onboard") as (bootstrap, namespace, credentials):
        results["namespace"] = namespace
        token, check_token = credentials[court_data.DEPARTMENT], credentials[CHECKER]
        probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, metadata_max_age_ms=1000)
        await probe.start()
        try:
            async with httpx.AsyncClient(timeout=60) as client:
                await wait_for_catalog(client, token, court_data.LIST_TYPE)
                offsets = SanctionOffsets(probe, namespace)
                log(f"onboarding {args.entries:,} entries ({results['in_force']:,} in force)")
                results["onboarding"] = await timed_feed(
                    client=client,
                    offsets=offsets,
                    path=plan.snapshot_path,
                    token=token,
                    check_token=check_token,
                    request=FeedRequest(
                        "snapshot",
                        court_data.LIST_TYPE,
                        f"bench-snapshot-{namespace}",
                        "不在法院失信被执行人名单全量数据中",
                    ),
                    messages=expected.onboarding_orders,
                    listed=samples["onboarding_listed"],
                    not_listed=samples["onboarding_not_listed"],
                    give_up_after=args.timeout,
                )
                log(f"onboarding: {json.dumps(results['onboarding'], ensure_ascii=False)}")
                log(f"delta of {changes:,} changes")
                results["delta"] = await timed_feed(
                    client=client,
                    offsets=offsets,
                    path=plan.delta_path,
                    token=token,
                    check_token=check_token,
                    request=FeedRequest("delta", court_data.LIST_TYPE, f"bench-delta-{namespace}"),
                    messages=expected.delta_messages,
                    listed=samples["delta_listed"],
                    not_listed=samples["delta_not_listed"],
                    give_up_after=args.timeout,
                )
                log(f"delta: {json.dumps(results['delta'], ensure_ascii=False)}")
        finally:
            await probe.stop()
    onboarding_seconds = results["onboarding"]["seconds_to_must_check"]
    results["extrapolated"] = {
        "basis": "linear from the measured rate; the database grows meanwhile, so a real run "
        "can only be slower",
        "onboarding_1m_seconds": round(extrapolated_seconds(args.entries, onboarding_seconds)),
        "delta_20k_seconds": round(
            extrapolated_seconds(changes, results["delta"]["seconds_to_must_check"], 20_000), 1
        ),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=20_000, help="entries in the snapshot")
    parser.add_argument(
        "--changes", type=int, default=None, help="delta size (default: N/4, at most 20,000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--persons-share", type=float, default=0.7)
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        default=court_data.FIRST_DECISION,
        help="earliest decision date (e.g. a year ago: nearly every entry in force, the most "
        "orders)",
    )
    parser.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per phase")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "onboarding.json")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
