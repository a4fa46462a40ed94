"""What the public lookup shows (jrp_registry.domain.publication, entries.takes): disclosure
class, suspension, expiry, maximum disclosure, natural persons only on the court's list, and
the refusal of identifier fragments (issue 13 part 1; DOMAIN.md §3, §11, §12)."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from jrp_registry.domain.entries import Status, StoredEntry, takes
from jrp_registry.domain.publication import (
    add_months,
    code_in_query,
    is_public,
    publication_ends,
)
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import PublicationRules
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.testing import sample_resident_id, sample_uscc
from jrp_shared.vocabulary import DisclosureClass, ListColour, SubjectType

TODAY = date(2027, 6, 15)
BLACK = PublicationRules(max_disclosure_months=36)
COURT = PublicationRules(natural_persons_public=True)

ENTRY = StoredEntry(
    entry_id="e-1",
    version=1,
    status=Status.IN_FORCE,
    subject_code=sample_uscc(1),
    subject_type=SubjectType.LEGAL_PERSON,
    subject_name="福州示例科技有限公司",
    list_type="black.tax.major-violation",
    colour=ListColour.BLACK,
    disclosure_class=DisclosureClass.PUBLIC,
    initiating_department="tax",
    period_start=date(2027, 1, 1),
    period_end=date(2029, 12, 31),
    payload={},
    updated_at=datetime(2027, 1, 1, tzinfo=UTC),
)


def test_a_public_entry_in_force_within_its_period_is_shown() -> None:
    assert is_public(ENTRY, BLACK, TODAY)


@pytest.mark.parametrize(
    "disclosure", [DisclosureClass.AUTHORISED_QUERY, DisclosureClass.GOVERNMENT_SHARING]
)
def test_authorised_query_and_government_sharing_are_never_shown(
    disclosure: DisclosureClass,
) -> None:
    assert not is_public(replace(ENTRY, disclosure_class=disclosure), BLACK, TODAY)


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.REVOKED, Status.REPAIRED])
def test_suspended_revoked_and_repaired_are_not_shown(status: Status) -> None:
    assert not is_public(replace(ENTRY, status=status), BLACK, TODAY)


def test_before_the_period_and_after_it_nothing_is_shown() -> None:
    assert not is_public(ENTRY, BLACK, date(2026, 12, 31))
    assert is_public(ENTRY, BLACK, date(2027, 1, 1))
    ended = replace(ENTRY, period_end=date(2027, 6, 14))
    assert not is_public(ended, BLACK, TODAY)
    assert is_public(ended, BLACK, date(2027, 6, 14))


def test_publication_stops_at_the_maximum_disclosure_even_while_in_force() -> None:
    long = replace(ENTRY, period_start=date(2024, 3, 1), period_end=date(2028, 2, 29))
    assert publication_ends(long, BLACK) == date(2027, 2, 28)
    assert not is_public(long, BLACK, TODAY)
    assert is_public(long, BLACK, date(2027, 2, 28))
    # Without a maximum, publication follows the period.
    assert publication_ends(long, COURT) == date(2028, 2, 29)
    assert publication_ends(ENTRY, BLACK) == ENTRY.period_end  # the period ends first


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 1), 36) == date(2027, 3, 1)


def test_natural_persons_only_where_the_list_type_publishes_them() -> None:
    person = replace(
        ENTRY, subject_code=sample_resident_id(5), subject_type=SubjectType.NATURAL_PERSON
    )
    assert not is_public(person, BLACK, TODAY)
    assert is_public(
        replace(person, list_type="black.judicial.dishonest-judgment-debtor"), COURT, TODAY
    )
    assert not is_public(person, None, TODAY)  # an unknown list type shows nothing


def test_masking_shows_six_and_four() -> None:
    code = sample_resident_id(5)
    masked = mask_resident_id(code)
    assert masked == code[:6] + "********" + code[14:]


def test_a_complete_uscc_in_the_query_is_a_code_and_a_digit_run_is_refused() -> None:
    code = sample_uscc(77)
    assert code_in_query(f" {code.lower()} ") == code
    assert code_in_query("福州科技") is None
    assert code_in_query("福州123") is None  # three digits are part of a name
    for fragment in (sample_resident_id(9)[:10], sample_resident_id(9), "福州1234", "１２３４"):
        with pytest.raises(InvalidInput) as refused:
            code_in_query(fragment)
        [problem] = refused.value.problems
        assert (problem.field, problem.reason) == ("query.q", "identifier_fragment")
        assert fragment not in refused.value.message


def test_takes_only_events_beyond_what_is_stored() -> None:
    assert takes(None, 1, Status.IN_FORCE)
    assert not takes(None, 1, Status.REVOKED)  # nothing to revoke yet
    assert takes(ENTRY, 1, Status.SUSPENDED)
    assert not takes(ENTRY, 1, Status.IN_FORCE)  # redelivered
    suspended = replace(ENTRY, status=Status.SUSPENDED)
    assert not takes(suspended, 1, Status.IN_FORCE)
    assert takes(suspended, 2, Status.IN_FORCE)  # resumed as a new version
    revoked = replace(ENTRY, status=Status.REVOKED)
    assert not takes(revoked, 2, Status.IN_FORCE)  # final


def test_a_watch_list_entry_is_never_shown_even_if_recorded_public() -> None:
    """A watch list (重点关注名单) is never published (DOMAIN.md §11; docs/warning-list.md)."""
    watched = replace(ENTRY, list_type="watch.tax.key-supervision", colour=ListColour.WATCH)

    assert not is_public(watched, PublicationRules(), TODAY)
