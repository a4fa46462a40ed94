"""The subject case timeline table: load, upsert by case id, list a subject's. Never commits."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import orm
from jrp_registry.domain.cases import Case, CaseKind, CaseState

_T = orm.subject_cases


def _case(row: Any) -> Case:
    values = dict(row._mapping)
    return Case(**{**values, "kind": CaseKind(values["kind"]), "state": CaseState(values["state"])})


def _row(case: Case) -> dict[str, Any]:
    values = asdict(case)
    values.update(kind=case.kind.value, state=case.state.value)
    return values


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, case_id: str) -> Case | None:
        row = (await self._s.execute(select(_T).where(_T.c.case_id == case_id))).first()
        return _case(row) if row else None

    async def put(self, case: Case, *, new: bool) -> None:
        if new:
            await self._s.execute(insert(_T).values(**_row(case)))
        else:
            await self._s.execute(
                update(_T).where(_T.c.case_id == case.case_id).values(**_row(case))
            )

    async def of_subject(self, subject_code: str) -> list[Case]:
        rows = await self._s.execute(
            select(_T)
            .where(_T.c.subject_code == subject_code)
            .order_by(_T.c.opened_at, _T.c.case_id)
        )
        return [_case(r) for r in rows]
