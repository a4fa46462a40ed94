"""The must-check index (DOMAIN.md §6), loaded from this service's tables and kept current.

At start the entries in force or suspended (`list_entries` with their `entry_targets`) and
their orders not lifted (`sanction_orders`) are streamed in chunks (a server-side cursor on
PostgreSQL), so the load needs no more memory than the index itself, on SQLite as on
PostgreSQL. After every commit that changes an entry, its targets or its orders, the order
code announces the entry ids (`EntryChanges`); one task reloads them, in order, from the
latest committed state.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import gc
import json
import operator
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncResult

from jrp_enforcement.adapters import orm
from jrp_enforcement.domain.checks import (
    SUBJECT_ROLE,
    CheckIndex,
    Entry,
    Interner,
    Measure,
    MeasureSet,
    Order,
    merge_measures,
)
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import Clock, china_date
from jrp_shared.db import Database
from jrp_shared.logging import get_logger
from jrp_shared.messaging.broadcast import Apply, Follower
from jrp_shared.vocabulary import ListEntryStatus, OrderState

log = get_logger(__name__)

_IN_FORCE = ListEntryStatus.IN_FORCE.value
_SUSPENDED = ListEntryStatus.SUSPENDED.value
_LIFTED = OrderState.LIFTED.value
_RELOAD_CHUNK = 500
_YIELD_EVERY = 500
_CACHE_LIMIT = 100_000


def rss_bytes() -> int:
    """Resident memory of this process (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class IndexStats:
    entries: int = 0
    codes: int = 0
    load_seconds: float = 0.0
    rss_before_bytes: int = 0
    rss_after_bytes: int = 0
    reloads: int = 0
    reloaded_entries: int = 0

    def as_json(self) -> dict[str, Any]:
        grown = max(self.rss_after_bytes - self.rss_before_bytes, 0)
        return {
            "entries": self.entries,
            "codes": self.codes,
            "load_seconds": round(self.load_seconds, 3),
            "rss_bytes": rss_bytes(),
            "rss_growth_bytes_at_load": grown,
            "bytes_per_entry_at_load": round(grown / self.entries) if self.entries else None,
            "reloads": self.reloads,
            "reloaded_entries": self.reloaded_entries,
        }


# --- reading rows into entries --------------------------------------------------------------


def _entries_query() -> Select[Any]:
    t = orm.list_entries
    return select(
        t.c.entry_id,
        t.c.list_type,
        t.c.colour,
        t.c.subject_code,
        t.c.initiating_department,
        t.c.period_start,
        t.c.period_end,
        # The document as text, parsed here: three JSON operators per row cost PostgreSQL
        # several times what one json.loads costs Python (measured, 20,000 entries).
        cast(t.c.payload, String).label("payload"),
        t.c.suspension_case_kind,
    ).where(t.c.status.in_((_IN_FORCE, _SUSPENDED)))


def _targets_query() -> Select[Any]:
    t = orm.entry_targets
    return select(t.c.entry_id, t.c.code, t.c.role, t.c.subject_type, t.c.name)


def _measures_text() -> ColumnElement[str]:
    return cast(orm.sanction_orders.c.measures, String)


def _measures_key(dialect: str) -> ColumnElement[str]:
    """What identifies an order's measures in the load. Orders of one list type, department
    and role carry the same measures, so the text (~1 KB per order, millions of orders) is
    read once per distinct value: on PostgreSQL the key is a 64-bit hash with the length,
    and the texts are fetched for new keys only; elsewhere the key is the text itself."""
    text = _measures_text()
    if dialect == "postgresql":
        return func.concat(func.hashtextextended(text, 0), ":", func.octet_length(text))
    return text


def _orders_query(dialect: str) -> Select[Any]:
    t = orm.sanction_orders
    return select(
        t.c.entry_id,
        t.c.department,
        t.c.target_code,
        t.c.target_role,
        _measures_key(dialect).label("measures"),
    ).where(t.c.state != _LIFTED)


_ROLE_THEN_CODE = operator.itemgetter(2, 1)
# Row positions (rows are read by position: cheaper than by name, a million times over).
_E_ID, _E_TYPE, _E_COLOUR, _E_SUBJECT, _E_BY, _E_START, _E_END, _E_PAYLOAD, _E_SUSPENDED = range(9)
_T_CODE, _T_ROLE, _T_TYPE, _T_NAME = 1, 2, 3, 4
_O_DEPARTMENT, _O_CODE, _O_ROLE, _O_MEASURES = 1, 2, 3, 4


class EntryBuilder:
    """Turns rows (of the three queries above) into compact `Entry` tuples, sharing every
    repeated value."""

    def __init__(self) -> None:
        self.intern = Interner()
        self._measure_sets: dict[str, MeasureSet] = {}
        self._layouts: dict[tuple[tuple[str, int, str], ...], tuple[Order, ...]] = {}
        self._dates: dict[str, date] = {}
        self.skipped_orders = 0

    def _date(self, value: date | str) -> date:
        if isinstance(value, date):
            return self.intern(value)
        found = self._dates.get(value)
        if found is None:
            found = self._dates[value] = self.intern(date.fromisoformat(value))
        return found

    def knows(self, key: str) -> bool:
        return key in self._measure_sets

    def learn(self, key: str, text: str) -> None:
        """The measures behind a key (the JSON text of an order's measures)."""
        items = json.loads(text)
        if isinstance(items, str):  # a JSON column read back as a JSON string of the text
            items = json.loads(items)
        measures = tuple(
            sorted(
                (
                    self.intern(
                        Measure(
                            code=str(m["code"]),
                            version=int(m["version"]),
                            kind=str(m["kind"]),
                            mandatory=bool(m["mandatory"]),
                            content=str(m.get("content", "")),
                            content_en=str(m.get("content_en", "")),
                            legal_basis=str(m.get("legal_basis", "")),
                        )
                    )
                    for m in items
                ),
                key=operator.attrgetter("code"),
            )
        )
        if len(self._measure_sets) >= _CACHE_LIMIT:
            self._measure_sets.clear()
            self._layouts.clear()
        self._measure_sets[key] = self.intern(measures)

    def _measure_set(self, key: str) -> MeasureSet:
        found = self._measure_sets.get(key)
        if found is None:  # a key that is the text itself (see _measures_key)
            self.learn(key, key)
            found = self._measure_sets[key]
        return found

    def _layout(self, flat: list[str], orders: Sequence[Any]) -> tuple[Order, ...]:
        position = {(flat[i], flat[i + 1]): i // 2 for i in range(0, len(flat), 2)}
        placed = []
        for o in orders:
            where = position.get((o[_O_CODE], o[_O_ROLE]))
            if where is None:  # an order for someone the entry does not name: not answerable
                self.skipped_orders += 1
                continue
            placed.append((o[_O_DEPARTMENT], where, o[_O_MEASURES]))
        placed.sort()
        signature = tuple(placed)
        # Entries of one list type usually carry the same layout: one shared tuple, built once.
        found = self._layouts.get(signature)
        if found is None:
            found = self._layouts[signature] = self._lay_out(placed)
        return found

    def _lay_out(self, placed: list[tuple[str, int, str]]) -> tuple[Order, ...]:
        intern = self.intern
        sets: dict[tuple[str, int], list[MeasureSet]] = defaultdict(list)
        for department, where, key in placed:
            sets[(department, where)].append(self._measure_set(key))
        return intern(
            tuple(
                intern(
                    Order(
                        intern(department),
                        where,
                        ms[0] if len(ms) == 1 else intern(merge_measures(ms)),
                    )
                )
                for (department, where), ms in sorted(sets.items())
            )
        )

    def build(self, entry: Any, targets: Sequence[Any], orders: Sequence[Any]) -> Entry:
        intern = self.intern
        document = json.loads(entry[_E_PAYLOAD])
        if isinstance(document, str):  # a JSON column read back as a JSON string of the text
            document = json.loads(document)
        decision = document.get("decision_document") or {}
        subject_code = entry[_E_SUBJECT]
        subject = None
        others = []
        for t in targets:
            if subject is None and t[_T_ROLE] == SUBJECT_ROLE and t[_T_CODE] == subject_code:
                subject = t
            else:
                others.append(t)
        if len(others) > 1:
            others.sort(key=_ROLE_THEN_CODE)
        flat: list[str] = [subject_code if subject is None else subject[_T_CODE], SUBJECT_ROLE]
        for t in others:
            flat.append(t[_T_CODE])
            flat.append(intern(t[_T_ROLE]))
        # A suspended entry calls for no measure (DOMAIN.md §7): its orders are not kept.
        suspended = entry[_E_SUSPENDED]
        if suspended is not None:
            suspended, orders = intern(suspended), ()
        return Entry(
            entry_id=entry[_E_ID],
            list_type=intern(entry[_E_TYPE]),
            colour=intern(entry[_E_COLOUR]),
            subject_code=flat[0],
            subject_type=intern(subject[_T_TYPE] if subject is not None else ""),
            subject_name=subject[_T_NAME] if subject is not None else "",
            initiating_department=intern(entry[_E_BY]),
            legal_basis=intern(document.get("legal_basis") or ""),
            decision_number=decision.get("number") or "",
            decision_date=self._date(decision.get("date") or entry[_E_START]),
            period_start=self._date(entry[_E_START]),
            period_end=self._date(entry[_E_END]),
            targets=tuple(flat),
            orders=self._layout(flat, orders) if orders else (),
            suspended=suspended,
        )


def _in_entry_order(column: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    # The three streams are merged by comparing ids in Python, so the database must sort
    # them the way Python compares strings: by code point, i.e. byte order (collation "C"
    # on PostgreSQL, whatever the database's own; SQLite's default is already binary).
    return column.collate("C") if dialect == "postgresql" else column


class _InEntryOrder:
    """The rows of a query sorted by entry id (first column), taken a range at a time."""

    def __init__(self, result: AsyncResult[Any]) -> None:
        self._partitions = result.partitions()
        self._buffer: list[Any] = []
        self._exhausted = False

    async def through(self, last: str) -> list[Any]:
        """Every row not taken yet whose entry id is at most `last`."""
        while not self._exhausted and (not self._buffer or self._buffer[-1][0] <= last):
            try:
                self._buffer.extend(await anext(self._partitions))
            except StopAsyncIteration:
                self._exhausted = True
        cut = bisect.bisect_right(self._buffer, last, key=_FIRST)
        taken, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return taken


_FIRST = operator.itemgetter(0)


def _group(rows: Iterable[Any], wanted: set[str]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row[0] in wanted:
            grouped[row[0]].append(row)
    return grouped


# --- the live index ---------------------------------------------------------------------------


class LiveCheckIndex:
    """The index checks answer from: loaded once at start (readiness waits for it), then
    reloaded entry by entry as the order code announces committed changes."""

    def __init__(
        self,
        db: Database,
        catalog: CatalogCopy,
        clock: Clock,
        *,
        follower: Follower | None = None,
        on_event: Apply | None = None,
        chunk_size: int = 5_000,
        names_refresh_seconds: float = 60.0,
        retry_seconds: float = 1.0,
    ) -> None:
        self._db = db
        self._follower = follower
        self._on_event = on_event
        self._catalog = catalog
        self._clock = clock
        self._chunk_size = chunk_size
        self._names_refresh_seconds = names_refresh_seconds
        self._retry_seconds = retry_seconds
        self.index = CheckIndex()
        self.list_type_names: dict[str, str] = {}
        self.stats = IndexStats()
        self._builder = EntryBuilder()
        self._pending: set[str] = set()
        self._names_due = False
        self._wake = asyncio.Event()
        self._ready = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self) -> None:
        await self._ready.wait()

    def entries_changed(self, entry_ids: frozenset[str], catalog_changed: bool = False) -> None:
        """`EntryChanges` listener, called after a commit (this replica's, or another's
        through the follower): note the ids, wake the reloader. Announcements during the
        initial load wait and are applied once it is done."""
        self._pending |= entry_ids
        if catalog_changed:
            self._names_due = True
        self._wake.set()

    async def run(self) -> None:
        """Fix the follower's position, load, then follow: every change committed after the
        position was fixed reaches this replica's index, whichever replica made it."""
        following: asyncio.Task[None] | None = None
        if self._follower is not None and self._on_event is not None:
            await self._follower.start()
            following = asyncio.create_task(self._follower.run(self._on_event))
        try:
            await self._maintain()
        finally:
            if following is not None:
                following.cancel()
                await asyncio.gather(following, return_exceptions=True)

    async def _maintain(self) -> None:
        while True:
            try:
                await self._load_all()
                break
            except Exception:  # the database may still be starting: retry, stay not ready
                log.exception("must-check index load failed; retrying")
                self.index = CheckIndex()
                await asyncio.sleep(self._retry_seconds)
        next_names = time.monotonic() + self._names_refresh_seconds
        pruned_on = china_date(self._clock())
        while True:
            if not self._pending and not self._names_due and self.ready:
                timeout = max(next_names - time.monotonic(), 0.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            ids, self._pending = self._pending, set()
            names_due, self._names_due = self._names_due, False
            try:
                if ids:
                    await self.reload(ids)
                if names_due or time.monotonic() >= next_names:
                    await self._refresh_names()
                    next_names = time.monotonic() + self._names_refresh_seconds
            except Exception:
                log.exception("must-check index reload failed; retrying", entries=len(ids))
                self._pending |= ids
                self._names_due |= names_due
                await asyncio.sleep(self._retry_seconds)
                continue
            # Ready once the changes committed during the load are in as well.
            self._ready.set()
            today = china_date(self._clock())
            if today != pruned_on:
                pruned_on = today
                log.info("must-check index pruned", ended=self.index.prune(today))

    async def _refresh_names(self) -> None:
        async with self._db.sessions() as session:
            list_types = await self._catalog.list_types_in_force(session, china_date(self._clock()))
        self.list_type_names = {lt.code: lt.name for lt in list_types}

    async def _load_all(self) -> None:
        """Read every entry in force or suspended with its targets and orders: three queries
        sorted by entry id, streamed side by side (server-side cursors on PostgreSQL) and
        merged here a partition at a time. Sequential scans and one sort each, run in
        parallel by the database, beat a range query per chunk (whose rows lie all over the
        table)."""
        started = time.perf_counter()
        self.stats.rss_before_bytes = rss_bytes()
        today = china_date(self._clock())
        dialect, size = self._db.dialect, self._chunk_size
        le, et, so = orm.list_entries.c, orm.entry_targets.c, orm.sanction_orders.c
        engine = self._db.engine
        async with (
            engine.connect() as c_entries,
            engine.connect() as c_targets,
            engine.connect() as c_orders,
            engine.connect() as c_texts,
        ):
            entries, targets, orders = await asyncio.gather(
                c_entries.stream(
                    _entries_query()
                    # A suspended entry's period is not running: kept whatever its end.
                    .where(or_(le.period_end >= today, le.status == _SUSPENDED))
                    .order_by(_in_entry_order(le.entry_id, dialect))
                    .execution_options(yield_per=size)
                ),
                c_targets.stream(
                    _targets_query()
                    .order_by(_in_entry_order(et.entry_id, dialect))
                    .execution_options(yield_per=size * 2)
                ),
                c_orders.stream(
                    _orders_query(dialect)
                    .order_by(_in_entry_order(so.entry_id, dialect))
                    .execution_options(yield_per=size * 4)
                ),
            )
            target_rows, order_rows = _InEntryOrder(targets), _InEntryOrder(orders)
            async for part in entries.partitions():
                last, wanted = part[-1][0], {e[0] for e in part}
                part_targets = _group(await target_rows.through(last), wanted)
                part_orders = await order_rows.through(last)
                await self._learn_measures(c_texts, part_orders)
                await self._build_into_index(part, part_targets, _group(part_orders, wanted))
                # Millions of long-lived tuples: keep them out of the collector's full
                # scans (each would stall every check for tens of milliseconds).
                gc.freeze()
        await self._refresh_names()
        self.stats.entries = len(self.index)
        self.stats.codes = self.index.codes
        self.stats.load_seconds = time.perf_counter() - started
        gc.collect()
        gc.freeze()
        self.stats.rss_after_bytes = rss_bytes()
        log.info("must-check index loaded", **self.stats.as_json())

    async def _learn_measures(self, conn: AsyncConnection, orders: Sequence[Any]) -> None:
        """Fetch the measures text of keys not seen yet (a handful in a whole load), each
        from one order that has it (see _measures_key)."""
        if conn.dialect.name != "postgresql":
            return  # the key is the text
        builder, so = self._builder, orm.sanction_orders.c
        missing: dict[str, str] = {}
        for o in orders:
            if not builder.knows(o[_O_MEASURES]):
                missing.setdefault(o[_O_MEASURES], o[0])
        key = _measures_key(conn.dialect.name)
        for measures_key, entry_id in missing.items():
            text = await conn.scalar(
                select(_measures_text())
                .where(so.entry_id == entry_id, key == measures_key)
                .limit(1)
            )
            if text is not None:
                builder.learn(measures_key, text)
        await conn.rollback()

    async def _related(
        self, conn: AsyncConnection, entries: Sequence[Any], ids: Sequence[str]
    ) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
        et, so = orm.entry_targets.c.entry_id, orm.sanction_orders.c.entry_id
        wanted = {e[0] for e in entries}
        targets = _group(await conn.execute(_targets_query().where(et.in_(ids))), wanted)
        order_rows = list(await conn.execute(_orders_query(conn.dialect.name).where(so.in_(ids))))
        await self._learn_measures(conn, order_rows)
        return targets, _group(order_rows, wanted)

    async def _build_into_index(
        self,
        entries: Sequence[Any],
        targets: dict[str, list[Any]],
        orders: dict[str, list[Any]],
    ) -> None:
        build, put = self._builder.build, self.index.put
        for i, entry in enumerate(entries):
            if i % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # /healthz and the like stay answered while loading
            entry_id = entry[0]
            put(build(entry, targets.get(entry_id, ()), orders.get(entry_id, ())))

    async def reload(self, entry_ids: Iterable[str]) -> None:
        """Take the latest committed state of these entries: put those in force or
        suspended, drop the rest (revoked, expired, repaired, or gone)."""
        ids = sorted(entry_ids)
        async with self._db.engine.connect() as conn:
            for i in range(0, len(ids), _RELOAD_CHUNK):
                part = ids[i : i + _RELOAD_CHUNK]
                query = _entries_query().where(orm.list_entries.c.entry_id.in_(part))
                entries = list((await conn.execute(query)).all())
                targets, orders = await self._related(conn, entries, part)
                for gone in set(part) - {e[0] for e in entries}:
                    self.index.drop(gone)
                await self._build_into_index(entries, targets, orders)
        self.stats.reloads += 1
        self.stats.reloaded_entries += len(ids)
        self.stats.entries = len(self.index)
        self.stats.codes = self.index.codes
