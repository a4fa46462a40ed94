"""The must-check audit, read back and sealed into its hash chain (domain/audit_chain.py).

Sealing is asynchronous and off the check's path: the group-commit writer stores rows
unsealed; one sealer at a time, whatever the replicas (a transaction-scoped advisory lock on
PostgreSQL; SQLite has one writer anyway), reads the unsealed rows by id, a bounded batch per
transaction, hashes them after the head, and stores the seals and the new head together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Select, Text, bindparam, cast, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.audit_chain import HASHED_FIELDS, ChainWalk, Head, seal
from jrp_shared.db import Database
from jrp_shared.logging import get_logger

log = get_logger(__name__)

_SEALER_LOCK = 0x6A72_7000_0A0D
"""pg_advisory_xact_lock key of the one sealer (any replica's)."""
_HASH_CHUNK = 50
"""Rows hashed between two yields to the event loop (checks share it): about 13 µs a row,
so well under a millisecond at a time."""

_a = orm.check_audit
# The answer is read as its stored text (decoded once, by the hashing, not by the driver too).
_HASHED = [
    cast(_a.c.answer, Text).label("answer") if name == "answer" else _a.c[name]
    for name in HASHED_FIELDS
]
_CHAIN = [_a.c.chain_seq, _a.c.prev_hash, _a.c.row_hash]


async def _head(conn: AsyncConnection) -> Head | None:
    c = orm.check_audit_chain.c
    row = (await conn.execute(select(c.seq, c.head_hash).where(c.id == 1))).first()
    return None if row is None else Head(int(row.seq), str(row.head_hash))


class AuditSealer:
    def __init__(self, db: Database, *, batch: int = 2_000, interval_seconds: float = 1.0) -> None:
        self._db = db
        self._batch = batch
        self._interval = interval_seconds
        self.sealed = 0

    async def run(self) -> None:
        while True:
            try:
                sealed = self._batch
                while sealed == self._batch:  # a full batch: more may be waiting
                    sealed = await self.seal_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarting: try again next turn
                log.warning("must-check audit not sealed this turn", error=str(exc))
            await asyncio.sleep(self._interval)

    async def seal_once(self) -> int:
        """Seal up to one batch of unsealed rows; how many were sealed."""
        async with self._db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await conn.execute(lock, {"key": _SEALER_LOCK})
            rows = (
                await conn.execute(
                    select(*_HASHED)
                    .where(_a.c.chain_seq.is_(None))
                    .order_by(_a.c.id)
                    .limit(self._batch)
                )
            ).all()
            if not rows:
                return 0
            head = await _head(conn)
            seals = []
            current = head or Head()
            for at in range(0, len(rows), _HASH_CHUNK):
                chunk = [dict(r._mapping) for r in rows[at : at + _HASH_CHUNK]]
                sealed, current = seal(current, chunk)
                seals.extend(sealed)
                await asyncio.sleep(0)
            await conn.execute(
                update(_a)
                .where(_a.c.id == bindparam("sealed_id"))
                .values(
                    chain_seq=bindparam("seq"),
                    prev_hash=bindparam("prev"),
                    row_hash=bindparam("hash"),
                ),
                [
                    {"sealed_id": s.id, "seq": s.chain_seq, "prev": s.prev_hash, "hash": s.row_hash}
                    for s in seals
                ],
            )
            t = orm.check_audit_chain
            values = {
                "seq": current.seq,
                "head_hash": current.hash,
                "last_id": seals[-1].id,
                "sealed_at": datetime.now(UTC),
            }
            if head is None:
                await conn.execute(insert(t).values(id=1, **values))
            else:
                await conn.execute(update(t).where(t.c.id == 1).values(values))
        self.sealed += len(seals)
        return len(seals)


@dataclass(frozen=True)
class Verification:
    walk: ChainWalk
    head: Head | None
    unsealed: int

    def as_json(self) -> dict[str, Any]:
        problems = self.walk.problems
        return {
            "ok": self.walk.ok,
            "sealed_rows_verified": self.walk.verified,
            "last_chain_seq": self.walk.last_seq,
            "head": None if self.head is None else {"seq": self.head.seq, "hash": self.head.hash},
            "unsealed_rows": self.unsealed,
            "first_problem": problems[0].as_json() if problems else None,
            "problems": [p.as_json() for p in problems[:100]],
            "problem_count": len(problems),
        }


async def _sealed_rows(
    conn: AsyncConnection, up_to_seq: int | None, chunk: int
) -> AsyncIterator[list[dict[str, Any]]]:
    after = 0
    while True:
        query: Select[Any] = (
            select(*_HASHED, *_CHAIN)
            .where(_a.c.chain_seq > after)
            .order_by(_a.c.chain_seq)
            .limit(chunk)
        )
        if up_to_seq is not None:
            query = query.where(_a.c.chain_seq <= up_to_seq)
        rows: list[dict[str, Any]] = [dict(r._mapping) for r in (await conn.execute(query)).all()]
        if not rows:
            return
        yield rows
        after = int(rows[-1]["chain_seq"])
        if len(rows) < chunk:
            return


async def verify_chain(
    db: Database, *, up_to_seq: int | None = None, chunk: int = 5_000
) -> Verification:
    """Walk the chain from its first row (to `up_to_seq`, or to the head and compare). Its
    cost grows with the chain: about 13 µs a row in the hashing, plus the reading."""
    walk = ChainWalk()
    async with db.engine.connect() as conn:
        async for rows in _sealed_rows(conn, up_to_seq, chunk):
            for at in range(0, len(rows), _HASH_CHUNK):
                walk.feed(rows[at : at + _HASH_CHUNK])
                await asyncio.sleep(0)  # checks share the loop
        head = await _head(conn)
        unsealed = int(await conn.scalar(select(func.count()).where(_a.c.chain_seq.is_(None))) or 0)
    if up_to_seq is None:
        walk.finish(head)
    return Verification(walk, head, unsealed)


async def verify_link(db: Database, seq: int) -> bool:
    """Whether the row at chain position `seq` and its predecessor still give their sealed
    hashes and link (the predecessor's hash is the row's `prev_hash`; the first row follows
    the genesis hash). Two rows, whatever the audit's size: the whole chain is
    `jrp-enforcement verify-audit`'s to walk."""
    async with db.engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in (
                await conn.execute(
                    select(*_HASHED, *_CHAIN)
                    .where(_a.c.chain_seq.in_([seq - 1, seq]))
                    .order_by(_a.c.chain_seq)
                )
            ).all()
        ]
    if seq == 1:
        walk = ChainWalk()
    else:
        if len(rows) != 2:
            return False  # the predecessor was removed
        walk = ChainWalk(last_seq=seq - 2, last_hash=str(rows[0]["prev_hash"]))
    walk.feed(rows)
    return walk.ok and bool(rows) and int(rows[-1]["chain_seq"]) == seq


# --- reading the audit back -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    department: str | None
    since: datetime | None
    until: datetime | None
    subject_code: str | None
    limit: int
    offset: int


_READ = [*_HASHED, *_CHAIN]


def _row(mapping: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(mapping)
    answer = row["answer"]
    row["answer"] = msgspec.json.decode(answer) if isinstance(answer, str) else answer
    return row


class AuditReads:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, check_id: str) -> dict[str, Any] | None:
        async with self._db.engine.connect() as conn:
            found = (await conn.execute(select(*_READ).where(_a.c.check_id == check_id))).first()
        return None if found is None else _row(dict(found._mapping))

    async def search(self, where: AuditFilter) -> list[dict[str, Any]]:
        """Newest first (then by id, descending), bounded by `limit`."""
        query = select(*_READ)
        if where.department is not None:
            query = query.where(_a.c.department == where.department)
        if where.since is not None:
            query = query.where(_a.c.asked_at >= where.since)
        if where.until is not None:
            query = query.where(_a.c.asked_at < where.until)
        if where.subject_code is not None:
            query = query.where(_a.c.subject_code == where.subject_code)
        query = query.order_by(_a.c.asked_at.desc(), _a.c.id.desc())
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(query.limit(where.limit).offset(where.offset))
            return [_row(dict(r._mapping)) for r in rows]
