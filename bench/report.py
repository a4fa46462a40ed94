"""Writes the figures of `make bench` into docs/benchmarks.md, with the machine and the date.

Reads var/bench/checks.json (bench.checks), var/bench/loop.json and loop-2.json (bench.loop
with one and with two enforcement replicas), var/bench/objections.json (bench.objections) and
var/bench/onboarding.json (bench.onboarding), and replaces the part of docs/benchmarks.md
between the figure markers; the hand-written analysis around them stays.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "unknown memory"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"**missed** ({miss})"


def checks_rows(data: dict[str, Any]) -> list[str]:
    index, batch = data["index"], data["batch"]
    server = data.get("server", {})
    rows = []
    for load in data["load"]:
        single, hello = load["checks"], load["hello"]
        rate, p99 = single["per_second"], single["latency_us"]["p99"] / 1000
        ok = rate >= 2500 and p99 <= 10
        miss = f"{rate / 2500:.0%} of the rate" + (
            f", p99 {p99 / 10:.1f}× the target" if p99 > 10 else ""
        )
        rows.append(
            f"| single checks, {data['entries']:,} entries in force, {load['connections']} "
            f"connections ({server.get('loop', '?')}/{server.get('http', '?')}) | ≥ 2,500/s, "
            f"p99 ≤ 10 ms | {rate:,.0f}/s, p99 {p99:.1f} ms; bare FastAPI hello "
            f"{hello['per_second']:,.0f}/s, p99 {hello['latency_us']['p99'] / 1000:.1f} ms; "
            f"ratio {load['ratio']:.2f} | {verdict(ok, miss)} |"
        )
        ratio = load["ratio"]
        rows.append(
            f"| single checks beside a bare FastAPI hello in the same run, {load['connections']} "
            f"connections | ≥ 0.6 × hello (goal 0.8 ×) | {ratio:.2f} × | "
            f"{verdict(ratio >= 0.6, f'{ratio / 0.6:.0%} of the target')} |"
        )
    worst = batch["max_seconds"]
    rows += [
        f"| batch check of {batch['codes']:,} codes ({len(batch['runs'])} runs) | ≤ 2 s | "
        f"median {batch['median_seconds']:.2f} s, worst {worst:.2f} s | "
        f"{verdict(worst <= 2, f'{worst / 2:.1f}× the target')} |",
        f"| enforcement memory per entry in force / ready time, {data['entries']:,} entries | "
        f"≤ 250 B / ≤ 15 s (goal 100 B / 5 s) | {index['bytes_per_entry']:,} B per entry over "
        f"the baseline ({index['rss_bytes'] / 2**20:,.0f} MiB RSS), index loaded in "
        f"{index['load_seconds']:.0f} s | "
        + verdict(
            index["bytes_per_entry"] <= 250 and index["load_seconds"] <= 15,
            f"{index['bytes_per_entry'] / 250:.1f}× the memory, "
            f"{index['load_seconds'] / 15:.1f}× the time",
        )
        + " |",
    ]
    return rows


def loop_rows(data: dict[str, Any]) -> list[str]:
    bulk, latency = data["bulk"], data["latency"]
    rate = bulk["entries_per_second"]
    replicas = data.get("enforcement_replicas", 1)
    return [
        f"| bulk import, {bulk['entries']:,} tax entries with legal representative → "
        f"{bulk['orders']:,} orders on the topics, {replicas} enforcement replica(s) "
        f"| ≥ 1,000 entries/s (goal 5,000) | {rate:,} entries/s "
        f"({bulk['orders_per_second']:,} orders/s; {bulk['seconds_to_all_orders']} s) | "
        f"{verdict(rate >= 1000, f'{rate / 1000:.0%} of target')} |",
        latency_row(latency),
    ]


def agreement_row(data: dict[str, Any]) -> str:
    a = data["agreement"]
    differ = a["batch_answers_that_differ"] + a["single_answers_that_differ"]
    return (
        f"| {a['replicas']} enforcement replicas: answers that differ between replicas, "
        f"{a['entries']:,} entries ({a['codes']:,} codes in a batch on each, "
        f"{a['single_checks']} single checks on each) | 0 | {differ} "
        f"(codes not listed: {a['not_listed']}) | "
        f"{verdict(differ == 0 and a['not_listed'] == 0, 'answers differ or are missing')} |"
    )


def spread_row(data: dict[str, Any]) -> str:
    s = data["replica_spread"]
    return (
        f"| a new entry: from the first to the last of {data['enforcement_replicas']} replicas "
        f"answering `listed` ({s['entries']} entries posted one at a time) | bounded, documented "
        f"| p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms "
        f"({s['answered_by_all']} of {s['entries']} answered by all) | "
        f"{verdict(s['answered_by_all'] == s['entries'], 'some never answered')} |"
    )


def scaling_rows(runs: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| enforcement replicas | bulk entries/s | orders/s | post → orders p50 / p99 "
        "(rate) | answers that differ | CPU ms per bulk entry, by process |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for data in runs:
        bulk, latency, a = data["bulk"], data["latency"], data.get("agreement", {})
        differ = a.get("batch_answers_that_differ", 0) + a.get("single_answers_that_differ", 0)
        rows.append(
            f"| {data.get('enforcement_replicas', 1)} | {bulk['entries_per_second']:,} | "
            f"{bulk['orders_per_second']:,} | {latency['p50_ms']} / {latency['p99_ms']} ms "
            f"({latency['rate_per_second']:.0f}/s) | {differ} | {cpu_text(bulk)} |"
        )
    return rows


def cpu_text(bulk: dict[str, Any]) -> str:
    cpu: dict[str, float] = bulk.get("cpu_ms_per_entry", {})
    if not cpu:
        return "—"
    parts = ", ".join(f"{name} {ms:.1f}" for name, ms in sorted(cpu.items(), key=lambda i: -i[1]))
    return f"{bulk['cpu_ms_per_entry_total']:.1f} in all: {parts}"


def latency_row(latency: dict[str, Any]) -> str:
    p99 = latency["p99_ms"]
    return (
        f"| post one entry → its {latency['orders_per_entry']} orders on the topics, at "
        f"{latency['rate_per_second']:.0f} entries/s for {latency['entries']} entries | "
        f"p99 ≤ 250 ms | p50 {latency['p50_ms']} ms, p99 {p99} ms "
        f"(errors {latency['errors']}, incomplete {latency['incomplete']}) | "
        f"{verdict(p99 <= 250, f'{p99 / 250:.1f}× the target')} |"
    )


def objections_row(data: dict[str, Any]) -> str:
    o = data["objections"]
    p99 = o["p99_ms"]
    return (
        f"| file an objection → suspension on all {o['orders_per_entry']} department topics and "
        f"in the must-check, at {o['rate_per_second']:.0f} objections/s for {o['objections']} "
        f"objections | p99 ≤ 1 s (goal 300 ms) | p50 {o['p50_ms']} ms, p99 {p99} ms "
        f"(check alone p99 {o['check_p99_ms']} ms; errors {o['errors']}) | "
        f"{verdict(0 <= p99 <= 1000 and o['errors'] == 0, f'p99 {p99 / 1000:.1f}× the target')} |"
    )


def onboarding_rows(data: dict[str, Any]) -> list[str]:
    """The court list through the sync feed (bench/onboarding.py, issue 12): the measured run
    at N entries, its linear extrapolation to 1,000,000 (labelled so), the delta, memory."""
    onb, delta, extra = data["onboarding"], data["delta"], data["extrapolated"]
    seconds = onb["seconds_to_must_check"]
    million = extra["onboarding_1m_seconds"]
    d_seconds = delta["seconds_to_must_check"]
    d20k = extra["delta_20k_seconds"]
    scaled = data["changes"] != 20_000
    memory = onb["memory"]
    peaks = ", ".join(
        f"{name} {mib:,.0f} → {memory['end_mib'].get(name, 0):,.0f}"
        for name, mib in memory["peak_mib"].items()
    )
    return [
        f"| onboard {data['entries']:,} court-list entries ({data['in_force']:,} in force, "
        f"{data['expired_on_arrival']:,} expired on arrival) from a {data['format'].upper()} "
        f"file through the sync feed → {onb['messages']:,} orders on the topics, must-check "
        f"`listed` for a sample | 1,000,000 in ≤ 15 min (goal 5) | {seconds:,.1f} s "
        f"({onb['lines_per_second']:,.0f} lines/s; orders on the topics after "
        f"{onb['seconds_to_all_orders']:,.1f} s); **extrapolated** to 1,000,000: "
        f"{million / 60:,.0f} min | "
        f"{verdict(million <= 900, f'{million / 900:.1f}× the target, extrapolated')} |",
        f"| delta of {data['changes']:,} changes ({data['added']:,} added, "
        f"{data['corrected']:,} corrected, {data['deleted']:,} deleted) → "
        f"{delta['messages']:,} orders issued, re-issued and lifted on the topics, must-check "
        f"agreeing | 20,000 in ≤ 30 s (goal 10) | {d_seconds:,.1f} s"
        + (f"; **extrapolated** to 20,000: {d20k:,.1f} s" if scaled else "")
        + f" | {verdict(d20k <= 30, f'{d20k / 30:.1f}× the target')} |",
        f"| memory of every service during the onboarding (RSS, sampled every second, peak → "
        f"end, MiB) | bounded, reported | {peaks} | reported |",
    ]


def render(
    checks: dict[str, Any] | None,
    loops: list[dict[str, Any]],
    objections: list[dict[str, Any]] | None = None,
    onboarding: dict[str, Any] | None = None,
) -> str:
    lines = [
        START,
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        "",
        "| what | target | measured | |",
        "| --- | --- | --- | --- |",
    ]
    if checks:
        lines += checks_rows(checks)
    for loop in loops:
        lines += loop_rows(loop)
    for run in objections or []:
        lines.append(objections_row(run))
    if onboarding:
        lines += onboarding_rows(onboarding)
    for loop in loops:
        if loop.get("enforcement_replicas", 1) > 1 and "agreement" in loop:
            lines.append(agreement_row(loop))
        if "replica_spread" in loop:
            lines.append(spread_row(loop))
    if loops:
        lines += ["", "Scaling (the same run):", "", *scaling_rows(loops)]
    lines += ["", END]
    return "\n".join(lines)


def main() -> int:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "bench"

    def load(name: str) -> dict[str, Any] | None:
        path = directory / name
        return json.loads(path.read_text()) if path.exists() else None

    figures = render(
        load("checks.json"),
        [r for r in (load("loop.json"), load("loop-2.json")) if r],
        [r for r in (load("objections.json"), load("objections-20.json")) if r],
        load("onboarding.json"),
    )
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + figures + tail)
    print(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
