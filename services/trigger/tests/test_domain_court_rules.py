"""The court list's admission rules (法释〔2017〕7号; DOMAIN.md §2, §11): minors never listed,
the court's case record, the period and its extension, and the version of the decision date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission, ListTypePublished
from jrp_shared.identifiers import resident_id_check_character
from jrp_trigger.domain import rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.testing import (
    ENTERPRISE,
    court_case,
    court_entry,
    court_list_type,
    list_type,
    tax_entry,
)

TODAY = date(2026, 11, 23)
COURT = court_list_type()


def resident_id(born: date) -> str:
    body = f"350102{born:%Y%m%d}001"
    return body + resident_id_check_character(body)


def person(born: date) -> dict[str, Any]:
    return {"code": resident_id(born), "subject_type": "natural_person", "name": "王五"}


def content(**changes: Any) -> EntryContent:
    return EntryContent.of(ListEntrySubmission.model_validate(court_entry(TODAY, **changes)))


def admit(c: EntryContent, versions: Sequence[ListTypePublished] = (COURT,)) -> rules.Admission:
    return rules.admit(c, versions, department="court", today=TODAY)


def refusal(c: EntryContent, versions: Sequence[ListTypePublished] = (COURT,)) -> dict[str, Any]:
    with pytest.raises(InvalidInput) as caught:
        admit(c, versions)
    return {p.field: p.as_json() for p in caught.value.problems}


def period(months: int, start: date = TODAY) -> dict[str, str]:
    return {"start": str(start), "end": str(rules.add_months(start, months))}


# --- minors (第五条) ------------------------------------------------------------------------------


def test_a_person_born_in_2016_listed_in_2026_is_refused_as_a_minor_never_naming_the_id() -> None:
    child = person(date(2016, 5, 4))
    problem = refusal(content(subject=child))["body.subject.code"]
    assert problem["reason"] == "minor"
    assert "法释〔2017〕7号 第五条" in problem["message"]
    assert problem["minimum_age_years"] == 18
    assert child["code"] not in str(problem) and child["code"][6:14] not in str(problem)


def test_exactly_18_on_the_decision_date_is_admitted_and_a_day_less_is_not() -> None:
    assert admit(content(subject=person(date(2008, 11, 23)))).content.subject.name == "王五"
    problem = refusal(content(subject=person(date(2008, 11, 24))))["body.subject.code"]
    assert problem["reason"] == "minor"


def test_age_is_taken_on_the_decision_date_not_today() -> None:
    # 18 today, but 17 when the court decided in 2025: still a minor at the listing.
    decided = date(2025, 6, 1)
    c = content(
        subject=person(date(2008, 1, 1)),
        decision_document={"number": "x", "date": str(decided)},
        period=period(24, decided),
    )
    assert refusal(c)["body.subject.code"]["reason"] == "minor"


def test_a_minor_linked_person_is_refused_too() -> None:
    company = {"code": ENTERPRISE, "subject_type": "legal_person", "name": "福州示例"}
    minor = {
        "role": "legal_representative",
        "name": "赵六",
        "resident_id": resident_id(date(2012, 2, 2)),
    }
    problems = refusal(content(subject=company, linked_persons=[minor]))
    assert problems["body.linked_persons.0.resident_id"]["reason"] == "minor"


def test_no_age_rule_where_the_list_type_sets_none() -> None:
    tax = list_type()
    body = tax_entry(
        TODAY,
        linked_persons=[
            {
                "role": "legal_representative",
                "name": "赵六",
                "resident_id": resident_id(date(2010, 2, 2)),
            }
        ],
    )
    c = EntryContent.of(ListEntrySubmission.model_validate(body))
    assert rules.admit(c, [tax], department="tax", today=TODAY).list_type == tax


# --- the court case record (第六条) -------------------------------------------------------------


def test_the_court_list_requires_the_court_case() -> None:
    problem = refusal(content(court_case=None))["body.court_case"]
    assert problem["reason"] == "court_case_required"
    assert "court_case" in problem["message"]


def test_a_court_case_on_a_list_type_that_takes_none_is_refused() -> None:
    body = tax_entry(TODAY, court_case=court_case())
    c = EntryContent.of(ListEntrySubmission.model_validate(body))
    with pytest.raises(InvalidInput) as caught:
        rules.admit(c, [list_type()], department="tax", today=TODAY)
    [problem] = caught.value.problems
    assert (problem.field, problem.reason) == ("body.court_case", "court_case_not_applicable")


def test_a_filing_date_after_the_decision_date_is_refused() -> None:
    problem = refusal(content(court_case=court_case(filing_date="2026-11-24")))
    assert problem["body.court_case.filing_date"]["reason"] == "filing_after_decision"
    assert admit(content(court_case=court_case(filing_date=str(TODAY))))


# --- the period and its extension (第二条) -------------------------------------------------------


def test_the_default_two_years_needs_no_ground() -> None:
    assert admit(content(period=period(24))).content.court_case is not None


def test_a_longer_period_needs_an_extension_ground_the_list_type_names() -> None:
    none = refusal(content(period=period(36)))["body.court_case.extension_ground"]
    assert none["reason"] == "period_extension_ground_required"
    assert "violent_obstruction" in none["message"]
    unknown = refusal(
        content(period=period(36), court_case=court_case(extension_ground="bad_mood"))
    )["body.court_case.extension_ground"]
    assert unknown["reason"] == "period_extension_ground_unknown"
    extended = content(
        period=period(36), court_case=court_case(extension_ground="violent_obstruction")
    )
    assert admit(extended).content.court_case is not None


def test_an_extension_lasts_one_to_three_years() -> None:
    ground = court_case(extension_ground="multiple_dishonest_acts")
    assert admit(content(period=period(60), court_case=ground))  # 2 + 3 years, the bound
    too_long = refusal(content(period=period(61), court_case=ground))["body.period.end"]
    assert too_long["reason"] == "period_extension_exceeds_max"
    assert too_long["latest_end"] == str(rules.add_months(TODAY, 60))
    too_short = refusal(content(period=period(30), court_case=ground))["body.period.end"]
    assert too_short["reason"] == "period_extension_below_min"
    assert admit(content(period=period(36), court_case=ground))  # one year, the minimum


# --- the version of the decision date, court case in the content ---------------------------------


def test_a_2015_entry_is_judged_by_the_edition_in_force_then() -> None:
    v2013 = court_list_type(
        version=2,
        effective_from=date(2013, 10, 1),
        default_period_months=60,
        max_period_months=120,
        period_extension=None,
    )
    v2017 = court_list_type(version=3, effective_from=date(2017, 5, 1))
    current = court_list_type(version=1, effective_from=date(2026, 1, 1))
    versions = [current, v2013, v2017]  # a past edition loaded later: higher number, older date
    decided = date(2015, 6, 1)
    c = content(decision_document={"number": "x", "date": str(decided)}, period=period(48, decided))
    assert admit(c, versions).list_type.version == 2
    assert rules.list_type_on(versions, date(2018, 1, 1)) == v2017
    assert rules.list_type_on(versions, TODAY) == current
    assert rules.list_type_on(versions, date(2013, 9, 30)) is None


def test_same_date_ties_go_to_the_highest_version() -> None:
    a = court_list_type(version=1, effective_from=date(2026, 1, 1))
    b = court_list_type(version=2, effective_from=date(2026, 1, 1), minimum_age_years=16)
    assert rules.list_type_on([b, a], TODAY) == b


def test_the_court_case_round_trips_and_is_part_of_the_fingerprint() -> None:
    c = content()
    assert EntryContent.from_json(c.as_json()) == c
    changed = content(court_case=court_case(performance="partial", performed_part="已还十万元"))
    assert changed.fingerprint() != c.fingerprint()
    assert content().fingerprint() == c.fingerprint()
    # A version stored before the court case existed reads back without one.
    old = c.as_json()
    del old["court_case"]
    assert EntryContent.from_json(old).court_case is None
