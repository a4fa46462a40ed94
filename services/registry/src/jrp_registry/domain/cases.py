"""A subject's due-process cases as the registry follows them from appeals.v1 (no I/O).

Appeals owns the cases; the registry keeps one row per case, the latest state, so a portal can
show a subject its timeline. Events of one subject arrive in order (keyed by its code), yet a
case first seen through its decision (the registry started following late) is still shown,
and a filing seen after its decision never reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum


class CaseKind(StrEnum):
    OBJECTION = "objection"
    COMPLAINT = "complaint"
    REPAIR = "repair"


class CaseState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    """An objection or complaint answered (`outcome` says how)."""
    APPROVED = "approved"
    """A repair granted: the entry ended early."""
    REFUSED = "refused"
    """A repair refused, with reasons."""


@dataclass(frozen=True)
class Case:
    case_id: str
    subject_code: str
    kind: CaseKind
    entry_id: str
    state: CaseState
    opened_at: datetime
    last_event_type: str
    updated_at: datetime
    objection_id: str | None = None
    outcome: str | None = None
    remedy: str | None = None
    decision_due: date | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Filing:
    """What a filing event says (ObjectionFiled, ComplaintFiled, RepairApplied)."""

    case_id: str
    subject_code: str
    kind: CaseKind
    entry_id: str
    filed_at: datetime
    decision_due: date
    event_type: str
    objection_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a decision event says (ObjectionDecided, ComplaintDecided, RepairDecided)."""

    case_id: str
    subject_code: str
    kind: CaseKind
    entry_id: str
    state: CaseState
    decided_at: datetime
    event_type: str
    outcome: str | None = None
    remedy: str | None = None
    objection_id: str | None = None


def filed(current: Case | None, filing: Filing) -> Case:
    if current is None:
        return Case(
            case_id=filing.case_id,
            subject_code=filing.subject_code,
            kind=filing.kind,
            entry_id=filing.entry_id,
            objection_id=filing.objection_id,
            state=CaseState.OPEN,
            opened_at=filing.filed_at,
            decision_due=filing.decision_due,
            last_event_type=filing.event_type,
            updated_at=filing.filed_at,
        )
    # Already known (decided first, or the same filing sent again): fill in, never reopen.
    return replace(
        current,
        opened_at=min(current.opened_at, filing.filed_at),
        decision_due=current.decision_due or filing.decision_due,
        objection_id=current.objection_id or filing.objection_id,
    )


def decided(current: Case | None, decision: Decision) -> Case:
    base = current or Case(
        case_id=decision.case_id,
        subject_code=decision.subject_code,
        kind=decision.kind,
        entry_id=decision.entry_id,
        objection_id=decision.objection_id,
        state=CaseState.OPEN,
        opened_at=decision.decided_at,
        last_event_type=decision.event_type,
        updated_at=decision.decided_at,
    )
    return replace(
        base,
        state=decision.state,
        outcome=decision.outcome,
        remedy=decision.remedy,
        decided_at=decision.decided_at,
        last_event_type=decision.event_type,
        updated_at=decision.decided_at,
    )
