"""The big-data warning list over HTTP (DOMAIN.md §11; docs/warning-list.md): who is on it now,
and one subject's stays. For the joint conference office (administrator) and the implementing
departments (implementer), who supervise more closely those on it (谁主管、谁负责)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jrp_enforcement.adapters.warning_list import Stay, WarningListRepository
from jrp_enforcement.domain.checks import normalise_code
from jrp_enforcement.entrypoints.http import examples
from jrp_enforcement.entrypoints.http.deps import OrdersDep, RuntimeDep
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_IMPLEMENTER, Principal
from jrp_shared.errors import Forbidden, NotFound
from jrp_shared.identifiers import shown_subject_code
from jrp_shared.web import Department, Offset

router = APIRouter(prefix="/v1/warning-list", tags=["warning list"])

Limit = Annotated[int, Query(ge=1, le=500, description="at most this many subjects (paging)")]


class StayRead(BaseModel):
    key_areas: list[str] = Field(description="the distinct key areas of the watch lists counted")
    entry_ids: list[str] = Field(description="the watch entries counted")
    since: datetime
    until: datetime | None = Field(description="null while the subject is on the list")
    updated_at: datetime


class WarnedSubjectRead(StayRead):
    subject_code: str = Field(description="a resident ID is masked")


class WarningListRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.WARNING_LIST]})

    threshold: int = Field(description="key areas that put a subject on the list")
    total: int
    subjects: list[WarnedSubjectRead]


class SubjectWarningsRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUBJECT_WARNINGS]})

    subject_code: str = Field(description="a resident ID is masked")
    threshold: int
    on_list: bool
    current: StayRead | None
    history: list[StayRead] = Field(description="every stay, the latest first (current too)")


def _require_reader(by: Principal) -> None:
    """The office and implementing departments (谁主管、谁负责); anyone else 403."""
    if ROLE_ADMINISTRATOR not in by.roles and ROLE_IMPLEMENTER not in by.roles:
        raise Forbidden(
            f"{by.name} may not read the warning list: it is for the joint conference office "
            "(administrator) and implementing departments (implementer)"
        )


def _shown(code: str) -> str:
    """A natural person's code is a resident ID: never shown whole (DOMAIN.md §2)."""
    return shown_subject_code(code)


def _stay(stay: Stay) -> dict[str, Any]:
    return stay.as_json()


def _threshold(orders: OrdersDep) -> int:
    return orders.warnings.threshold if orders.warnings is not None else 0


@router.get("", response_model=WarningListRead)
async def warning_list(
    by: Department,
    orders: OrdersDep,
    runtime: RuntimeDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The subjects on the warning list now, the longest first."""
    _require_reader(by)
    async with runtime.db.sessions() as session:
        total, stays = await WarningListRepository(session).current(limit, offset)
    return {
        "threshold": _threshold(orders),
        "total": total,
        "subjects": [{"subject_code": _shown(s.subject_code), **_stay(s)} for s in stays],
    }


@router.get("/{subject_code}", response_model=SubjectWarningsRead)
async def subject_warnings(
    subject_code: str, by: Department, orders: OrdersDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """One subject's standing and every stay it had (404 if it was never on the list)."""
    _require_reader(by)
    code = normalise_code(subject_code, orders.today(), field="path.subject_code")
    async with runtime.db.sessions() as session:
        stays = await WarningListRepository(session).history(code)
    if not stays:
        raise NotFound("this subject has never been on the warning list")
    current = next((s for s in stays if s.until is None), None)
    return {
        "subject_code": _shown(code),
        "threshold": _threshold(orders),
        "on_list": current is not None,
        "current": None if current is None else _stay(current),
        "history": [_stay(s) for s in stays],
    }
