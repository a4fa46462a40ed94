"""Following topics on every replica: state a replica keeps in memory, fed from every change.

A consumer group gives each event to one member: right for effects stored in the database
(each happens once), wrong for what each replica keeps in memory (an index, a calendar),
which must learn every change whoever stored it. A `Follower` reads the topics without a
group (`Bus.listen`): every replica sees every event. It changes nothing durable, so it needs
no inbox; what it feeds must be idempotent (reloading a row, loading a schedule again).

Its position is fixed by `start()`: call it before reading the state the events update
(the database), and nothing committed after that read is missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from jrp_shared.bus.base import Bus, Subscription
from jrp_shared.events.envelope import Envelope, EnvelopeError
from jrp_shared.events.payloads import EventPayload, payload_class
from jrp_shared.logging import get_logger

log = get_logger(__name__)

Apply = Callable[[Envelope, EventPayload], None]


class Follower:
    def __init__(
        self,
        bus: Bus,
        topics: Sequence[str],
        *,
        name: str,
        from_beginning: bool = False,
        batch_size: int = 500,
        timeout_ms: int = 200,
        retry_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self._bus = bus
        self._topics = list(topics)
        self._from_beginning = from_beginning
        self._batch_size = batch_size
        self._timeout_ms = timeout_ms
        self._retry_seconds = retry_seconds
        self._subscription: Subscription | None = None
        self.started = asyncio.Event()

    async def start(self) -> None:
        """Fix the position (end of the topics now, or their beginning), retrying until the
        bus answers."""
        while self._subscription is None:
            subscription = self._bus.listen(self._topics, from_beginning=self._from_beginning)
            try:
                await subscription.start()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "follower could not start; retrying", follower=self.name, error=str(exc)
                )
                await asyncio.sleep(self._retry_seconds)
                continue
            self._subscription = subscription
        self.started.set()

    async def stop(self) -> None:
        subscription, self._subscription = self._subscription, None
        self.started.clear()
        if subscription is not None:
            try:  # bounded: a shutdown never waits on a broker that does not answer
                await asyncio.wait_for(subscription.stop(), timeout=5.0)
            except Exception as exc:  # a timeout included
                log.warning("follower did not stop cleanly", follower=self.name, error=str(exc))

    async def poll(self) -> list[tuple[Envelope, EventPayload]]:
        """The next events (decoded and validated; anything else is logged and skipped: the
        consumer group of the same topic, if any, dead-letters it once)."""
        assert self._subscription is not None, "start() the follower first"
        records = await self._subscription.poll(
            max_records=self._batch_size, timeout_ms=self._timeout_ms
        )
        events: list[tuple[Envelope, EventPayload]] = []
        for record in records:
            try:
                envelope = Envelope.from_wire(record.headers, record.value)
                model = payload_class(envelope.type)
                if model is None:
                    continue
                events.append((envelope, model.model_validate(envelope.data)))
            except (EnvelopeError, ValidationError) as exc:
                log.warning(
                    "follower skipped a malformed message",
                    follower=self.name,
                    topic=record.topic,
                    offset=record.offset,
                    error=str(exc),
                )
        return events

    async def run(self, apply: Apply) -> None:
        """Start (if not yet) and apply every event until cancelled; a failed poll is
        retried from the same position."""
        await self.start()
        try:
            while True:
                try:
                    events = await self.poll()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning(
                        "follower poll failed; retrying", follower=self.name, error=str(exc)
                    )
                    await asyncio.sleep(self._retry_seconds)
                    continue
                for envelope, payload in events:
                    apply(envelope, payload)
        finally:
            await self.stop()
