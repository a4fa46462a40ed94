"""Repositories: load and store domain objects through the unit of work's session. Never commit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from jrp_registry.adapters import orm
from jrp_registry.domain import names
from jrp_registry.domain.catalog import (
    DepartmentDefinition,
    DomainDefinition,
    ListTypeDefinition,
    MeasureDefinition,
    Version,
)
from jrp_registry.domain.subjects import LinkedPerson, Subject, SubjectRevision
from jrp_shared.calendar import YearSchedule
from jrp_shared.vocabulary import LinkedPersonRole, SubjectType


def _now() -> datetime:
    return datetime.now(UTC)


REGISTERED = "registered"
LISTED = "listed"
"""`subjects.source`: a subject a department registered here, or one known only because a
list entry named it (docs/public-lookup.md, "Every listed subject")."""
LISTED_BY = "list-entries"
"""`created_by` / `recorded_by` of what a list entry wrote (no department's own act)."""
CANDIDATES = 500
"""Name-search candidates the database hands over for ranking, at most."""


@dataclass(frozen=True)
class Candidate:
    """A subject the name search's prefilter passed, with its stored search keys."""

    code: str
    name: str
    subject_type: SubjectType
    keys: names.NameKeys


class SubjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, code: str) -> Subject | None:
        row = (
            await self._s.execute(select(orm.subjects).where(orm.subjects.c.code == code))
        ).first()
        if row is None:
            return None
        people = await self._people([code])
        return self._subject(row._mapping, people.get(code, ()))

    async def _people(self, codes: list[str]) -> dict[str, tuple[LinkedPerson, ...]]:
        lp = orm.linked_persons
        rows = await self._s.execute(
            select(lp)
            .where(lp.c.subject_code.in_(codes))
            .order_by(lp.c.subject_code, lp.c.position)
        )
        out: dict[str, list[LinkedPerson]] = {}
        for r in rows:
            out.setdefault(r.subject_code, []).append(
                LinkedPerson(LinkedPersonRole(r.role), r.name, r.resident_id)
            )
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _subject(row: Any, people: tuple[LinkedPerson, ...]) -> Subject:
        return Subject(
            code=row["code"],
            subject_type=SubjectType(row["subject_type"]),
            name=row["name"],
            division_code=row["division_code"],
            revision=row["revision"],
            linked_persons=people,
            warnings=tuple(row["warnings"]),
        )

    async def add(self, subject: Subject, by: str, *, source: str = REGISTERED) -> None:
        now = _now()
        await self._s.execute(
            insert(orm.subjects).values(
                code=subject.code,
                subject_type=subject.subject_type.value,
                name=subject.name,
                division_code=subject.division_code,
                revision=subject.revision,
                warnings=list(subject.warnings),
                created_at=now,
                created_by=by,
                updated_at=now,
                updated_by=by,
                source=source,
            )
        )
        await self._write_people(subject)
        await self._record_version(subject, now, by)
        await self._write_keys(subject.code, subject.name)

    async def listed_only(self, codes: list[str]) -> set[str]:
        """Those of `codes` the registry knows only because a list entry named them."""
        if not codes:
            return set()
        t = orm.subjects
        rows = await self._s.scalars(
            select(t.c.code).where(t.c.code.in_(codes), t.c.source == LISTED)
        )
        return set(rows)

    async def source(self, code: str) -> str | None:
        """`registered` or `listed`; None for an unknown code."""
        found: str | None = await self._s.scalar(
            select(orm.subjects.c.source).where(orm.subjects.c.code == code)
        )
        return found

    async def register_over_listed(self, subject: Subject, by: str) -> None:
        """A department registers a subject known so far only from a list entry: its data
        replace the listing's, and it becomes the department's (it may change it from now on).
        The history keeps the listed revisions."""
        now = _now()
        await self._s.execute(
            update(orm.subjects)
            .where(orm.subjects.c.code == subject.code)
            .values(
                subject_type=subject.subject_type.value,
                name=subject.name,
                division_code=subject.division_code,
                revision=subject.revision,
                warnings=list(subject.warnings),
                created_at=now,
                created_by=by,
                updated_at=now,
                updated_by=by,
                source=REGISTERED,
            )
        )
        await self._s.execute(
            delete(orm.linked_persons).where(orm.linked_persons.c.subject_code == subject.code)
        )
        await self._write_people(subject)
        await self._record_version(subject, now, by)
        await self._write_keys(subject.code, subject.name)

    async def note_listed(self, listed: Subject) -> None:
        """A subject a list entry names becomes known (`source` listed) when the registry does
        not have it; a later listing renames a listed one; a subject a department registered
        is never overwritten by a listing."""
        current = await self.get(listed.code)
        if current is None:
            await self.add(listed, LISTED_BY, source=LISTED)
        elif await self.source(listed.code) == LISTED and current.name != listed.name:
            revised = replace(current, name=listed.name, revision=current.revision + 1)
            await self.save(revised, LISTED_BY)

    async def _write_keys(self, code: str, name: str) -> None:
        keys = names.keys_of(name)
        t = orm.subject_search
        await self._s.execute(delete(t).where(t.c.code == code))
        await self._s.execute(
            insert(t).values(
                code=code, name_key=keys.name_key, pinyin=keys.pinyin, initials=keys.initials
            )
        )

    async def created_by(self, code: str) -> str | None:
        found: str | None = await self._s.scalar(
            select(orm.subjects.c.created_by).where(orm.subjects.c.code == code)
        )
        return found

    async def _record_version(self, subject: Subject, at: datetime, by: str) -> None:
        await self._s.execute(
            insert(orm.subject_versions).values(
                code=subject.code,
                revision=subject.revision,
                name=subject.name,
                division_code=subject.division_code,
                linked_persons=[
                    {"role": p.role.value, "name": p.name, "resident_id": p.resident_id}
                    for p in subject.linked_persons
                ],
                recorded_at=at,
                recorded_by=by,
            )
        )

    async def history(self, code: str) -> list[SubjectRevision]:
        """Every revision of a subject, oldest first."""
        sv = orm.subject_versions
        rows = await self._s.execute(select(sv).where(sv.c.code == code).order_by(sv.c.revision))
        return [
            SubjectRevision(
                revision=r.revision,
                name=r.name,
                division_code=r.division_code,
                linked_persons=tuple(
                    LinkedPerson(LinkedPersonRole(p["role"]), p["name"], p["resident_id"])
                    for p in r.linked_persons
                ),
                recorded_at=r.recorded_at,
                recorded_by=r.recorded_by,
            )
            for r in rows
        ]

    async def save(self, subject: Subject, by: str) -> None:
        """A new revision. Written by a department (not by a listing), a listed subject is
        the registry's own from then on: later listings no longer rename it."""
        now = _now()
        await self._s.execute(
            update(orm.subjects)
            .where(orm.subjects.c.code == subject.code)
            .values(
                name=subject.name,
                division_code=subject.division_code,
                revision=subject.revision,
                updated_at=now,
                updated_by=by,
                **({} if by == LISTED_BY else {"source": REGISTERED}),
            )
        )
        await self._s.execute(
            delete(orm.linked_persons).where(orm.linked_persons.c.subject_code == subject.code)
        )
        await self._write_people(subject)
        await self._record_version(subject, now, by)
        await self._write_keys(subject.code, subject.name)

    async def _write_people(self, subject: Subject) -> None:
        if subject.linked_persons:
            await self._s.execute(
                insert(orm.linked_persons),
                [
                    {
                        "subject_code": subject.code,
                        "position": i,
                        "role": p.role.value,
                        "name": p.name,
                        "resident_id": p.resident_id,
                    }
                    for i, p in enumerate(subject.linked_persons)
                ],
            )

    async def search(
        self, q: str | None, subject_type: SubjectType | None, limit: int, offset: int
    ) -> list[Subject]:
        """Without `q`, every subject by code. With it: the subject of that whole code, the
        organisations whose USCC starts with it, then the names it matches, ranked
        (`domain.names`)."""
        if not q:
            query = select(orm.subjects).order_by(orm.subjects.c.code).limit(limit).offset(offset)
            if subject_type is not None:
                query = query.where(orm.subjects.c.subject_type == subject_type.value)
            return await self._subjects((await self._s.execute(query)).all())
        needle = q.strip().upper()
        # A natural person is found by the whole resident ID only: a prefix would let a
        # caller recover a masked ID digit by digit (DOMAIN.md §2, §12).
        by_code = (
            select(orm.subjects.c.code)
            .where(
                or_(
                    orm.subjects.c.code == needle,
                    and_(
                        orm.subjects.c.subject_type != SubjectType.NATURAL_PERSON.value,
                        orm.subjects.c.code.startswith(needle, autoescape=True),
                    ),
                )
            )
            .order_by(orm.subjects.c.code)
            .limit(CANDIDATES)
        )
        if subject_type is not None:
            by_code = by_code.where(orm.subjects.c.subject_type == subject_type.value)
        codes = list((await self._s.scalars(by_code)).all())
        name_query = names.query_of(q)
        if name_query is not None:
            found = await self.name_candidates(name_query, subject_type)
            ranked = names.ranked(name_query, [(c.code, c.keys) for c in found])
            seen = set(codes)
            codes += [code for code, _ in ranked if code not in seen]
        page = codes[offset : offset + limit]
        rows = (
            await self._s.execute(select(orm.subjects).where(orm.subjects.c.code.in_(page)))
        ).all()
        by = {r.code: r for r in rows}
        return await self._subjects([by[c] for c in page if c in by])

    async def _subjects(self, rows: Any) -> list[Subject]:
        people = await self._people([r.code for r in rows])
        return [self._subject(r._mapping, people.get(r.code, ())) for r in rows]

    async def name_candidates(
        self, query: names.NameQuery, subject_type: SubjectType | None = None
    ) -> list[Candidate]:
        """The subjects whose search keys pass the LIKE prefilter every match passes
        (`names.like_pattern`), shortest names first, at most CANDIDATES, for ranking."""
        t, s = orm.subject_search, orm.subjects
        pattern = names.like_pattern(query.text)
        match: ColumnElement[bool] = t.c.name_key.like(pattern)
        if query.latin:
            match = or_(match, t.c.pinyin.like(pattern))
        statement = (
            select(s.c.code, s.c.name, s.c.subject_type, t.c.name_key, t.c.pinyin, t.c.initials)
            .join(t, t.c.code == s.c.code)
            .where(match)
            .order_by(func.length(t.c.name_key), s.c.code)
            .limit(CANDIDATES)
        )
        if subject_type is not None:
            statement = statement.where(s.c.subject_type == subject_type.value)
        rows = await self._s.execute(statement)
        return [
            Candidate(
                r.code,
                r.name,
                SubjectType(r.subject_type),
                names.NameKeys(r.name_key, r.pinyin, r.initials),
            )
            for r in rows
        ]


D = TypeVar("D", ListTypeDefinition, MeasureDefinition)


class VersionRepository(Generic[D]):
    """All versions of list types (or measures); 'in force on D' is the latest version whose
    effective date is on or before D."""

    def __init__(self, session: AsyncSession, table: Table, model: type[D]) -> None:
        self._s = session
        self._t = table
        self._model: type[D] = model

    def _version(self, row: Any) -> Version[D]:
        return Version(
            row.code, row.version, row.effective_from, self._model.model_validate(row.definition)
        )

    async def latest(self, code: str) -> Version[D] | None:
        """The version in force from the latest date (ties: the highest version)."""
        found = await self.in_force(date.max, code)
        return found[0] if found else None

    async def history(self, code: str) -> list[Version[D]]:
        rows = await self._s.execute(
            select(self._t).where(self._t.c.code == code).order_by(self._t.c.version)
        )
        return [self._version(r) for r in rows]

    async def in_force(self, on: date, code: str | None = None) -> list[Version[D]]:
        """Per code, `catalog.version_on`: of the versions in force by `on`, the latest
        effective date, then the highest version (a past edition loaded later has a higher
        version number and an older date)."""
        t = self._t
        rank = (
            func.row_number()
            .over(partition_by=t.c.code, order_by=(t.c.effective_from.desc(), t.c.version.desc()))
            .label("rank")
        )
        ranked = select(t, rank).where(t.c.effective_from <= on)
        if code is not None:
            ranked = ranked.where(t.c.code == code)
        sub = ranked.subquery()
        rows = await self._s.execute(select(sub).where(sub.c.rank == 1).order_by(sub.c.code))
        return [self._version(r) for r in rows]

    async def add(self, version: Version[D], by: str) -> None:
        await self._s.execute(
            insert(self._t).values(
                code=version.code,
                version=version.version,
                effective_from=version.effective_from,
                definition=version.definition.model_dump(mode="json"),
                recorded_at=_now(),
                recorded_by=by,
            )
        )


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self.list_types = VersionRepository(session, orm.list_type_versions, ListTypeDefinition)
        self.measures = VersionRepository(session, orm.measure_versions, MeasureDefinition)

    async def domains(self) -> list[DomainDefinition]:
        rows = await self._s.execute(select(orm.domains).order_by(orm.domains.c.code))
        return [DomainDefinition(code=r.code, name=r.name, name_en=r.name_en) for r in rows]

    async def put_domain(self, domain: DomainDefinition) -> bool:
        """Store a domain; True when it is new or changed."""
        existing = (
            await self._s.execute(select(orm.domains).where(orm.domains.c.code == domain.code))
        ).first()
        if existing is None:
            await self._s.execute(insert(orm.domains).values(**domain.model_dump()))
            return True
        if (existing.name, existing.name_en) == (domain.name, domain.name_en):
            return False
        await self._s.execute(
            update(orm.domains)
            .where(orm.domains.c.code == domain.code)
            .values(name=domain.name, name_en=domain.name_en)
        )
        return True


class DepartmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, code: str) -> tuple[DepartmentDefinition, bool, str | None] | None:
        row = (
            await self._s.execute(select(orm.departments).where(orm.departments.c.code == code))
        ).first()
        if row is None:
            return None
        return DepartmentDefinition.model_validate(row.definition), row.active, row.secret_hash

    async def all(self) -> list[tuple[DepartmentDefinition, bool]]:
        rows = await self._s.execute(select(orm.departments).order_by(orm.departments.c.code))
        return [(DepartmentDefinition.model_validate(r.definition), r.active) for r in rows]

    async def put(self, department: DepartmentDefinition, by: str) -> bool:
        """Store a department; True when it is new or changed."""
        found = await self.get(department.code)
        definition = department.model_dump(mode="json")
        if found is None:
            await self._s.execute(
                insert(orm.departments).values(
                    code=department.code,
                    definition=definition,
                    active=True,
                    secret_hash=None,
                    updated_at=_now(),
                    updated_by=by,
                )
            )
            return True
        if found[0] == department and found[1]:
            return False
        # Roles come from the definition: a changed one revokes the tokens issued before.
        await self._s.execute(
            update(orm.departments)
            .where(orm.departments.c.code == department.code)
            .values(
                definition=definition,
                active=True,
                credential_version=orm.departments.c.credential_version + 1,
                updated_at=_now(),
                updated_by=by,
            )
        )
        return True

    async def credential_version(self, code: str) -> int:
        """The department's current credential version (1 for a new one)."""
        found: int | None = await self._s.scalar(
            select(orm.departments.c.credential_version).where(orm.departments.c.code == code)
        )
        return found or 1

    async def set_secret_hash(self, code: str, secret_hash: str, by: str) -> None:
        """A new secret revokes every token issued before it (the credential version grows)."""
        await self._s.execute(
            update(orm.departments)
            .where(orm.departments.c.code == code)
            .values(
                secret_hash=secret_hash,
                credential_version=orm.departments.c.credential_version + 1,
                updated_at=_now(),
                updated_by=by,
            )
        )


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def all(self) -> list[YearSchedule]:
        rows = await self._s.execute(
            select(orm.calendar_schedules).order_by(orm.calendar_schedules.c.year)
        )
        return [YearSchedule.from_json(r.schedule) for r in rows]

    async def put(self, schedule: YearSchedule, by: str) -> None:
        await self._s.execute(
            delete(orm.calendar_schedules).where(orm.calendar_schedules.c.year == schedule.year)
        )
        await self._s.execute(
            insert(orm.calendar_schedules).values(
                year=schedule.year, schedule=schedule.to_json(), loaded_at=_now(), loaded_by=by
            )
        )
