"""Prior notice before listing (国办发〔2020〕49号; DOMAIN.md §11; issue 14 part 4): where the
list type requires it, the party was told before the decision, and the listing waits for the
response window (working days, DOMAIN.md §10) unless the party answered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_trigger.domain import rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.testing import list_type, prior_notice, tax_entry

TODAY = date(2026, 11, 23)  # a Monday
DECIDED = date(2026, 11, 20)
NOTICED = list_type(prior_notice={"required": True, "response_window_working_days": 5})
CALENDAR = WorkingDayCalendar()


def admit(version: Any = NOTICED, initial: bool = True, **changes: Any) -> rules.Admission:
    body = tax_entry(DECIDED, **changes)
    content = EntryContent.of(ListEntrySubmission.model_validate(body))
    return rules.admit(
        content, [version], department="tax", today=TODAY, calendar=CALENDAR, initial=initial
    )


def reasons(**changes: Any) -> dict[str, dict[str, Any]]:
    with pytest.raises(InvalidInput) as caught:
        admit(**changes)
    return {p.reason: {"field": p.field, **p.context} for p in caught.value.problems}


def test_a_listing_without_the_notice_the_list_type_requires_is_refused() -> None:
    refused = reasons()
    assert refused["prior_notice_required"]["field"] == "body.prior_notice"
    assert refused["prior_notice_required"]["response_window_working_days"] == 5
    admit(list_type())  # a list type without the rule takes none
    # A correction keeps the entry's notice; one recorded before the rule has none.
    admit(initial=False)


def test_the_notice_comes_before_the_decision_and_not_from_the_future() -> None:
    later = reasons(prior_notice=prior_notice(date(2026, 11, 21)))
    assert later["notice_after_decision"]["field"] == "body.prior_notice.notified_on"
    future = reasons(prior_notice=prior_notice(date(2026, 11, 24)))
    assert "notice_in_future" in future


def test_the_listing_waits_for_the_response_window_unless_the_party_answered() -> None:
    # Told on Friday 20 November: five working days are 23-27 November.
    told = prior_notice(DECIDED, response_received=False)
    refused = reasons(prior_notice=told)["response_window_open"]
    assert refused["window_ends"] == "2026-11-27"
    assert rules.response_window_ends(DECIDED, 5, CALENDAR) == date(2026, 11, 27)
    admit(prior_notice={**told, "response_received": True})
    # Told a week earlier (Friday 13 November): the window ended on the 20th.
    early = prior_notice(date(2026, 11, 13), response_received=False)
    admitted = admit(prior_notice=early)
    assert admitted.content.prior_notice is not None
    assert admitted.content.prior_notice.channel == "in_person"


def test_the_window_counts_working_days_from_the_calendar() -> None:
    # Told on Wednesday 30 September 2026: 1-7 October are the National Day holiday
    # (国办发明电〔2025〕7号), Saturday 10 October is worked: 8, 9, 10, 12, 13 October.
    assert rules.response_window_ends(date(2026, 9, 30), 5, CALENDAR) == date(2026, 10, 13)


def test_the_notice_is_part_of_the_content_and_its_fingerprint() -> None:
    with_notice = admit(prior_notice=prior_notice(date(2026, 11, 13))).content
    without = admit(list_type()).content
    assert with_notice.fingerprint() != without.fingerprint()
    assert EntryContent.from_json(with_notice.as_json()) == with_notice
    assert without.with_notice_of(with_notice).prior_notice == with_notice.prior_notice
