"""The topic and ACL plans generated from the catalog's departments."""

import pytest

from jrp_shared.bus.plan import (
    SERVICES,
    AclEntry,
    DepartmentAccess,
    Principals,
    acl_plan,
    topic_plan,
)
from jrp_shared.events import topics

DEPARTMENTS = [
    DepartmentAccess("tax", initiates=True, implements=True),
    DepartmentAccess("finance", initiates=False, implements=True),
    DepartmentAccess("youth-league", initiates=True, implements=False),
]


def test_every_topic_once_with_a_sanction_topic_per_department() -> None:
    plan = topic_plan(
        "prod",
        [d.code for d in DEPARTMENTS],
        partitions=6,
        replication_factor=3,
        min_insync_replicas=2,
        retention_hours=24 * 14,
    )
    names = [spec.name for spec in plan]
    assert len(names) == len(set(names))
    for code in ("tax", "finance", "youth-league"):
        assert f"prod.sanctions.v1.{code}" in names
    for logical in (topics.LIST_ENTRIES, topics.DEAD_LETTER, topics.CATALOG, topics.SUBJECTS):
        assert f"prod.{logical}" in names
    by_name = {spec.name: spec for spec in plan}
    assert {(s.partitions, s.replication_factor) for s in plan} == {(6, 3)}
    assert {s.config["min.insync.replicas"] for s in plan} == {"2"}
    assert by_name["prod.list-entries.v1"].config["retention.ms"] == str(14 * 24 * 3_600_000)
    # The catalog and calendar are rebuilt from the beginning by a new service: kept for ever.
    assert by_name["prod.catalog.v1"].config["retention.ms"] == "-1"
    # What department systems write is stamped by the broker (receiver's time), nothing else.
    stamped = {s.name for s in plan if s.config.get("message.timestamp.type") == "LogAppendTime"}
    assert stamped == {
        "prod.list-entry-submissions.v1",
        "prod.department-reports.v1",
        "prod.exchange-acks.v1",
    }
    with pytest.raises(ValueError, match="exceeds the replication factor"):
        topic_plan(
            "prod", [], partitions=1, replication_factor=1, min_insync_replicas=2, retention_hours=1
        )


def test_an_agency_reads_only_its_own_sanction_topic_and_writes_only_its_reports() -> None:
    plan = acl_plan("prod", DEPARTMENTS)
    finance = {e for e in plan if e.principal == "User:dept-finance"}
    assert finance == {
        AclEntry("User:dept-finance", "topic", "literal", "prod.sanctions.v1.finance", "read"),
        AclEntry("User:dept-finance", "group", "prefixed", "prod.dept.finance.", "read"),
        AclEntry("User:dept-finance", "topic", "literal", "prod.department-reports.v1", "write"),
    }
    league = {(e.resource, e.operation) for e in plan if e.principal == "User:dept-youth-league"}
    assert ("prod.list-entry-submissions.v1", "write") in league
    assert ("prod.department-reports.v1", "write") not in league  # it implements nothing
    # No department has any rule on another department's topic, nor a prefixed topic rule.
    for entry in plan:
        if entry.principal.startswith("User:dept-") and entry.resource_type == "topic":
            assert entry.pattern == "literal"
            if "sanctions" in entry.resource:
                assert entry.resource.endswith(entry.principal.removeprefix("User:dept-"))
                assert entry.operation == "read"


def test_each_service_gets_what_its_consumers_and_relay_need() -> None:
    plan = acl_plan("prod", DEPARTMENTS, Principals(service="User:svc-{service}"))
    rules = {(e.principal, e.resource_type, e.pattern, e.resource, e.operation) for e in plan}
    for service, access in SERVICES.items():
        who = f"User:svc-{service}"
        assert (who, "group", "prefixed", f"prod.{service}.", "read") in rules
        assert (who, "topic", "literal", "prod.dead-letter.v1", "write") in rules
        for name in access.reads:
            assert (who, "topic", "literal", f"prod.{name}", "read") in rules
        for name in access.writes:
            assert (who, "topic", "literal", f"prod.{name}", "write") in rules
    enforcement = "User:svc-enforcement"
    assert (enforcement, "topic", "prefixed", "prod.sanctions.v1.", "write") in rules
    # Enforcement sees how far each agency's groups read (lag), and may not read as them.
    assert (enforcement, "group", "prefixed", "prod.dept.", "describe") in rules
    describers = {e.principal for e in plan if e.operation == "describe"}
    assert describers == {enforcement}
    # Every service checks tokens against the departments' current credentials.
    for service in SERVICES:
        assert (f"User:svc-{service}", "topic", "literal", "prod.departments.v1", "read") in rules
    # Only enforcement writes sanction orders; no service but trigger writes list entries.
    writers = {e.principal for e in plan if e.operation == "write" and "sanctions" in e.resource}
    assert writers == {enforcement}
    entry_writers = {
        e.principal
        for e in plan
        if e.operation == "write" and e.resource.endswith("list-entries.v1")
    }
    assert entry_writers == {"User:svc-trigger"}


def test_a_rule_prints_as_a_kafka_acls_command() -> None:
    rule = AclEntry("User:dept-tax", "topic", "literal", "prod.sanctions.v1.tax", "read")
    command = rule.as_command("broker:9093")
    assert "--allow-principal 'User:dept-tax' --operation Read" in command
    assert "--topic 'prod.sanctions.v1.tax' --resource-pattern-type literal" in command


def test_an_exchange_partner_reads_the_records_and_writes_acks_and_submissions() -> None:
    partner = DepartmentAccess("fj-platform", initiates=False, implements=False, exchanges=True)
    plan = acl_plan("prod", [*DEPARTMENTS, partner])
    who = Principals().of_department("fj-platform")
    mine = {(e.resource, e.operation) for e in plan if e.principal == who}
    assert ("prod.exchange.v1", "read") in mine
    assert ("prod.exchange-acks.v1", "write") in mine
    assert ("prod.list-entry-submissions.v1", "write") in mine
    assert ("prod.department-reports.v1", "write") not in mine
    # Nobody else reads the exchange records or writes acknowledgements but the trigger.
    others = {
        e.principal
        for e in plan
        if e.resource in ("prod.exchange.v1", "prod.exchange-acks.v1")
        and e.principal.startswith("User:dept-")
    }
    assert others == {who}
    trigger = Principals().of_service("trigger")
    assert AclEntry(trigger, "topic", "literal", "prod.exchange.v1", "write") in plan
    assert AclEntry(trigger, "topic", "literal", "prod.exchange-acks.v1", "read") in plan
