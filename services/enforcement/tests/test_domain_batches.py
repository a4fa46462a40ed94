"""A batch check's review (DOMAIN.md §6, §2): enumerations of a masked resident ID are refused,
many natural persons are flagged. No I/O."""

import pytest

from jrp_enforcement.domain.batches import BatchPolicy, review_batch
from jrp_shared.errors import InvalidInput
from jrp_shared.identifiers import resident_id_check_character
from jrp_shared.testing import sample_uscc

POLICY = BatchPolicy(max_codes_per_mask=3, flag_persons_over=4)


def _person(birth: str, sequence: str = "123") -> str:
    body = f"350102{birth}{sequence}"
    return body + resident_id_check_character(body)


def test_codes_sharing_a_mask_up_to_the_limit_pass() -> None:
    codes = [sample_uscc(i) for i in range(10)]
    review = review_batch(codes, POLICY)
    assert review.persons == 0 and review.flags == ()


def test_more_codes_sharing_a_mask_than_the_limit_are_refused_naming_it() -> None:
    people: dict[str, list[str]] = {}
    for month in range(1, 13):
        for day in range(1, 29):
            code = _person(f"1980{month:02d}{day:02d}")
            people.setdefault(code[14:], []).append(code)
    group = max(people.values(), key=len)
    review = review_batch(group[:3], POLICY)
    assert review.largest_mask_group == 3
    with pytest.raises(InvalidInput) as refused:
        review_batch([c.lower() + " " for c in group[:4]], POLICY)
    [problem] = refused.value.problems
    assert problem.reason == "enumerating_batch" and problem.context == {"limit": 3}
    assert "350102********" + group[0][14:] in problem.message
    assert group[0] not in problem.message


def test_many_natural_persons_are_flagged_not_refused() -> None:
    codes = [_person("19800101", f"{n:03d}") for n in range(5)]
    review = review_batch(codes, POLICY)
    assert review.persons == 5
    assert review.flags == ("5 natural persons (more than 4)",)
