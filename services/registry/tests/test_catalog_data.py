"""The seed catalog as shipped (services/registry/data/catalog/*.yaml).

These are the product's acceptance numbers for the first catalog edition (DOMAIN.md §4, §11):
enough list types, domains, measures and departments for joint reward and punishment to mean
something, every one of them with a legal basis, and every reference resolving.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_registry.domain.catalog import (
    CatalogContext,
    duplicates,
    problems_of_list_type,
    problems_of_measure,
)
from jrp_registry.service_layer.handlers import CatalogBundle
from jrp_shared.errors import InvalidInput
from jrp_shared.vocabulary import ListColour, MeasureKind

JUDGMENT_DEBTORS = "black.judicial.dishonest-judgment-debtor"


@pytest.fixture(scope="module")
def bundle() -> CatalogBundle:
    return read_catalog(DEFAULT_CATALOG_DIR)


def _context(bundle: CatalogBundle) -> CatalogContext:
    return CatalogContext(
        domains=frozenset(d.code for d in bundle.domains),
        initiators=frozenset(d.code for d in bundle.departments if d.initiates),
        implementers=frozenset(d.code for d in bundle.departments if d.implements),
        list_type_colours={t.code: t.colour for t in bundle.list_types},
        departments=frozenset(d.code for d in bundle.departments),
    )


def test_seed_catalog_reads(bundle: CatalogBundle) -> None:
    assert DEFAULT_CATALOG_DIR.is_dir()
    assert bundle.effective_from.year >= 2026


def test_enough_list_types_of_every_colour(bundle: CatalogBundle) -> None:
    colours = {t.colour for t in bundle.list_types}

    assert len(bundle.list_types) >= 12
    assert colours == {ListColour.RED, ListColour.BLACK, ListColour.WATCH}


def test_list_types_span_at_least_8_domains(bundle: CatalogBundle) -> None:
    assert len({t.domain for t in bundle.list_types}) >= 8


def test_enough_measures_and_departments(bundle: CatalogBundle) -> None:
    assert len(bundle.measures) >= 60
    assert len(bundle.departments) >= 15


def test_measures_of_both_kinds(bundle: CatalogBundle) -> None:
    assert {m.kind for m in bundle.measures} == {MeasureKind.REWARD, MeasureKind.PUNISHMENT}


def test_every_entry_has_a_legal_basis(bundle: CatalogBundle) -> None:
    missing = [t.code for t in bundle.list_types if not t.legal_basis.strip()]
    missing += [m.code for m in bundle.measures if not m.legal_basis.strip()]

    assert missing == []


def test_every_black_list_type_names_a_lawful_area(bundle: CatalogBundle) -> None:
    black = [t for t in bundle.list_types if t.colour is ListColour.BLACK]

    assert black
    assert [t.code for t in black if t.lawful_area is None] == []


def test_every_reference_resolves(bundle: CatalogBundle) -> None:
    ctx = _context(bundle)

    problems = [p for t in bundle.list_types for p in problems_of_list_type(t, ctx)]
    problems += [p for m in bundle.measures for p in problems_of_measure(m, ctx)]

    assert problems == []


def test_every_list_type_has_measures(bundle: CatalogBundle) -> None:
    used = {code for m in bundle.measures for code in m.list_types}

    assert [t.code for t in bundle.list_types if t.code not in used] == []


def test_judgment_debtor_list_stays_in_force_during_objection(bundle: CatalogBundle) -> None:
    # 法释〔2017〕7号: the court listing is not suspended by a correction request (DOMAIN.md §11).
    by_code = {t.code: t for t in bundle.list_types}

    assert JUDGMENT_DEBTORS in by_code
    debtors = by_code[JUDGMENT_DEBTORS]
    assert debtors.suspend_during_objection is False
    assert debtors.colour is ListColour.BLACK
    assert "court" in debtors.initiating_departments


def test_some_list_type_requires_a_recognition_meeting(bundle: CatalogBundle) -> None:
    assert any(t.recognition_meeting_required for t in bundle.list_types)


def test_every_black_list_is_joint_punishment(bundle: CatalogBundle) -> None:
    implementers: dict[str, set[str]] = defaultdict(set)
    for m in bundle.measures:
        for code in m.list_types:
            implementers[code].add(m.implementing_department)

    lonely = {
        t.code: sorted(implementers[t.code])
        for t in bundle.list_types
        if t.colour is ListColour.BLACK and len(implementers[t.code]) < 2
    }

    assert lonely == {}


def test_no_duplicate_codes(bundle: CatalogBundle) -> None:
    assert duplicates(d.code for d in bundle.domains) == []
    assert duplicates(d.code for d in bundle.departments) == []
    assert duplicates(t.code for t in bundle.list_types) == []
    assert duplicates(m.code for m in bundle.measures) == []


def test_the_default_administrator_department_exists(bundle: CatalogBundle) -> None:
    # The default administrator (RegistrySettings.administrator_departments) must exist.
    assert "credit-office" in {d.code for d in bundle.departments}


# --- read_catalog refuses a broken edition -----------------------------------------------------


def _copy_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, target)
    return target


def _edit_list_types(directory: Path, edit: Any) -> None:
    path = directory / "list_types.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_copied_catalog_still_reads(tmp_path: Path) -> None:
    """The round trip through pyyaml keeps the edition valid, so the next test is fair."""
    directory = _copy_catalog(tmp_path)
    _edit_list_types(directory, lambda data: None)

    copied = read_catalog(directory)

    assert len(copied.list_types) == len(read_catalog(DEFAULT_CATALOG_DIR).list_types)


def test_black_list_type_without_lawful_area_is_refused(tmp_path: Path) -> None:
    directory = _copy_catalog(tmp_path)
    dropped: list[str] = []

    def drop_one_lawful_area(data: dict[str, Any]) -> None:
        for item in data["list_types"]:
            if item["colour"] == "black" and item["code"] != JUDGMENT_DEBTORS:
                del item["lawful_area"]
                dropped.append(item["code"])
                return

    _edit_list_types(directory, drop_one_lawful_area)
    assert len(dropped) == 1

    with pytest.raises(InvalidInput) as exc:
        read_catalog(directory)

    assert len(exc.value.problems) == 1
    problem = exc.value.problems[0]
    assert problem.field.startswith(f"list_types.yaml:{dropped[0]}")
    assert dropped[0] in problem.message
    assert "lawful area" in problem.message


def test_every_problem_in_the_edition_is_reported_at_once(tmp_path: Path) -> None:
    directory = _copy_catalog(tmp_path)

    def break_two(data: dict[str, Any]) -> None:
        black = [i for i in data["list_types"] if i["colour"] == "black"]
        black[0]["lawful_area"] = None
        black[1]["default_period_months"] = black[1]["max_period_months"] + 1

    _edit_list_types(directory, break_two)

    with pytest.raises(InvalidInput) as exc:
        read_catalog(directory)

    assert len(exc.value.problems) == 2


def test_the_catalog_document_is_current() -> None:
    """docs/catalog.md is what officers review; `make catalog-doc` regenerates it."""
    from pathlib import Path

    from jrp_registry.adapters.catalog_doc import render_catalog

    doc = Path(__file__).resolve().parents[3] / "docs" / "catalog.md"
    assert doc.read_text(encoding="utf-8") == render_catalog(read_catalog(DEFAULT_CATALOG_DIR)), (
        "docs/catalog.md is stale: run `make catalog-doc`"
    )


def test_some_list_types_escalate_sooner_than_the_default(bundle: CatalogBundle) -> None:
    """The seed sets its own escalation period on the court list and on food and drugs
    (docs/catalog.md); the others take the default of 5 working days."""
    by_code = {t.code: t for t in bundle.list_types}
    assert by_code[JUDGMENT_DEBTORS].escalation.escalate_after_working_days == 3
    food = by_code["black.food-drug.serious-dishonest-producer"]
    assert food.escalation.escalate_after_working_days == 3
    assert by_code["black.tax.major-violation"].escalation.escalate_after_working_days == 5
