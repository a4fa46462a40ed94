"""A list entry's life: recognition holds it, corrections add versions, revocation ends it,
and its period's end makes it expired without anyone acting (DOMAIN.md §5, §8)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission, Period
from jrp_shared.experts import draw_experts
from jrp_shared.vocabulary import ListEntryStatus, RecognitionVote
from jrp_trigger.domain import entries, recognition, rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.testing import ENTERPRISE, OTHER_ENTERPRISE, list_type, tax_entry

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
Status = ListEntryStatus
TRADING = list_type(
    "black.trading.serious-dishonesty",
    initiating_departments=["trading", "finance", "construction"],
    recognition_meeting_required=True,
)


def admission(list_type_version: Any = None, **changes: Any) -> rules.Admission:
    version = list_type_version or list_type()
    body = tax_entry(TODAY, list_type=version.code, **changes)
    c = EntryContent.of(ListEntrySubmission.model_validate(body))
    department = version.initiating_departments[0]
    return rules.admit(c, [version], department=department, today=TODAY)


def entry(list_type_version: Any = None, **changes: Any) -> ListEntry:
    admitted = admission(list_type_version, **changes)
    return entries.open_entry(
        entry_id="e-1",
        department=admitted.list_type.initiating_departments[0],
        record_id="r-1",
        admission=admitted,
        now=NOW,
    )


def test_an_entry_is_in_force_until_its_period_ends_then_expired() -> None:
    e = entry(period={"start": str(TODAY), "end": "2027-01-31"})
    assert e.status is Status.IN_FORCE and e.recognition_departments == ()
    assert e.status_on(date(2027, 1, 31)) is Status.IN_FORCE
    assert e.status_on(date(2027, 2, 1)) is Status.EXPIRED
    assert e.should_send(TODAY) and not e.should_send(date(2027, 2, 1))


def test_an_entry_needing_a_meeting_waits_for_the_convened_departments() -> None:
    e = entry(TRADING)
    assert e.status is Status.AWAITING_RECOGNITION
    assert e.recognition_departments == ("trading", "finance", "construction")
    assert not e.should_send(TODAY)


def test_the_fingerprint_ignores_identifier_case_and_sees_every_change() -> None:
    c = admission().content
    lower = replace(c, subject=c.subject.model_copy(update={"code": ENTERPRISE.lower()}))
    assert lower.fingerprint() == c.fingerprint()
    assert replace(c, grounds="另一事由").fingerprint() != c.fingerprint()
    assert EntryContent.from_json(c.as_json()) == c


def test_a_correction_adds_a_version_and_keeps_the_first() -> None:
    e = entry()
    fixed = admission(grounds="更正后的事由")
    version = entries.correct(e, fixed, reason="笔误", by="tax", now=NOW, today=TODAY)
    assert version is not None and version.version == 2 and version.reason == "笔误"
    assert [v.version for v in e.versions] == [1, 2]
    assert e.versions[0].content.grounds == "虚开增值税专用发票"
    again = entries.correct(e, fixed, reason="重复提交", by="tax", now=NOW, today=TODAY)
    assert again is None and e.version == 2  # the same correction twice changes nothing


def test_who_may_correct_what() -> None:
    e = entry()
    with pytest.raises(Forbidden):
        entries.correct(e, admission(grounds="x"), reason="r", by="market", now=NOW, today=TODAY)
    other = admission(
        subject={"code": OTHER_ENTERPRISE, "subject_type": "legal_person", "name": "别的企业"}
    )
    with pytest.raises(InvalidInput) as caught:
        entries.correct(e, other, reason="r", by="tax", now=NOW, today=TODAY)
    assert caught.value.problems[0].field == "body.subject.code"
    assert caught.value.problems[0].reason == "not_correctable"
    ended = date(2030, 1, 1)
    with pytest.raises(Conflict, match="expired"):
        entries.correct(e, admission(grounds="x"), reason="r", by="tax", now=NOW, today=ended)


def test_revocation_happens_once_and_never_for_a_rejected_entry() -> None:
    e = entry()
    with pytest.raises(Forbidden):
        entries.revoke(e, reason="r", by="market", now=NOW)
    entries.revoke(e, reason="复议撤销", by="tax", now=NOW)
    assert e.status is Status.REVOKED and e.revocation is not None
    with pytest.raises(Conflict, match="already revoked"):
        entries.revoke(e, reason="again", by="tax", now=NOW)
    with pytest.raises(Conflict):
        entries.correct(e, admission(grounds="x"), reason="r", by="tax", now=NOW, today=TODAY)
    meeting = entry(TRADING)
    recognition.cast_vote(
        meeting, department="finance", vote=RecognitionVote.REJECT, comment=None, now=NOW
    )
    with pytest.raises(Conflict, match="rejected"):
        entries.revoke(meeting, reason="r", by="trading", now=NOW)


def test_one_rejection_rejects_and_a_correction_asks_again() -> None:
    e = entry(TRADING)
    recognition.cast_vote(
        e, department="trading", vote=RecognitionVote.APPROVE, comment=None, now=NOW
    )
    entries.correct(
        e, admission(TRADING, grounds="补充事实"), reason="补充", by="trading", now=NOW, today=TODAY
    )
    assert recognition.pending(e) == ["trading", "finance", "construction"]
    recognition.cast_vote(
        e, department="finance", vote=RecognitionVote.REJECT, comment="证据不足", now=NOW
    )
    assert e.status is Status.REJECTED and not e.should_send(TODAY)


def test_the_expert_draw_is_reproducible_from_its_seed() -> None:
    pool = [f"expert-{i}" for i in range(20)] + ["expert-3"]
    drawn = draw_experts(pool, 3, "meeting-2026-11")
    assert drawn == random.Random("meeting-2026-11").sample(sorted(set(pool)), 3)
    assert drawn == draw_experts(list(reversed(pool)), 3, "meeting-2026-11")
    assert len(set(drawn)) == 3
    with pytest.raises(InvalidInput) as caught:
        draw_experts(["a", "b", "a"], 3, 1)
    assert caught.value.problems[0].reason == "count_exceeds_pool"


def test_status_on_is_what_readers_see() -> None:
    period = Period(start=TODAY, end=TODAY + timedelta(days=1))
    assert entries.status_on(Status.IN_FORCE, period.end, TODAY) is Status.IN_FORCE
    assert entries.status_on(Status.IN_FORCE, period.end, period.end + timedelta(days=1)) is (
        Status.EXPIRED
    )
    assert entries.status_on(Status.REVOKED, period.end, date(2030, 1, 1)) is Status.REVOKED
