"""`GET /v1/public/decisions`: the double-publicity decisions (双公示) the public may see, with
no token (DOMAIN.md §9, §12; docs/public-lookup.md). Who may call it: anyone, within
the public rate limit; what it shows is only what is published, so nothing needs a caller."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jrp_registry.domain.publicity import MAX_QUERY, PublicDecision
from jrp_registry.entrypoints.http import examples
from jrp_registry.entrypoints.http.deps import PublicCaller, RegistryDep
from jrp_registry.service_layer import publicity
from jrp_shared.events.payloads import LicenceDetails, PenaltyDetails
from jrp_shared.openapi import responses_for
from jrp_shared.vocabulary import PublicityKind, SubjectType

router = APIRouter(prefix="/v1/public", tags=["public"], responses=responses_for(429))


class CounterpartRead(BaseModel):
    """The administrative counterpart (行政相对人)."""

    name: str
    category: SubjectType
    code: str = Field(description="USCC; for a natural person the resident ID, masked")
    legal_representative: str | None = Field(
        default=None, description="by name; none for a natural person"
    )


class PublicDecisionRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples.shown(examples.PUBLIC_DECISION))

    decision_id: str
    version: int
    kind: PublicityKind
    department: str = Field(description="the deciding department")
    counterpart: CounterpartRead
    decision_number: str = Field(description="决定文书号")
    decision_date: date
    licence: LicenceDetails | None
    penalty: PenaltyDetails | None
    published_at: datetime
    publication_ends: date = Field(description="公示截止期: the last day it is shown")

    @classmethod
    def of(cls, d: PublicDecision) -> PublicDecisionRead:
        return cls(
            decision_id=d.decision_id,
            version=d.version,
            kind=d.kind,
            department=d.department,
            counterpart=CounterpartRead(
                name=d.counterpart_name,
                category=d.counterpart_category,
                code=d.counterpart_code,
                legal_representative=d.legal_representative,
            ),
            decision_number=d.decision_number,
            decision_date=d.decision_date,
            licence=d.licence,
            penalty=d.penalty,
            published_at=d.published_at,
            publication_ends=d.publication_ends,
        )


@router.get("/decisions", response_model=list[PublicDecisionRead])
async def public_decisions(
    _caller: PublicCaller,
    registry: RegistryDep,
    response: Response,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY,
            description="a complete USCC, a part of the counterpart's name, or (a part of) the "
            "decision number; a run of 4+ digits that is not a complete USCC is refused "
            "(422 identifier_fragment) unless it is a complete decision number",
        ),
    ] = None,
    kind: PublicityKind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[PublicDecisionRead]:
    """Licence and penalty decisions in their publication period today (China), newest
    decision first; never a withdrawn one (repaired or revoked), never one past its
    publication deadline, a natural person's resident ID masked. No token."""
    async with registry.runtime.db.sessions() as session:
        found = await publicity.public_decisions(
            session, q, kind, registry.today(), limit=limit, offset=offset
        )
    response.headers["Content-Language"] = "zh-CN"
    return [PublicDecisionRead.of(d) for d in found]
