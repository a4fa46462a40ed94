"""The court-list data generator (bench/court_data.py): valid identifiers, adults only, unique
records, deterministic by seed, deltas with the asked mix, CSV and NDJSON that read back."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from bench import court_data
from bench.court_data import (
    DELETION_GROUNDS,
    EXTENSION_GROUNDS,
    DeltaMix,
    Options,
    add_months,
    age_on,
    birth_date_in,
    delta,
    expected_outcome,
    in_force,
    snapshot,
)
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_shared.events.payloads import ListEntrySubmission, ListTypePublished
from jrp_shared.identifiers import validate_resident_id, validate_uscc
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.rules import admit

Entry = dict[str, Any]
AS_OF = date(2026, 11, 29)
OPTIONS = Options(entries=2_000, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return list(snapshot(OPTIONS))


def test_every_identifier_is_valid_and_every_person_an_adult_on_the_decision_date(
    entries: list[Entry],
) -> None:
    people = 0
    for entry in entries:
        decided = date.fromisoformat(entry["decision_document"]["date"])
        subject = entry["subject"]
        residents = [p["resident_id"] for p in entry["linked_persons"]]
        if subject["subject_type"] == "natural_person":
            residents.append(subject["code"])
            assert entry["linked_persons"] == []
        else:
            assert subject["subject_type"] == "legal_person"
            # The organisation code (GB 11714) passes too, not only the final check.
            assert validate_uscc(subject["code"], organisation_code_policy="reject").code
            assert [p["role"] for p in entry["linked_persons"]] == ["legal_representative"]
            assert subject["name"].endswith("公司")
        for code in residents:
            assert validate_resident_id(code, today=AS_OF) == code
            assert code.startswith("35")  # Fujian
            assert age_on(birth_date_in(code), decided) >= 18
            people += 1
    assert people == len(entries)  # the debtor, or the company's legal representative


def test_every_entry_is_a_valid_submission_of_the_court_list(entries: list[Entry]) -> None:
    for entry in entries:
        submission = ListEntrySubmission.model_validate(entry)
        assert submission.list_type == "black.judicial.dishonest-judgment-debtor"
        assert submission.disclosure_class == "public"
        assert submission.court_case is not None


def test_records_and_codes_are_unique(entries: list[Entry]) -> None:
    ids = [e["record_id"] for e in entries]
    codes = [e["subject"]["code"] for e in entries] + [
        p["resident_id"] for e in entries for p in e["linked_persons"]
    ]
    assert len(set(ids)) == len(ids) == OPTIONS.entries
    assert len(set(codes)) == len(codes)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(
    entries: list[Entry],
) -> None:
    assert list(snapshot(OPTIONS)) == entries
    other = list(snapshot(Options(entries=2_000, seed=8, as_of=AS_OF)))
    assert {e["subject"]["code"] for e in other}.isdisjoint({e["subject"]["code"] for e in entries})


def test_shares_dates_and_periods_follow_the_court_rules(entries: list[Entry]) -> None:
    persons = sum(e["subject"]["subject_type"] == "natural_person" for e in entries)
    assert 0.65 < persons / len(entries) < 0.75  # the default share 0.7
    years = Counter(int(e["decision_document"]["date"][:4]) for e in entries)
    assert set(years) == set(range(2014, 2027))
    expired = [e for e in entries if not in_force(e, AS_OF)]
    assert 0 < len(expired) < len(entries)
    extended = 0
    for entry in entries:
        start = date.fromisoformat(entry["period"]["start"])
        end = date.fromisoformat(entry["period"]["end"])
        case = entry["court_case"]
        assert start == date.fromisoformat(entry["decision_document"]["date"]) < AS_OF
        if "extension_ground" in case:
            extended += 1
            assert case["extension_ground"] in EXTENSION_GROUNDS
            # 2 years, extended by 1-3 (法释〔2017〕7号 第二条), as the platform measures it
            assert add_months(start, 36) <= end <= add_months(start, 60)
        else:
            assert end == add_months(start, 24) - timedelta(days=1)
        filed = date.fromisoformat(case["filing_date"])
        assert filed < start
        assert re.fullmatch(rf"\({filed.year}\)闽\d{{2,4}}执\d+号", case["case_number"])
        assert case["performance"] in ("none", "partial")
        assert ("performed_part" in case) == (case["performance"] == "partial")
        assert abs((end - AS_OF).days) > 2  # clear of the expiry boundary
    assert 0.05 < extended / len(entries) < 0.15


def test_persons_share_is_configurable() -> None:
    companies = list(snapshot(Options(entries=200, seed=1, as_of=AS_OF, persons_share=0.0)))
    assert all(e["subject"]["subject_type"] == "legal_person" for e in companies)


def test_recent_decisions_keep_every_entry_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["snapshot", "--entries", "100", "--since", "2025-12-01", "--as-of", AS_OF.isoformat()]
    assert court_data.main(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 100 and all(in_force(e, AS_OF) for e in lines)
    assert min(e["decision_document"]["date"] for e in lines) >= "2025-11-26"  # 5 days' nudge


def test_a_delta_has_the_asked_mix_and_changes_only_entries_in_force(entries: list[Entry]) -> None:
    lines = list(delta(OPTIONS, 300))
    assert list(delta(OPTIONS, 300)) == lines  # deterministic too
    by_id = {e["record_id"]: e for e in entries}
    ops = Counter(
        "delete"
        if line.get("op") == "delete"
        else "correct"
        if line["record_id"] in by_id
        else "add"
        for line in lines
    )
    assert ops == {"add": 120, "correct": 90, "delete": 90}  # DeltaMix defaults 40/30/30
    assert len({line["record_id"] for line in lines}) == 300
    snapshot_codes = {e["subject"]["code"] for e in entries}
    for line in lines:
        if line.get("op") == "delete":
            assert in_force(by_id[line["record_id"]], AS_OF)
            assert line["deletion_ground"] in DELETION_GROUNDS and line["reason"]
            assert date.fromisoformat(line["ground_arose_on"]) <= AS_OF
        elif line["record_id"] in by_id:
            before = by_id[line["record_id"]]
            assert in_force(before, AS_OF)
            assert line["op"] == "upsert" and line["correction_reason"]
            assert line["court_case"] != before["court_case"]
            assert line["subject"] == before["subject"] and line["period"] == before["period"]
        else:
            assert in_force(line, AS_OF)
            assert line["subject"]["code"] not in snapshot_codes
        if line.get("op") != "delete":
            fields = {k: v for k, v in line.items() if k not in ("op", "correction_reason")}
            ListEntrySubmission.model_validate(fields)


def test_the_expected_outcome_names_every_record(entries: list[Entry]) -> None:
    lines = list(delta(OPTIONS, 300))
    outcome = expected_outcome(entries, lines, AS_OF)
    expired = {e["record_id"] for e in entries if not in_force(e, AS_OF)}
    assert outcome.expired_on_arrival == expired
    assert outcome.created == {e["record_id"] for e in entries} - expired
    assert (len(outcome.added), len(outcome.corrected), len(outcome.deleted)) == (120, 90, 90)
    assert outcome.corrected <= outcome.created and outcome.deleted <= outcome.created
    assert not outcome.corrected & outcome.deleted
    assert len(outcome.in_force_after) == len(outcome.created) + 120 - 90


def test_a_delta_smaller_than_what_is_in_force_moves_the_rest_to_additions() -> None:
    assert DeltaMix().split(100, 10) == (90, 10, 0)
    assert DeltaMix().split(10, 1_000) == (4, 3, 3)


def test_csv_and_ndjson_read_back_to_the_same_entries(entries: list[Entry]) -> None:
    out = io.StringIO()
    assert court_data.write_csv(entries[:300], out) == 300
    assert court_data.read_csv(out.getvalue()) == entries[:300]
    out = io.StringIO()
    court_data.write_ndjson(entries[:300], out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == entries[:300]


def test_the_command_line_writes_a_snapshot_and_a_delta(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--entries", "50", "--seed", "3", "--as-of", AS_OF.isoformat()]
    assert court_data.main(["snapshot", *args, "--format", "csv"]) == 0
    rows = court_data.read_csv(capsys.readouterr().out)
    assert rows == list(snapshot(Options(entries=50, seed=3, as_of=AS_OF)))
    assert court_data.main(["delta", *args, "--changes", "10"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == list(delta(Options(entries=50, seed=3, as_of=AS_OF), 10))


def test_the_codes_and_texts_are_the_catalogs() -> None:
    """The generator's grounds of extension and deletion are the court list type's codes in
    the catalog (once the catalog carries them), its department is the list's initiator."""
    catalog = read_catalog(DEFAULT_CATALOG_DIR)
    court = next(t for t in catalog.list_types if t.code == court_data.LIST_TYPE)
    assert court.initiating_departments == [court_data.DEPARTMENT]
    assert court.default_period_months == court_data.DEFAULT_PERIOD_MONTHS
    assert court.max_period_months >= court_data.DEFAULT_PERIOD_MONTHS + 36
    for situation in court_data.SITUATIONS:  # the six of 法释〔2017〕7号 第一条
        assert situation in court.grounds
    for document in court_data.LEGAL_BASIS.split("; "):
        assert document in court.legal_basis
    if court.period_extension is not None:
        assert set(EXTENSION_GROUNDS) <= set(court.period_extension.grounds)
    if court.deletion is not None:
        assert set(DELETION_GROUNDS) <= set(court.deletion.grounds)


def test_the_platform_admits_every_generated_entry_under_the_edition_of_its_decision_date(
    entries: list[Entry],
) -> None:
    """Trigger's admission rules (adults only, the court case record, the period and its
    extension, the catalog edition in force on the decision date: 法释〔2013〕17号 from
    2013-10-01, 法释〔2017〕7号 from 2017-05-01) take every snapshot entry and delta line."""
    catalog = read_catalog(DEFAULT_CATALOG_DIR)
    editions = [
        (catalog.effective_from, catalog.list_types),
        *((e.effective_from, e.list_types) for e in catalog.past_editions),
    ]
    versions = [
        ListTypePublished(version=n, effective_from=on, **t.model_dump())
        for n, (on, types) in enumerate(editions, start=1)
        for t in types
        if t.code == court_data.LIST_TYPE
    ]
    assert len(versions) >= 2  # history: an edition before 2026
    lines = [line for line in delta(OPTIONS, 300) if line.get("op") != "delete"]
    for entry in [*entries, *lines]:
        fields = {k: v for k, v in entry.items() if k not in ("op", "correction_reason")}
        submission = ListEntrySubmission.model_validate(fields)
        admitted = admit(
            EntryContent.of(submission),
            versions,
            department=court_data.DEPARTMENT,
            today=AS_OF,
            organisation_code_policy="reject",
        )
        assert admitted.warnings == ()
