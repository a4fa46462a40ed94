"""Experts drawn at random for a complaint hearing (002 二(三)2: the joint conference office
convenes the departments and, if needed, experts). The seed is recorded so anyone can redo
the draw with `jrp_shared.experts.draw_experts`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jrp_appeals.domain.cases import Case
from jrp_shared.errors import Conflict
from jrp_shared.experts import draw_experts
from jrp_shared.vocabulary import CaseState


@dataclass(frozen=True)
class ExpertDraw:
    case_id: str
    seed: int | str
    pool: tuple[str, ...]
    count: int
    experts: tuple[str, ...]
    drawn_by: str
    drawn_at: datetime


def draw_for(
    complaint: Case, *, pool: Sequence[str], count: int, seed: int | str, by: str, now: datetime
) -> ExpertDraw:
    """Draw while the complaint is open: experts inform a decision not yet taken."""
    if complaint.state is not CaseState.OPEN:
        raise Conflict(f"complaint {complaint.case_id} is already decided")
    experts = draw_experts(pool, count, seed)
    complaint.record(now, by, "experts_drawn", seed=seed, count=count, experts=experts)
    return ExpertDraw(complaint.case_id, seed, tuple(pool), count, tuple(experts), by, now)
