"""Every list entry of a subject, from the registry's projection of `list-entries.v1`
(adapters/entries.py), as the credit record shows it: with the list type's and the deciding
department's names."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters.entries import EntryRepository
from jrp_registry.adapters.publicity import PublicityRepository
from jrp_registry.adapters.repositories import CatalogRepository, DepartmentRepository
from jrp_registry.domain.credit_record import RecordedDecision, RecordedEntry
from jrp_shared.events.payloads import ListEntryInForce


async def entries_of(session: AsyncSession, code: str, at: datetime) -> list[RecordedEntry]:
    """The entries on which `code` is the listed subject, whatever their state."""
    stored = await EntryRepository(session).entries_of(code)
    catalog = CatalogRepository(session)
    departments = DepartmentRepository(session)
    list_type_names: dict[str, str] = {}
    department_names: dict[str, str] = {}
    found = []
    for e in stored:
        if e.list_type not in list_type_names:
            latest = await catalog.list_types.latest(e.list_type)
            list_type_names[e.list_type] = latest.definition.name if latest else e.list_type
        if e.initiating_department not in department_names:
            department = await departments.get(e.initiating_department)
            department_names[e.initiating_department] = (
                department[0].name if department else e.initiating_department
            )
        record = ListEntryInForce.model_validate(e.payload)
        found.append(
            RecordedEntry(
                entry_id=e.entry_id,
                version=e.version,
                status=e.status,
                list_type=e.list_type,
                list_type_name=list_type_names[e.list_type],
                colour=str(e.colour),
                disclosure_class=e.disclosure_class,
                grounds=record.grounds,
                legal_basis=record.legal_basis,
                initiating_department=e.initiating_department,
                department_name=department_names[e.initiating_department],
                decision_number=record.decision_document.number,
                decision_date=record.decision_document.date,
                period_start=e.period_start,
                period_end=e.period_end,
            )
        )
    return found


async def decisions_of(session: AsyncSession, code: str, today: date) -> list[RecordedDecision]:
    """The subject's double-publicity decisions within their publication period (§12)."""
    departments = DepartmentRepository(session)
    names: dict[str, str] = {}
    found = []
    for d in await PublicityRepository(session).published_for(code, today):
        if d.department not in names:
            department = await departments.get(d.department)
            names[d.department] = department[0].name if department else d.department
        if d.penalty is not None:
            content = d.penalty.content
        elif d.licence is not None:
            content = d.licence.content
        else:
            content = ""
        found.append(
            RecordedDecision(
                decision_id=d.decision_id,
                version=d.version,
                kind=str(d.kind),
                department=d.department,
                department_name=names[d.department],
                decision_number=d.decision_number,
                decision_date=d.decision_date,
                content=content,
                publication_ends=d.publication_ends,
            )
        )
    return found
