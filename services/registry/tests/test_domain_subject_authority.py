"""Who may change a subject (issue 11 finding 5): domain rules, no I/O."""

import pytest

from jrp_registry.domain import subjects
from jrp_shared.errors import Forbidden
from jrp_shared.testing import sample_resident_id, sample_uscc
from jrp_shared.vocabulary import SubjectType

AUTHORITIES = {"9": "market", "5": "civil-affairs"}
ENTERPRISE = subjects.register(
    code=sample_uscc(1),
    subject_type=SubjectType.LEGAL_PERSON,
    name="甲公司",
    division_code=None,
    linked_persons=[],
)
PERSON = subjects.register(
    code=sample_resident_id(1),
    subject_type=SubjectType.NATURAL_PERSON,
    name="李四",
    division_code=None,
    linked_persons=[],
)


def _may(subject: subjects.Subject, by: str, *, office: bool = False) -> bool:
    try:
        subjects.require_may_change(
            subject, created_by="tax", by=by, office=office, registration_authorities=AUTHORITIES
        )
    except Forbidden:
        return False
    return True


def test_the_registering_department_the_register_keeper_and_the_office_may_change() -> None:
    assert subjects.registering_authority(ENTERPRISE, AUTHORITIES) == "market"
    assert _may(ENTERPRISE, "tax")
    assert _may(ENTERPRISE, "market")
    assert _may(ENTERPRISE, "credit-office", office=True)


def test_an_unrelated_department_may_not() -> None:
    assert not _may(ENTERPRISE, "youth-league")


def test_a_person_has_no_register_keeper_and_its_id_is_masked_in_the_refusal() -> None:
    assert subjects.registering_authority(PERSON, AUTHORITIES) is None
    assert _may(PERSON, "tax")
    with pytest.raises(Forbidden) as refused:
        subjects.require_may_change(
            PERSON,
            created_by="tax",
            by="market",
            office=False,
            registration_authorities=AUTHORITIES,
        )
    assert PERSON.code not in refused.value.message
