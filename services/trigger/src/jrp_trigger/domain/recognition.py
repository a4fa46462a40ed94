"""Recognition meetings (DOMAIN.md §5 step 2, 002 二(二)2): the departments involved decide
jointly, with experts drawn at random from a pool.

Every department convened must approve for the entry to enter force; one rejection rejects it
and it never reaches enforcement. Votes count for the version they were cast on, so a
correction during the meeting asks the departments again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jrp_shared.errors import Conflict, Forbidden
from jrp_shared.experts import draw_experts
from jrp_shared.vocabulary import ListEntryStatus, RecognitionVote
from jrp_trigger.domain.entries import ExpertDraw, ListEntry, Vote

Status = ListEntryStatus


def outcome(departments: Sequence[str], votes: Sequence[Vote]) -> Status:
    if any(v.vote is RecognitionVote.REJECT for v in votes):
        return Status.REJECTED
    approved = {v.department for v in votes if v.vote is RecognitionVote.APPROVE}
    if set(departments) <= approved:
        return Status.IN_FORCE
    return Status.AWAITING_RECOGNITION


def current_votes(entry: ListEntry) -> list[Vote]:
    return [v for v in entry.votes if v.entry_version == entry.version]


def pending(entry: ListEntry) -> list[str]:
    """Departments that have not yet voted on the current version."""
    voted = {v.department for v in current_votes(entry)}
    return [d for d in entry.recognition_departments if d not in voted]


def _require_meeting(entry: ListEntry) -> None:
    if entry.status is not Status.AWAITING_RECOGNITION:
        raise Conflict(f"the entry is {entry.status.value}, not awaiting recognition")


def cast_vote(
    entry: ListEntry,
    *,
    department: str,
    vote: RecognitionVote,
    comment: str | None,
    now: datetime,
) -> Vote:
    """Record one department's vote and decide the entry when the meeting is complete."""
    _require_meeting(entry)
    if department not in entry.recognition_departments:
        raise Forbidden(
            f"department {department!r} is not convened for this recognition "
            f"(convened: {', '.join(entry.recognition_departments)})"
        )
    if department not in pending(entry):
        raise Conflict(f"department {department!r} already voted on version {entry.version}")
    cast = Vote(entry.version, department, vote, comment, now)
    entry.votes.append(cast)
    entry.status = outcome(entry.recognition_departments, current_votes(entry))
    entry.updated_at = now
    return cast


def may_draw(entry: ListEntry, department: str, *, administrator: bool) -> None:
    """The convened departments or the joint conference office draw the experts."""
    _require_meeting(entry)
    if not administrator and department not in entry.recognition_departments:
        raise Forbidden(f"department {department!r} is not convened for this recognition")


def record_draw(
    entry: ListEntry,
    *,
    pool: Sequence[str],
    count: int,
    seed: int | str,
    by: str,
    now: datetime,
) -> ExpertDraw:
    experts = draw_experts(pool, count, seed)
    draw = ExpertDraw(seed, tuple(pool), count, tuple(experts), by, now)
    entry.draws.append(draw)
    return draw
