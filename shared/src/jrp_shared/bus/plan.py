"""What a secured Kafka cluster must hold for the mesh: every topic, and who may do what.

Plain data, no client: `topic_plan` lists every topic the mesh uses (one sanction topic per
department of the catalog included) with its partitions, replication and retention;
`acl_plan` lists the ACLs, generated from the catalog's departments. `jrp-registry
provision-topics` and `jrp-registry kafka-acls` print them and apply them
(`jrp_shared.bus.provisioning`); docs/security.md (Kafka) explains the plan.

Principals. Each service has its own (`User:jrp-trigger`, …): it writes the topics it
publishes, reads the topics it consumes, and owns the consumer groups named after it
(`<namespace>.<service>.…`, see `ServiceRuntime.add_consumer`). Each department has its own
(`User:dept-<code>`): it reads only its own sanction topic, with consumer groups under
`<namespace>.dept.<code>.`; it writes only what it may send — execution feedback if it
implements measures, list-entry submissions if it initiates lists (DOMAIN.md §5). An exchange
partner (another credit platform, DOMAIN.md §11) reads `exchange.v1` and writes
`exchange-acks.v1` and list-entry submissions (other regions' entries, with their origin). On the
shared inbound topics the bearer token of each message still says which department sent it
(`jrp_shared.messaging.inbound`): the ACL keeps out whoever is no department at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from jrp_shared.events import topics

ResourceType = Literal["topic", "group"]
PatternType = Literal["literal", "prefixed"]
Operation = Literal["read", "write", "describe"]

REFERENCE_TOPICS: Final = (topics.CATALOG, topics.DEPARTMENTS, topics.CALENDAR)
"""Kept for ever (`retention.ms=-1`): a service started from an empty database rebuilds its
catalog and calendar copies from the beginning of these topics. They are small and hold no
personal data."""

EVENT_TOPICS: Final = (
    topics.SUBJECTS,
    topics.LIST_ENTRY_SUBMISSIONS,
    topics.LIST_ENTRIES,
    topics.DEPARTMENT_REPORTS,
    topics.ORDER_STATUS,
    topics.APPEALS,
    topics.SUBJECT_NOTIFICATIONS,
    topics.PUBLICITY,
    topics.SUPERVISION,
    topics.EXCHANGE,
    topics.EXCHANGE_ACKS,
    topics.ENFORCEMENT_CHANGES,
    topics.DEAD_LETTER,
)
"""Kept for the broker retention (`kafka_retention_hours`), like the sanction topics."""

SANCTIONS_PREFIX: Final = topics.SANCTIONS.removesuffix("<department>")


@dataclass(frozen=True)
class ServiceAccess:
    """What one service's principal does on the bus (its consumers, followers, relay)."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    writes_prefixed: tuple[str, ...] = ()
    describes_department_groups: bool = False
    """Lists the departments' consumer groups and their offsets (DESCRIBE on the groups
    `<ns>.dept.`): enforcement's lag watch on the sanction topics (docs/operations.md)."""


SERVICES: Final[Mapping[str, ServiceAccess]] = {
    "registry": ServiceAccess(
        reads=(
            topics.APPEALS,
            topics.CALENDAR,
            topics.DEPARTMENTS,
            topics.LIST_ENTRIES,
            topics.PUBLICITY,
        ),
        writes=(topics.CATALOG, topics.SUBJECTS, topics.DEPARTMENTS, topics.CALENDAR),
    ),
    "trigger": ServiceAccess(
        reads=(
            topics.LIST_ENTRY_SUBMISSIONS,
            topics.ORDER_STATUS,
            topics.APPEALS,
            topics.SUPERVISION,
            topics.EXCHANGE_ACKS,
            topics.CATALOG,
            topics.CALENDAR,
            topics.DEPARTMENTS,
        ),
        writes=(topics.LIST_ENTRIES, topics.PUBLICITY, topics.EXCHANGE),
    ),
    "enforcement": ServiceAccess(
        reads=(
            topics.LIST_ENTRIES,
            topics.DEPARTMENT_REPORTS,
            topics.CATALOG,
            topics.CALENDAR,
            topics.DEPARTMENTS,
            topics.ENFORCEMENT_CHANGES,
            topics.SUPERVISION,
        ),
        writes=(topics.ORDER_STATUS, topics.ENFORCEMENT_CHANGES, topics.SUPERVISION),
        writes_prefixed=(SANCTIONS_PREFIX,),
        describes_department_groups=True,
    ),
    "appeals": ServiceAccess(
        reads=(
            topics.LIST_ENTRIES,
            topics.ORDER_STATUS,
            topics.PUBLICITY,
            topics.CATALOG,
            topics.CALENDAR,
            topics.DEPARTMENTS,
        ),
        writes=(topics.APPEALS, topics.SUBJECT_NOTIFICATIONS, topics.SUPERVISION),
    ),
}
"""Every service also writes dead letters and reads them (`replay-dead-letters` lists them).
Every service reads `departments.v1`: tokens are checked against each department's current
credential version (revocation, docs/security.md "Tokens")."""


@dataclass(frozen=True)
class DepartmentAccess:
    """A department of the catalog, as far as the bus is concerned."""

    code: str
    initiates: bool
    implements: bool
    exchanges: bool = False
    """an exchange partner (another credit platform, DOMAIN.md §11): reads the exchange records,
    writes their acknowledgements and other regions' list-entry submissions"""


@dataclass(frozen=True)
class Principals:
    """How principals are named: `{service}` and `{department}` are replaced."""

    service: str = "User:jrp-{service}"
    department: str = "User:dept-{department}"

    def of_service(self, name: str) -> str:
        return self.service.format(service=name)

    def of_department(self, code: str) -> str:
        return self.department.format(department=code)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    """The broker-level (qualified) name."""
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class AclEntry:
    """One ALLOW rule (READ and WRITE each imply DESCRIBE; WRITE on a topic implies the
    idempotent producer's IDEMPOTENT_WRITE on the cluster since Kafka 3.0)."""

    principal: str
    resource_type: ResourceType
    pattern: PatternType
    resource: str
    operation: Operation

    def as_command(self, bootstrap: str = "<bootstrap>") -> str:
        """The same rule for `kafka-acls.sh`, for operators who apply it themselves."""
        option = "--topic" if self.resource_type == "topic" else "--group"
        return (
            f"kafka-acls.sh --bootstrap-server {bootstrap} --command-config <admin.properties> "
            f"--add --allow-principal '{self.principal}' --operation {self.operation.title()} "
            f"{option} '{self.resource}' --resource-pattern-type {self.pattern}"
        )


def department_group_prefix(namespace: str, code: str) -> str:
    """Consumer groups a department may use to read its sanction topic."""
    return f"{namespace}.dept.{code}."


def topic_plan(
    namespace: str,
    department_codes: Iterable[str],
    *,
    partitions: int,
    replication_factor: int,
    min_insync_replicas: int,
    retention_hours: float,
) -> list[TopicSpec]:
    """Every topic the mesh uses, once, sorted by name."""
    if min_insync_replicas > replication_factor:
        raise ValueError(
            f"min_insync_replicas ({min_insync_replicas}) exceeds the replication factor "
            f"({replication_factor})"
        )
    common = {"min.insync.replicas": str(min_insync_replicas)}
    kept = {**common, "retention.ms": str(round(retention_hours * 3_600_000))}
    forever = {**common, "retention.ms": "-1"}
    logical = {name: forever for name in REFERENCE_TOPICS}
    logical |= {name: kept for name in EVENT_TOPICS}
    logical |= {topics.sanctions(code): kept for code in department_codes}
    # What department systems write is stamped by the broker: receiver's time on the bus
    # (jrp_shared.messaging.inbound), never the sender's.
    for name in topics.BROKER_TIMESTAMPED:
        logical[name] = {**logical[name], "message.timestamp.type": "LogAppendTime"}
    return [
        TopicSpec(topics.qualified(namespace, name), partitions, replication_factor, dict(config))
        for name, config in sorted(logical.items())
    ]


def acl_plan(
    namespace: str,
    departments: Sequence[DepartmentAccess],
    principals: Principals = Principals(),
    services: Mapping[str, ServiceAccess] = SERVICES,
) -> list[AclEntry]:
    """Every ALLOW rule the mesh needs; anything else is denied by the authorizer."""

    def topic(name: str) -> str:
        return topics.qualified(namespace, name)

    entries: set[AclEntry] = set()
    for service, access in services.items():
        who = principals.of_service(service)
        for name in (*access.reads, topics.DEAD_LETTER):
            entries.add(AclEntry(who, "topic", "literal", topic(name), "read"))
        for name in (*access.writes, topics.DEAD_LETTER):
            entries.add(AclEntry(who, "topic", "literal", topic(name), "write"))
        for prefix in access.writes_prefixed:
            entries.add(AclEntry(who, "topic", "prefixed", topic(prefix), "write"))
        entries.add(AclEntry(who, "group", "prefixed", f"{namespace}.{service}.", "read"))
        if access.describes_department_groups:
            entries.add(AclEntry(who, "group", "prefixed", f"{namespace}.dept.", "describe"))
    for department in departments:
        who = principals.of_department(department.code)
        sanctions = topic(topics.sanctions(department.code))
        entries.add(AclEntry(who, "topic", "literal", sanctions, "read"))
        group = department_group_prefix(namespace, department.code)
        entries.add(AclEntry(who, "group", "prefixed", group, "read"))
        if department.implements:
            reports = topic(topics.DEPARTMENT_REPORTS)
            entries.add(AclEntry(who, "topic", "literal", reports, "write"))
        if department.initiates or department.exchanges:
            submissions = topic(topics.LIST_ENTRY_SUBMISSIONS)
            entries.add(AclEntry(who, "topic", "literal", submissions, "write"))
        if department.exchanges:
            entries.add(AclEntry(who, "topic", "literal", topic(topics.EXCHANGE), "read"))
            entries.add(AclEntry(who, "topic", "literal", topic(topics.EXCHANGE_ACKS), "write"))
    return sorted(entries)
