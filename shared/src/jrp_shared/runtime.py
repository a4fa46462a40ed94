"""What one running service is made of, wired once from its settings (bootstrap).

A service builds a `ServiceRuntime` in its `create_app()`: database, bus, metrics, token
verifier, outbox relay, consumers and the outbox/inbox retention. Nothing connects at
construction; `start()` (the app's lifespan) starts the bus and the background tasks, `stop()`
ends them.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any

import httpx

from jrp_shared.auth import CredentialStates, TokenVerifier, load_public_keys
from jrp_shared.bus.base import Bus, Record
from jrp_shared.bus.factory import bus_from_settings
from jrp_shared.bus.health import BrokerWatch
from jrp_shared.db import Database
from jrp_shared.events import topics
from jrp_shared.events.envelope import Envelope, set_schema_base
from jrp_shared.events.payloads import DepartmentPublished, EventPayload, OfficerPublished
from jrp_shared.logging import get_logger
from jrp_shared.messaging.broadcast import Follower
from jrp_shared.messaging.consumer import EventConsumer, Handler, Prepare
from jrp_shared.messaging.dead_letters import DeadLetterWatch
from jrp_shared.messaging.inbound import DepartmentAuthenticator
from jrp_shared.messaging.lag_watch import ConsumerLagWatch
from jrp_shared.messaging.relay import OutboxRelay
from jrp_shared.messaging.retention import MessagingRetention
from jrp_shared.messaging.tables import MessagingTables
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.metrics import ServiceMetrics
from jrp_shared.settings import ServiceSettings
from jrp_shared.tracing import Tracing

log = get_logger(__name__)

_RELAY_FINISH_SECONDS = 10.0
_STOP_SECONDS = 10.0


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        tables: MessagingTables,
        *,
        bus: Bus | None = None,
        topics_published: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.name = settings.service_name
        # ce_dataschema of every event this process stamps (docs/events.md).
        set_schema_base(settings.event_schema_base_url)
        self.source = f"/jrp/{settings.service_name}"
        self.tables = tables
        self.db = Database(settings.database_url)
        self.bus = bus or bus_from_settings(settings)
        self.metrics = ServiceMetrics(settings.service_name)
        self.tracing = Tracing.from_settings(settings)
        """Off unless the settings name an OTLP endpoint (`jrp_shared.tracing`)."""
        self._verifier: TokenVerifier | None = None
        self.relay = OutboxRelay(
            self.db,
            tables,
            self.bus,
            self.metrics,
            batch_size=settings.relay_batch_size,
            idle_seconds=settings.relay_idle_seconds,
            tracing=self.tracing,
        )
        self.retention = MessagingRetention(
            self.db,
            tables,
            self.metrics,
            outbox_hours=settings.outbox_retention_hours,
            inbox_hours=settings.inbox_retention_hours,
            batch_size=settings.retention_batch_size,
            sweep_seconds=settings.retention_sweep_seconds,
            observe_seconds=settings.metrics_refresh_seconds,
        )
        self.broker = BrokerWatch(
            self.bus, self.metrics, probe_seconds=settings.broker_probe_seconds
        )
        self.consumer_lag = ConsumerLagWatch(
            self.bus,
            self.metrics,
            # Only consumers that joined once: their topics exist by then (describing a
            # topic that does not would let a broker with auto-creation create it).
            lambda: {c.name: c.topics for c in self.consumers if c.name in self._consumers_started},
            interval_seconds=settings.metrics_refresh_seconds,
        )
        self.dead_letters = DeadLetterWatch(
            self.bus,
            self.db,
            tables,
            self.metrics,
            consumer_prefix=f"{settings.topic_namespace}.{settings.service_name}.",
            inbox_horizon=timedelta(hours=settings.inbox_retention_hours),
            refresh_seconds=settings.metrics_refresh_seconds,
        )
        self.consumers: list[EventConsumer] = []
        self._topics_published = list(topics_published)
        self._tasks: list[asyncio.Task[None]] = []
        self._task_factories: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = []
        self._readiness_probes: dict[str, Callable[[], bool]] = {}
        self._consumers_started: set[str] = set()
        # Revocation: every replica learns each department's credential version and active
        # flag from the registry's departments.v1 (docs/security.md, "Tokens").
        self.credentials = CredentialStates()
        self.add_task("credentials-follower", self._follow_credentials)
        if settings.auth_jwks_url:
            self.add_task("key-set-refresh", self._refresh_key_set)

    @property
    def verifier(self) -> TokenVerifier:
        """Built on first use, so command-line tasks need no key; `start()` builds it early,
        so a service that serves HTTP without a key fails at start, not at its first call."""
        if self._verifier is None:
            self._verifier = TokenVerifier(
                self.settings.public_key_pem(),
                issuer=self.settings.auth_issuer,
                audience=self.settings.auth_audience,
                credentials=self.credentials,
            )
        return self._verifier

    async def _fetch_key_set(self) -> str:
        url = self.settings.auth_jwks_url
        assert url is not None
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(url)
            response.raise_for_status()
        load_public_keys(response.text)  # refuse a document without a usable key
        return response.text

    async def _refresh_key_set(self) -> None:
        """The registry's key set, fetched again every `auth_jwks_refresh_seconds`: a key
        announced there is accepted, a key withdrawn is refused, without a restart. A failed
        fetch keeps the set in use."""
        while True:
            await asyncio.sleep(self.settings.auth_jwks_refresh_seconds)
            try:
                self.verifier.replace_keys(await self._fetch_key_set())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("key set not refreshed; keeping the current one", error=str(exc))

    async def _follow_credentials(self) -> None:
        def apply(_envelope: Envelope, payload: EventPayload) -> None:
            if isinstance(payload, DepartmentPublished):
                self.credentials.learn(payload.code, payload.credential_version, payload.active)
            elif isinstance(payload, OfficerPublished):
                self.credentials.learn_officer(
                    payload.officer_id, payload.credential_version, payload.active
                )

        follower = Follower(
            self.bus, [topics.DEPARTMENTS], name=f"{self.name}.credentials", from_beginning=True
        )
        await follower.run(apply)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.tables, source=self.source, on_commit=self.relay.wake)

    def add_consumer(
        self,
        purpose: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        *,
        inbound_role: str | tuple[str, ...] | None = None,
        prepare: Prepare | None = None,
    ) -> EventConsumer:
        """A consumer group of this service; its name is also its inbox key. `inbound_role`:
        the topics carry department systems' own messages, each authenticated by its token
        and refused without that role (any of them, when several;
        `jrp_shared.messaging.inbound`)."""
        authenticate = None
        if inbound_role is not None:
            role = inbound_role
            grace = timedelta(seconds=self.settings.inbound_token_grace_seconds)

            def authenticate(record: Record, envelope: Envelope) -> str | None:
                return DepartmentAuthenticator(self.verifier, role, grace=grace)(record, envelope)

        consumer = EventConsumer(
            name=f"{self.settings.topic_namespace}.{self.name}.{purpose}",
            bus=self.bus,
            db=self.db,
            tables=self.tables,
            topics=topics,
            handlers=handlers,
            metrics=self.metrics,
            source=self.source,
            on_commit=self.relay.wake,
            max_attempts=self.settings.consumer_max_attempts,
            batch_size=self.settings.consumer_batch_size,
            authenticate=authenticate,
            prepare=prepare,
            max_message_bytes=self.settings.message_max_bytes,
            max_json_depth=self.settings.json_max_depth,
            tracing=self.tracing,
        )
        self.consumers.append(consumer)
        self.dead_letters.watch(consumer.name)
        return consumer

    def add_task(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """A background task of the service's own (e.g. an in-memory read model's loader):
        started by `start()` with the relay and consumers, cancelled by `stop()`."""
        self._task_factories.append((name, run))

    def add_readiness_check(self, name: str, probe: Callable[[], bool]) -> None:
        """One more condition `/readyz` requires (e.g. "the index is loaded")."""
        self._readiness_probes[name] = probe

    async def start(self) -> None:
        no_key_file = self._verifier is None and self.settings.auth_public_key_file is None
        if no_key_file and self.settings.auth_jwks_url:  # the registry's key set, once now
            self._verifier = TokenVerifier(
                await self._fetch_key_set(),
                issuer=self.settings.auth_issuer,
                audience=self.settings.auth_audience,
                credentials=self.credentials,
            )
        _ = self.verifier  # fail at start without a key, not at the first call
        await self.bus.start()
        if self._topics_published:
            await self.bus.ensure_topics(self._topics_published)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        self._tasks.append(asyncio.create_task(self.retention.run(), name=f"{self.name}-retention"))
        self._tasks.append(asyncio.create_task(self.broker.run(), name=f"{self.name}-broker"))
        for consumer in self.consumers:
            self._tasks.append(asyncio.create_task(consumer.run(), name=consumer.name))
            self._tasks.append(
                asyncio.create_task(self._note_start(consumer), name=f"{consumer.name}-started")
            )
        if self.consumers:
            self._tasks.append(
                asyncio.create_task(self.consumer_lag.run(), name=f"{self.name}-consumer-lag")
            )
            self._tasks.append(
                asyncio.create_task(self.dead_letters.run(), name=f"{self.name}-dead-letters")
            )
        for name, run in self._task_factories:
            self._tasks.append(asyncio.create_task(run(), name=f"{self.name}-{name}"))
        log.info("service started", bus=self.settings.bus, database=self.db.dialect)

    async def stop(self) -> None:
        # The relay finishes its batch first (bounded), then everything else is cancelled.
        relay = [t for t in self._tasks if t.get_name() == f"{self.name}-relay"]
        self.relay.finish()
        if relay:
            await asyncio.wait(relay, timeout=_RELAY_FINISH_SECONDS)
        for task in self._tasks:
            task.cancel()
        _done, stuck = await asyncio.wait(self._tasks, timeout=_STOP_SECONDS)
        for task in stuck:  # never hang a shutdown on one task; say which one and where
            log.error(
                "task did not stop when cancelled",
                task=task.get_name(),
                stack="".join(
                    line for frame in task.get_stack() for line in traceback.format_stack(frame, 1)
                ),
            )
        self._tasks.clear()
        await self.bus.stop()
        await self.db.dispose()
        await asyncio.to_thread(self.tracing.shutdown)  # flushes: may wait on the collector

    async def _note_start(self, consumer: EventConsumer) -> None:
        await consumer.ready.wait()
        self._consumers_started.add(consumer.name)

    async def readiness(self) -> dict[str, bool]:
        """Each check `/readyz` reports (see `readiness_report`)."""
        database, bus = await asyncio.gather(self.db.ping(), self.broker.probe())
        consumers = all(c.ready.is_set() and not c.stalled for c in self.consumers)
        checks = {"database": database, "bus": bus, "consumers": consumers}
        checks.update({name: probe() for name, probe in self._readiness_probes.items()})
        return checks

    async def readiness_report(self) -> tuple[bool, dict[str, Any]]:
        """Can this replica serve, and what is degraded.

        Ready means "answers right": the database is reachable, every readiness check of the
        service holds (e.g. the must-check index is loaded) and every consumer has joined its
        group once since start. The bus and the consumers are then allowed to fail: with the
        broker away the API still answers from the database and the outbox keeps the events
        owed, so the status is `degraded` (still 200), with since when the broker is away, the
        outbox backlog and the dead letters waiting (docs/operations.md)."""
        checks = await self.readiness()
        started = all(c.name in self._consumers_started for c in self.consumers)
        degradable = {"bus", "consumers"}
        essential_ok = started and all(ok for name, ok in checks.items() if name not in degradable)
        degraded = sorted(name for name in degradable if not checks[name])
        status = "not_ready" if not essential_ok else ("degraded" if degraded else "ready")
        report: dict[str, Any] = {"status": status, "checks": checks}
        if not started:
            report["starting"] = sorted(
                c.name for c in self.consumers if c.name not in self._consumers_started
            )
        if degraded:
            report["degraded"] = degraded
        report["broker"] = {
            **self.broker.as_json(),
            "seconds_since_last_publish": round(self.relay.seconds_since_publish(), 1),
        }
        if checks["database"]:
            try:
                backlog, oldest = await self.retention.backlog()
            except Exception:  # the database went away meanwhile: the check above says so
                pass
            else:
                report["outbox_backlog"] = backlog
                report["outbox_oldest_unpublished_seconds"] = round(oldest, 1)
        if self.consumers:
            report["dead_letters_waiting"] = self.dead_letters.summary()
        return essential_ok, report
