"""Test fixtures for every layer (a pytest plugin, registered in the root conftest.py).

Integration fixtures use the REAL PostgreSQL and Kafka that `make test` starts
(deploy/local/infra.sh). When they are missing the test FAILS with how to start them; it never
skips itself. Isolation: each test gets its own databases (copied from a migrated template)
and its own topic namespace, so tests never see each other's rows or messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import secrets
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from jrp_shared import migrations
from jrp_shared.auth import TokenIssuer, generate_keypair
from jrp_shared.identifiers import (
    organisation_code_check_character,
    resident_id_check_character,
    uscc_check_character,
)

T = TypeVar("T")


def sample_uscc(n: int, *, division: str = "350100") -> str:
    """A valid USCC per n: a market-regulated enterprise (Fuzhou by default), organisation
    code from n."""
    body8 = f"{n:08d}"
    first17 = f"91{division}{body8}{organisation_code_check_character(body8)}"
    return first17 + uscc_check_character(first17)


def sample_resident_id(n: int) -> str:
    """A valid resident ID per n (born 1950-1999, Fuzhou)."""
    born = date(1950, 1, 1) + timedelta(days=n % 18_000)
    first17 = f"350102{born:%Y%m%d}{n // 18_000 % 1000:03d}"
    return first17 + resident_id_check_character(first17)


_HOW = "start them with `make infra` (or run `make test`, which does)"


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: this integration test needs the real server; {_HOW}")
    return value


@dataclass(frozen=True)
class Keys:
    private_key_file: Path
    public_key_file: Path
    issuer: TokenIssuer

    def token(self, department: str, *roles: str) -> str:
        token, _ = self.issuer.issue(department, frozenset(roles))
        return token

    def headers(self, department: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(department, *roles)}"}

    def officer_headers(
        self, department: str, officer: str, *roles: str, version: int = 1
    ) -> dict[str, str]:
        """One of `department`'s officers (docs/security.md, "Officers"): its decisions record
        `officer` besides the department."""
        token, _ = self.issuer.issue(
            department, frozenset(roles), officer=officer, officer_version=version
        )
        return {"Authorization": f"Bearer {token}"}

    def subject_headers(self, subject_code: str, agent: str = "credit-office") -> dict[str, str]:
        """A subject acting through the portal `agent` (DOMAIN.md §7, §8)."""
        token, _ = self.issuer.issue_for_subject(subject_code, agent=agent)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    directory = tmp_path_factory.mktemp("keys")
    private_pem, public_pem = generate_keypair()
    (directory / "private.pem").write_text(private_pem)
    (directory / "public.pem").write_text(public_pem)
    return Keys(
        directory / "private.pem",
        directory / "public.pem",
        TokenIssuer(private_pem, issuer="jrp-registry", audience="jrp"),
    )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _required_env("JRP_TEST_KAFKA_BOOTSTRAP")


@pytest.fixture
async def namespace() -> AsyncIterator[str]:
    """A topic namespace of this test's own; its topics are deleted from the test broker
    afterwards (each partition holds open files on the broker: a whole run's namespaces
    left in place would exhaust its file descriptors)."""
    name = f"t{uuid.uuid4().hex[:12]}"
    yield name
    bootstrap = os.environ.get("JRP_TEST_KAFKA_BOOTSTRAP")
    if bootstrap:
        await delete_namespace_topics(bootstrap, name)


async def delete_namespace_topics(bootstrap: str, namespace: str) -> None:
    """Delete every topic of `namespace` on the broker (best effort: a broker that is away
    or a test that made no topic leaves nothing to do)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        await admin.start()
        names = [t for t in await admin.list_topics() if t.startswith(f"{namespace}.")]
        if names:
            await admin.delete_topics(names, timeout_ms=10_000)
    except Exception:  # cleanup only: never fail a test for it
        pass
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


class PostgresDatabases:
    """Hands out fresh databases: one migrated template per service, copied per test."""

    def __init__(self, admin_url: str) -> None:
        self._admin_url = admin_url
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._lock = asyncio.Lock()

    def _url(self, database: str) -> str:
        base, _, _ = self._admin_url.rpartition("/")
        return f"{base}/{database}"

    def _dsn(self) -> str:
        return self._admin_url.replace("postgresql+asyncpg://", "postgresql://")

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(self._dsn())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def fresh(self, service: str, script_location: Path) -> str:
        """The URL of a new, migrated, empty database for `service`."""
        async with self._lock:
            template = self._templates.get(service)
            if template is None:
                template = f"tpl_{service}_{uuid.uuid4().hex[:8]}"
                await self._execute(f'CREATE DATABASE "{template}"')
                self._created.append(template)
                await asyncio.to_thread(migrations.upgrade, script_location, self._url(template))
                self._templates[service] = template
            name = f"t_{service}_{uuid.uuid4().hex[:10]}"
            await self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self._created.append(name)
        return self._url(name)

    async def empty(self) -> str:
        """The URL of a new database with no tables (for library-level tests)."""
        name = f"t_empty_{uuid.uuid4().hex[:10]}"
        async with self._lock:
            await self._execute(f'CREATE DATABASE "{name}"')
            self._created.append(name)
        return self._url(name)

    async def drop_all(self) -> None:
        for name in reversed(self._created):
            await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[PostgresDatabases]:
    databases = PostgresDatabases(_required_env("JRP_TEST_POSTGRES_URL"))
    yield databases
    await databases.drop_all()


class _Server(Protocol):
    directory: Path

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


@asynccontextmanager
async def started(server: S) -> AsyncIterator[S]:
    """A server of deploy/local's scripts started, then stopped and its directory removed."""
    try:
        await server.start()
        yield server
    finally:
        try:
            await server.stop()
        finally:
            shutil.rmtree(server.directory, ignore_errors=True)


async def run_script(script: Path, env: dict[str, str], *args: str) -> None:
    """Run one of deploy/local's scripts (`postgres.sh up`, `kafka.sh down`…); its output
    is the failure message when it fails."""
    process = await asyncio.create_subprocess_exec(
        str(script),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise AssertionError(f"{script.name} {' '.join(args)} failed:\n{output.decode()}")


class PrivatePostgres:
    """A PostgreSQL cluster of one test's own, which the test may crash and restart (the shared
    test server must never be). Driven through `deploy/local/postgres.sh` with its own
    directory and port, durable (`JRP_PG_DURABLE=1`), otherwise set up like the test server."""

    database = "jrp_private"

    def __init__(
        self, script: Path, directory: Path, port: int, databases: tuple[str, ...] = ()
    ) -> None:
        self._script = script
        self.databases = databases or (self.database,)
        self._env = {
            **os.environ,
            "JRP_PG_DIR": str(directory / "pg"),
            "JRP_PG_PORT": str(port),
            # An acknowledged commit must survive the crash, or the test measures the settings.
            "JRP_PG_DURABLE": "1",
        }
        self.directory = directory
        self.port = port
        self.url = self.url_of(self.databases[0])

    def url_of(self, database: str) -> str:
        return f"postgresql+asyncpg://jrp:jrp@127.0.0.1:{self.port}/{database}"

    async def _run(self, *args: str) -> None:
        await run_script(self._script, self._env, *args)

    async def start(self) -> None:
        """Create (first time), start and wait until it accepts connections."""
        await self._run("up", *self.databases)

    async def crash(self) -> None:
        """`pg_ctl stop -m immediate`: every connection dies, no shutdown checkpoint."""
        await self._run("crash")

    async def stop(self) -> None:
        await self._run("down")


class PrivateKafka:
    """A Kafka broker of one test's own, which the test may stop and start again (the shared
    test broker must never be): `deploy/local/kafka.sh` with its own state directory and
    ports. Its data survives a stop, as a real broker's does."""

    def __init__(self, script: Path, directory: Path, port: int, controller_port: int) -> None:
        self._script = script
        self._env = {
            **os.environ,
            "JRP_VAR_DIR": str(directory),
            "JRP_KAFKA_PORT": str(port),
            "JRP_KAFKA_CONTROLLER_PORT": str(controller_port),
        }
        self.directory = directory
        self.bootstrap = f"127.0.0.1:{port}"

    async def _run(self, *args: str) -> None:
        await run_script(self._script, self._env, *args)

    async def start(self) -> None:
        """Start (formatting its storage the first time) and wait until it serves requests."""
        await self._run("up")

    async def stop(self) -> None:
        """A controlled shutdown: every client connection closes."""
        await self._run("down")


@pytest.fixture
async def private_kafka(pytestconfig: pytest.Config) -> AsyncIterator[PrivateKafka]:
    """A started Kafka broker of this test's own (its own directory and ports)."""
    script = pytestconfig.rootpath / "deploy" / "local" / "kafka.sh"
    directory = Path(tempfile.mkdtemp(prefix="jrp-kafka-"))
    async with started(PrivateKafka(script, directory, free_port(), free_port())) as broker:
        yield broker


def _postgres_binaries_present() -> bool:
    bindir = os.environ.get("JRP_PG_BINDIR")
    if bindir:
        return os.access(os.path.join(bindir, "pg_ctl"), os.X_OK)
    return bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


def free_port() -> int:
    """A TCP port nothing listens on right now (on 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _require_postgres_binaries() -> None:
    if not _postgres_binaries_present():
        raise AssertionError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin "
            "(or JRP_PG_BINDIR): this starts and crashes a cluster of its own; "
            f"install them with `make infra` (deploy/local/postgres.sh); {_HOW}"
        )


@asynccontextmanager
async def private_cluster(
    root: Path, databases: tuple[str, ...] = ()
) -> AsyncIterator[PrivatePostgres]:
    """A started, durable PostgreSQL cluster of one's own (own directory and free port) with
    `databases`; stopped and removed on exit. For fault tests and `make chaos`."""
    _require_postgres_binaries()
    script = root / "deploy" / "local" / "postgres.sh"
    # Under /tmp, world-traversable: when run as root the server runs as `postgres`.
    directory = Path(tempfile.mkdtemp(prefix="jrp-pg-"))
    os.chmod(directory, 0o755)
    async with started(PrivatePostgres(script, directory, free_port(), databases)) as cluster:
        yield cluster


@pytest.fixture
async def private_postgres(pytestconfig: pytest.Config) -> AsyncIterator[PrivatePostgres]:
    """A started PostgreSQL cluster of this test's own (its own directory and port)."""
    try:
        _require_postgres_binaries()
    except AssertionError as exc:
        pytest.fail(str(exc))
    async with private_cluster(pytestconfig.rootpath) as cluster:
        yield cluster


SECURED_KAFKA_SERVICES = ("registry", "trigger", "enforcement", "appeals")
SECURED_KAFKA_DEPARTMENTS = ("tax", "finance", "court", "market")
"""The principals a secured broker knows besides its administrator: `jrp-<service>` and
`dept-<code>` (the names `jrp_shared.bus.plan.Principals` gives by default)."""


class SecuredKafka:
    """A second Kafka broker of the test session's own, with SASL/SCRAM and an authorizer
    (`deploy/local/kafka.sh` in secured mode): nothing is allowed that no ACL allows, except
    to its administrator (`admin`, a super user). The shared broker is never touched."""

    administrator = "admin"

    def __init__(self, script: Path, directory: Path, port: int, controller_port: int) -> None:
        self._script = script
        self.directory = directory
        self.bootstrap = f"127.0.0.1:{port}"
        self.users = (
            self.administrator,
            *(f"jrp-{s}" for s in SECURED_KAFKA_SERVICES),
            *(f"dept-{d}" for d in SECURED_KAFKA_DEPARTMENTS),
        )
        users_file = directory / "scram-users"
        with users_file.open("w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            for user in self.users:
                password = secrets.token_urlsafe(24)
                out.write(f"{user} {password}\n")
                self.password_file(user).write_text(password, encoding="utf-8")
                self.password_file(user).chmod(0o600)
        self._env = {
            **os.environ,
            "JRP_KAFKA_DIR": str(directory / "kafka"),
            "JRP_KAFKA_PORT": str(port),
            "JRP_KAFKA_CONTROLLER_PORT": str(controller_port),
            "JRP_KAFKA_SCRAM_USERS_FILE": str(users_file),
            "JRP_KAFKA_SUPER_USER": self.administrator,
        }

    def password_file(self, user: str) -> Path:
        return self.directory / f"{user}.password"

    def settings(self, user: str) -> dict[str, Any]:
        """A service's Kafka settings to connect as `user` (SCRAM-SHA-512, no auto-create)."""
        return {
            "kafka_bootstrap_servers": self.bootstrap,
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": "SCRAM-SHA-512",
            "kafka_sasl_username": user,
            "kafka_sasl_password_file": self.password_file(user),
            "kafka_auto_create_topics": False,
        }

    def client(self, user: str) -> dict[str, Any]:
        """aiokafka keyword arguments (with the bootstrap) to connect as `user`."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": user,
            "sasl_plain_password": self.password_file(user).read_text(encoding="utf-8"),
        }

    async def _run(self, *args: str) -> None:
        await run_script(self._script, self._env, *args)

    async def start(self) -> None:
        await self._run("up")

    async def stop(self) -> None:
        await self._run("down")


@pytest.fixture(scope="session")
async def secured_kafka(pytestconfig: pytest.Config) -> AsyncIterator[SecuredKafka]:
    """One secured broker for every test of the session that needs it (~5-20 s to start);
    tests keep apart by namespace, as on the shared broker."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail(f"java not found: the secured Kafka broker runs on it; {_HOW}")
    script = pytestconfig.rootpath / "deploy" / "local" / "kafka.sh"
    directory = Path(tempfile.mkdtemp(prefix="jrp-kafka-secured-"))
    async with started(SecuredKafka(script, directory, free_port(), free_port())) as broker:
        yield broker


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 20.0, interval: float = 0.1
) -> T:
    """Poll `probe` until it returns something truthy; fail with the last value otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last: Any = None
    while loop.time() < deadline:
        result = await probe()
        if result:
            return result
        last = result
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {within}s; last value: {last!r}")


@asynccontextmanager
async def serving(app: FastAPI, name: str) -> AsyncIterator[AsyncClient]:
    """Run an app's lifespan (bus, relay, consumers) and give an HTTP client to it."""
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        AsyncClient(transport=ASGITransport(app=app), base_url=f"http://{name}") as client,
    ):
        yield client


def same_fields(example: Any, answer: Any, where: str = "") -> list[str]:
    """Where an answer's fields differ from its OpenAPI example's (values may differ; a null
    or an empty list on either side is not compared further): empty when the example shows
    the answer's shape, nested objects included (issue 17)."""
    if isinstance(example, dict) and isinstance(answer, dict):
        differences = []
        if set(example) != set(answer):
            differences.append(f"{where or '/'}: {sorted(set(example) ^ set(answer))}")
        for name in set(example) & set(answer):
            differences += same_fields(example[name], answer[name], f"{where}/{name}")
        return differences
    if isinstance(example, list) and isinstance(answer, list) and example and answer:
        return same_fields(example[0], answer[0], f"{where}/0")
    return []


async def answered_as_shown(
    client: AsyncClient,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str],
    shown: Any = None,
    status: int = 200,
) -> Any:
    """Send an example's request; fail unless the service answers `status` with the fields of
    the answer's example `shown` (see `same_fields`). Gives the answer's JSON."""
    r = await client.request(method, url, json=body, headers=headers)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    answer = r.json()
    if shown is not None:
        differences = same_fields(shown, answer)
        assert not differences, f"{method} {url}: the example's fields differ: {differences}"
    return answer


@dataclass(frozen=True)
class Delivered:
    """One message as any Kafka client outside the product sees it."""

    key: str | None
    headers: dict[str, str]
    body: dict[str, Any]


class TopicReader:
    """Reads whole topics from the beginning without a consumer group (an outside observer)."""

    def __init__(self, bootstrap: str, **client: Any) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, metadata_max_age_ms=500, fetch_max_wait_ms=20, **client
        )
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client)

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        await self._admin.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def read(self, topic: str) -> list[Delivered]:
        """Everything on `topic` so far (all partitions), in offset order per partition."""
        return (await self.read_many([topic]))[topic]

    async def read_many(self, names: Iterable[str]) -> dict[str, list[Delivered]]:
        """Everything on each topic so far, fetched together (one assignment of every
        partition, so a read of many department topics costs one fetch, not one each)."""
        wanted = list(dict.fromkeys(names))
        out: dict[str, list[Delivered]] = {name: [] for name in wanted}
        existing = set(await self._consumer.topics())
        present = [name for name in wanted if name in existing]
        if not present:
            return out
        assigned = [
            TopicPartition(d["topic"], p["partition"])
            for d in await self._admin.describe_topics(present)
            for p in d["partitions"]
        ]
        if not assigned:
            return out
        ends = await self._consumer.end_offsets(assigned)
        pending = {tp for tp in assigned if ends[tp] > 0}
        if not pending:
            return out
        self._consumer.assign(sorted(pending))
        for tp in pending:
            self._consumer.seek(tp, 0)
        while pending:
            batch = await self._consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    out[tp.topic].append(
                        Delivered(
                            record.key.decode() if record.key else None,
                            {k: v.decode() for k, v in record.headers},
                            json.loads(record.value or b"{}"),
                        )
                    )
            pending = {tp for tp in pending if await self._consumer.position(tp) < ends[tp]}
        return out
