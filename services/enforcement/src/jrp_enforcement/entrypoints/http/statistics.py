"""Supervision: who received and who fed back, per department and list type (DOMAIN.md §5
step 5; 002 二(二)1, 000 (二十七))."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from jrp_enforcement.domain.access import department_scope
from jrp_enforcement.domain.statistics import OrderCounts
from jrp_enforcement.entrypoints.http import examples
from jrp_enforcement.entrypoints.http.deps import OrdersDep, RuntimeDep
from jrp_enforcement.service_layer import queries
from jrp_shared.web import Department

router = APIRouter(prefix="/v1/statistics", tags=["supervision"])


class StatisticsRow(BaseModel):
    department: str
    list_type: str
    issued: int = Field(description="orders issued (a re-issued order counts once)")
    received: int = Field(description="orders whose receipt is acknowledged")
    fed_back: int = Field(description="orders with feedback on every measure")
    overdue: int = Field(description="open orders past their receipt or feedback due date")
    lifted: int
    lifted_before_feedback: int
    suspended: int = Field(
        description="orders suspended now while an objection or complaint is verified "
        "(DOMAIN.md §7); never counted as overdue"
    )
    feedback_rate: float | None = Field(
        description="fed_back / (issued - orders lifted or suspended before feedback); "
        "null when nothing to measure"
    )

    @classmethod
    def of(cls, counts: OrderCounts) -> StatisticsRow:
        return cls(
            department=counts.department,
            list_type=counts.list_type,
            issued=counts.issued,
            received=counts.received,
            fed_back=counts.fed_back,
            overdue=counts.overdue,
            lifted=counts.lifted,
            lifted_before_feedback=counts.lifted_before_feedback,
            suspended=counts.suspended,
            feedback_rate=counts.feedback_rate,
        )


class StatisticsRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.STATISTICS]})

    as_of: date = Field(description="the day (Asia/Shanghai) overdue is judged against")
    rows: list[StatisticsRow]


@router.get("", response_model=StatisticsRead)
async def statistics(
    by: Department,
    orders: OrdersDep,
    runtime: RuntimeDep,
    department: str | None = None,
    list_type: str | None = None,
) -> StatisticsRead:
    """Administrators see every department; a department sees its own."""
    scope = department_scope(by, department)
    today = orders.today()
    async with runtime.db.sessions() as session:
        counts = await queries.statistics(session, today, scope, list_type)
    return StatisticsRead(as_of=today, rows=[StatisticsRow.of(c) for c in counts])
