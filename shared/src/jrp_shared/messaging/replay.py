"""Replaying dead letters: put a dead-lettered message back on its topic, once its cause is fixed.

A dead letter (`cn.jrp.dead-letter.v1`) keeps the original message whole: topic, key, headers,
value. Replaying publishes that message again, unchanged (same `ce_id`), on its source topic,
where the service's running consumer takes it through the usual path: if it fails again it is
dead-lettered again, with the new reason. Every consumer group of that topic receives it; those
that took the original the first time find its `ce_id` in their inbox and skip it, which is why
a dead letter older than the inbox horizon (`inbox_retention_hours`) is not replayed: by then
they would no longer recognise it.

Not replayable, and said so: a message that was not a valid event at all (replaying it would
fail the same way for everyone), and a message a department system posted itself (its access
token is not kept in the dead letter, so it would be refused: the department posts it again).

`find_dead_letters` reads the whole dead-letter topic with a throwaway consumer group and keeps
those matching the filter; `replay` publishes the replayable ones. Dry-run first: the command
line (`jrp-<service> replay-dead-letters`) only lists them unless given `--apply`.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from jrp_shared.bus.base import Bus, Message
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope, EnvelopeError
from jrp_shared.events.payloads import DeadLettered
from jrp_shared.messaging.inbound import AUTHORIZATION_HEADER


@dataclass(frozen=True)
class DeadLetterFilter:
    """Which dead letters to take: all those of consumers whose names start with
    `consumer_prefix` (a service's own: `<namespace>.<service>.`), narrowed by the rest."""

    consumer_prefix: str
    consumer: str | None = None
    """A consumer's full name, or its name after the prefix (e.g. `catalog-copy`)."""
    source_topic: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    event_id: str | None = None
    """The original event's `ce_id`."""

    def matches(self, letter: DeadLettered, at: datetime) -> bool:
        if not letter.consumer.startswith(self.consumer_prefix):
            return False
        if self.consumer is not None and self.consumer not in (
            letter.consumer,
            letter.consumer.removeprefix(self.consumer_prefix),
        ):
            return False
        if self.source_topic is not None and letter.source_topic != self.source_topic:
            return False
        if self.since is not None and at < self.since:
            return False
        if self.until is not None and at >= self.until:
            return False
        return self.event_id is None or letter.headers.get("ce_id") == self.event_id


@dataclass(frozen=True)
class DeadLetter:
    letter_id: str
    at: datetime
    letter: DeadLettered
    message: Message | None
    """The original message to publish again; None when it cannot be replayed."""
    refusal: str | None

    def as_json(self, *, replayed: bool) -> dict[str, Any]:
        return {
            "dead_letter_id": self.letter_id,
            "dead_lettered_at": self.at.isoformat(),
            "consumer": self.letter.consumer,
            "source_topic": self.letter.source_topic,
            "event_id": self.letter.headers.get("ce_id"),
            "event_type": self.letter.headers.get("ce_type"),
            "reason": self.letter.reason,
            "action": "replayed" if replayed else ("skip" if self.refusal else "replay"),
            **({"why_not": self.refusal} if self.refusal else {}),
        }


def _original(letter: DeadLettered) -> bytes:
    if letter.value_encoding == "base64":
        return base64.b64decode(letter.value)
    return letter.value.encode()


def why_not_replayable(
    letter: DeadLettered, at: datetime, now: datetime, horizon: timedelta
) -> str | None:
    """Why this dead letter must not be replayed, or None."""
    if AUTHORIZATION_HEADER in {h.lower() for h in letter.headers}:
        return (
            "posted by a department system, whose access token is not kept: "
            "ask the department to post it again"
        )
    headers = [(name, value.encode()) for name, value in letter.headers.items()]
    try:
        Envelope.from_wire(headers, _original(letter))
    except EnvelopeError:
        return "the original is not a valid event: replaying it would fail the same way"
    if now - at > horizon:
        return (
            f"older than the inbox horizon ({horizon}): consumers that took the original may "
            "no longer recognise it as a duplicate"
        )
    return None


async def find_dead_letters(
    bus: Bus,
    wanted: DeadLetterFilter,
    *,
    now: datetime,
    inbox_horizon: timedelta,
    idle_seconds: float = 5.0,
) -> list[DeadLetter]:
    """Every dead letter matching `wanted`, oldest first, each original event once (its latest
    dead letter). Reads until nothing more arrives for `idle_seconds`."""
    reader = bus.subscribe(
        f"{wanted.consumer_prefix}replay-reader.{uuid.uuid4().hex[:12]}", [topics.DEAD_LETTER]
    )
    await reader.start()
    found: dict[str, DeadLetter] = {}
    try:
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while loop.time() - quiet_since < idle_seconds:
            records = await reader.poll(max_records=500, timeout_ms=500)
            if not records:
                continue
            quiet_since = loop.time()
            for record in records:
                try:
                    envelope = Envelope.from_wire(record.headers, record.value)
                    letter = DeadLettered.model_validate(envelope.data)
                except (EnvelopeError, ValidationError):
                    continue  # not a dead letter of this mesh
                if not wanted.matches(letter, envelope.time):
                    continue
                refusal = why_not_replayable(letter, envelope.time, now, inbox_horizon)
                message = None
                if refusal is None:
                    message = Message(
                        topic=letter.source_topic,
                        key=letter.key,
                        headers=tuple((h, v.encode()) for h, v in letter.headers.items()),
                        value=_original(letter),
                    )
                original = letter.headers.get("ce_id") or envelope.id
                found[f"{letter.source_topic}/{original}"] = DeadLetter(
                    envelope.id, envelope.time, letter, message, refusal
                )
            await reader.commit(records)  # a throwaway group: only so the next poll moves on
    finally:
        await reader.stop()
    return sorted(found.values(), key=lambda d: d.at)


async def replay(bus: Bus, letters: Sequence[DeadLetter]) -> int:
    """Publish the replayable originals again, in the order they were dead-lettered."""
    messages = [d.message for d in letters if d.message is not None]
    await bus.publish(messages)
    return len(messages)
