"""A subject's due-process cases (docs/due-process.md): departments see any subject's; a
subject token sees only its own, and another subject's look like no subject at all (404)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from jrp_registry.adapters.cases import CaseRepository
from jrp_registry.domain.cases import Case, CaseKind, CaseState
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import RegistryDep
from jrp_shared.errors import NotFound
from jrp_shared.web import Party

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])


class CaseRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.CASE))

    case_id: str
    kind: CaseKind
    entry_id: str
    objection_id: str | None
    state: CaseState
    outcome: str | None
    remedy: str | None
    opened_at: datetime
    decision_due: date | None
    decided_at: datetime | None
    last_event_type: str
    updated_at: datetime

    @classmethod
    def of(cls, case: Case) -> CaseRead:
        return cls(
            case_id=case.case_id,
            kind=case.kind,
            entry_id=case.entry_id,
            objection_id=case.objection_id,
            state=case.state,
            outcome=case.outcome,
            remedy=case.remedy,
            opened_at=case.opened_at,
            decision_due=case.decision_due,
            decided_at=case.decided_at,
            last_event_type=case.last_event_type,
            updated_at=case.updated_at,
        )


@router.get("/{code}/cases", response_model=list[CaseRead])
async def subject_cases(code: str, by: Party, registry: RegistryDep) -> list[CaseRead]:
    """The subject's objections, complaints and repairs, oldest first, each in its latest
    state. A subject with no case (or not known here) has an empty timeline."""
    wanted = code.strip().upper()
    if by.is_subject and by.subject_code != wanted:
        # Never confirm that another subject has cases, nor echo its code (it may be an ID).
        raise NotFound("no such subject")
    async with registry.runtime.db.sessions() as session:
        found = await CaseRepository(session).of_subject(wanted)
    return [CaseRead.of(c) for c in found]
