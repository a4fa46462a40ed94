"""The embedded bus: a durable log in one SQLite file, shared by the services on one machine.

It is the single-machine default (`make run`): no broker to install, yet the same contract as
Kafka — `publish` returns after the rows are committed to disk (WAL, synchronous=FULL),
consumer groups keep their own committed position per topic, and anything after it is
delivered again after a restart (at-least-once). One log per topic, so order is total within
a topic and hence within a key. Meant for one consumer per group (one process per service).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from functools import partial
from pathlib import Path

from jrp_shared.bus.base import Bus, Message, Record, Subscription
from jrp_shared.bus.lag import OffsetsSnapshot, PartitionExtent
from jrp_shared.files import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key TEXT,
    headers TEXT NOT NULL,
    value BLOB NOT NULL,
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS messages_topic_seq ON messages (topic, seq);
CREATE TABLE IF NOT EXISTS group_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic)
);
"""


class _Log:
    """The SQLite file, used from worker threads through one serialised connection."""

    def __init__(self, path: Path) -> None:
        private_file(path)  # owner-only, its -wal and -shm too (jrp_shared.files)
        self._conn = sqlite3.connect(
            path, check_same_thread=False, timeout=30, isolation_level=None
        )
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def append(self, rows: Sequence[tuple[str, str | None, str, bytes]]) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT INTO messages (topic, key, headers, value) VALUES (?, ?, ?, ?)", rows
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def read(
        self, group_id: str, topics: Sequence[str], limit: int
    ) -> list[tuple[int, str, str | None, str, bytes]]:
        with self._lock:
            rows: list[tuple[int, str, str | None, str, bytes]] = []
            for topic in topics:
                rows.extend(
                    self._conn.execute(
                        "SELECT seq, topic, key, headers, value FROM messages "
                        "WHERE topic = ? AND seq > COALESCE((SELECT seq FROM group_offsets "
                        "WHERE group_id = ? AND topic = ?), 0) ORDER BY seq LIMIT ?",
                        (topic, group_id, topic, limit),
                    ).fetchall()
                )
        rows.sort(key=lambda r: r[0])
        return rows[:limit]

    def last_seq(self, topics: Sequence[str]) -> int:
        with self._lock:
            marks = ",".join("?" * len(topics))
            row = self._conn.execute(
                f"SELECT MAX(seq) FROM messages WHERE topic IN ({marks})", tuple(topics)
            ).fetchone()
        return int(row[0] or 0)

    def read_after(
        self, topics: Sequence[str], after: int, limit: int
    ) -> list[tuple[int, str, str | None, str, bytes]]:
        with self._lock:
            rows: list[tuple[int, str, str | None, str, bytes]] = []
            for topic in topics:
                rows.extend(
                    self._conn.execute(
                        "SELECT seq, topic, key, headers, value FROM messages "
                        "WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?",
                        (topic, after, limit),
                    ).fetchall()
                )
        rows.sort(key=lambda r: r[0])
        return rows[:limit]

    def commit(self, group_id: str, positions: dict[str, int]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT INTO group_offsets (group_id, topic, seq) VALUES (?, ?, ?) "
                "ON CONFLICT (group_id, topic) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                [(group_id, t, s) for t, s in positions.items()],
            )

    def topics_named(self, prefix: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT topic FROM messages WHERE topic >= ? AND topic < ? ORDER BY topic",
                (prefix, prefix + "\U0010ffff"),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def groups(self) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT group_id FROM group_offsets ORDER BY group_id"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def counts(
        self, topics: Sequence[str], groups: Sequence[str] | None
    ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """Per topic, its messages; per group and topic, the messages up to its committed
        position (a topic's single log counted in messages, so the lag arithmetic holds)."""
        with self._lock:
            totals = {
                topic: int(
                    self._conn.execute(
                        "SELECT COUNT(*) FROM messages WHERE topic = ?", (topic,)
                    ).fetchone()[0]
                )
                for topic in topics
            }
            marks = ",".join("?" * len(topics))
            rows = self._conn.execute(
                f"SELECT group_id, topic, seq FROM group_offsets WHERE topic IN ({marks})",
                tuple(topics),
            ).fetchall()
            read: dict[str, dict[str, int]] = {}
            for group_id, topic, seq in rows:
                if groups is not None and group_id not in groups:
                    continue
                read.setdefault(group_id, {})[topic] = int(
                    self._conn.execute(
                        "SELECT COUNT(*) FROM messages WHERE topic = ? AND seq <= ?",
                        (topic, seq),
                    ).fetchone()[0]
                )
        return totals, read

    def ping(self) -> None:
        with self._lock:
            self._conn.execute("SELECT 1").fetchone()


_Row = tuple[int, str, str | None, str, bytes]


async def _poll_rows(read: Callable[[], list[_Row]], timeout_ms: int) -> list[_Row]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_ms / 1000
    while True:
        rows = await asyncio.to_thread(read)
        if rows or loop.time() >= deadline:
            return rows
        # Other processes append to the same file; a short sleep is the cheapest wake-up.
        await asyncio.sleep(min(0.05, max(0.0, deadline - loop.time())))


def _records(bus: EmbeddedBus, rows: Sequence[_Row]) -> list[Record]:
    return [
        Record(
            topic=bus.logical(topic),
            key=key,
            headers=tuple((h, bytes.fromhex(v)) for h, v in json.loads(headers)),
            value=value,
            partition=0,
            offset=seq,
        )
        for seq, topic, key, headers, value in rows
    ]


class EmbeddedSubscription(Subscription):
    def __init__(self, bus: EmbeddedBus, group_id: str, topics: Sequence[str]) -> None:
        self._bus = bus
        self._group_id = group_id
        self._topics = [bus.qualified(t) for t in topics]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def poll(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        rows = await _poll_rows(
            partial(self._bus.log.read, self._group_id, self._topics, max_records), timeout_ms
        )
        return _records(self._bus, rows)

    async def commit(self, records: Sequence[Record]) -> None:
        positions: dict[str, int] = {}
        for r in records:
            topic = self._bus.qualified(r.topic)
            positions[topic] = max(positions.get(topic, 0), r.offset)
        if positions:
            await asyncio.to_thread(self._bus.log.commit, self._group_id, positions)


class EmbeddedListener(Subscription):
    """Every message on the topics after a position this process keeps in memory."""

    def __init__(self, bus: EmbeddedBus, topics: Sequence[str], *, from_beginning: bool) -> None:
        self._bus = bus
        self._topics = [bus.qualified(t) for t in topics]
        self._from_beginning = from_beginning
        self._after = 0

    async def start(self) -> None:
        if not self._from_beginning:
            self._after = await asyncio.to_thread(self._bus.log.last_seq, self._topics)

    async def stop(self) -> None:
        return None

    async def poll(self, *, max_records: int, timeout_ms: int) -> list[Record]:
        rows = await _poll_rows(
            lambda: self._bus.log.read_after(self._topics, self._after, max_records), timeout_ms
        )
        if rows:
            self._after = rows[-1][0]
        return _records(self._bus, rows)

    async def commit(self, records: Sequence[Record]) -> None:
        return None


class EmbeddedBus(Bus):
    def __init__(self, namespace: str, path: Path) -> None:
        super().__init__(namespace)
        self._path = path
        self._log: _Log | None = None

    @property
    def log(self) -> _Log:
        assert self._log is not None, "bus not started"
        return self._log

    async def start(self) -> None:
        self._log = await asyncio.to_thread(_Log, self._path)

    async def stop(self) -> None:
        if self._log is not None:
            await asyncio.to_thread(self._log.close)
            self._log = None

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        return None  # a topic is just a column value here

    async def publish(self, messages: Sequence[Message]) -> None:
        rows = [
            (
                self.qualified(m.topic),
                m.key,
                json.dumps([(h, v.hex()) for h, v in m.headers]),
                m.value,
            )
            for m in messages
        ]
        if rows:
            await asyncio.to_thread(self.log.append, rows)

    def subscribe(self, group_id: str, topics: Sequence[str]) -> Subscription:
        return EmbeddedSubscription(self, group_id, topics)

    def listen(self, topics: Sequence[str], *, from_beginning: bool = False) -> Subscription:
        return EmbeddedListener(self, topics, from_beginning=from_beginning)

    async def topics_named(self, prefix: str) -> list[str]:
        names = await asyncio.to_thread(self.log.topics_named, self.qualified(prefix))
        return [self.logical(n) for n in names]

    async def consumer_groups(self) -> list[str]:
        return await asyncio.to_thread(self.log.groups)

    async def offsets(
        self,
        topics: Sequence[str],
        groups: Sequence[str] | None = None,
        *,
        among: Collection[str] | None = None,
    ) -> OffsetsSnapshot:
        """One partition (0) per topic, offsets counted in messages from 0."""
        logical = {self.qualified(t): t for t in topics}
        if not logical:
            return OffsetsSnapshot([], {})
        wanted = groups if groups is not None else (None if among is None else list(among))
        totals, read = await asyncio.to_thread(self.log.counts, sorted(logical), wanted)
        committed: dict[str, dict[tuple[str, int], int]] = {
            group: {(logical[topic], 0): count for topic, count in by_topic.items()}
            for group, by_topic in read.items()
        }
        for group in groups or ():
            committed.setdefault(group, {})
        extents = [PartitionExtent(logical[t], 0, 0, totals[t]) for t in sorted(logical)]
        return OffsetsSnapshot(extents, committed)

    async def healthy(self) -> bool:
        if self._log is None:
            return False
        try:
            await asyncio.to_thread(self._log.ping)
        except sqlite3.Error:
            return False
        return True
