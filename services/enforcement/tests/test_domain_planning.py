"""Planning the orders of an entry from the catalog (DOMAIN.md §3, §4)."""

from datetime import date
from typing import Any

import pytest

from jrp_enforcement.domain.planning import order_id_for, plan_orders, targets_of
from jrp_enforcement.testing import ENTERPRISE, LEGAL_REPRESENTATIVE, TAX_LIST, entry_in_force
from jrp_shared.events.payloads import (
    LinkedPersonRecord,
    ListTypePublished,
    MeasurePublished,
    RepairRules,
)
from jrp_shared.vocabulary import LinkedPersonRole, MeasureKind, SubjectType, TargetRole

Catalog = tuple[list[ListTypePublished], list[MeasurePublished]]
ALL_TYPES = list(SubjectType)


def list_type(**changes: Any) -> ListTypePublished:
    fields: dict[str, Any] = {
        "code": TAX_LIST,
        "version": 1,
        "effective_from": date(2026, 1, 1),
        "name": "重大税收违法失信主体",
        "name_en": "Parties to major tax violations",
        "colour": "black",
        "domain": "tax",
        "initiating_departments": ["tax"],
        "lawful_area": "fair-market-and-social-order",
        "grounds": "…",
        "legal_basis": "…",
        "default_period_months": 36,
        "max_period_months": 36,
        "recognition_meeting_required": False,
        "includes_linked_persons": True,
        "suspend_during_objection": True,
        "receipt_deadline_working_days": 3,
        "feedback_deadline_working_days": 20,
        "repair": RepairRules(repairable=True),
        "sources": [],
    }
    fields.update(changes)
    return ListTypePublished(**fields)


def measure(
    code: str,
    department: str,
    *,
    mandatory: bool = True,
    applies_to: list[SubjectType] = ALL_TYPES,
    list_types: tuple[str, ...] = (TAX_LIST,),
) -> MeasurePublished:
    return MeasurePublished(
        code=code,
        version=2,
        effective_from=date(2026, 1, 1),
        list_types=list(list_types),
        content=f"{code} 内容",
        content_en=f"{code} content",
        kind=MeasureKind.PUNISHMENT,
        mandatory=mandatory,
        implementing_department=department,
        legal_basis="《法》",
        applies_to=applies_to,
        sources=[],
    )


MEASURES = [
    measure("finance.a", "finance"),
    measure("finance.b", "finance", mandatory=False),
    measure("market.only-companies", "market", applies_to=[SubjectType.LEGAL_PERSON]),
    measure("transport.only-people", "transport", applies_to=[SubjectType.NATURAL_PERSON]),
    measure("court.other-list", "court", list_types=("black.judicial.dishonest-judgment-debtor",)),
]


def test_one_order_per_department_and_target_with_exactly_its_measures() -> None:
    plans = plan_orders(entry_in_force(), list_type(), MEASURES)
    layout = {
        (p.department, p.target.role, p.target.code): [(m.code, m.mandatory) for m in p.measures]
        for p in plans
    }
    assert layout == {
        ("finance", TargetRole.SUBJECT, ENTERPRISE): [("finance.a", True), ("finance.b", False)],
        ("finance", TargetRole.LEGAL_REPRESENTATIVE, LEGAL_REPRESENTATIVE): [
            ("finance.a", True),
            ("finance.b", False),
        ],
        ("market", TargetRole.SUBJECT, ENTERPRISE): [("market.only-companies", True)],
        ("transport", TargetRole.LEGAL_REPRESENTATIVE, LEGAL_REPRESENTATIVE): [
            ("transport.only-people", True)
        ],
    }
    assert [p.department for p in plans] == ["finance", "finance", "market", "transport"]
    assert plans[0].measures[0].version == 2 and plans[0].measures[0].legal_basis == "《法》"


def test_linked_persons_are_reached_only_when_the_list_type_includes_them() -> None:
    plans = plan_orders(entry_in_force(), list_type(includes_linked_persons=False), MEASURES)
    assert {p.target.role for p in plans} == {TargetRole.SUBJECT}
    assert {p.department for p in plans} == {"finance", "market"}


def test_each_linked_person_is_a_natural_person_target_once_per_role() -> None:
    person = LinkedPersonRecord(
        role=LinkedPersonRole.LEGAL_REPRESENTATIVE, name="张三", resident_id=LEGAL_REPRESENTATIVE
    )
    also_principal = person.model_copy(
        update={"role": LinkedPersonRole.PRINCIPAL_RESPONSIBLE_PERSON}
    )
    entry = entry_in_force(linked_persons=[person, person, also_principal])
    targets = targets_of(entry, list_type())
    assert [(t.role, t.subject_type) for t in targets] == [
        (TargetRole.SUBJECT, SubjectType.LEGAL_PERSON),
        (TargetRole.LEGAL_REPRESENTATIVE, SubjectType.NATURAL_PERSON),
        (TargetRole.PRINCIPAL_RESPONSIBLE_PERSON, SubjectType.NATURAL_PERSON),
    ]


def test_order_ids_are_stable_across_corrections_and_distinct_per_department_and_target() -> None:
    first = plan_orders(entry_in_force(), list_type(), MEASURES)
    corrected = plan_orders(
        entry_in_force(version=2, grounds="更正后的事实"), list_type(), MEASURES
    )
    assert [p.order_id for p in first] == [p.order_id for p in corrected]
    assert len({p.order_id for p in first}) == len(first)
    assert first[0].order_id == order_id_for("entry-1", "finance", TargetRole.SUBJECT, ENTERPRISE)
    other_entry = plan_orders(entry_in_force(entry_id="entry-2"), list_type(), MEASURES)
    assert not {p.order_id for p in first} & {p.order_id for p in other_entry}


def test_a_natural_person_subject_gets_only_measures_that_apply_to_persons() -> None:
    entry = entry_in_force(
        subject={"code": LEGAL_REPRESENTATIVE, "subject_type": "natural_person", "name": "张三"},
        linked_persons=[],
    )
    plans = plan_orders(entry, list_type(), MEASURES)
    assert {p.department for p in plans} == {"finance", "transport"}


def test_the_list_type_must_be_the_entrys() -> None:
    with pytest.raises(ValueError, match="not the entry's"):
        plan_orders(entry_in_force(), list_type(code="black.other"), MEASURES)


def test_the_seed_catalog_reaches_many_departments_for_the_tax_list(catalog: Catalog) -> None:
    list_types, measures = catalog
    [tax] = [t for t in list_types if t.code == TAX_LIST]
    plans = plan_orders(entry_in_force(), tax, measures)
    assert len({p.department for p in plans}) >= 10
    by_code = {m.code: m for m in measures}
    for plan in plans:
        for ordered in plan.measures:
            source = by_code[ordered.code]
            assert TAX_LIST in source.list_types
            assert source.implementing_department == plan.department
            assert plan.target.subject_type in source.applies_to
