"""Sanction orders over HTTP, for department systems without Kafka: list and read one's own
orders (`state=suspended`: those suspended while a case is verified, DOMAIN.md §7),
acknowledge receipt, report feedback (DOMAIN.md §5 steps 3-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jrp_enforcement.adapters.repositories import HistoryItem, OrderFilter
from jrp_enforcement.domain.access import department_scope, may_read_order
from jrp_enforcement.entrypoints.http import examples
from jrp_enforcement.entrypoints.http.deps import OrdersDep, RuntimeDep
from jrp_enforcement.service_layer import queries, reports
from jrp_enforcement.service_layer.messages import status_message
from jrp_enforcement.service_layer.queries import OrderView
from jrp_shared.auth import ROLE_IMPLEMENTER
from jrp_shared.errors import NotFound
from jrp_shared.events.payloads import MeasureFeedback, MeasureStatus, SanctionOrderIssued
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.vocabulary import CaseKind, LiftReason, OrderState
from jrp_shared.web import Department, Offset

router = APIRouter(prefix="/v1/sanction-orders", tags=["sanction orders"])


class ReceiptIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.RECEIPT_REQUEST]}
    )

    received_at: AwareDatetime | None = Field(default=None, description="defaults to now")
    note: str | None = Field(default=None, max_length=1000)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.FEEDBACK_REQUEST]}
    )

    measures: list[MeasureFeedback] = Field(min_length=1, max_length=200)


class SuspensionRead(BaseModel):
    case_kind: CaseKind
    case_id: str
    suspended_at: datetime


class OrderRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ORDER]})

    order_id: str
    revision: int
    sequence: int
    department: str
    entry_id: str
    state: OrderState
    issued: SanctionOrderIssued = Field(
        description="the order as last sent on the department's topic (sanctions.v1.<code>)"
    )
    receipt_due: date = Field(description="current (recomputed once a schedule is loaded)")
    feedback_due: date
    deadlines_provisional: bool
    received_at: datetime | None
    receipt_note: str | None
    received_by_officer: str | None = Field(
        default=None,
        description="the officer of `department` who acknowledged receipt, when it signed in "
        'as one (docs/security.md, "Officers")',
    )
    fed_back_at: datetime | None
    fed_back_by_officer: str | None = Field(
        default=None,
        description="the officer of `department` whose report completed the feedback, when it "
        "signed in as one",
    )
    lifted_at: datetime | None
    lift_reason: LiftReason | None
    suspension: SuspensionRead | None = Field(
        description="the objection or complaint the order is suspended for (DOMAIN.md §7)"
    )
    measures: list[MeasureStatus] = Field(description="each measure with its latest feedback")
    receipt_overdue: bool
    feedback_overdue: bool

    @classmethod
    def of(cls, view: OrderView) -> OrderRead:
        order = view.order
        return cls(
            order_id=order.order_id,
            revision=order.revision,
            sequence=order.sequence,
            department=order.department,
            entry_id=order.entry_id,
            state=order.state,
            issued=SanctionOrderIssued.model_validate(view.message),
            receipt_due=order.receipt_due,
            feedback_due=order.feedback_due,
            deadlines_provisional=order.deadlines_provisional,
            received_at=order.received_at,
            receipt_note=order.receipt_note,
            received_by_officer=order.received_by_officer,
            fed_back_at=order.fed_back_at,
            fed_back_by_officer=order.fed_back_by_officer,
            lifted_at=order.lifted_at,
            lift_reason=order.lift_reason,
            suspension=(
                SuspensionRead(
                    case_kind=order.suspension.case_kind,
                    case_id=order.suspension.case_id,
                    suspended_at=order.suspension.since,
                )
                if order.suspension
                else None
            ),
            measures=status_message(order).measures,
            receipt_overdue=view.receipt_overdue,
            feedback_overdue=view.feedback_overdue,
        )


class HistoryRead(BaseModel):
    at: datetime
    change: str
    by: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, item: HistoryItem) -> HistoryRead:
        return cls(at=item.at, change=item.change, by=item.by, detail=item.detail)


class OrderDetail(OrderRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ORDER_DETAIL]})

    history: list[HistoryRead]


async def _find(
    runtime: ServiceRuntime, orders: OrdersDep, order_id: str
) -> tuple[OrderView, list[HistoryItem]]:
    async with runtime.db.sessions() as session:
        found = await queries.get_order(session, order_id, orders.today())
    if found is None:
        raise NotFound(f"no sanction order {order_id}")
    return found


@router.get("", response_model=list[OrderRead])
async def list_orders(
    by: Department,
    orders: OrdersDep,
    runtime: RuntimeDep,
    department: str | None = None,
    state: OrderState | None = None,
    overdue: Annotated[
        bool | None, Query(description="true: only overdue orders; false: only the others")
    ] = None,
    entry_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[OrderRead]:
    """A department's own orders, newest first (administrators: any department's, or all)."""
    where = OrderFilter(
        department=department_scope(by, department),
        state=state,
        overdue=overdue,
        entry_id=entry_id,
        limit=limit,
        offset=offset,
    )
    async with runtime.db.sessions() as session:
        views = await queries.list_orders(session, where, orders.today())
    return [OrderRead.of(v) for v in views]


@router.get("/{order_id}", response_model=OrderDetail)
async def get_order(
    order_id: str, by: Department, orders: OrdersDep, runtime: RuntimeDep
) -> OrderDetail:
    """One order with its whole history."""
    view, history = await _find(runtime, orders, order_id)
    may_read_order(by, view.order.department)
    return OrderDetail(**dict(OrderRead.of(view)), history=[HistoryRead.of(h) for h in history])


@router.post(
    "/{order_id}/receipt", response_model=OrderRead, responses=examples.answer(examples.RECEIVED)
)
async def acknowledge_receipt(
    order_id: str,
    by: Department,
    orders: OrdersDep,
    runtime: RuntimeDep,
    body: Annotated[
        ReceiptIn | None,
        Body(
            openapi_examples={
                "received": {
                    "summary": "received, with a note",
                    "value": examples.RECEIPT_REQUEST,
                },
                "now": {"summary": "received now, no note", "value": {}},
            }
        ),
    ] = None,
) -> OrderRead:
    """The order's department confirms it received the order (respond)."""
    by.require(ROLE_IMPLEMENTER)
    body = body or ReceiptIn()
    async with runtime.uow() as uow:
        await reports.acknowledge_receipt(
            uow,
            orders,
            order_id=order_id,
            department=by.department_code,
            received_at=body.received_at,
            note=body.note,
            officer=by.officer,
        )
        await uow.commit()
    view, _history = await _find(runtime, orders, order_id)
    return OrderRead.of(view)


@router.post(
    "/{order_id}/feedback", response_model=OrderRead, responses=examples.answer(examples.FED_BACK)
)
async def report_feedback(
    order_id: str, body: FeedbackIn, by: Department, orders: OrdersDep, runtime: RuntimeDep
) -> OrderRead:
    """The order's department reports how it handled measures (feedback)."""
    by.require(ROLE_IMPLEMENTER)
    async with runtime.uow() as uow:
        await reports.report_feedback(
            uow,
            orders,
            order_id=order_id,
            department=by.department_code,
            measures=body.measures,
            officer=by.officer,
        )
        await uow.commit()
    view, _history = await _find(runtime, orders, order_id)
    return OrderRead.of(view)
