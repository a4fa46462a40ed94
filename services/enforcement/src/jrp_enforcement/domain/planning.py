"""Which implementing departments act on a list entry, for whom, with which measures.

The catalog is the only legal basis for a measure (DOMAIN.md §4, 002 二(一)1): a department is
asked to apply exactly the measures the catalog in force assigns to it for the entry's list
type and the target's subject type. An enterprise's serious dishonesty also reaches its linked
persons when the list type says so (DOMAIN.md §3, 000 (十八)), each as a natural person.

One order per (implementing department, target). Its id is derived from those and the entry,
so a correction of the entry plans the same order ids again (re-issued with a new revision).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListTypePublished,
    MeasurePublished,
    OrderedMeasure,
    OrderTarget,
)
from jrp_shared.vocabulary import SubjectType, TargetRole

ORDER_ID_NAMESPACE = uuid.UUID("6f3a0c9e-2b1d-5e7a-9c44-0d8b1f2e7a61")
"""Fixed forever: changing it would give every existing order a new id."""


def order_id_for(entry_id: str, department: str, role: TargetRole, code: str) -> str:
    """Deterministic order id: uuid5 over (entry, department, target role, target code)."""
    name = "\x1f".join((entry_id, department, role.value, code))
    return str(uuid.uuid5(ORDER_ID_NAMESPACE, name))


@dataclass(frozen=True)
class Target:
    """Someone an entry reaches: the listed subject or one of its linked persons."""

    role: TargetRole
    code: str
    subject_type: SubjectType
    name: str

    def as_order_target(self) -> OrderTarget:
        return OrderTarget(
            role=self.role, code=self.code, subject_type=self.subject_type, name=self.name
        )


@dataclass(frozen=True)
class PlannedOrder:
    order_id: str
    department: str
    target: Target
    measures: tuple[OrderedMeasure, ...]


def targets_of(entry: ListEntryInForce, list_type: ListTypePublished) -> list[Target]:
    """The listed subject, then (if the list type includes them) its linked persons, each
    once per role (DOMAIN.md §3)."""
    targets = [
        Target(
            TargetRole.SUBJECT, entry.subject.code, entry.subject.subject_type, entry.subject.name
        )
    ]
    if list_type.includes_linked_persons:
        seen = {(TargetRole.SUBJECT, entry.subject.code)}
        for person in entry.linked_persons:
            role = TargetRole(person.role.value)
            if (role, person.resident_id) in seen:
                continue
            seen.add((role, person.resident_id))
            targets.append(
                Target(role, person.resident_id, SubjectType.NATURAL_PERSON, person.name)
            )
    return targets


def ordered_measure(measure: MeasurePublished) -> OrderedMeasure:
    """A catalog measure as an order carries it, mandatory or recommended (DOMAIN.md §4)."""
    return OrderedMeasure(
        code=measure.code,
        version=measure.version,
        content=measure.content,
        content_en=measure.content_en,
        kind=measure.kind,
        mandatory=measure.mandatory,
        legal_basis=measure.legal_basis,
    )


def plan_orders(
    entry: ListEntryInForce,
    list_type: ListTypePublished,
    measures_in_force: Iterable[MeasurePublished],
) -> list[PlannedOrder]:
    """The orders an entry in force calls for, sorted by department, then target.

    A measure applies to a target when its `list_types` name the entry's list type and its
    `applies_to` names the target's subject type. Departments with no applicable measure for
    a target get no order for it.
    """
    if list_type.code != entry.list_type:
        raise ValueError(f"list type {list_type.code} is not the entry's {entry.list_type}")
    applicable = sorted(
        (m for m in measures_in_force if entry.list_type in m.list_types), key=lambda m: m.code
    )
    plans: list[PlannedOrder] = []
    for target in targets_of(entry, list_type):
        by_department: dict[str, list[OrderedMeasure]] = {}
        for measure in applicable:
            if target.subject_type in measure.applies_to:
                by_department.setdefault(measure.implementing_department, []).append(
                    ordered_measure(measure)
                )
        for department, ordered in by_department.items():
            plans.append(
                PlannedOrder(
                    order_id=order_id_for(entry.entry_id, department, target.role, target.code),
                    department=department,
                    target=target,
                    measures=tuple(ordered),
                )
            )
    roles = list(TargetRole)
    plans.sort(key=lambda p: (p.department, roles.index(p.target.role), p.target.code))
    return plans
