"""Recognition meetings (DOMAIN.md §5 step 2, 002 二(二)2): the departments involved decide
jointly, with experts drawn at random from the special group's expert pool; cases spanning
several special groups go to the joint conference office.

What makes a meeting hard to rig:

- **The pool is the platform's.** Each special group (a list type's `domain`) has an expert pool
  kept by the office (`ExpertPool`); every change is a new version and the old ones stay.
- **The platform makes the seed** (`secrets`, in the handler) and records it with the pool's
  group, version, members and exclusions, so anyone redoes the draw: `draw_experts(candidates,
  count, seed)` (`jrp_shared.experts`). A caller cannot send a seed or a pool.
- **Conflict of interest:** experts of the initiating department are excluded.
- **One draw per meeting**; the office alone draws again, and records why.
- **Experts vote alongside the departments.** The outcome rule: every convened department
  approves AND more than `expert_share` (a setting, default one half: a majority) of the drawn
  experts approve. 002 二(二)2 says the group "decides jointly" with drawn experts but gives no
  voting rule; the majority is the platform's default, a setting (JRP_TRIGGER_RECOGNITION_
  EXPERT_SHARE), not a number from the documents. One department's rejection rejects (as
  before); so do enough expert rejections that a majority can no longer approve.
- **Cross-group cases:** when a convened department is not a member of the list type's group
  (the members are kept with the group's pool by the office), the case spans several groups
  and is escalated to the joint conference office when the experts are drawn: recorded on the
  entry; the votes are still recorded as the meeting's opinion, and the office decides.

Votes count for the version they were cast on, so a correction during the meeting asks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jrp_shared.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from jrp_shared.experts import draw_experts
from jrp_shared.vocabulary import ListEntryStatus, RecognitionVote
from jrp_trigger.domain.entries import Escalation, ExpertDraw, ExpertVote, ListEntry, Vote

Status = ListEntryStatus

DEFAULT_EXPERT_SHARE = 0.5
"""More than this share of the drawn experts must approve (a majority): the platform's default,
the documents give no number (002 二(二)2)."""


@dataclass(frozen=True)
class Expert:
    expert_id: str
    name: str
    department: str
    """the department the expert works for: excluded from that department's cases"""


@dataclass(frozen=True)
class ExpertPool:
    """One version of a special group's expert pool, maintained by the office."""

    group: str
    version: int
    experts: tuple[Expert, ...]
    departments: tuple[str, ...]
    """the group's member departments: a meeting convening others spans several groups"""
    changed_by: str
    changed_at: datetime

    @property
    def expert_ids(self) -> tuple[str, ...]:
        return tuple(sorted(e.expert_id for e in self.experts))


def pool_version(
    current: ExpertPool | None,
    *,
    group: str,
    experts: Sequence[Expert],
    departments: Sequence[str],
    by: str,
    now: datetime,
) -> ExpertPool | None:
    """The next version of the group's pool, or None when nothing changed (a repeated PUT is
    harmless). Expert ids are unique within a pool."""
    ids = [e.expert_id for e in experts]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InvalidInput(
            "an expert is listed twice",
            problems=[
                FieldProblem(
                    "body.experts",
                    "duplicate_expert",
                    f"expert ids must be unique in a pool; repeated: {', '.join(repeated)}",
                    {"repeated": repeated},
                )
            ],
        )
    members = tuple(sorted(set(departments)))
    roster = tuple(sorted(experts, key=lambda e: e.expert_id))
    if current is not None and (current.experts, current.departments) == (roster, members):
        return None
    version = 1 if current is None else current.version + 1
    return ExpertPool(group, version, roster, members, by, now)


def outcome(
    departments: Sequence[str],
    votes: Sequence[Vote],
    *,
    drawn: Sequence[str] = (),
    expert_votes: Sequence[ExpertVote] = (),
    expert_share: float = DEFAULT_EXPERT_SHARE,
) -> Status:
    """Every convened department approves AND more than `expert_share` of the drawn experts
    approve: in force. One department's rejection, or so many expert rejections that the share
    can no longer be reached: rejected. Otherwise the meeting goes on (no draw yet: it cannot
    end approved)."""
    if any(v.vote is RecognitionVote.REJECT for v in votes):
        return Status.REJECTED
    counted = [v for v in expert_votes if v.expert_id in set(drawn)]
    approvals = sum(v.vote is RecognitionVote.APPROVE for v in counted)
    rejections = len(counted) - approvals
    needed = experts_needed(len(drawn), expert_share)
    if drawn and len(drawn) - rejections < needed:
        return Status.REJECTED
    approved = {v.department for v in votes if v.vote is RecognitionVote.APPROVE}
    if set(departments) <= approved and drawn and approvals >= needed:
        return Status.IN_FORCE
    return Status.AWAITING_RECOGNITION


def experts_needed(drawn: int, share: float) -> int:
    """The fewest approvals that are more than `share` of `drawn` experts."""
    return int(drawn * share) + 1


def current_votes(entry: ListEntry) -> list[Vote]:
    return [v for v in entry.votes if v.entry_version == entry.version]


def current_expert_votes(entry: ListEntry) -> list[ExpertVote]:
    return [v for v in entry.expert_votes if v.entry_version == entry.version]


def last_draw(entry: ListEntry) -> ExpertDraw | None:
    return entry.draws[-1] if entry.draws else None


def drawn(entry: ListEntry) -> tuple[str, ...]:
    """The experts of the meeting: those of its last draw."""
    draw = last_draw(entry)
    return draw.experts if draw is not None else ()


def pending(entry: ListEntry) -> list[str]:
    """Departments that have not yet voted on the current version."""
    voted = {v.department for v in current_votes(entry)}
    return [d for d in entry.recognition_departments if d not in voted]


def experts_pending(entry: ListEntry) -> list[str]:
    voted = {v.expert_id for v in current_expert_votes(entry)}
    return [e for e in drawn(entry) if e not in voted]


def _require_meeting(entry: ListEntry) -> None:
    if entry.status is not Status.AWAITING_RECOGNITION:
        raise Conflict(f"the entry is {entry.status.value}, not awaiting recognition")


def _decide(entry: ListEntry, expert_share: float, now: datetime) -> None:
    """Apply the outcome rule, unless the joint conference office decides this case."""
    if entry.escalation is not None:
        return
    entry.status = outcome(
        entry.recognition_departments,
        current_votes(entry),
        drawn=drawn(entry),
        expert_votes=current_expert_votes(entry),
        expert_share=expert_share,
    )
    entry.updated_at = now


def cast_vote(
    entry: ListEntry,
    *,
    department: str,
    vote: RecognitionVote,
    comment: str | None,
    now: datetime,
    expert_share: float = DEFAULT_EXPERT_SHARE,
    officer: str | None = None,
) -> Vote:
    """Record one department's vote and decide the entry when the meeting is complete.
    `officer`: the one of its officers who voted, recorded for audit (DOMAIN.md §5 step 2)."""
    _require_meeting(entry)
    if department not in entry.recognition_departments:
        raise Forbidden(
            f"department {department!r} is not convened for this recognition "
            f"(convened: {', '.join(entry.recognition_departments)})"
        )
    if department not in pending(entry):
        raise Conflict(f"department {department!r} already voted on version {entry.version}")
    cast = Vote(entry.version, department, vote, comment, now, officer)
    entry.votes.append(cast)
    _decide(entry, expert_share, now)
    return cast


def cast_expert_vote(
    entry: ListEntry,
    *,
    expert_id: str,
    vote: RecognitionVote,
    comment: str | None,
    by: str,
    now: datetime,
    expert_share: float = DEFAULT_EXPERT_SHARE,
    officer: str | None = None,
) -> ExpertVote:
    """Record a drawn expert's vote (the office records it from the meeting's minutes) and
    decide the entry when the meeting is complete. `officer`: the office's officer who
    recorded it."""
    _require_meeting(entry)
    experts = drawn(entry)
    if not experts:
        raise Conflict(
            "no experts are drawn for this meeting yet: draw them first "
            f"(POST /v1/list-entries/{entry.entry_id}/recognition/expert-draw)"
        )
    if expert_id not in experts:
        raise InvalidInput.for_field(
            "body.expert_id",
            "expert_not_drawn",
            f"expert {expert_id!r} is not among the experts drawn for this meeting "
            f"({', '.join(experts)})",
            drawn=list(experts),
        )
    if expert_id not in experts_pending(entry):
        raise Conflict(f"expert {expert_id!r} already voted on version {entry.version}")
    cast = ExpertVote(entry.version, expert_id, vote, comment, by, now, officer)
    entry.expert_votes.append(cast)
    _decide(entry, expert_share, now)
    return cast


def may_draw(entry: ListEntry, department: str, *, administrator: bool) -> None:
    """The convened departments or the joint conference office draw the experts."""
    _require_meeting(entry)
    if not administrator and department not in entry.recognition_departments:
        raise Forbidden(f"department {department!r} is not convened for this recognition")


def record_draw(
    entry: ListEntry,
    *,
    pool: ExpertPool | None,
    group: str,
    count: int,
    seed: str,
    by: str,
    administrator: bool,
    reason: str | None,
    now: datetime,
) -> ExpertDraw:
    """Draw `count` experts of the group's current pool, leaving out those of the initiating
    department; record seed, pool version, members and exclusions. One draw per meeting: only
    the office draws again, with a reason. Escalate a cross-group case on the first draw."""
    may_draw(entry, by, administrator=administrator)
    if entry.draws:
        if not administrator:
            raise Conflict(
                "the experts of this meeting are already drawn; only the joint conference "
                "office may draw again, recording why",
                problems=[
                    FieldProblem(
                        "body", "already_drawn", "one draw per meeting; ask the office to redraw"
                    )
                ],
            )
        if reason is None or not reason.strip():
            raise InvalidInput.for_field(
                "body.reason",
                "redraw_reason_required",
                "a redraw records why the experts are drawn again: give `reason`",
            )
    if pool is None or not pool.experts:
        raise Conflict(
            f"special group {group!r} has no expert pool: the office keeps it "
            f"(PUT /v1/expert-pools/{group})",
            problems=[FieldProblem("body", "no_expert_pool", f"no expert pool for {group!r}")],
        )
    excluded = tuple(sorted(e.expert_id for e in pool.experts if e.department == entry.department))
    candidates = [e for e in pool.expert_ids if e not in set(excluded)]
    experts = draw_experts(candidates, count, seed)
    draw = ExpertDraw(
        seed=seed,
        pool=pool.expert_ids,
        count=count,
        experts=tuple(experts),
        drawn_by=by,
        drawn_at=now,
        pool_group=pool.group,
        pool_version=pool.version,
        excluded=excluded,
        reason=reason if entry.draws else None,
    )
    entry.draws.append(draw)
    outside = tuple(d for d in entry.recognition_departments if d not in pool.departments)
    if outside and entry.escalation is None:
        entry.escalation = Escalation(pool.group, outside, now)
    entry.updated_at = now
    return draw


def decide_escalated(
    entry: ListEntry,
    *,
    decision: RecognitionVote,
    reason: str,
    by: str,
    now: datetime,
    officer: str | None = None,
) -> Escalation:
    """The joint conference office decides a case spanning several groups (002 二(二)2);
    `officer`: the office's officer who decided."""
    _require_meeting(entry)
    escalation = entry.escalation
    if escalation is None:
        raise Conflict(
            "this meeting is not escalated to the joint conference office: the convened "
            "departments and the drawn experts decide it"
        )
    decided = Escalation(
        escalation.group,
        escalation.outside_departments,
        escalation.escalated_at,
        decision,
        reason,
        by,
        now,
        officer,
    )
    entry.escalation = decided
    entry.status = Status.IN_FORCE if decision is RecognitionVote.APPROVE else Status.REJECTED
    entry.updated_at = now
    return decided
