"""Exchange records for the joint conference office: what went to the upper-level platform,
whether it was acknowledged, and what is overdue (DOMAIN.md §11: results pushed to the other
platforms within 3 working days; docs/exchange.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from jrp_shared.auth import ROLE_EXCHANGE, Principal
from jrp_shared.errors import NotFound
from jrp_shared.events.payloads import ExchangeRecordAcknowledged
from jrp_shared.vocabulary import ExchangeOperation
from jrp_shared.web import Offset, current_department
from jrp_trigger.adapters.exchange import ExchangeRepository, StoredRecord
from jrp_trigger.domain.exchange import RecordState, state_of
from jrp_trigger.entrypoints.http import examples
from jrp_trigger.entrypoints.http.deps import Office, TriggerDep
from jrp_trigger.service_layer import exchange

router = APIRouter(prefix="/v1/exchange", tags=["exchange"])


class ExchangeRecordRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXCHANGE_RECORD]})

    record_id: str
    entry_id: str
    entry_version: int
    operation: ExchangeOperation
    state: RecordState = Field(
        description="pending | acknowledged | refused | overdue (not accepted past push_due)"
    )
    occurred_at: datetime = Field(description="when the entry changed")
    push_due: date = Field(description="the working day by which it must be accepted")
    push_due_provisional: bool = Field(
        description="counted without the official schedule of a year it reaches (DOMAIN.md §10)"
    )
    attempts: int = Field(description="pushes so far, the first included")
    last_pushed_at: datetime
    acknowledged_at: datetime | None = Field(description="this platform's clock, on arrival")
    acknowledged_by: str | None = Field(description="the partner that acknowledged it")
    accepted: bool | None
    error_code: str | None
    error_message: str | None
    record: dict[str, Any] = Field(
        description="the record as pushed (ExchangeRecordPushed, attempt 1; docs/exchange.md)"
    )


class ExchangeRecordAcknowledgedRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXCHANGE_ACKNOWLEDGED]})

    changed: bool = Field(description="false when the same acknowledgement was already kept")
    record: ExchangeRecordRead


def _read(r: StoredRecord, today: date) -> ExchangeRecordRead:
    return ExchangeRecordRead(
        record_id=r.record_id,
        entry_id=r.entry_id,
        entry_version=r.entry_version,
        operation=r.operation,
        state=state_of(
            acknowledged_at=r.acknowledged_at, accepted=r.accepted, due=r.push_due, today=today
        ),
        occurred_at=r.occurred_at,
        push_due=r.push_due,
        push_due_provisional=r.provisional,
        attempts=r.attempts,
        last_pushed_at=r.last_pushed_at,
        acknowledged_at=r.acknowledged_at,
        acknowledged_by=r.acknowledged_by,
        accepted=r.accepted,
        error_code=r.error_code,
        error_message=r.error_message,
        record=r.payload,
    )


@router.get("/records", response_model=list[ExchangeRecordRead])
async def list_records(
    _by: Office,
    trigger: TriggerDep,
    status: Annotated[RecordState | None, Query(description="filter by state")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[ExchangeRecordRead]:
    """Exchange records, earliest `push_due` first (the joint conference office only).
    `status=refused` lists every refused record (they stay for an operator), also those past
    due, which `status=overdue` lists too."""
    today = trigger.today()
    async with trigger.runtime.db.sessions() as session:
        rows = await ExchangeRepository(session).search(
            state=status, today=today, limit=limit, offset=offset
        )
    return [_read(r, today) for r in rows]


@router.get("/records/{record_id}", response_model=ExchangeRecordRead)
async def get_record(
    record_id: Annotated[str, Path(max_length=36)], _by: Office, trigger: TriggerDep
) -> ExchangeRecordRead:
    """One exchange record with its acknowledgement (the joint conference office only)."""
    async with trigger.runtime.db.sessions() as session:
        found = await ExchangeRepository(session).get(record_id)
    if found is None:
        raise NotFound(f"no exchange record {record_id}")
    return _read(found, trigger.today())


async def _partner(principal: Annotated[Principal, Depends(current_department)]) -> Principal:
    principal.require(ROLE_EXCHANGE)
    return principal


Partner = Annotated[Principal, Depends(_partner)]


@router.post("/acknowledgements", response_model=ExchangeRecordAcknowledgedRead)
async def acknowledge(
    body: Annotated[
        ExchangeRecordAcknowledged, Body(openapi_examples=examples.EXCHANGE_ACKNOWLEDGEMENTS)
    ],
    by: Partner,
    trigger: TriggerDep,
) -> ExchangeRecordAcknowledgedRead:
    """The upper-level platform acknowledges one exchange record over HTTP: the same handler and
    rules as an `ExchangeRecordAcknowledged` on `exchange-acks.v1` (role `exchange` only; dated
    by this platform's clock on arrival; the same acknowledgement again changes nothing). 404
    for a record this platform never pushed, 422 when `entry_id` is not the record's."""
    async with trigger.runtime.uow() as uow:
        if await ExchangeRepository(uow.session).get(body.record_id) is None:
            raise NotFound(f"no exchange record {body.record_id}")
        changed = await exchange.acknowledge(uow, body, by=by.department_code, now=trigger.clock())
        await uow.commit()
    async with trigger.runtime.db.sessions() as session:
        found = await ExchangeRepository(session).get(body.record_id)
    assert found is not None
    return ExchangeRecordAcknowledgedRead(changed=changed, record=_read(found, trigger.today()))
