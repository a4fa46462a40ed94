"""Apply the topic and ACL plans (`jrp_shared.bus.plan`) to a cluster, idempotently.

Run by an operator with the cluster administrator's principal (`JRP_REGISTRY_KAFKA_*`
settings), never by a service. Topics: a missing one is created; an existing one gets the
plan's configuration (retention, min.insync.replicas); a difference the broker cannot change
in place (fewer partitions than planned, another replication factor) is reported, not
forced — adding partitions would move subjects' keys to other partitions. ACLs: each rule is
created; creating a rule that exists changes nothing. Rules outside the plan are left alone
and listed by `describe_acls` for review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.client import AIOKafkaClient
from aiokafka.protocol.admin import CreateAclsRequest, DescribeAclsRequest

from jrp_shared.bus.plan import AclEntry, TopicSpec

# Kafka's wire codes (org.apache.kafka.common.acl / resource).
_RESOURCE_TYPE: Final = {"any": 1, "topic": 2, "group": 3}
_PATTERN: Final = {"any": 1, "literal": 3, "prefixed": 4}
_OPERATION: Final = {"any": 1, "read": 3, "write": 4, "describe": 8}
_ALLOW: Final = 3
_ANY_PERMISSION: Final = 1
_TOPIC_ALREADY_EXISTS: Final = 36
_RESOURCE_NAMES: Final = {v: k for k, v in _RESOURCE_TYPE.items()}
_PATTERN_NAMES: Final = {v: k for k, v in _PATTERN.items()}
_OPERATION_NAMES: Final = {v: k for k, v in _OPERATION.items()} | {2: "all"}


class ProvisioningError(RuntimeError):
    """The broker refused part of the plan (the message says which and why)."""


@dataclass(frozen=True)
class TopicOutcome:
    name: str
    action: str
    """`created`, `configured` (it existed; its configuration now follows the plan) or
    `differs` (see `detail`)."""
    detail: str = ""


def _check(errors: Sequence[tuple[str, int, str | None]], what: str) -> None:
    failed = [f"{name}: error {code} {message or ''}".strip() for name, code, message in errors]
    if failed:
        raise ProvisioningError(f"{what} refused: " + "; ".join(failed))


async def provision_topics(
    client_kwargs: dict[str, Any], specs: Sequence[TopicSpec]
) -> list[TopicOutcome]:
    admin = AIOKafkaAdminClient(**client_kwargs)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        present = [s for s in specs if s.name in existing]
        outcomes: list[TopicOutcome] = []
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.config)
                    for s in missing
                ]
            )
            errors = [
                (e[0], e[1], e[2] if len(e) > 2 else None)
                for e in response.topic_errors
                if e[1] not in (0, _TOPIC_ALREADY_EXISTS)
            ]
            _check(errors, "topic creation")
            outcomes += [TopicOutcome(s.name, "created") for s in missing]
        if present:
            responses = await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, s.name, dict(s.config)) for s in present]
            )
            errors = [
                (r[3], r[0], r[1])
                for response in responses
                for r in response.resources
                if r[0] != 0
            ]
            _check(errors, "topic configuration")
            described = {
                d["topic"]: d for d in await admin.describe_topics([s.name for s in present])
            }
            for spec in present:
                partitions = described[spec.name]["partitions"]
                replicas = {len(p["replicas"]) for p in partitions}
                problems = []
                if len(partitions) < spec.partitions:
                    problems.append(f"{len(partitions)} partitions, plan {spec.partitions}")
                if replicas != {spec.replication_factor}:
                    problems.append(f"replicas {sorted(replicas)}, plan {spec.replication_factor}")
                outcomes.append(
                    TopicOutcome(spec.name, "differs", "; ".join(problems))
                    if problems
                    else TopicOutcome(spec.name, "configured")
                )
        return sorted(outcomes, key=lambda o: o.name)
    finally:
        await admin.close()


async def apply_acls(client_kwargs: dict[str, Any], entries: Sequence[AclEntry]) -> int:
    """Create every rule (one request each); returns how many were sent."""
    client = AIOKafkaClient(**client_kwargs)
    await client.bootstrap()
    try:
        for entry in entries:
            response = await client.send(
                client.get_random_node(),
                CreateAclsRequest(
                    _RESOURCE_TYPE[entry.resource_type],
                    entry.resource,
                    _PATTERN[entry.pattern],
                    entry.principal,
                    "*",
                    _OPERATION[entry.operation],
                    _ALLOW,
                ),
            )
            _check(
                [
                    (str(entry), code, message)
                    for code, message in response.creation_responses
                    if code
                ],
                "ACL creation",
            )
        return len(entries)
    finally:
        await client.close()


async def describe_acls(client_kwargs: dict[str, Any]) -> list[AclEntry]:
    """Every ALLOW rule on topics and groups the cluster holds (for review, and the tests)."""
    client = AIOKafkaClient(**client_kwargs)
    await client.bootstrap()
    try:
        response = await client.send(
            client.get_random_node(),
            DescribeAclsRequest(
                _RESOURCE_TYPE["any"],
                None,
                _PATTERN["any"],
                None,
                None,
                _OPERATION["any"],
                _ANY_PERMISSION,
            ),
        )
        if response.error_code:
            raise ProvisioningError(f"ACL listing refused: error {response.error_code}")
        found: list[AclEntry] = []
        for resource_type, name, pattern, acls in response.resources:
            if resource_type not in (2, 3):
                continue
            for principal, _host, operation, permission in acls:
                if permission != _ALLOW or operation not in (3, 4, 8):
                    continue
                found.append(
                    AclEntry(
                        principal,
                        _RESOURCE_NAMES[resource_type],  # type: ignore[arg-type]
                        _PATTERN_NAMES[pattern],  # type: ignore[arg-type]
                        name,
                        _OPERATION_NAMES[operation],  # type: ignore[arg-type]
                    )
                )
        return sorted(found)
    finally:
        await client.close()
