"""Dead letters waiting: this service's dead letters whose event has not been taken since.

Every replica follows `dead-letter.v1` from its beginning (a `Follower`, no consumer group:
the topic is small, and every replica must give the same answer) and keeps the dead letters
of this service's consumers (`<namespace>.<service>.` names, as `replay-dead-letters` selects
them), one per consumer and original event id (`ce_id`). A dead letter stops waiting when
its event is in that consumer's inbox: it was replayed (`replay-dead-letters --apply`) and
taken, or the same event came again and was taken. One older than the inbox horizon stops
counting too: it can no longer be replayed (`jrp_shared.messaging.replay`). What is left is
`jrp_dead_letters_waiting{consumer, replayable}` and the `/readyz` detail. A dead letter that
cannot be replayed (not a valid event; posted by a department system) waits until the
department posts it again or the horizon passes: an operator reads it, nobody replays it.

Why this way and not a count kept in memory: replay runs in another process (the command
line), replicas share the dead letters, and a restart must not forget them; the topic and the
inbox are where the truth already is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, tuple_

from jrp_shared.bus.base import Bus
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import DeadLettered, EventPayload
from jrp_shared.logging import get_logger
from jrp_shared.messaging.broadcast import Follower
from jrp_shared.messaging.replay import why_not_replayable
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.transient import is_transient

log = get_logger(__name__)

_INBOX_CHUNK = 500


@dataclass(frozen=True)
class Waiting:
    consumer: str
    event_id: str | None
    """The original event's `ce_id` (None: the original was not an event)."""
    at: datetime
    replayable: bool


class DeadLetterWatch:
    def __init__(
        self,
        bus: Bus,
        db: Database,
        tables: MessagingTables,
        metrics: ServiceMetrics,
        *,
        consumer_prefix: str,
        inbox_horizon: timedelta,
        refresh_seconds: float = 15.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._bus = bus
        self._db = db
        self._inbox = tables.inbox
        self._metrics = metrics
        self._prefix = consumer_prefix
        self._horizon = inbox_horizon
        self._refresh_seconds = refresh_seconds
        self._now = now
        self._waiting: dict[str, Waiting] = {}
        self._consumers: set[str] = set()

    def watch(self, consumer: str) -> None:
        """A consumer of this service: its gauge shows 0 rather than nothing."""
        self._consumers.add(consumer)

    def take(self, envelope: Envelope, payload: EventPayload) -> None:
        """One record of `dead-letter.v1` (a `Follower`'s apply)."""
        if not isinstance(payload, DeadLettered) or not payload.consumer.startswith(self._prefix):
            return
        letter = payload
        event_id = letter.headers.get("ce_id")
        key = f"{letter.consumer}/{letter.source_topic}/{event_id or envelope.id}"
        refusal = why_not_replayable(letter, envelope.time, self._now(), self._horizon)
        self._waiting[key] = Waiting(
            letter.consumer, event_id, envelope.time, replayable=refusal is None
        )

    async def resolve(self) -> dict[str, int]:
        """Drop what was taken since or is past the horizon; refresh the gauge."""
        oldest = self._now() - self._horizon
        for key in [k for k, w in self._waiting.items() if w.at < oldest]:
            del self._waiting[key]
        pending = {(w.consumer, w.event_id): k for k, w in self._waiting.items() if w.event_id}
        pairs = list(pending)
        inbox = self._inbox
        async with self._db.sessions() as session:
            for i in range(0, len(pairs), _INBOX_CHUNK):
                chunk = pairs[i : i + _INBOX_CHUNK]
                taken = await session.execute(
                    select(inbox.c.consumer, inbox.c.event_id).where(
                        tuple_(inbox.c.consumer, inbox.c.event_id).in_(chunk)
                    )
                )
                for consumer, event_id in taken:
                    self._waiting.pop(pending[(consumer, event_id)], None)
        counts = {(c, r): 0 for c in self._consumers for r in ("true", "false")}
        for w in self._waiting.values():
            label = (w.consumer, "true" if w.replayable else "false")
            counts[label] = counts.get(label, 0) + 1
        self._metrics.dead_letters_waiting.clear()
        for (consumer, replayable), count in counts.items():
            self._metrics.dead_letters_waiting.labels(consumer, replayable).set(count)
        return self.summary()

    def summary(self) -> dict[str, int]:
        replayable = sum(1 for w in self._waiting.values() if w.replayable)
        return {"replayable": replayable, "not_replayable": len(self._waiting) - replayable}

    async def _resolve_every(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.resolve()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_transient(exc):  # the database away is /readyz's to report
                    log.exception("dead-letter count failed; will retry")

    async def run(self) -> None:
        follower = Follower(
            self._bus, [topics.DEAD_LETTER], name="dead-letters-waiting", from_beginning=True
        )
        await asyncio.gather(follower.run(self.take), self._resolve_every())
