"""The pure parts of the onboarding benchmark (bench/onboarding.py): the orders a court-list
snapshot and delta put on the department topics, counted from the catalog and the data, agree
exactly with enforcement's own planning; the delta size and the labelled extrapolation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench import court_data, report
from bench.loop import service_processes
from bench.onboarding import (
    MemorySampler,
    catalog_fanout,
    codes_of,
    default_changes,
    expected_messages,
    extrapolated_seconds,
    prepare,
    rss_bytes,
)
from jrp_enforcement.domain.planning import plan_orders
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.events.payloads import ListEntryInForce, ListTypePublished, MeasurePublished

AS_OF = date(2026, 11, 29)
OPTIONS = court_data.Options(entries=600, seed=11, as_of=AS_OF)


@cache
def seed_catalog() -> tuple[ListTypePublished, tuple[MeasurePublished, ...]]:
    """The court list type and every measure, as the registry publishes them."""
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    on = bundle.effective_from
    list_type = next(
        ListTypePublished(version=1, effective_from=on, **t.model_dump())
        for t in bundle.list_types
        if t.code == court_data.LIST_TYPE
    )
    measures = tuple(
        MeasurePublished(version=1, effective_from=on, **m.model_dump()) for m in bundle.measures
    )
    return list_type, measures


def planned(entry: dict[str, Any]) -> int:
    """How many orders enforcement's planning makes for the entry under the seed catalog."""
    list_type, measures = seed_catalog()
    in_force = ListEntryInForce(
        entry_id=f"e-{entry['record_id']}",
        version=1,
        record_id=entry["record_id"],
        initiating_department="court",
        subject=entry["subject"],
        list_type=entry["list_type"],
        list_type_version=1,
        colour="black",
        grounds=entry["grounds"],
        legal_basis=entry["legal_basis"],
        decision_document=entry["decision_document"],
        period=entry["period"],
        disclosure_class=entry["disclosure_class"],
        linked_persons=entry["linked_persons"],
        evidence_references=entry["evidence_references"],
        recorded_at=datetime(2026, 11, 29, tzinfo=UTC),
        court_case=entry["court_case"],
    )
    return len(plan_orders(in_force, list_type, measures))


def test_the_count_from_the_catalog_is_enforcements_planning() -> None:
    fanout = catalog_fanout()
    entries = list(court_data.snapshot(court_data.Options(entries=40, seed=2, as_of=AS_OF)))
    kinds = {e["subject"]["subject_type"] for e in entries}
    assert kinds == {"natural_person", "legal_person"}
    for entry in entries:
        assert fanout.orders(entry) == planned(entry) > 0


def test_the_expected_messages_of_a_snapshot_and_a_delta() -> None:
    snapshot = list(court_data.snapshot(OPTIONS))
    delta = list(court_data.delta(OPTIONS, 60))
    outcome = court_data.expected_outcome(snapshot, delta, AS_OF)
    fanout = catalog_fanout()
    orders = {
        e["record_id"]: fanout.orders(e) for e in snapshot if e["record_id"] in outcome.created
    }
    expected = expected_messages(orders, delta, outcome, fanout)
    person = fanout.orders({"subject": {"subject_type": "natural_person"}})
    company = fanout.orders(
        {
            "subject": {"subject_type": "legal_person"},
            "linked_persons": [{"role": "legal_representative", "resident_id": "x"}],
        }
    )
    assert company > person > 0

    def total(entries: list[dict[str, Any]]) -> int:
        return sum(
            person if e["subject"]["subject_type"] == "natural_person" else company for e in entries
        )

    by_id = {e["record_id"]: e for e in snapshot}
    lines = {line["record_id"]: line for line in delta}
    # expired entries cause nothing: only those in force count
    assert expected.onboarding_orders == total([by_id[r] for r in outcome.created])
    assert expected.onboarding_orders < total(snapshot)
    assert expected.delta_issued == total([lines[r] for r in outcome.added])
    assert expected.delta_reissued == total([by_id[r] for r in outcome.corrected])
    assert expected.delta_lifted == total([by_id[r] for r in outcome.deleted])
    assert expected.delta_messages == (
        expected.delta_issued + expected.delta_reissued + expected.delta_lifted
    )


def test_codes_name_subjects_and_their_legal_representatives() -> None:
    entries = list(court_data.snapshot(court_data.Options(entries=30, seed=4, as_of=AS_OF)))
    codes = codes_of(entries)
    companies = sum(e["subject"]["subject_type"] == "legal_person" for e in entries)
    assert len(codes) == len(set(codes)) == len(entries) + companies


@pytest.mark.parametrize(
    ("entries", "changes"), [(20_000, 5_000), (1_000_000, 20_000), (100, 25), (2, 1)]
)
def test_the_default_delta_is_a_quarter_of_the_snapshot_at_most_20000(
    entries: int, changes: int
) -> None:
    assert default_changes(entries) == changes


def test_extrapolation_is_linear_in_the_entries() -> None:
    assert extrapolated_seconds(20_000, 100.0) == 5_000.0
    assert extrapolated_seconds(5_000, 2.0, to=20_000) == 8.0


def test_rss_is_read_from_proc() -> None:
    rss = rss_bytes(os.getpid())
    assert rss is not None and rss > 1_000_000
    assert rss_bytes(2**22 + 12345) is None


def test_the_report_labels_the_extrapolations_and_judges_them_against_the_targets() -> None:
    memory = {"samples": 90, "peak_mib": {"trigger": 210.4}, "end_mib": {"trigger": 180.0}}
    run = {
        "entries": 20_000,
        "in_force": 4_100,
        "expired_on_arrival": 15_900,
        "format": "ndjson",
        "changes": 5_000,
        "added": 2_000,
        "corrected": 1_500,
        "deleted": 1_500,
        "onboarding": {
            "seconds_to_must_check": 300.0,
            "seconds_to_all_orders": 290.0,
            "lines_per_second": 66.7,
            "messages": 80_000,
            "memory": memory,
        },
        "delta": {"seconds_to_must_check": 5.0, "messages": 90_000, "memory": memory},
        "extrapolated": {"onboarding_1m_seconds": 15_000, "delta_20k_seconds": 20.0},
    }
    onboarding, delta, rss = report.onboarding_rows(run)
    assert "**extrapolated** to 1,000,000: 250 min" in onboarding
    assert "**missed** (16.7× the target, extrapolated)" in onboarding
    assert "**extrapolated** to 20,000: 20.0 s | met |" in delta
    assert "trigger 210 → 180" in rss
    table = report.render(None, [], None, run)
    assert onboarding in table and rss in table


def test_memory_is_sampled_for_the_services_of_the_benchmarks_mesh_only() -> None:
    """A process that looks like `python -m jrp_trigger.cli serve` on namespace `onb-1`."""
    env = {**os.environ, "JRP_TRIGGER_TOPIC_NAMESPACE": "onb-1"}
    fake = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "jrp_trigger.cli", "serve"],
        env=env,
    )
    try:
        for _ in range(50):  # until the interpreter has replaced the fork's environment
            if fake.pid in service_processes("onb-1"):
                break
            time.sleep(0.05)
        assert service_processes("onb-1")[fake.pid] == "trigger"
        assert fake.pid not in service_processes("onb-2")
        sampler = MemorySampler("onb-1")
        sampler.sample()
        assert sampler.peak["trigger"] > 1_000_000
        assert sampler.report()["end_mib"]["trigger"] > 1
    finally:
        fake.kill()
        fake.wait()


def test_prepare_writes_the_files_and_keeps_only_what_the_run_needs(tmp_path: Path) -> None:
    fanout = catalog_fanout()
    plan = prepare(OPTIONS, 60, "csv", tmp_path, fanout, sample_size=50)
    snapshot = list(court_data.snapshot(OPTIONS))
    delta = list(court_data.delta(OPTIONS, 60))
    assert court_data.read_csv(plan.snapshot_path.read_text()) == snapshot
    assert [json.loads(x) for x in plan.delta_path.read_text().splitlines()] == delta
    assert plan.outcome == court_data.expected_outcome(snapshot, delta, AS_OF)
    orders = {e["record_id"]: fanout.orders(e) for e in snapshot if court_data.in_force(e, AS_OF)}
    assert plan.expected == expected_messages(orders, delta, plan.outcome, fanout)
    by_id = {e["record_id"]: e for e in snapshot}
    in_force = set(codes_of(by_id[r] for r in plan.outcome.created))
    expired = set(codes_of(by_id[r] for r in plan.outcome.expired_on_arrival))
    deleted = set(codes_of(by_id[r] for r in plan.outcome.deleted))
    assert len(plan.samples["onboarding_listed"]) == 50
    assert set(plan.samples["onboarding_listed"]) <= in_force
    assert set(plan.samples["onboarding_not_listed"]) <= expired
    assert set(plan.samples["delta_not_listed"]) <= deleted
    assert not set(plan.samples["delta_listed"]) & (deleted | expired)
    assert plan.summary()["in_force"] == len(plan.outcome.created)
    again = prepare(OPTIONS, 60, "csv", tmp_path / "again", fanout, sample_size=50)
    assert again.samples == plan.samples  # the same seed, the same run


def test_the_benchmarks_take_the_subject_from_the_body_not_the_pseudonymised_key() -> None:
    """An all-digit USCC has a resident ID's shape, so its key is a keyed pseudonym
    (jrp_shared.pseudonyms): the benchmarks count a subject's orders by the body."""
    from types import SimpleNamespace

    from bench.loop import listed_subject_of

    suspended = SimpleNamespace(
        key=b"p-99c37961177f650cf3bec66b5ab935f1",
        value=json.dumps({"listed_subject_code": "913501000000000279"}).encode(),
    )
    issued = SimpleNamespace(
        key=b"p-99c37961177f650cf3bec66b5ab935f1",
        value=json.dumps({"listed_subject": {"code": "913501000000000279"}}).encode(),
    )
    assert listed_subject_of(suspended) == listed_subject_of(issued) == "913501000000000279"
