"""Use cases of the registry. Each loads through the unit of work, calls the domain, emits the
events the change makes, and commits once: state and events in one transaction (outbox)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import anyio.to_thread
from anyio import CapacityLimiter

from jrp_registry.adapters.repositories import (
    LISTED,
    CalendarRepository,
    CatalogRepository,
    DepartmentRepository,
    SubjectRepository,
    VersionRepository,
)
from jrp_registry.domain import catalog, departments, subjects
from jrp_registry.domain.catalog import (
    CatalogContext,
    D,
    DepartmentDefinition,
    DomainDefinition,
    ListTypeDefinition,
    MeasureDefinition,
)
from jrp_registry.domain.subjects import Subject, SubjectRevision
from jrp_shared.auth import TokenIssuer
from jrp_shared.calendar import YearSchedule
from jrp_shared.errors import Conflict, FieldProblem, InvalidInput, NotFound, Unauthenticated
from jrp_shared.events.payloads import (
    CalendarScheduleLoaded,
    DepartmentPublished,
    EventPayload,
    LinkedPersonRecord,
    ListTypePublished,
    MeasurePublished,
    SubjectRecorded,
)
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.logging import get_logger
from jrp_shared.messaging.uow import UnitOfWork
from jrp_shared.vocabulary import LinkedPersonRole, SubjectType

log = get_logger(__name__)

People = list[tuple[LinkedPersonRole, str, str]]


# --- subjects -----------------------------------------------------------------------------------


def _subject_event(subject: Subject) -> SubjectRecorded:
    return SubjectRecorded(
        code=subject.code,
        subject_type=subject.subject_type,
        name=subject.name,
        division_code=subject.division_code,
        revision=subject.revision,
        linked_persons=[
            LinkedPersonRecord(role=p.role, name=p.name, resident_id=p.resident_id)
            for p in subject.linked_persons
        ],
    )


def _shown(code: str) -> str:
    """A code as it may appear in a message: an 18-character one may be a resident ID (§2)."""
    return mask_resident_id(code) if len(code.strip()) == 18 else code


async def subject_history(uow: UnitOfWork, code: str) -> list[SubjectRevision]:
    history = await SubjectRepository(uow.session).history(code.strip().upper())
    if not history:
        raise NotFound(f"no subject {_shown(code)}")
    return history


async def register_subject(
    uow: UnitOfWork,
    *,
    code: str,
    subject_type: SubjectType,
    name: str,
    division_code: str | None,
    linked_persons: People,
    by: str,
    organisation_code_policy: Literal["warn", "reject"],
) -> Subject:
    subject = subjects.register(
        code=code,
        subject_type=subject_type,
        name=name,
        division_code=division_code,
        linked_persons=linked_persons,
        organisation_code_policy=organisation_code_policy,
    )
    repo = SubjectRepository(uow.session)
    known = await repo.get(subject.code)
    if known is not None and await repo.source(subject.code) == LISTED:
        # Known only from a list entry: the department's registration takes it over, as the
        # next revision (docs/public-lookup.md, "Every listed subject").
        subject = replace(subject, revision=known.revision + 1)
        await repo.register_over_listed(subject, by)
    elif known is not None:
        raise Conflict(f"subject {_shown(subject.code)} is already registered; update it instead")
    else:
        await repo.add(subject, by)
    uow.emit(_subject_event(subject))
    await uow.commit()
    return subject


async def update_subject(
    uow: UnitOfWork,
    code: str,
    *,
    name: str,
    division_code: str | None,
    linked_persons: People,
    by: str,
    office: bool,
    registration_authorities: Mapping[str, str],
) -> Subject:
    """A new revision, by the subject's registering authority or the office only."""
    repo = SubjectRepository(uow.session)
    current = await repo.get(code.strip().upper())
    if current is None:
        raise NotFound(f"no subject {_shown(code)}")
    subjects.require_may_change(
        current,
        created_by=await repo.created_by(current.code) or "",
        by=by,
        office=office,
        registration_authorities=registration_authorities,
    )
    revised = subjects.revise(
        current, name=name, division_code=division_code, linked_persons=linked_persons
    )
    await repo.save(revised, by)
    uow.emit(_subject_event(revised))
    await uow.commit()
    return revised


# --- catalog ------------------------------------------------------------------------------------


@dataclass
class CatalogBundle:
    """A whole catalog as read from data files."""

    effective_from: date
    domains: list[DomainDefinition]
    departments: list[DepartmentDefinition]
    list_types: list[ListTypeDefinition]
    measures: list[MeasureDefinition]
    past_editions: list[catalog.PastEdition] = field(default_factory=list)
    """Editions in force before `effective_from`, loaded first, oldest first."""


@dataclass
class LoadReport:
    domains: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    list_types: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    past_list_types: list[str] = field(default_factory=list)
    """`code@effective_from` of every past-edition version stored."""


async def _context(uow: UnitOfWork) -> CatalogContext:
    repo = CatalogRepository(uow.session)
    depts = [d for d, active in await DepartmentRepository(uow.session).all() if active]
    # The latest version of every list type, whatever its effective date.
    latest = await repo.list_types.in_force(date.max)
    colours = {v.code: v.definition.colour for v in latest}
    return CatalogContext(
        domains=frozenset(d.code for d in await repo.domains()),
        initiators=frozenset(d.code for d in depts if d.initiates),
        implementers=frozenset(d.code for d in depts if d.implements),
        list_type_colours=colours,
        departments=frozenset(d.code for d in depts),
    )


def list_type_payload(v: catalog.Version[ListTypeDefinition]) -> ListTypePublished:
    """A list type version as published (events) and as read (API): one shape."""
    return ListTypePublished(
        version=v.version, effective_from=v.effective_from, **v.definition.model_dump()
    )


def measure_payload(v: catalog.Version[MeasureDefinition]) -> MeasurePublished:
    return MeasurePublished(
        version=v.version, effective_from=v.effective_from, **v.definition.model_dump()
    )


async def _put_version(
    uow: UnitOfWork,
    repo: VersionRepository[D],
    definition: D,
    effective_from: date,
    by: str,
    payload: Callable[[catalog.Version[D]], EventPayload],
    *,
    past_edition: bool = False,
) -> catalog.Version[D] | None:
    """Store the version a change makes and emit it; None when nothing changed."""
    version = catalog.next_version(
        await repo.history(definition.code), definition, effective_from, past_edition=past_edition
    )
    if version is not None:
        await repo.add(version, by)
        uow.emit(payload(version))
    return version


async def _publish(
    uow: UnitOfWork,
    repo: VersionRepository[D],
    definition: D,
    effective_from: date,
    by: str,
    payload: Callable[[catalog.Version[D]], EventPayload],
) -> catalog.Version[D]:
    version = await _put_version(uow, repo, definition, effective_from, by, payload)
    await uow.commit()
    if version is not None:
        return version
    latest = await repo.latest(definition.code)
    assert latest is not None
    return latest


def _refuse(problems: list[str], what: str) -> None:
    """All or nothing: any problem refuses the whole change, naming every problem."""
    if problems:
        raise InvalidInput(
            f"{what} refused: {len(problems)} problem(s); nothing was stored",
            problems=[FieldProblem("catalog", "catalog_reference", p) for p in problems],
        )


async def publish_list_type(
    uow: UnitOfWork, definition: ListTypeDefinition, effective_from: date, by: str
) -> catalog.Version[ListTypeDefinition]:
    """A new version of one list type (or the current one, when nothing changed)."""
    _refuse(catalog.problems_of_list_type(definition, await _context(uow)), "list type")
    repo = CatalogRepository(uow.session).list_types
    return await _publish(uow, repo, definition, effective_from, by, list_type_payload)


async def publish_measure(
    uow: UnitOfWork, definition: MeasureDefinition, effective_from: date, by: str
) -> catalog.Version[MeasureDefinition]:
    """A new version of one measure (or the current one, when nothing changed)."""
    _refuse(catalog.problems_of_measure(definition, await _context(uow)), "measure")
    repo = CatalogRepository(uow.session).measures
    return await _publish(uow, repo, definition, effective_from, by, measure_payload)


async def load_catalog(uow: UnitOfWork, bundle: CatalogBundle, by: str) -> LoadReport:
    """Load a whole catalog edition atomically: every reference checked, all or nothing;
    unchanged entries make no new version, so loading twice changes nothing. The past editions
    go first, oldest first, each list type under the edition's date (a version in force on
    that date that already says the same makes none), then the current edition."""
    past = sorted(bundle.past_editions, key=lambda e: e.effective_from)
    problems = [
        f"repeated {kind} code {code}"
        for kind, items in (
            ("domain", [d.code for d in bundle.domains]),
            ("department", [d.code for d in bundle.departments]),
            ("list type", [t.code for t in bundle.list_types]),
            ("measure", [m.code for m in bundle.measures]),
            *((f"list type of edition {e.name}", [t.code for t in e.list_types]) for e in past),
        )
        for code in catalog.duplicates(items)
    ]
    problems += [
        f"past edition {e.name} takes effect {e.effective_from}, not before the current "
        f"edition ({bundle.effective_from})"
        for e in past
        if e.effective_from >= bundle.effective_from
    ]
    _refuse(problems, "catalog")
    report = LoadReport()
    catalog_repo = CatalogRepository(uow.session)
    for domain in bundle.domains:
        if await catalog_repo.put_domain(domain):
            report.domains.append(domain.code)
    for dept in bundle.departments:
        if await _put_department(uow, dept, by):
            report.departments.append(dept.code)
    ctx = await _context(uow)
    ctx.list_type_colours.update({t.code: t.colour for t in bundle.list_types})
    for list_type in bundle.list_types:
        problems += catalog.problems_of_list_type(list_type, ctx)
    for edition in past:
        for list_type in edition.list_types:
            problems += catalog.problems_of_list_type(list_type, ctx)
            if ctx.list_type_colours.get(list_type.code, list_type.colour) is not list_type.colour:
                problems.append(f"{list_type.code}: edition {edition.name} changes its colour")
    for measure in bundle.measures:
        problems += catalog.problems_of_measure(measure, ctx)
    _refuse(problems, "catalog")
    for edition in past:
        for list_type in edition.list_types:
            stored = await _put_version(
                uow,
                catalog_repo.list_types,
                list_type,
                edition.effective_from,
                by,
                list_type_payload,
                past_edition=True,
            )
            if stored:
                report.past_list_types.append(f"{list_type.code}@{edition.effective_from}")
    for list_type in bundle.list_types:
        if await _put_version(
            uow, catalog_repo.list_types, list_type, bundle.effective_from, by, list_type_payload
        ):
            report.list_types.append(list_type.code)
    for measure in bundle.measures:
        if await _put_version(
            uow, catalog_repo.measures, measure, bundle.effective_from, by, measure_payload
        ):
            report.measures.append(measure.code)
    await uow.commit()
    return report


# --- departments and credentials ----------------------------------------------------------------


async def _put_department(uow: UnitOfWork, department: DepartmentDefinition, by: str) -> bool:
    repo = DepartmentRepository(uow.session)
    if not await repo.put(department, by):
        return False
    await _publish_department(uow, repo, department, active=True)
    return True


async def _publish_department(
    uow: UnitOfWork, repo: DepartmentRepository, department: DepartmentDefinition, *, active: bool
) -> None:
    """The department's state on `departments.v1`, with its credential version: every service
    refuses the department's older tokens from then on (docs/security.md, "Tokens")."""
    version = await repo.credential_version(department.code)
    uow.emit(
        DepartmentPublished(**department.model_dump(), active=active, credential_version=version)
    )


async def save_department(uow: UnitOfWork, department: DepartmentDefinition, by: str) -> None:
    known = {d.code for d in await CatalogRepository(uow.session).domains()}
    _refuse([f"unknown domain {d!r}" for d in department.domains if d not in known], "department")
    await _put_department(uow, department, by)
    await uow.commit()


async def set_client_secret(uow: UnitOfWork, code: str, secret: str, by: str) -> None:
    """A new secret; the tokens issued with the old one are revoked (every service learns the
    new credential version from `departments.v1`)."""
    repo = DepartmentRepository(uow.session)
    found = await repo.get(code)
    if found is None:
        raise NotFound(f"no department {code}")
    secret_hash = await anyio.to_thread.run_sync(departments.hash_secret, secret)
    await repo.set_secret_hash(code, secret_hash, by)
    await _publish_department(uow, repo, found[0], active=found[1])
    await uow.commit()


async def department_roles(
    uow: UnitOfWork, code: str, administrators: frozenset[str], portals: frozenset[str]
) -> frozenset[str]:
    found = await DepartmentRepository(uow.session).get(code)
    if found is None or not found[1]:
        raise NotFound(f"no active department {code}")
    definition = found[0]
    return departments.roles_of(
        initiates=definition.initiates,
        implements=definition.implements,
        administers=code in administrators,
        portal=code in portals,
        exchanges=definition.exchanges,
    )


async def issue_token(
    uow: UnitOfWork,
    issuer: TokenIssuer,
    *,
    client_id: str,
    client_secret: str,
    administrators: frozenset[str],
    portals: frozenset[str],
    hashing: CapacityLimiter,
) -> tuple[str, int]:
    """OAuth2 client credentials: a short-lived token for a department with a valid secret.
    The secret is hashed in a worker thread (never on the event loop), and hashed alike for
    an unknown client id, so the answer's timing does not tell which ids exist."""
    found = await DepartmentRepository(uow.session).get(client_id)
    stored = found[2] if found is not None and found[1] else None
    matches = await anyio.to_thread.run_sync(
        departments.secret_matches, client_secret, stored, limiter=hashing
    )
    if not matches:
        raise Unauthenticated("invalid client credentials")
    roles = await department_roles(uow, client_id, administrators, portals)
    version = await DepartmentRepository(uow.session).credential_version(client_id)
    return issuer.issue(client_id, roles, credential_version=version)


def issue_subject_token(
    issuer: TokenIssuer,
    *,
    subject_code: str,
    portal: str,
    portal_credential_version: int | None,
    ttl_seconds: int,
    organisation_code_policy: Literal["warn", "reject"],
) -> tuple[str, str, int]:
    """A subject token for a code the portal has identified: (code, token, ttl). The code
    must be well formed; it need not be registered here (a subject may act before any entry
    about it reached the registry)."""
    code = subjects.identify(subject_code, "body.subject_code", organisation_code_policy)
    # The portal's credential version goes along: revoking the portal revokes its subjects'.
    token, ttl = issuer.issue_for_subject(
        code,
        agent=portal,
        ttl_seconds=ttl_seconds,
        agent_credential_version=portal_credential_version,
    )
    # Audit: who obtained a token for whom; a resident ID never appears in clear (§2).
    log.info("subject token issued", portal=portal, subject=mask_resident_id(code), ttl=ttl)
    return code, token, ttl


# --- working-day calendar (DOMAIN.md §10) -------------------------------------------------------


async def load_calendar_schedule(uow: UnitOfWork, schedule: YearSchedule, by: str) -> None:
    """An operator loads a year's official schedule; services recompute provisional deadlines."""
    await CalendarRepository(uow.session).put(schedule, by)
    uow.emit(
        CalendarScheduleLoaded(
            year=schedule.year,
            source=schedule.source,
            holidays=sorted(schedule.holidays),
            adjusted_workdays=sorted(schedule.adjusted_workdays),
        )
    )
    await uow.commit()
