"""The public credit lookup's reads (issue 13 part 1; docs/public-lookup.md): a subject by code,
subjects by name. Read only; the rules of what may be shown are `domain.publication`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from jrp_registry.adapters.entries import EntryRepository
from jrp_registry.adapters.publicity import PublicityRepository
from jrp_registry.adapters.repositories import (
    CatalogRepository,
    DepartmentRepository,
    SubjectRepository,
)
from jrp_registry.domain import names, publication
from jrp_registry.domain.catalog import ListTypeDefinition, MeasureDefinition
from jrp_registry.domain.entries import StoredEntry
from jrp_registry.domain.publicity import PublicDecision
from jrp_registry.domain.subjects import Subject
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import ListEntryInForce
from jrp_shared.vocabulary import SubjectType


@dataclass(frozen=True)
class PublicCatalog:
    """The catalog in force today, as the public lookup words it."""

    list_types: dict[str, ListTypeDefinition]
    measures: list[MeasureDefinition]
    department_names: dict[str, str]

    def shows(self, entry: StoredEntry, today: date) -> bool:
        list_type = self.list_types.get(entry.list_type)
        rules = list_type.publication if list_type is not None else None
        return publication.is_public(entry, rules, today)

    def measures_of(self, entry: StoredEntry) -> list[MeasureDefinition]:
        """The catalog's measures in force for the entry's list type and subject type."""
        return [
            m
            for m in self.measures
            if entry.list_type in m.list_types and entry.subject_type in m.applies_to
        ]


async def public_catalog(session: AsyncSession, today: date) -> PublicCatalog:
    catalog = CatalogRepository(session)
    return PublicCatalog(
        list_types={v.code: v.definition for v in await catalog.list_types.in_force(today)},
        measures=[v.definition for v in await catalog.measures.in_force(today)],
        department_names={d.code: d.name for d, _ in await DepartmentRepository(session).all()},
    )


@dataclass(frozen=True)
class PublicEntry:
    entry: StoredEntry
    record: ListEntryInForce
    list_type: ListTypeDefinition
    publication_ends: date
    measures: list[MeasureDefinition]


@dataclass(frozen=True)
class PublicSubject:
    subject: Subject
    entries: list[PublicEntry]
    department_names: dict[str, str]
    publicity_decisions: list[PublicDecision] = field(default_factory=list)
    """The double-publicity records within their publication period (DOMAIN.md §12)."""


async def public_subject(session: AsyncSession, code: str, today: date) -> PublicSubject | None:
    """The subject and its entries public today; None for an unknown code and for a natural
    person with nothing public (the lookup never confirms that a person exists)."""
    code = code.strip().upper()
    decisions = await PublicityRepository(session).published_for(code, today)
    subject = await SubjectRepository(session).get(code)
    if subject is None:
        if not decisions:
            return None
        # A counterpart of a published decision the registry has no record of: the decision
        # names it (DOMAIN.md §12: the administrative counterpart).
        first = decisions[0]
        subject = Subject(
            code=code,
            subject_type=first.counterpart_category,
            name=first.counterpart_name,
            division_code=code[:6]
            if first.counterpart_category is SubjectType.NATURAL_PERSON
            else code[2:8],
            revision=0,
        )
    catalog = await public_catalog(session, today)
    shown = [
        PublicEntry(
            entry=e,
            record=ListEntryInForce.model_validate(e.payload),
            list_type=catalog.list_types[e.list_type],
            publication_ends=publication.publication_ends(
                e, catalog.list_types[e.list_type].publication
            ),
            measures=catalog.measures_of(e),
        )
        for e in await EntryRepository(session).public_candidates([subject.code], today)
        if catalog.shows(e, today)
    ]
    if (
        not shown
        and not decisions
        and (
            subject.subject_type is SubjectType.NATURAL_PERSON
            or await SubjectRepository(session).listed_only([subject.code])
        )
    ):
        # A person, or an organisation the registry knows only because a list entry named it,
        # with nothing public: answering would tell that something non-public is recorded.
        return None
    return PublicSubject(subject, shown, catalog.department_names, decisions)


@dataclass(frozen=True)
class Found:
    code: str
    name: str
    subject_type: SubjectType
    public_entries: int


async def public_search(
    session: AsyncSession, q: str, limit: int, offset: int, today: date
) -> list[Found]:
    """Organisations found by name (registered or listed), with how many entries are public
    today; natural persons only when they have one (on a list type that publishes persons).
    A complete USCC answers that subject; a digit run of an identifier is refused."""
    subjects = SubjectRepository(session)
    code = publication.code_in_query(q)
    if code is not None:
        found = await subjects.get(code)
        ranked_codes = [(found.code, found.name, found.subject_type)] if found else []
    else:
        query = names.query_of(q)
        if query is None:
            raise InvalidInput.for_field(
                "query.q",
                "nothing_searchable",
                "the query holds no letter, digit or character to search by; give a name",
            )
        candidates = {c.code: c for c in await subjects.name_candidates(query)}
        ranked = names.ranked(query, [(c.code, c.keys) for c in candidates.values()])
        ranked_codes = [
            (code, candidates[code].name, candidates[code].subject_type) for code, _ in ranked
        ]
    catalog = await public_catalog(session, today)
    entries = await EntryRepository(session).public_candidates(
        [c for c, _, _ in ranked_codes], today
    )
    counts = Counter(e.subject_code for e in entries if catalog.shows(e, today))
    # Like the lookup by code: nothing public about a person, or about an organisation known
    # only from a listing, is nothing found.
    hidden = await subjects.listed_only([c for c, _, _ in ranked_codes if counts[c] == 0])
    shown = [
        Found(c, name, kind, counts[c])
        for c, name, kind in ranked_codes
        if (kind is not SubjectType.NATURAL_PERSON or counts[c] > 0) and c not in hidden
    ]
    return shown[offset : offset + limit]
