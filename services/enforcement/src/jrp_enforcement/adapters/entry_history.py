"""The entries as they stood at a past instant, for a must-check `as_of` (DOMAIN.md §6).

Enforcement keeps every change of an entry as it received it (`entry_history`: each stored
version with its document, each status change; `entry_target_history`: the targets of each
version) and every change of its orders (`order_history`: issues and re-issues with the
message sent, measures included, and lifts). The entries reaching a code at instant T are
rebuilt from the last of those rows at or before T, and made into the same `Entry` the index
holds by the same `EntryBuilder`, so `answer()` composes the past answer as it does today's.

Times are the receiver's: "what this platform knew then", not when a department decided.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters.check_index import EntryBuilder
from jrp_enforcement.adapters.repositories import ISSUE_CHANGES
from jrp_enforcement.domain.checks import Entry
from jrp_shared.db import Database
from jrp_shared.vocabulary import ListEntryStatus

_ANSWERING = frozenset({ListEntryStatus.IN_FORCE.value, ListEntryStatus.SUSPENDED.value})
_ORDER_CHANGES = (*ISSUE_CHANGES, "lifted")


def _document(payload: Any) -> dict[str, Any]:
    value = json.loads(payload) if isinstance(payload, str) else payload
    if isinstance(value, str):  # a JSON column read back as a JSON string of the text
        value = json.loads(value)
    document: dict[str, Any] = value
    return document


class EntryHistoryReads:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def entries_at(self, code: str, at: datetime) -> list[Entry]:
        """The entries in force or suspended at `at` that reached `code` then (a handful of
        queries: this is the rare path, not the index's)."""
        th, h = orm.entry_target_history.c, orm.entry_history.c
        o, oh = orm.sanction_orders.c, orm.order_history.c
        async with self._db.engine.connect() as conn:
            ids = list(await conn.scalars(select(th.entry_id).where(th.code == code).distinct()))
            if not ids:
                return []
            states: dict[str, Any] = {}
            documents: dict[str, tuple[int, Any]] = {}
            rows = await conn.execute(
                select(h.entry_id, h.version, h.status, h.suspension_case_kind, h.payload)
                .where(h.entry_id.in_(ids), h.at <= at)
                .order_by(h.entry_id, h.id)
            )
            for row in rows:
                states[row.entry_id] = row
                if row.payload is not None:
                    documents[row.entry_id] = (row.version, row.payload)
            live = {
                entry_id: state
                for entry_id, state in states.items()
                if state.status in _ANSWERING and entry_id in documents
            }
            if not live:
                return []
            targets: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
            for t in await conn.execute(
                select(th.entry_id, th.version, th.code, th.role, th.subject_type, th.name)
                .where(th.entry_id.in_(list(live)))
                .order_by(th.id)
            ):
                if t.version == documents[t.entry_id][0]:
                    targets[t.entry_id].append((t.entry_id, t.code, t.role, t.subject_type, t.name))
            orders = {
                r.order_id: r
                for r in await conn.execute(
                    select(
                        o.order_id, o.entry_id, o.department, o.target_code, o.target_role
                    ).where(o.entry_id.in_(list(live)))
                )
            }
            last: dict[str, Any] = {}
            if orders:
                for change in await conn.execute(
                    select(oh.order_id, oh.change, oh.detail)
                    .where(
                        oh.order_id.in_(list(orders)),
                        oh.at <= at,
                        oh.change.in_(_ORDER_CHANGES),
                    )
                    .order_by(oh.id)
                ):
                    last[change.order_id] = change
        by_entry: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
        for order_id, change in last.items():
            if change.change == "lifted":
                continue
            order = orders[order_id]
            measures = _document(change.detail)["message"]["measures"]
            by_entry[order.entry_id].append(
                (
                    order.entry_id,
                    order.department,
                    order.target_code,
                    order.target_role,
                    json.dumps(measures, ensure_ascii=False, sort_keys=True),
                )
            )
        builder = EntryBuilder()
        entries = []
        for entry_id, state in sorted(live.items()):
            document = _document(documents[entry_id][1])
            period = document["period"]
            suspended = (
                state.suspension_case_kind
                if state.status == ListEntryStatus.SUSPENDED.value
                else None
            )
            entry_row = (
                entry_id,
                document["list_type"],
                document["colour"],
                document["subject"]["code"],
                document["initiating_department"],
                date.fromisoformat(period["start"]),
                date.fromisoformat(period["end"]),
                json.dumps(document, ensure_ascii=False),
                suspended,
            )
            entry = builder.build(entry_row, targets[entry_id], by_entry[entry_id])
            # A version may no longer name the code an earlier one did (a correction).
            if code in entry.targets[0::2]:
                entries.append(entry)
        return entries
