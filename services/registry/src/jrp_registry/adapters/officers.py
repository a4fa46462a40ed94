"""The officers table (docs/security.md, "Officers")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters import orm


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OfficerRow:
    id: str
    username: str
    display_name: str
    department_code: str
    roles: frozenset[str]
    password_hash: str
    active: bool
    credential_version: int
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None


def _row(r: Any) -> OfficerRow:
    return OfficerRow(
        id=r.id,
        username=r.username,
        display_name=r.display_name,
        department_code=r.department_code,
        roles=frozenset(r.roles),
        password_hash=r.password_hash,
        active=r.active,
        credential_version=r.credential_version,
        created_at=r.created_at,
        updated_at=r.updated_at,
        last_sign_in_at=r.last_sign_in_at,
    )


class OfficerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, officer_id: str) -> OfficerRow | None:
        t = orm.officers
        row = (await self._s.execute(select(t).where(t.c.id == officer_id))).first()
        return None if row is None else _row(row)

    async def by_username(self, username: str) -> OfficerRow | None:
        t = orm.officers
        row = (await self._s.execute(select(t).where(t.c.username == username))).first()
        return None if row is None else _row(row)

    async def all(self, department_code: str | None = None) -> list[OfficerRow]:
        t = orm.officers
        query = select(t).order_by(t.c.department_code, t.c.username)
        if department_code is not None:
            query = query.where(t.c.department_code == department_code)
        return [_row(r) for r in await self._s.execute(query)]

    async def add(
        self,
        *,
        officer_id: str,
        username: str,
        display_name: str,
        department_code: str,
        roles: frozenset[str],
        password_hash: str,
        by: str,
    ) -> None:
        now = _now()
        await self._s.execute(
            insert(orm.officers).values(
                id=officer_id,
                username=username,
                display_name=display_name,
                department_code=department_code,
                roles=sorted(roles),
                password_hash=password_hash,
                active=True,
                credential_version=1,
                created_at=now,
                created_by=by,
                updated_at=now,
                updated_by=by,
            )
        )

    async def change(self, officer_id: str, by: str, **values: Any) -> None:
        """Change the officer and grow its credential version: its tokens are revoked."""
        t = orm.officers
        if "roles" in values:
            values["roles"] = sorted(values["roles"])
        await self._s.execute(
            update(t)
            .where(t.c.id == officer_id)
            .values(
                **values,
                credential_version=t.c.credential_version + 1,
                updated_at=_now(),
                updated_by=by,
            )
        )

    async def signed_in(self, officer_id: str) -> None:
        t = orm.officers
        await self._s.execute(update(t).where(t.c.id == officer_id).values(last_sign_in_at=_now()))
