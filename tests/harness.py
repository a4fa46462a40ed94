"""Cross-service test harness: the mesh over the real broker. Each service runs in-process
on its own PostgreSQL database, all on one real Kafka broker under a namespace of the test's."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from httpx import AsyncClient

from jrp_appeals import cli as appeals_cli
from jrp_appeals.app import create_app as create_appeals
from jrp_appeals.config import AppealsSettings
from jrp_enforcement import cli as enforcement_cli
from jrp_enforcement.app import create_app as create_enforcement
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.cli import MIGRATIONS as REGISTRY_MIGRATIONS
from jrp_registry.config import RegistrySettings
from jrp_registry.testing import RegistryUnderTest, running_registry
from jrp_shared.bus.base import Message
from jrp_shared.events import topics
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.settings import ServiceSettings
from jrp_shared.testing import Keys, PostgresDatabases, serving
from jrp_trigger import cli as trigger_cli
from jrp_trigger.app import create_app as create_trigger
from jrp_trigger.config import TriggerSettings


@dataclass
class Service:
    name: str
    app: FastAPI
    client: AsyncClient

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime


@dataclass
class Mesh:
    registry: RegistryUnderTest
    followers: dict[str, Service]
    namespace: str
    keys: Keys
    kafka_bootstrap: str
    kafka_client: dict[str, Any] = field(default_factory=dict)
    """How an outside client connects (TLS/SASL arguments): empty on the shared broker."""
    databases: dict[str, str] = field(default_factory=dict)
    """Each service's database URL: give them to `running_mesh` to restart the mesh on them."""

    def topic(self, logical: str) -> str:
        return topics.qualified(self.namespace, logical)

    async def send(self, *messages: Message) -> None:
        """Post messages as a department system would (straight to the broker)."""
        producer = AIOKafkaProducer(bootstrap_servers=self.kafka_bootstrap, **self.kafka_client)
        await producer.start()
        try:
            for message in messages:
                await producer.send_and_wait(
                    self.topic(message.topic),
                    message.value,
                    key=message.key.encode() if message.key else None,
                    headers=list(message.headers),
                )
        finally:
            await producer.stop()


def key_secret_file(keys: Keys) -> Path:
    """The platform secret of the message-key pseudonyms, one for the test session."""
    path = keys.private_key_file.parent / "kafka-key-secret"
    if not path.exists():
        path.write_bytes(secrets.token_hex(32).encode())
        path.chmod(0o600)
    return path


@asynccontextmanager
async def running_mesh(
    postgres: PostgresDatabases,
    keys: Keys,
    kafka_bootstrap: str,
    namespace: str,
    *,
    service_settings: Callable[[str], dict[str, Any]] = lambda _service: {},
    kafka_client: dict[str, Any] | None = None,
    databases: Mapping[str, str] | None = None,
    **overrides: Any,
) -> AsyncIterator[Mesh]:
    """The four services in this process. `overrides`: settings given to every service (e.g.
    short retention horizons); `service_settings(name)`: settings of that service's own (e.g.
    its Kafka principal); `kafka_client`: how the test itself connects, as an outside client;
    `databases`: a stopped mesh's `Mesh.databases`, to start it again on them (a restart),
    rather than on fresh ones."""

    async def database(name: str, migrations: Path) -> str:
        url = databases[name] if databases else await postgres.fresh(name, migrations)
        urls[name] = url
        return url

    urls: dict[str, str] = {}
    common: dict[str, Any] = {
        "bus": "kafka",
        "kafka_bootstrap_servers": kafka_bootstrap,
        "kafka_key_secret_file": key_secret_file(keys),
        "topic_namespace": namespace,
        "auth_public_key_file": keys.public_key_file,
        "log_json": False,
        **overrides,
    }
    registry_settings = RegistrySettings(
        database_url=await database("registry", REGISTRY_MIGRATIONS),
        signing_key_file=keys.private_key_file,
        **{**common, **service_settings("registry")},
    )
    followers: dict[str, tuple[Callable[..., FastAPI], type[ServiceSettings], Path]] = {
        "trigger": (create_trigger, TriggerSettings, trigger_cli.MIGRATIONS),
        "enforcement": (create_enforcement, EnforcementSettings, enforcement_cli.MIGRATIONS),
        "appeals": (create_appeals, AppealsSettings, appeals_cli.MIGRATIONS),
    }
    async with AsyncExitStack() as stack:
        registry = await stack.enter_async_context(running_registry(registry_settings, keys))
        services = {}
        for name, (factory, settings_class, migrations) in followers.items():
            settings = settings_class(
                database_url=await database(name, migrations),
                **{**common, **service_settings(name)},
            )
            app = factory(settings)
            client = await stack.enter_async_context(serving(app, name))
            services[name] = Service(name, app, client)
        yield Mesh(registry, services, namespace, keys, kafka_bootstrap, kafka_client or {}, urls)
