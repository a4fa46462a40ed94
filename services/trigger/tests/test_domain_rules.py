"""Whether a list entry may be recorded (DOMAIN.md §2-§5): every refusal names its field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from jrp_shared.errors import DomainError, Forbidden, InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission, ListTypePublished
from jrp_shared.identifiers import organisation_code_check_character, uscc_check_character
from jrp_trigger.domain import rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.testing import ENTERPRISE, PERSON, list_type, tax_entry

TODAY = date(2026, 11, 23)
TAX = list_type()


def content(**changes: Any) -> EntryContent:
    return EntryContent.of(ListEntrySubmission.model_validate(tax_entry(TODAY, **changes)))


def admit(
    c: EntryContent,
    versions: Sequence[ListTypePublished] = (TAX,),
    *,
    department: str = "tax",
    policy: Any = "warn",
) -> rules.Admission:
    return rules.admit(
        c, versions, department=department, today=TODAY, organisation_code_policy=policy
    )


def refusal(c: EntryContent, versions: Sequence[ListTypePublished] = (TAX,)) -> dict[str, Any]:
    """field → the problem's JSON."""
    with pytest.raises(InvalidInput) as caught:
        admit(c, versions)
    return {p.field: p.as_json() for p in caught.value.problems}


def test_a_valid_entry_is_admitted_with_its_identifiers_normalised() -> None:
    lower = content(
        subject={"code": ENTERPRISE.lower(), "subject_type": "legal_person", "name": "福州示例"},
        linked_persons=[
            {"role": "legal_representative", "name": "张三", "resident_id": PERSON.lower()}
        ],
    )
    admitted = admit(lower)
    assert admitted.content.subject.code == ENTERPRISE
    assert admitted.content.linked_persons[0].resident_id == PERSON
    assert admitted.list_type == TAX
    assert admitted.warnings == ()


def test_a_list_type_outside_the_catalog_is_refused_naming_it() -> None:
    problems = refusal(content(list_type="black.tax.no-such-list"), versions=())
    assert problems["body.list_type"]["reason"] == "unknown_list_type"
    assert "black.tax.no-such-list" in problems["body.list_type"]["message"]


def test_only_the_list_types_initiating_departments_may_initiate_it() -> None:
    with pytest.raises(Forbidden) as caught:
        admit(content(), department="market")
    [problem] = caught.value.problems
    assert problem.reason == "not_initiating_department"
    assert "market" in problem.message and "tax" in problem.message
    assert caught.value.status == 403


def test_a_list_type_not_yet_in_force_on_the_decision_date_is_refused() -> None:
    later = list_type(effective_from=date(2026, 1, 1))
    problems = refusal(
        content(
            decision_document={"number": "x", "date": "2025-06-01"},
            period={"start": "2025-06-01", "end": "2027-06-01"},
        ),
        versions=[later],
    )
    assert problems["body.list_type"]["reason"] == "list_type_not_in_force"
    assert "in force" in problems["body.list_type"]["message"]


def test_the_version_in_force_on_the_decision_date_judges_the_entry() -> None:
    stricter = list_type(version=2, effective_from=date(2026, 6, 1), max_period_months=12)
    versions = [TAX, stricter]
    thirty_months = {"start": "2026-03-01", "end": "2028-08-31"}
    before = content(decision_document={"number": "x", "date": "2026-03-01"}, period=thirty_months)
    assert admit(before, versions).list_type.version == 1
    after = content(
        decision_document={"number": "x", "date": "2026-07-01"},
        period={"start": "2026-07-01", "end": "2028-12-31"},
    )
    problem = refusal(after, versions)["body.period.end"]
    assert problem["reason"] == "period_exceeds_max"
    assert problem["max_period_months"] == 12 and problem["latest_end"] == "2027-07-01"


def test_the_period_rules() -> None:
    backwards = refusal(content(period={"start": str(TODAY), "end": "2026-01-01"}))
    assert backwards["body.period.end"]["reason"] == "period_end_before_start"
    early = refusal(content(period={"start": "2026-11-01", "end": "2027-01-01"}))
    assert early["body.period.start"]["reason"] == "period_starts_before_decision"
    too_long = refusal(content(period={"start": str(TODAY), "end": "2029-11-24"}))
    assert too_long["body.period.end"]["latest_end"] == "2029-11-23"
    assert "36 months" in too_long["body.period.end"]["message"]
    assert admit(content(period={"start": str(TODAY), "end": "2029-11-23"}))  # the bound itself


def test_a_decision_date_in_the_future_is_refused() -> None:
    problems = refusal(
        content(
            decision_document={"number": "x", "date": "2026-11-24"},
            period={"start": "2026-11-24", "end": "2027-11-24"},
        )
    )
    assert problems["body.decision_document.date"]["reason"] == "decision_date_in_future"
    assert "future" in problems["body.decision_document.date"]["message"]


def test_identifiers_are_checked_naming_the_position_never_echoing_the_id() -> None:
    wrong_check = ENTERPRISE[:17] + "2"
    problems = refusal(
        content(
            subject={"code": wrong_check, "subject_type": "legal_person", "name": "x"},
            linked_persons=[
                {"role": "legal_representative", "name": "张三", "resident_id": PERSON[:17] + "1"}
            ],
        )
    )
    subject = problems["body.subject.code"]
    assert (subject["reason"], subject["position"]) == ("uscc_check_character", 18)
    person = problems["body.linked_persons.0.resident_id"]
    assert person["reason"] == "resident_id_check_character"
    assert PERSON[:17] not in person["message"]
    as_person = refusal(
        content(
            subject={"code": ENTERPRISE, "subject_type": "natural_person", "name": "李四"},
            linked_persons=[],
        )
    )
    assert as_person["body.subject.code"]["reason"].startswith("resident_id_")


def test_linked_persons_only_where_the_catalog_reaches_them() -> None:
    person_with_people = refusal(
        content(subject={"code": PERSON, "subject_type": "natural_person", "name": "张三"})
    )
    assert person_with_people["body.linked_persons"]["reason"] == (
        "natural_person_has_no_linked_persons"
    )
    red = list_type("red.tax.a-grade-taxpayer", max_period_months=12)
    on_red = refusal(
        content(list_type=red.code, period={"start": str(TODAY), "end": "2027-06-01"}), [red]
    )
    assert on_red["body.linked_persons"]["reason"] == "linked_persons_not_included"
    person = {"role": "legal_representative", "name": "张三", "resident_id": PERSON}
    twice = refusal(content(linked_persons=[person, person]))
    assert twice["body.linked_persons.1"]["reason"] == "duplicate_linked_person"


def test_every_problem_is_reported_at_once() -> None:
    problems = refusal(
        content(
            grounds=" ",
            decision_document={"number": "x", "date": "2026-12-01"},
            period={"start": "2026-11-30", "end": "2026-11-01"},
        )
    )
    assert set(problems) == {
        "body.grounds",
        "body.decision_document.date",
        "body.period.start",
        "body.period.end",
    }


def _uscc_failing_the_organisation_code_check() -> str:
    body = "12345678"
    wrong = "0" if organisation_code_check_character(body) != "0" else "1"
    first17 = "91350100" + body + wrong
    return first17 + uscc_check_character(first17)


def test_the_organisation_code_check_warns_or_refuses_as_configured() -> None:
    code = _uscc_failing_the_organisation_code_check()
    c = content(subject={"code": code, "subject_type": "legal_person", "name": "x"})
    warned = admit(c, policy="warn")
    assert warned.warnings and "GB 11714" in warned.warnings[0]
    with pytest.raises(InvalidInput) as caught:
        admit(c, policy="reject")
    assert caught.value.problems[0].reason == "uscc_organisation_code_check"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 23), 36, date(2029, 11, 23)),
        (date(2026, 12, 15), 13, date(2028, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected


def test_refusals_are_domain_errors_the_consumer_dead_letters() -> None:
    with pytest.raises(DomainError):
        admit(content(list_type="black.nope"), versions=())
