"""Subjects and the people behind them (DOMAIN.md §2, §3): registration and revision rules."""

from __future__ import annotations

import pytest

from jrp_registry.domain.subjects import LinkedPerson, Subject, register, revise, validate_code
from jrp_shared.errors import FieldProblem, InvalidInput
from jrp_shared.identifiers import resident_id_check_character, uscc_check_character
from jrp_shared.vocabulary import LinkedPersonRole, SubjectType

USCC_FUZHOU = "91350100M000100Y43"
USCC_BEIJING = "91110000802100433B"
RESIDENT_ID = "11010519491231002X"
# A second valid resident ID, built from its check character so the test never depends on a
# hand-computed value.
OTHER_RESIDENT_ID = "35010219800101001" + resident_id_check_character("35010219800101001")

LEGAL_REP = LinkedPersonRole.LEGAL_REPRESENTATIVE


def _wrong_check(code: str, check: str) -> str:
    """The same 17 characters with a check character that is not the right one."""
    wrong = "0" if check != "0" else "1"
    return code[:17] + wrong


def _problems(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, FieldProblem]:
    return {p.field: p for p in exc.value.problems}


def _natural_person() -> Subject:
    return register(
        code=RESIDENT_ID,
        subject_type=SubjectType.NATURAL_PERSON,
        name="张三",
        division_code=None,
        linked_persons=[],
    )


def _legal_person(
    *,
    code: str = USCC_FUZHOU,
    subject_type: SubjectType = SubjectType.LEGAL_PERSON,
    name: str = "福州某某有限公司",
    division_code: str | None = None,
    linked_persons: list[tuple[LinkedPersonRole, str, str]] | None = None,
) -> Subject:
    return register(
        code=code,
        subject_type=subject_type,
        name=name,
        division_code=division_code,
        linked_persons=linked_persons or [],
    )


# --- register: the code a subject type requires -----------------------------------------------


def test_legal_person_with_valid_uscc_is_registered_with_division_from_uscc() -> None:
    subject = _legal_person()

    assert subject.code == USCC_FUZHOU
    assert subject.subject_type is SubjectType.LEGAL_PERSON
    assert subject.name == "福州某某有限公司"
    # USCC positions 3–8 are the administrative division (DOMAIN.md §2).
    assert subject.division_code == "350100"
    assert subject.revision == 1
    assert subject.linked_persons == ()
    assert subject.warnings == ()


def test_division_default_follows_the_uscc_not_a_constant() -> None:
    subject = _legal_person(code=USCC_BEIJING)

    assert subject.division_code == "110000"


def test_natural_person_division_defaults_from_resident_id_positions_1_to_6() -> None:
    subject = _natural_person()

    assert subject.code == RESIDENT_ID
    assert subject.division_code == "110105"


def test_explicit_valid_division_code_is_kept() -> None:
    subject = _legal_person(division_code="350102")

    assert subject.division_code == "350102"


def test_uscc_with_wrong_check_character_is_refused_at_position_18() -> None:
    bad = _wrong_check(USCC_FUZHOU, uscc_check_character(USCC_FUZHOU[:17]))

    with pytest.raises(InvalidInput) as exc:
        _legal_person(code=bad)

    problems = _problems(exc)
    assert list(problems) == ["body.code"]
    problem = problems["body.code"]
    assert problem.reason == "uscc_check_character"
    assert problem.context == {"position": 18}
    assert problem.as_json()["position"] == 18


def test_natural_person_with_a_uscc_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        register(
            code=USCC_FUZHOU,
            subject_type=SubjectType.NATURAL_PERSON,
            name="张三",
            division_code=None,
            linked_persons=[],
        )

    problem = _problems(exc)["body.code"]
    assert problem.reason.startswith("resident_id_")


@pytest.mark.parametrize(
    "subject_type",
    [SubjectType.LEGAL_PERSON, SubjectType.OTHER_ORGANISATION, SubjectType.INDIVIDUAL_BUSINESS],
)
def test_organisation_with_a_resident_id_is_refused(subject_type: SubjectType) -> None:
    with pytest.raises(InvalidInput) as exc:
        _legal_person(code=RESIDENT_ID, subject_type=subject_type)

    problem = _problems(exc)["body.code"]
    assert problem.reason.startswith("uscc_")


def test_lower_case_uscc_is_normalised() -> None:
    subject = _legal_person(code=f"  {USCC_FUZHOU.lower()} ")

    assert subject.code == USCC_FUZHOU
    assert subject.division_code == "350100"


def test_lower_case_resident_id_is_normalised() -> None:
    subject = register(
        code=RESIDENT_ID.lower(),
        subject_type=SubjectType.NATURAL_PERSON,
        name="张三",
        division_code=None,
        linked_persons=[],
    )

    assert subject.code == RESIDENT_ID


def test_validate_code_returns_normalised_code_and_no_problems() -> None:
    code, warnings, problems = validate_code(USCC_FUZHOU.lower(), SubjectType.LEGAL_PERSON, "warn")

    assert code == USCC_FUZHOU
    assert warnings == ()
    assert problems == []


def test_validate_code_reports_problem_instead_of_raising() -> None:
    code, _, problems = validate_code(USCC_FUZHOU, SubjectType.NATURAL_PERSON, "warn")

    assert code == USCC_FUZHOU
    assert [p.field for p in problems] == ["body.code"]


def test_name_is_stripped_and_must_not_be_empty() -> None:
    assert _legal_person(name="  福州某某有限公司 ").name == "福州某某有限公司"

    with pytest.raises(InvalidInput) as exc:
        _legal_person(name="   ")

    assert _problems(exc)["body.name"].reason == "empty"


# --- register: linked persons (DOMAIN.md §3) --------------------------------------------------


def test_organisation_keeps_its_linked_persons_normalised() -> None:
    subject = _legal_person(
        linked_persons=[
            (LEGAL_REP, " 李四 ", RESIDENT_ID.lower()),
            (LinkedPersonRole.DIRECTLY_RESPONSIBLE_PERSON, "王五", OTHER_RESIDENT_ID),
        ]
    )

    assert subject.linked_persons == (
        LinkedPerson(LEGAL_REP, "李四", RESIDENT_ID),
        LinkedPerson(LinkedPersonRole.DIRECTLY_RESPONSIBLE_PERSON, "王五", OTHER_RESIDENT_ID),
    )


def test_linked_persons_on_a_natural_person_are_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        register(
            code=RESIDENT_ID,
            subject_type=SubjectType.NATURAL_PERSON,
            name="张三",
            division_code=None,
            linked_persons=[(LEGAL_REP, "李四", OTHER_RESIDENT_ID)],
        )

    problem = _problems(exc)["body.linked_persons"]
    assert problem.reason == "not_an_organisation"


def test_linked_person_with_bad_resident_id_is_refused_by_index() -> None:
    bad = _wrong_check(RESIDENT_ID, "X")

    with pytest.raises(InvalidInput) as exc:
        _legal_person(linked_persons=[(LEGAL_REP, "李四", bad)])

    problem = _problems(exc)["body.linked_persons.0.resident_id"]
    assert problem.reason == "resident_id_check_character"
    assert problem.context == {"position": 18}


def test_bad_resident_id_of_second_linked_person_names_index_1() -> None:
    with pytest.raises(InvalidInput) as exc:
        _legal_person(
            linked_persons=[
                (LEGAL_REP, "李四", RESIDENT_ID),
                (LinkedPersonRole.PRINCIPAL_RESPONSIBLE_PERSON, "王五", "123"),
            ]
        )

    assert list(_problems(exc)) == ["body.linked_persons.1.resident_id"]


def test_several_problems_are_reported_together() -> None:
    bad_uscc = _wrong_check(USCC_FUZHOU, uscc_check_character(USCC_FUZHOU[:17]))

    with pytest.raises(InvalidInput) as exc:
        _legal_person(
            code=bad_uscc,
            name=" ",
            division_code="35010",
            linked_persons=[(LEGAL_REP, "李四", "11010519491231002Y")],
        )

    assert set(_problems(exc)) == {
        "body.code",
        "body.name",
        "body.division_code",
        "body.linked_persons.0.resident_id",
    }


@pytest.mark.parametrize("division_code", ["35010", "3501000", "35010A", "", "福州市"])
def test_explicit_bad_division_code_is_refused(division_code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _legal_person(division_code=division_code)

    assert _problems(exc)["body.division_code"].reason == "division_code"


# --- revise ------------------------------------------------------------------------------------


def test_revise_increments_revision_and_keeps_code_and_type() -> None:
    subject = _legal_person(linked_persons=[(LEGAL_REP, "李四", RESIDENT_ID)])

    revised = revise(
        subject,
        name=" 福州某某股份有限公司 ",
        division_code="350102",
        linked_persons=[(LEGAL_REP, "王五", OTHER_RESIDENT_ID)],
    )

    assert revised.revision == subject.revision + 1 == 2
    assert revised.code == subject.code
    assert revised.subject_type is subject.subject_type
    assert revised.name == "福州某某股份有限公司"
    assert revised.division_code == "350102"
    assert revised.linked_persons == (LinkedPerson(LEGAL_REP, "王五", OTHER_RESIDENT_ID),)
    # The original is untouched (subjects are immutable values).
    assert subject.revision == 1
    assert subject.name == "福州某某有限公司"


def test_revise_twice_counts_revisions() -> None:
    subject = _legal_person()

    once = revise(subject, name="甲", division_code=None, linked_persons=[])
    twice = revise(once, name="乙", division_code=None, linked_persons=[])

    assert twice.revision == 3


def test_revise_without_division_keeps_the_existing_one() -> None:
    subject = _legal_person(division_code="350102")

    revised = revise(subject, name=subject.name, division_code=None, linked_persons=[])

    assert revised.division_code == "350102"


def test_revise_validates_linked_persons_resident_ids() -> None:
    subject = _legal_person()

    with pytest.raises(InvalidInput) as exc:
        revise(
            subject,
            name=subject.name,
            division_code=None,
            linked_persons=[(LEGAL_REP, "李四", _wrong_check(RESIDENT_ID, "X"))],
        )

    assert _problems(exc)["body.linked_persons.0.resident_id"].reason == (
        "resident_id_check_character"
    )


def test_revise_refuses_linked_persons_on_a_natural_person() -> None:
    subject = _natural_person()

    with pytest.raises(InvalidInput) as exc:
        revise(
            subject,
            name="张三",
            division_code=None,
            linked_persons=[(LEGAL_REP, "李四", OTHER_RESIDENT_ID)],
        )

    assert _problems(exc)["body.linked_persons"].reason == "not_an_organisation"


def test_revise_refuses_bad_division_and_empty_name_together() -> None:
    subject = _legal_person()

    with pytest.raises(InvalidInput) as exc:
        revise(subject, name="", division_code="abc", linked_persons=[])

    assert set(_problems(exc)) == {"body.name", "body.division_code"}
