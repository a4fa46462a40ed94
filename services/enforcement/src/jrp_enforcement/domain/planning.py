"""Which implementing departments act on a list entry, for whom, with which measures.

The catalog is the only legal basis for a measure (DOMAIN.md §4, 002 二(一)1): a department is
asked to apply exactly the measures the catalog in force assigns to it for the entry's list
type and the target's subject type. An enterprise's serious dishonesty also reaches its linked
persons when the list type says so (DOMAIN.md §3, 000 (十八)), each as a natural person.

A measure with conditions on the subject's record (`MeasurePublished.conditions`, DOMAIN.md §6)
is ordered only when they hold on the planning day, judged from the target's record
(domain/eligibility.py); otherwise the plan names it as withheld, with the reasons, and the
order leaves it out. A later change of the record re-plans (service_layer/entries.py).

One order per (implementing department, target). Its id is derived from those and the entry,
so a correction of the entry plans the same order ids again (re-issued with a new revision).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from jrp_enforcement.domain.eligibility import PastEntry, Unmet, unmet_conditions, with_current
from jrp_shared.events.payloads import (
    ListEntryInForce,
    ListTypePublished,
    MeasurePublished,
    OrderedMeasure,
    OrderTarget,
)
from jrp_shared.vocabulary import ListEntryStatus, SubjectType, TargetRole

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
    withheld: tuple[tuple[str, tuple[Unmet, ...]], ...] = ()
    """Conditional measures left out (code, the conditions that do not hold)."""

    def withheld_json(self) -> list[dict[str, object]]:
        """The withheld measures as the order's history keeps them."""
        return [
            {
                "measure": code,
                "reasons": [u.reason for u in unmet],
                "kinds": [u.kind for u in unmet],
            }
            for code, unmet in self.withheld
        ]


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


def as_past(entry: ListEntryInForce, status: ListEntryStatus) -> PastEntry:
    """An entry as a piece of its subject's record."""
    return PastEntry(
        entry.entry_id,
        entry.list_type,
        entry.colour,
        status,
        entry.period.start,
        entry.period.end,
    )


def plan_orders(
    entry: ListEntryInForce,
    list_type: ListTypePublished,
    measures_in_force: Iterable[MeasurePublished],
    *,
    on: date | None = None,
    records: Mapping[str, Sequence[PastEntry]] | None = None,
) -> list[PlannedOrder]:
    """The orders an entry in force calls for, sorted by department, then target.

    A measure applies to a target when its `list_types` name the entry's list type and its
    `applies_to` names the target's subject type. Departments with no applicable measure for
    a target get no order for it. A measure with conditions applies only if they hold on `on`
    (default: the period's start) for the target's record in `records` (by code; the entry
    itself is part of the listed subject's record).
    """
    if list_type.code != entry.list_type:
        raise ValueError(f"list type {list_type.code} is not the entry's {entry.list_type}")
    applicable = sorted(
        (m for m in measures_in_force if entry.list_type in m.list_types), key=lambda m: m.code
    )
    day = on or entry.period.start
    names = {list_type.code: list_type.name}
    plans: list[PlannedOrder] = []
    for target in targets_of(entry, list_type):
        by_department: dict[str, list[OrderedMeasure]] = {}
        withheld: dict[str, list[tuple[str, tuple[Unmet, ...]]]] = {}
        record: Sequence[PastEntry] | None = None
        for measure in applicable:
            if target.subject_type not in measure.applies_to:
                continue
            department = measure.implementing_department
            if measure.conditions:
                if record is None:
                    record = (records or {}).get(target.code, ())
                    if target.role is TargetRole.SUBJECT:
                        record = with_current(record, as_past(entry, ListEntryStatus.IN_FORCE))
                problems = unmet_conditions(measure, entry.list_type, record, day, names)
                if problems:
                    withheld.setdefault(department, []).append((measure.code, problems))
                    continue
            by_department.setdefault(department, []).append(ordered_measure(measure))
        for department, ordered in by_department.items():
            plans.append(
                PlannedOrder(
                    order_id=order_id_for(entry.entry_id, department, target.role, target.code),
                    department=department,
                    target=target,
                    measures=tuple(ordered),
                    withheld=tuple(withheld.get(department, ())),
                )
            )
    roles = list(TargetRole)
    plans.sort(key=lambda p: (p.department, roles.index(p.target.role), p.target.code))
    return plans
