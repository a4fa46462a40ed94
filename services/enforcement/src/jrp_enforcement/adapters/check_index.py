"""The must-check index (DOMAIN.md §6), loaded from this service's tables and kept current.

At start the database does the grouping: three queries stream, in entry id order, the entries
in force or suspended (`list_entries`), their targets (`entry_targets`) and their orders not
lifted (`sanction_orders`), the latter two as one aggregated row per entry; they are merged
here a chunk at a time and added to the compact `CheckIndex` in bulk, so the load needs no
more memory than the index itself, on SQLite as on PostgreSQL. After every commit that
changes an entry, its targets or its orders, the order code announces the entry ids
(`EntryChanges`); one task reloads them, in order, from the latest committed state, through
the same queries.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import ctypes
import gc
import json
import operator
import os
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, Select, String, Text, cast, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from jrp_enforcement.adapters import orm
from jrp_enforcement.adapters.warning_list import open_warnings, subjects_of_entries
from jrp_enforcement.domain.checks import (
    SUBJECT_ROLE,
    CheckIndex,
    Entry,
    EntryRow,
    Interner,
    Measure,
    MeasureSet,
    Order,
    Profile,
    merge_measures,
)
from jrp_enforcement.domain.warning_list import Warning
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import Clock, china_date
from jrp_shared.db import Database
from jrp_shared.events.payloads import MeasurePublished
from jrp_shared.logging import get_logger
from jrp_shared.messaging.broadcast import Apply, Follower
from jrp_shared.vocabulary import ListEntryStatus, OrderState

log = get_logger(__name__)

_IN_FORCE = ListEntryStatus.IN_FORCE.value
_SUSPENDED = ListEntryStatus.SUSPENDED.value
_LIFTED = OrderState.LIFTED.value
_RELOAD_CHUNK = 500
_YIELD_EVERY = 1_000
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
    index_bytes: int = 0

    def as_json(self) -> dict[str, Any]:
        grown = max(self.rss_after_bytes - self.rss_before_bytes, 0)
        return {
            "entries": self.entries,
            "codes": self.codes,
            "load_seconds": round(self.load_seconds, 3),
            "rss_bytes": rss_bytes(),
            "rss_growth_bytes_at_load": grown,
            "bytes_per_entry_at_load": round(grown / self.entries) if self.entries else None,
            "index_bytes": self.index_bytes,
            "reloads": self.reloads,
            "reloaded_entries": self.reloaded_entries,
        }


# --- the queries ------------------------------------------------------------------------------

# An entry's targets and orders come as one text each: items separated by _ITEM, each item
# _FIELD-separated and starting with one, so that it splits into a row shaped like a row of
# the table (position 0, the entry id, left empty). Codes, roles, departments and measures
# keys never hold these characters; a name might, so names are escaped (_ESCAPE).
_ITEM, _FIELD, _ESCAPE = "\x1e", "\x1f", "\x1d"
_ESCAPES = ((_ESCAPE, _ESCAPE + "0"), (_ITEM, _ESCAPE + "1"), (_FIELD, _ESCAPE + "2"))
_UNESCAPE = re.compile(f"{_ESCAPE}([012])")
_UNESCAPED = {"0": _ESCAPE, "1": _ITEM, "2": _FIELD}


def _escaped(column: ColumnElement[str]) -> ColumnElement[str]:
    for raw, escaped in _ESCAPES:
        column = func.replace(column, raw, escaped)
    return column


def _unescaped(name: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m[1]], name)


def _joined(*columns: ColumnElement[str]) -> ColumnElement[str]:
    joined: ColumnElement[str] = literal(_FIELD, String)
    for i, column in enumerate(columns):
        joined = joined + column if i == 0 else joined + _FIELD + column
    return joined


class _Order:
    """How the database sorts entry ids for the load: in byte order, the order Python
    compares strings in, so the three streams can be merged here. On a database whose
    collation is C (as deploy/ creates them) that is the primary key's own order, read from
    the index without a sort; otherwise it is asked for (`COLLATE "C"`)."""

    def __init__(self, dialect: str, collation_is_bytes: bool) -> None:
        self._explicit = dialect == "postgresql" and not collation_is_bytes

    def __call__(self, column: ColumnElement[str]) -> ColumnElement[str]:
        return column.collate("C") if self._explicit else column


async def _byte_order(conn: AsyncConnection) -> _Order:
    dialect = conn.dialect.name
    collation = None
    if dialect == "postgresql":
        collation = await conn.scalar(
            text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        )
        await conn.rollback()
    return _Order(dialect, collation in ("C", "POSIX"))


_FROM_THE_KEY = ("enable_sort",)
"""Planner settings for the entries: read them in the primary key's order (a stream from the
first row) rather than sort their documents (gigabytes) first."""
_SCAN_AND_SORT = ("enable_indexscan", "enable_bitmapscan")
"""For targets and orders: a sequential scan and a sort of the narrow rows made from it cost
less than visiting the table in key order, row by row."""


async def _tune_for_load(conn: AsyncConnection, disabled: Sequence[str]) -> None:
    """For the load's one long query on this connection (its transaction, SET LOCAL): no
    JIT (it compiles for seconds before the first row), room to sort in memory, and these
    planner methods off."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL jit = off"))
        await conn.execute(text("SET LOCAL work_mem = '64MB'"))
        for setting in disabled:
            await conn.execute(text(f"SET LOCAL {setting} = off"))


def _entries_query(dialect: str, order: _Order) -> Select[Any]:
    t = orm.list_entries
    # The document as bytes (as text elsewhere), decoded here: JSON operators on the stored
    # text cost PostgreSQL several times what decoding the three fields needed costs here.
    payload = (
        func.convert_to(cast(t.c.payload, Text), "UTF8")
        if dialect == "postgresql"
        else cast(t.c.payload, String)
    )
    return select(
        order(t.c.entry_id).label("entry_id"),
        t.c.list_type,
        t.c.colour,
        t.c.subject_code,
        t.c.initiating_department,
        t.c.period_start,
        t.c.period_end,
        payload.label("payload"),
        t.c.suspension_case_kind,
    ).where(t.c.status.in_((_IN_FORCE, _SUSPENDED)))


def _targets_query(order: _Order, entry_ids: Sequence[str] | None = None) -> Select[str, str]:
    """One row per entry: its targets, as code, role, subject type and (escaped) name."""
    t = orm.entry_targets.c
    item = _joined(t.code, t.role, t.subject_type, _escaped(t.name))
    entry_id = order(t.entry_id)
    query = select(entry_id.label("entry_id"), func.aggregate_strings(item, _ITEM))
    if entry_ids is not None:
        query = query.where(t.entry_id.in_(entry_ids))
    return query.group_by(entry_id).order_by(entry_id)


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


def _orders_query(
    dialect: str, order: _Order, entry_ids: Sequence[str] | None = None
) -> Select[Any, str]:
    """One row per entry: its orders not lifted, as department, target code, target role
    and measures key. The items are made (and the measures hashed) before the sort, so only
    they are sorted, not the measures."""
    t = orm.sanction_orders.c
    item = _joined(t.department, t.target_code, t.target_role, _measures_key(dialect))
    narrow = select(order(t.entry_id).label("entry_id"), item.label("item")).where(
        t.state != _LIFTED
    )
    if entry_ids is not None:
        narrow = narrow.where(t.entry_id.in_(entry_ids))
    items = narrow.order_by(order(t.entry_id)).subquery()
    return (
        select(items.c.entry_id, func.aggregate_strings(items.c.item, _ITEM))
        .group_by(items.c.entry_id)
        .order_by(items.c.entry_id)
    )


# --- reading rows into entries --------------------------------------------------------------


class _Decision(msgspec.Struct):
    number: str | None = None
    date: str | None = None


class _Document(msgspec.Struct):
    """The fields of the stored ListEntryInForce the index needs (the rest is skipped)."""

    legal_basis: str | None = None
    decision_document: _Decision | None = None
    version: int = 0
    list_type_version: int = 0


_decode_document = msgspec.json.Decoder(_Document).decode


def _document(payload: str | bytes) -> _Document:
    try:
        return _decode_document(payload)
    except msgspec.ValidationError:
        # A JSON column read back as a JSON string of the text.
        inner = json.loads(payload)
        if not isinstance(inner, str):
            raise
        return _decode_document(inner)


# Row positions (rows are read by position: cheaper than by name, a million times over).
# An entry row is (id, list type, colour, subject code, department, start, end, document,
# suspension); target and order rows (and the items of their aggregated texts) keep the
# entry id's place, empty in the texts.
_E_ID = 0
_T_NAME = 4
_O_DEPARTMENT, _O_CODE, _O_ROLE, _O_MEASURES = 1, 2, 3, 4


class MeasuresUnknown(Exception):
    """Orders whose measures are known by key only (PostgreSQL); their texts must be
    learnt first (`EntryBuilder.missing`)."""


class EntryBuilder:
    """Turns rows of the three queries above into index rows (`EntryRow`): what is each
    entry's own, and the `Profile` entries alike share (one object per profile)."""

    def __init__(self, *, measures_by_key: bool = False) -> None:
        self.intern = Interner()
        self._measures_by_key = measures_by_key
        self._measure_sets: dict[str, MeasureSet] = {}
        self._layouts: dict[tuple[tuple[str, int, str], ...], tuple[Order, ...]] = {}
        self._profiles: dict[tuple[Any, ...], tuple[Profile, int]] = {}
        self._dates: dict[date | str, date] = {}
        self.skipped_orders = 0
        self.missing: dict[str, str] = {}
        """Measures keys met but not known yet, each with an entry whose orders have it."""

    def _date(self, value: date | str) -> date:
        """One shared date for a date or its ISO text."""
        found = self._dates.get(value)
        if found is None:
            day = value if isinstance(value, date) else date.fromisoformat(value)
            found = self._dates[value] = self.intern(day)
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
            self._profiles.clear()
        self._measure_sets[key] = self.intern(measures)
        self.missing.pop(key, None)

    def _measure_set(self, key: str) -> MeasureSet:
        found = self._measure_sets.get(key)
        if found is None:  # a key that is the text itself (see _measures_key)
            self.learn(key, key)
            found = self._measure_sets[key]
        return found

    def _layout(self, entry_id: str, flat: list[str], orders: Sequence[Any]) -> tuple[Order, ...]:
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
            if self._measures_by_key:
                unknown = [p[2] for p in placed if p[2] not in self._measure_sets]
                if unknown:
                    for key in unknown:
                        self.missing.setdefault(key, entry_id)
                    raise MeasuresUnknown
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
        """An entry from its row and the rows of its targets and orders (as the tables hold
        them); raises MeasuresUnknown while some of its measures are known by key only."""
        built = self.row(entry, _aggregated(targets, _T_NAME), _aggregated(orders)).entry()
        # Entries from the tables share their dates too (rows for the index need not: it
        # keeps day numbers).
        return built._replace(
            period_start=self._date(built.period_start),
            period_end=self._date(built.period_end),
            decision_date=self._date(built.decision_date),
        )

    def row(self, entry: Any, targets: str | None, orders: str | None) -> EntryRow:
        """What the index stores of an entry, from its row and the aggregated texts of its
        targets and orders (`_targets_query`, `_orders_query`); raises MeasuresUnknown
        while some of its measures are known by key only.

        The listed subject is the first target, the linked persons follow by role and code.
        Entries alike share one `Profile`, found by the fields that make it, the roles, and
        the orders text with each target's code and role replaced by its position."""
        entry_id, list_type, colour, subject_code, by, start, end, payload, suspended = entry
        document = _document(payload)
        decision = document.decision_document
        subject_type = subject_name = ""
        others: list[tuple[str, str]] = []  # (role, code) of the linked persons
        if targets:
            found = False
            for item in targets.split(_ITEM):
                _, code, role, kind, name = item.split(_FIELD)
                if not found and role == SUBJECT_ROLE and code == subject_code:
                    found, subject_type, subject_name = True, kind, name
                else:
                    others.append((role, code))
            if _ESCAPE in subject_name:
                subject_name = _unescaped(subject_name)
        if not others:
            codes: tuple[str, ...] = (subject_code,)
            roles: tuple[str, ...] = _SUBJECT_ONLY
        elif len(others) == 1:
            codes, roles = (subject_code, others[0][1]), (SUBJECT_ROLE, others[0][0])
        else:
            others.sort()
            codes = (subject_code, *[code for _, code in others])
            roles = (SUBJECT_ROLE, *[role for role, _ in others])
        decided = decision.date if decision is not None else None
        return EntryRow(
            entry_id,
            codes,
            subject_code,
            subject_name,
            (decision.number if decision is not None else None) or "",
            start,
            end,
            self._date(decided) if decided else start,
            self._shared(
                entry_id,
                codes,
                (
                    list_type,
                    colour,
                    by,
                    document.legal_basis or "",
                    suspended,
                    subject_type,
                    roles,
                    document.list_type_version,
                ),
                orders,
            ),
            document.version,
        )

    def with_orders(self, row: EntryRow, orders: str) -> Profile:
        """The profile of an entry made without its orders (`row(..., orders=None)`) once
        its orders are known; raises MeasuresUnknown as `row` does."""
        p = row.profile
        fields = (
            p.list_type,
            p.colour,
            p.initiating_department,
            p.legal_basis,
            p.suspended,
            p.subject_type,
            p.roles,
            p.list_type_version,
        )
        return self._shared(row.entry_id, row.codes, fields, orders)

    def _shared(
        self, entry_id: str, codes: tuple[str, ...], fields: tuple[Any, ...], orders: str | None
    ) -> Profile:
        """The shared profile of these fields (list type, colour, department, legal basis,
        suspension, subject type, roles) and orders."""
        # A suspended entry calls for no measure (DOMAIN.md §7): its orders are not kept.
        layout_key = None
        if orders and fields[4] is None:
            roles = fields[6]
            layout_key = orders.replace(
                f"{_FIELD}{codes[0]}{_FIELD}{SUBJECT_ROLE}{_FIELD}", _AT_SUBJECT
            )
            for i in range(1, len(codes)):
                layout_key = layout_key.replace(
                    f"{_FIELD}{codes[i]}{_FIELD}{roles[i]}{_FIELD}", f"{_FIELD}{i}{_FIELD}"
                )
        key = (*fields, layout_key)
        found = self._profiles.get(key)
        if found is None:
            found = self._profiles[key] = self._profile(
                entry_id, key, codes, orders if layout_key is not None else None
            )
        else:
            self.skipped_orders += found[1]
        return found[0]

    def _profile(
        self, entry_id: str, key: tuple[Any, ...], codes: tuple[str, ...], orders: str | None
    ) -> tuple[Profile, int]:
        """A new profile, and how many of the entry's orders are for someone it does not
        name."""
        list_type, colour, by, legal_basis, suspended, subject_type, roles, lt_version, _ = key
        skipped = self.skipped_orders
        layout: tuple[Order, ...] = ()
        if orders:
            flat = list(chain.from_iterable(zip(codes, roles, strict=True)))
            layout = self._layout(entry_id, flat, [o.split(_FIELD) for o in orders.split(_ITEM)])
        if len(self._profiles) >= _CACHE_LIMIT:  # orders for someone not named make a
            self._profiles.clear()  # text of their own: let them not pile up
        intern = self.intern.one
        profile = Profile(
            intern(list_type),
            intern(colour),
            intern(subject_type),
            intern(by),
            intern(legal_basis),
            None if suspended is None else intern(suspended),
            intern(tuple(intern(role) for role in roles)),
            layout,
            True,
            lt_version,
        )
        return profile, self.skipped_orders - skipped


_SUBJECT_ONLY = (SUBJECT_ROLE,)
_AT_SUBJECT = f"{_FIELD}0{_FIELD}"


def _aggregated(rows: Sequence[Any], escape_at: int | None = None) -> str | None:
    """Rows of targets or orders as the aggregated text of their query (see above)."""
    if not rows:
        return None
    items = []
    for row in rows:
        fields = [str(value) for value in row[1:]]
        if escape_at is not None:
            name = fields[escape_at - 1]
            for raw, escaped in _ESCAPES:
                name = name.replace(raw, escaped)
            fields[escape_at - 1] = name
        items.append(_FIELD + _FIELD.join(fields))
    return _ITEM.join(items)


class _Chunks:
    """The rows of one long query a chunk at a time, the next chunk already being fetched
    while this one is used (so the database keeps producing meanwhile). On PostgreSQL they
    come from the driver's own server-side cursor: SQLAlchemy's result rows would cost as
    much again per row, over millions of rows (the statement is rendered with its values,
    all of them the load's own constants). Elsewhere they come through SQLAlchemy."""

    def __init__(self, fetch: Callable[[], Awaitable[Sequence[Any]]]) -> None:
        self._fetch = fetch
        self._next: asyncio.Future[Sequence[Any]] | None = asyncio.ensure_future(fetch())

    @classmethod
    async def open(
        cls,
        conn: AsyncConnection,
        query: Select[Any] | Select[Any, Any],
        size: int,
        disabled: Sequence[str] = (),
    ) -> _Chunks:
        await _tune_for_load(conn, disabled)  # also opens the transaction the cursor is in
        if conn.dialect.name == "postgresql":
            sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            cursor = await driver.cursor(sql)
            return cls(lambda: cursor.fetch(size))
        partitions = (await conn.stream(query.execution_options(yield_per=size))).partitions()

        async def fetch() -> Sequence[Any]:
            return await anext(partitions, [])

        return cls(fetch)

    def started(self) -> bool:
        """Rows (or the end) have come, or are no longer awaited."""
        return self._next is None or self._next.done()

    async def next(self) -> Sequence[Any]:
        """The next chunk; empty once the rows are all taken."""
        if self._next is None:
            return []
        rows = await self._next
        self._next = asyncio.ensure_future(self._fetch()) if rows else None
        return rows

    def close(self) -> None:
        if self._next is not None:
            self._next.cancel()


class _Aggregates:
    """The rows (entry id, text) of an aggregated query sorted by entry id, taken a range at
    a time."""

    def __init__(self, chunks: _Chunks) -> None:
        self._chunks = chunks
        self._buffer: list[Any] = []
        self._exhausted = False

    async def through(self, last: str) -> dict[str, str]:
        """Every row not taken yet whose entry id is at most `last`, by entry id."""
        while not self._exhausted and (not self._buffer or self._buffer[-1][0] <= last):
            rows = await self._chunks.next()
            self._buffer.extend(rows)
            self._exhausted = not rows
        cut = bisect.bisect_right(self._buffer, last, key=_FIRST)
        taken, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return dict(taken)


_FIRST = operator.itemgetter(0)


def _return_freed_memory() -> None:
    """Hand the memory the load's passing rows and lists freed back to the system: the C
    allocator keeps it otherwise (glibc; elsewhere nothing happens)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.asynccontextmanager
async def _collector_paused() -> AsyncIterator[None]:
    """A load makes millions of short-lived lists and tuples: the cyclic garbage collector
    would scan them, and every row buffered, over and over for nothing. It waits until the
    load is over (reference counting frees them meanwhile)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        self.db = db
        self._follower = follower
        self._on_event = on_event
        self._catalog = catalog
        self._clock = clock
        self._chunk_size = chunk_size
        self._names_refresh_seconds = names_refresh_seconds
        self._retry_seconds = retry_seconds
        self.index = CheckIndex()
        self.list_type_names: dict[str, str] = {}
        self.conditional: dict[str, tuple[MeasurePublished, ...]] = {}
        self.warnings: dict[str, Warning] = {}
        """The subjects on the big-data warning list now (DOMAIN.md §11), by code: loaded
        with the index, and reloaded for the subjects of the watch entries reloaded."""
        """The measures in force with conditions on the subject's record, by list type
        (DOMAIN.md §6): a check reads the subject's record only when one is involved."""
        self.stats = IndexStats()
        self._builder = EntryBuilder(measures_by_key=db.dialect == "postgresql")
        self._order: _Order | None = None
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
        """List type names and the conditional measures, from the catalog in force (at start,
        on every catalog change and every `names_refresh_seconds`)."""
        today = china_date(self._clock())
        async with self._db.sessions() as session:
            list_types = await self._catalog.list_types_in_force(session, today)
            measures = await self._catalog.measures_in_force(session, today)
        self.list_type_names = {lt.code: lt.name for lt in list_types}
        conditional: dict[str, list[MeasurePublished]] = {}
        for m in measures:
            if m.conditions:
                for code in m.list_types:
                    conditional.setdefault(code, []).append(m)
        self.conditional = {code: tuple(found) for code, found in conditional.items()}

    async def _load_all(self) -> None:
        """Read every entry in force or suspended with its targets and orders: three queries
        in entry id order, streamed side by side (server-side cursors on PostgreSQL), the
        database grouping each entry's targets and its orders into one row each; merged here
        a chunk at a time and added to the index in bulk."""
        started = time.perf_counter()
        self.stats.rss_before_bytes = rss_bytes()
        today = china_date(self._clock())
        dialect, size = self._db.dialect, self._chunk_size
        le = orm.list_entries.c
        engine = self._db.engine
        async with (
            _collector_paused(),
            engine.connect() as c_entries,
            engine.connect() as c_targets,
            engine.connect() as c_orders,
            engine.connect() as c_texts,
        ):
            order = self._order = await _byte_order(c_texts)
            entries, targets, orders = await asyncio.gather(
                _Chunks.open(
                    c_entries,
                    _entries_query(dialect, order)
                    # A suspended entry's period is not running: kept whatever its end.
                    .where(or_(le.period_end >= today, le.status == _SUSPENDED))
                    .order_by(order(le.entry_id)),
                    size,
                    _FROM_THE_KEY,
                ),
                _Chunks.open(c_targets, _targets_query(order), size, _SCAN_AND_SORT),
                _Chunks.open(c_orders, _orders_query(dialect, order), size, _SCAN_AND_SORT),
            )
            try:
                target_texts, order_texts = _Aggregates(targets), _Aggregates(orders)
                # The orders come sorted, so none come until the database has read them all.
                # Meanwhile the entries are stored without them, and given their orders as
                # soon as they come (then the rest of the entries with theirs at once).
                waiting: list[range] = []
                while part := await entries.next():
                    last = part[-1][0]
                    their_targets = await target_texts.through(last)
                    if not orders.started():
                        built = await self._build(c_texts, part, their_targets, {}, later=True)
                        waiting.append(self.index.extend(built))
                        continue
                    for rows in waiting:
                        await self._add_orders(c_texts, rows, order_texts)
                    waiting = []
                    their_orders = await order_texts.through(last)
                    self.index.extend(await self._build(c_texts, part, their_targets, their_orders))
                for rows in waiting:
                    await self._add_orders(c_texts, rows, order_texts)
            finally:
                for chunks in (entries, targets, orders):
                    chunks.close()
            self.warnings = await open_warnings(c_texts)
        await self._refresh_names()
        self.stats.entries = len(self.index)
        self.stats.codes = self.index.codes
        self.stats.index_bytes = self.index.nbytes
        self.stats.load_seconds = time.perf_counter() - started
        gc.collect()
        gc.freeze()
        _return_freed_memory()
        self.stats.rss_after_bytes = rss_bytes()
        log.info("must-check index loaded", **self.stats.as_json())

    async def _build(
        self,
        conn: AsyncConnection,
        entries: Sequence[Any],
        targets: dict[str, str],
        orders: dict[str, str],
        *,
        later: bool = False,
    ) -> list[EntryRow]:
        """The index rows of these entries (without their orders if they come `later`).
        Those with measures not known yet wait until their texts are fetched (a handful of
        times in a whole load: see _measures_key)."""
        build = self._builder.row
        built: list[EntryRow] = []
        waiting = []
        for i, entry in enumerate(entries):
            if i % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # /healthz and the like stay answered while loading
            entry_id = entry[_E_ID]
            if later:
                built.append(build(entry, targets.get(entry_id), None))
                continue
            try:
                built.append(build(entry, targets.get(entry_id), orders.get(entry_id)))
            except MeasuresUnknown:
                waiting.append(entry)
        if waiting:
            await self._learn_measures(conn)
            built.extend(build(e, targets.get(e[_E_ID]), orders.get(e[_E_ID])) for e in waiting)
        return built

    async def _add_orders(
        self, conn: AsyncConnection, rows: range, order_texts: _Aggregates
    ) -> None:
        """Give the entries stored in these rows without their orders the profile their
        orders make (the rows are in entry id order, as the orders come)."""
        index, builder = self.index, self._builder
        for start in range(rows.start, rows.stop, self._chunk_size):
            await asyncio.sleep(0)
            stored = [
                index.stored(n) for n in range(start, min(start + self._chunk_size, rows.stop))
            ]
            orders = await order_texts.through(stored[-1].entry_id)
            for number, row in enumerate(stored, start):
                text = orders.get(row.entry_id)
                if text is None:
                    continue
                try:
                    profile = builder.with_orders(row, text)
                except MeasuresUnknown:
                    await self._learn_measures(conn)
                    profile = builder.with_orders(row, text)
                index.reprofile(number, profile)

    async def _learn_measures(self, conn: AsyncConnection) -> None:
        """Fetch the measures text of the keys met but not known yet, each from an order of
        an entry that has it (or, if that order changed meanwhile, from any order)."""
        builder, so = self._builder, orm.sanction_orders.c
        key = _measures_key(conn.dialect.name)
        for measures_key, entry_id in list(builder.missing.items()):
            query = select(_measures_text()).where(key == measures_key).limit(1)
            text = await conn.scalar(query.where(so.entry_id == entry_id))
            if text is None:
                text = await conn.scalar(query)
            if text is None:  # no order has them any more: the load is retried
                raise LookupError(f"measures {measures_key} of entry {entry_id} are gone")
            builder.learn(measures_key, text)
        await conn.rollback()

    async def _reload_warnings(self, conn: AsyncConnection, entry_ids: Sequence[str]) -> None:
        """The warnings of the subjects of these entries (of the watch entries among them:
        no other entry changes a warning), as committed."""
        codes = sorted(await subjects_of_entries(conn, entry_ids))
        if not codes:
            return
        found = await open_warnings(conn, codes)
        for code in codes:
            warning = found.get(code)
            if warning is None:
                self.warnings.pop(code, None)
            else:
                self.warnings[code] = warning

    async def reload(self, entry_ids: Iterable[str]) -> None:
        """Take the latest committed state of these entries: put those in force or
        suspended, drop the rest (revoked, expired, repaired, or gone)."""
        ids = sorted(entry_ids)
        dialect = self._db.dialect
        async with self._db.engine.connect() as conn:
            if self._order is None:
                self._order = await _byte_order(conn)
            order = self._order
            for i in range(0, len(ids), _RELOAD_CHUNK):
                part = ids[i : i + _RELOAD_CHUNK]
                query = _entries_query(dialect, order).where(orm.list_entries.c.entry_id.in_(part))
                entries = list((await conn.execute(query)).all())
                targets = dict(list(await conn.execute(_targets_query(order, part))))
                orders = dict(list(await conn.execute(_orders_query(dialect, order, part))))
                built = await self._build(conn, entries, targets, orders)
                for gone in set(part) - {e[_E_ID] for e in entries}:
                    self.index.drop(gone)
                for entry in built:
                    self.index.put(entry)
            await self._reload_warnings(conn, ids)
        self.stats.reloads += 1
        self.stats.reloaded_entries += len(ids)
        self.stats.entries = len(self.index)
        self.stats.codes = self.index.codes
        self.stats.index_bytes = self.index.nbytes
