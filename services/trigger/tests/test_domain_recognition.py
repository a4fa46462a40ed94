"""Recognition meetings that cannot be rigged (DOMAIN.md §5 step 2, 002 二(二)2; issue 14
part 3): the office's pool, the platform's seed, exclusions, one draw per meeting, the experts'
votes alongside the departments', and escalation of cross-group cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.events.payloads import ListEntrySubmission
from jrp_shared.experts import draw_experts
from jrp_shared.vocabulary import ListEntryStatus, RecognitionVote
from jrp_trigger.domain import entries, recognition, rules
from jrp_trigger.domain.content import EntryContent
from jrp_trigger.domain.entries import ListEntry
from jrp_trigger.domain.recognition import Expert, ExpertPool
from jrp_trigger.testing import list_type, tax_entry

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
Status = ListEntryStatus
APPROVE, REJECT = RecognitionVote.APPROVE, RecognitionVote.REJECT
CONVENED = ["trading", "finance", "construction"]
TRADING = list_type(
    "black.trading.serious-dishonesty",
    initiating_departments=CONVENED,
    recognition_meeting_required=True,
)
EXPERTS = [
    Expert(f"expert-{i:02}", f"专家{i}", "trading" if i < 5 else "university") for i in range(20)
]


def status(e: ListEntry) -> Status:
    """Read afresh (a vote changes it; mypy would keep the narrowed type)."""
    return e.status


def meeting() -> ListEntry:
    body = tax_entry(TODAY, list_type=TRADING.code)
    content = EntryContent.of(ListEntrySubmission.model_validate(body))
    admitted = rules.admit(content, [TRADING], department="trading", today=TODAY)
    return entries.open_entry(
        entry_id="e-1", department="trading", record_id="r-1", admission=admitted, now=NOW
    )


def pool(departments: list[str] = CONVENED, version: int = 1) -> ExpertPool:
    made = recognition.pool_version(
        None, group="trading", experts=EXPERTS, departments=departments, by="office", now=NOW
    )
    assert made is not None
    return ExpertPool(made.group, version, made.experts, made.departments, "office", NOW)


def draw(
    e: ListEntry,
    *,
    by: str = "finance",
    office: bool = False,
    reason: str | None = None,
    p: ExpertPool | None = None,
    seed: str = "f00d",
) -> entries.ExpertDraw:
    return recognition.record_draw(
        e,
        pool=p or pool(),
        group="trading",
        count=3,
        seed=seed,
        by=by,
        administrator=office,
        reason=reason,
        now=NOW,
    )


def test_a_pool_change_is_a_new_version_and_a_repeat_changes_nothing() -> None:
    first = pool()
    same = recognition.pool_version(
        first,
        group="trading",
        experts=list(reversed(EXPERTS)),
        departments=CONVENED,
        by="office",
        now=NOW,
    )
    assert same is None
    grown = recognition.pool_version(
        first,
        group="trading",
        experts=[*EXPERTS, Expert("expert-99", "新专家", "university")],
        departments=CONVENED,
        by="office",
        now=NOW,
    )
    assert grown is not None and grown.version == 2 and "expert-99" in grown.expert_ids
    with pytest.raises(InvalidInput) as caught:
        recognition.pool_version(
            None,
            group="trading",
            experts=[EXPERTS[0], EXPERTS[0]],
            departments=CONVENED,
            by="office",
            now=NOW,
        )
    assert caught.value.problems[0].reason == "duplicate_expert"


def test_the_draw_excludes_the_initiating_department_and_is_redone_from_its_record() -> None:
    e = meeting()
    made = draw(e)
    assert made.excluded == tuple(f"expert-{i:02}" for i in range(5))  # trading's own experts
    assert not set(made.experts) & set(made.excluded)
    assert (made.pool_group, made.pool_version, made.seed) == ("trading", 1, "f00d")
    # Anyone redoes it from the record: pool members minus the excluded, count, seed.
    assert list(made.experts) == draw_experts(made.candidates, made.count, str(made.seed))
    assert set(made.candidates) == set(made.pool) - set(made.excluded)


def test_one_draw_per_meeting_and_only_the_office_redraws_with_a_reason() -> None:
    e = meeting()
    draw(e)
    with pytest.raises(Conflict, match="already drawn"):
        draw(e, by="construction", seed="another")
    with pytest.raises(InvalidInput) as caught:
        draw(e, by="credit-office", office=True, seed="another")
    assert caught.value.problems[0].reason == "redraw_reason_required"
    again = draw(e, by="credit-office", office=True, reason="专家回避", seed="another")
    assert again.reason == "专家回避" and recognition.drawn(e) == again.experts
    with pytest.raises(Forbidden):
        draw(meeting(), by="tax")


def test_no_pool_no_draw() -> None:
    e = meeting()
    with pytest.raises(Conflict, match="no expert pool"):
        recognition.record_draw(
            e,
            pool=None,
            group="trading",
            count=3,
            seed="x",
            by="finance",
            administrator=False,
            reason=None,
            now=NOW,
        )


def test_departments_and_a_majority_of_the_drawn_experts_must_approve() -> None:
    e = meeting()
    for department in CONVENED:
        recognition.cast_vote(e, department=department, vote=APPROVE, comment=None, now=NOW)
    assert e.status is Status.AWAITING_RECOGNITION  # no experts drawn: cannot be approved
    with pytest.raises(Conflict, match="draw them first"):
        recognition.cast_expert_vote(
            e, expert_id="expert-10", vote=APPROVE, comment=None, by="office", now=NOW
        )
    first, second, third = draw(e).experts
    with pytest.raises(InvalidInput) as caught:
        recognition.cast_expert_vote(
            e, expert_id="expert-00", vote=APPROVE, comment=None, by="office", now=NOW
        )
    assert caught.value.problems[0].reason == "expert_not_drawn"
    recognition.cast_expert_vote(e, expert_id=first, vote=APPROVE, comment=None, by="o", now=NOW)
    recognition.cast_expert_vote(e, expert_id=second, vote=REJECT, comment=None, by="o", now=NOW)
    assert e.status is Status.AWAITING_RECOGNITION  # 1 of 3: no majority yet
    with pytest.raises(Conflict, match="already voted"):
        recognition.cast_expert_vote(
            e, expert_id=first, vote=APPROVE, comment=None, by="o", now=NOW
        )
    recognition.cast_expert_vote(e, expert_id=third, vote=APPROVE, comment=None, by="o", now=NOW)
    assert status(e) is Status.IN_FORCE


def test_a_majority_of_experts_rejecting_rejects() -> None:
    e = meeting()
    first, second, _ = draw(e).experts
    recognition.cast_expert_vote(e, expert_id=first, vote=REJECT, comment=None, by="o", now=NOW)
    assert e.status is Status.AWAITING_RECOGNITION
    recognition.cast_expert_vote(e, expert_id=second, vote=REJECT, comment=None, by="o", now=NOW)
    assert status(e) is Status.REJECTED


def test_the_share_is_a_setting() -> None:
    assert recognition.experts_needed(3, 0.5) == 2
    assert recognition.experts_needed(4, 0.5) == 3
    assert recognition.experts_needed(5, 0.6) == 4


def test_a_case_spanning_several_groups_goes_to_the_office() -> None:
    e = meeting()
    draw(e, p=pool(departments=["trading", "finance"]))
    assert e.escalation is not None
    assert e.escalation.outside_departments == ("construction",)
    for department in CONVENED:
        recognition.cast_vote(e, department=department, vote=APPROVE, comment=None, now=NOW)
    for expert in recognition.drawn(e):
        recognition.cast_expert_vote(
            e, expert_id=expert, vote=APPROVE, comment=None, by="o", now=NOW
        )
    assert e.status is Status.AWAITING_RECOGNITION  # the votes are the meeting's opinion
    decided = recognition.decide_escalated(
        e, decision=REJECT, reason="联席会议办公室认定证据不足", by="credit-office", now=NOW
    )
    assert status(e) is Status.REJECTED and decided.decided_by == "credit-office"
    with pytest.raises(Conflict, match="not escalated"):
        recognition.decide_escalated(
            meeting(), decision=APPROVE, reason="x", by="credit-office", now=NOW
        )


def test_votes_and_the_escalated_decision_name_the_officers() -> None:
    """Issue 16 (docs/security.md, "Officers"): who voted, recorded and decided, besides the
    department."""
    e = meeting()
    cast = recognition.cast_vote(
        e, department="trading", vote=APPROVE, comment=None, now=NOW, officer="officer-111111111111"
    )
    assert cast.voted_by_officer == "officer-111111111111"
    system = recognition.cast_vote(e, department="finance", vote=APPROVE, comment=None, now=NOW)
    assert system.voted_by_officer is None
    [first, *_] = draw(e, p=pool(["trading", "finance"])).experts
    expert = recognition.cast_expert_vote(
        e, expert_id=first, vote=APPROVE, comment=None, by="o", now=NOW, officer="officer-o1"
    )
    assert (expert.recorded_by, expert.recorded_by_officer) == ("o", "officer-o1")
    decided = recognition.decide_escalated(
        e, decision=APPROVE, reason="联席办认定", by="o", now=NOW, officer="officer-o2"
    )
    assert (decided.decided_by, decided.decided_by_officer) == ("o", "officer-o2")
