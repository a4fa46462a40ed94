"""What objections, complaints and repair do to an entry (DOMAIN.md §7, §8): suspended while
verified, resumed with its period extended, revoked or corrected, repaired."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jrp_shared.errors import Conflict, InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.vocabulary import CaseKind, ListEntryStatus
from jrp_trigger.domain import due_process, entries, rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.testing import OTHER_ENTERPRISE, list_type, tax_entry

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
# 01:00 on 23 November in China, though still 22 November in UTC.
FILED = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
OBJECTION = CaseKind.OBJECTION
Status = ListEntryStatus


def admission(**changes: Any) -> rules.Admission:
    body = tax_entry(TODAY, **changes)
    c = EntryContent.of(ListEntrySubmission.model_validate(body))
    return rules.admit(c, [list_type()], department="tax", today=TODAY)


def entry(**changes: Any) -> ListEntry:
    e = entries.open_entry(
        entry_id="e-1", department="tax", record_id="r-1", admission=admission(**changes), now=NOW
    )
    e.in_force_since = NOW
    return e


def suspended(case_id: str = "obj-1") -> ListEntry:
    e = entry()
    assert due_process.suspend(e, case_kind=OBJECTION, case_id=case_id, at=FILED)
    return e


def test_a_filed_case_suspends_an_entry_in_force_once() -> None:
    e = suspended()
    assert e.status is Status.SUSPENDED and e.suspension is not None
    assert (e.suspension.case_kind, e.suspension.case_id) == (OBJECTION, "obj-1")
    assert not due_process.suspend(e, case_kind=OBJECTION, case_id="obj-1", at=NOW)
    assert e.suspension.since == FILED  # the repeated filing changed nothing
    assert not due_process.suspend(e, case_kind=CaseKind.COMPLAINT, case_id="c-9", at=NOW)
    assert e.suspension.case_id == "obj-1"  # another case leaves it as it is
    assert e.version == 1


def test_only_an_entry_in_force_that_day_is_suspended() -> None:
    e = entry(period={"start": str(TODAY), "end": "2026-12-31"})
    late = datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
    assert not due_process.suspend(e, case_kind=OBJECTION, case_id="obj-1", at=late)
    entries.revoke(e, reason="r", by="tax", now=NOW)
    assert not due_process.suspend(e, case_kind=OBJECTION, case_id="obj-1", at=NOW)
    assert e.status is Status.REVOKED and e.suspension is None


def test_a_suspended_entry_never_expires() -> None:
    e = suspended()
    after_end = e.content.period.end + timedelta(days=1)
    assert e.status_on(after_end) is Status.SUSPENDED
    assert entries.status_on(Status.SUSPENDED, TODAY, date(2040, 1, 1)) is Status.SUSPENDED


def test_information_right_resumes_with_the_end_moved_by_the_span() -> None:
    e = suspended()
    end = e.content.period.end
    # 23 November to 5 December in China: 12 days, across the month's end.
    decided = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
    version = due_process.resume(e, case_kind=OBJECTION, case_id="obj-1", by="tax", at=decided)
    assert version is not None and version.version == 2 and e.version == 2
    assert e.content.period.end == end + timedelta(days=12)
    assert e.content.period.start == e.versions[0].content.period.start
    assert e.content.grounds == e.versions[0].content.grounds
    assert version.reason == (
        "objection obj-1 decided information right: measures resume; "
        "period extended by 12 days (suspended 2026-11-23 to 2026-12-05)"
    )
    assert version.recorded_by == "tax" and version.recorded_at == decided
    assert e.status is Status.IN_FORCE and e.suspension is None
    again = due_process.resume(e, case_kind=OBJECTION, case_id="obj-1", by="tax", at=decided)
    assert again is None and e.version == 2


def test_a_same_day_decision_still_resumes_with_a_new_version() -> None:
    e = suspended()
    end = e.content.period.end
    version = due_process.resume(e, case_kind=OBJECTION, case_id="obj-1", by="tax", at=NOW)
    assert version is not None and version.version == 2
    assert e.content.period.end == end and "extended by 0 days" in (version.reason or "")


def test_a_decision_changes_nothing_on_an_entry_its_case_does_not_suspend() -> None:
    e = entry()  # e.g. the court's list: its objections suspend nothing
    assert due_process.resume(e, case_kind=OBJECTION, case_id="obj-1", by="tax", at=NOW) is None
    other = suspended("obj-2")
    assert due_process.resume(other, case_kind=OBJECTION, case_id="obj-1", by="tax", at=NOW) is None
    assert other.status is Status.SUSPENDED and other.version == 1


def test_information_wrong_revokes_once_even_while_suspended() -> None:
    e = suspended()
    revocation = due_process.revoke(
        e, case_kind=OBJECTION, case_id="obj-1", reasons="查无此事", by="tax", at=NOW
    )
    assert revocation is not None
    assert revocation.reason == "objection obj-1: information wrong: 查无此事"
    assert e.status is Status.REVOKED and e.suspension is None
    twice = due_process.revoke(
        e, case_kind=OBJECTION, case_id="obj-1", reasons="again", by="tax", at=NOW
    )
    assert twice is None and e.revocation is revocation
    # A decision that comes after the revocation resumes nothing.
    assert due_process.resume(e, case_kind=OBJECTION, case_id="obj-1", by="tax", at=NOW) is None


def test_the_initiator_may_revoke_a_suspended_entry() -> None:
    e = suspended()
    entries.revoke(e, reason="行政复议撤销", by="tax", now=NOW)
    assert e.status is Status.REVOKED and e.suspension is None


def test_information_wrong_corrects_and_ends_the_suspension() -> None:
    e = suspended()
    fixed = admission(grounds="更正后的事由")
    version = due_process.correct(
        e, fixed, case_kind=OBJECTION, case_id="obj-1", reasons="事由有误", at=NOW
    )
    assert version is not None and version.version == 2 and version.recorded_by == "tax"
    assert version.reason == "objection obj-1 decided information wrong: corrected: 事由有误"
    assert e.content.grounds == "更正后的事由"
    assert e.status is Status.IN_FORCE and e.suspension is None


def test_an_unchanged_correction_still_ends_the_suspension() -> None:
    e = suspended()
    version = due_process.correct(
        e, admission(), case_kind=OBJECTION, case_id="obj-1", reasons="部分有误", at=NOW
    )
    assert version is not None and version.version == 2 and e.status is Status.IN_FORCE


def test_a_correction_of_who_it_is_about_is_refused_and_the_entry_stays_suspended() -> None:
    e = suspended()
    other = admission(
        subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "别的企业"}
    )
    with pytest.raises(InvalidInput) as caught:
        due_process.correct(e, other, case_kind=OBJECTION, case_id="obj-1", reasons="r", at=NOW)
    assert caught.value.problems[0].reason == "not_correctable"
    assert e.status is Status.SUSPENDED and e.version == 1


def test_a_decision_on_a_case_that_suspends_nothing_is_an_ordinary_correction() -> None:
    e = entry()
    same = due_process.correct(
        e, admission(), case_kind=OBJECTION, case_id="obj-1", reasons="r", at=NOW
    )
    assert same is None and e.version == 1
    fixed = due_process.correct(
        e, admission(grounds="新事由"), case_kind=OBJECTION, case_id="obj-1", reasons="r", at=NOW
    )
    assert fixed is not None and fixed.version == 2


def test_an_ordinary_correction_of_a_suspended_entry_names_the_case() -> None:
    e = suspended()
    with pytest.raises(Conflict) as caught:
        entries.correct(e, admission(grounds="x"), reason="r", by="tax", now=NOW, today=TODAY)
    assert "suspended pending objection obj-1" in caught.value.message
    assert "/v1/objections/obj-1/decision" in caught.value.message


def test_repair_ends_an_entry_in_force_or_suspended() -> None:
    e = entry()
    assert due_process.repaired(e, repair_id="rep-1", by="tax", at=NOW)
    assert e.status is Status.REPAIRED and e.repair is not None
    assert (e.repair.repair_id, e.repair.repaired_by, e.repair.repaired_at) == ("rep-1", "tax", NOW)
    assert e.status_on(date(2040, 1, 1)) is Status.REPAIRED
    assert not due_process.repaired(e, repair_id="rep-1", by="tax", at=NOW)
    s = suspended()
    assert due_process.repaired(s, repair_id="rep-2", by="tax", at=NOW)
    assert s.status is Status.REPAIRED and s.suspension is None
    revoked = entry()
    entries.revoke(revoked, reason="r", by="tax", now=NOW)
    assert not due_process.repaired(revoked, repair_id="rep-3", by="tax", at=NOW)
    assert revoked.status is Status.REVOKED and revoked.repair is None
