"""Watch list entries (重点关注名单; DOMAIN.md §11): accepted like any other, never public."""

from __future__ import annotations

from datetime import date

import pytest

from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission, WatchListRules
from jrp_shared.vocabulary import ListColour
from jrp_trigger.domain import rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.testing import list_type, tax_entry

TODAY = date(2026, 11, 23)
WATCH = list_type(
    "watch.tax.key-supervision",
    default_period_months=12,
    max_period_months=24,
    watch=WatchListRules(key_area="tax"),
)


def _content(disclosure_class: str) -> EntryContent:
    body = tax_entry(
        TODAY,
        list_type=WATCH.code,
        disclosure_class=disclosure_class,
        linked_persons=[],
        period={"start": str(TODAY), "end": "2027-11-22"},
    )
    return EntryContent.of(ListEntrySubmission.model_validate(body))


def _admit(content: EntryContent) -> rules.Admission:
    return rules.admit(content, (WATCH,), department="tax", today=TODAY)


@pytest.mark.parametrize("disclosure_class", ["government_sharing", "authorised_query"])
def test_a_watch_entry_is_admitted_when_not_public(disclosure_class: str) -> None:
    admitted = _admit(_content(disclosure_class))

    assert admitted.list_type.colour is ListColour.WATCH
    assert admitted.content.list_type == WATCH.code


def test_a_public_watch_entry_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        _admit(_content("public"))

    [problem] = caught.value.problems
    assert problem.field == "body.disclosure_class"
    assert problem.reason == "watch_list_not_public"
    assert "government_sharing" in problem.message
