"""Subjects and the people behind them (DOMAIN.md §2, §3). No I/O here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from jrp_shared.errors import FieldProblem, Forbidden, InvalidInput
from jrp_shared.identifiers import (
    IdentifierError,
    UsccCheck,
    mask_resident_id,
    validate_resident_id,
    validate_uscc,
)
from jrp_shared.vocabulary import LinkedPersonRole, SubjectType

_DIVISION_CODE = re.compile(r"^\d{6}$")

ORGANISATION_TYPES = frozenset(
    {SubjectType.LEGAL_PERSON, SubjectType.OTHER_ORGANISATION, SubjectType.INDIVIDUAL_BUSINESS}
)


@dataclass(frozen=True)
class LinkedPerson:
    """DOMAIN.md §3: a legal representative or responsible person, whom the measures reach too."""

    role: LinkedPersonRole
    name: str
    resident_id: str


@dataclass(frozen=True)
class Subject:
    code: str
    subject_type: SubjectType
    name: str
    division_code: str
    revision: int
    linked_persons: tuple[LinkedPerson, ...] = ()
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SubjectRevision:
    """One revision of a subject as written, and who wrote it (the change history)."""

    revision: int
    name: str
    division_code: str
    linked_persons: tuple[LinkedPerson, ...]
    recorded_at: datetime
    recorded_by: str


def _problem(field_name: str, exc: IdentifierError) -> FieldProblem:
    context = {"position": exc.position} if exc.position is not None else {}
    return FieldProblem(field_name, exc.error_type, exc.message, context)


def validate_code(
    code: str,
    subject_type: SubjectType,
    organisation_code_policy: Literal["warn", "reject"],
) -> tuple[str, tuple[str, ...], list[FieldProblem]]:
    """The identifier a subject type requires (§2): USCC for organisations, resident ID for
    natural persons. Returns (normalised code, warnings, problems)."""
    if subject_type is SubjectType.NATURAL_PERSON:
        try:
            return validate_resident_id(code), (), []
        except IdentifierError as exc:
            return code, (), [_problem("body.code", exc)]
    try:
        check: UsccCheck = validate_uscc(code, organisation_code_policy=organisation_code_policy)
    except IdentifierError as exc:
        return code, (), [_problem("body.code", exc)]
    return check.code, check.warnings, []


def _shaped_like_resident_id(code: str) -> bool:
    # 17 digits then a digit or X; a USCC carries letters almost always (positions 9-17).
    body, last = code[:17], code[17:]
    return len(code) == 18 and body.isascii() and body.isdigit() and last in set("0123456789X")


def identify(code: str, field_name: str, policy: Literal["warn", "reject"]) -> str:
    """A subject's code when its type is not given (a subject token, docs/due-process.md):
    resident ID rules for a code shaped like one, else USCC rules (organisation-code check
    per `policy`). The normalised code, or InvalidInput naming the field and the position."""
    normalised = code.strip().upper()
    try:
        if not _shaped_like_resident_id(normalised):
            return validate_uscc(normalised, organisation_code_policy=policy).code
        try:
            return validate_resident_id(normalised)
        except IdentifierError as exc:
            # An all-digit USCC is possible; only when it is not one is the ID's fault told.
            try:
                return validate_uscc(normalised, organisation_code_policy=policy).code
            except IdentifierError:
                raise exc from None
    except IdentifierError as exc:
        raise InvalidInput(
            "the subject code is not a valid USCC or resident ID",
            problems=[_problem(field_name, exc)],
        ) from None


def _default_division(code: str, subject_type: SubjectType) -> str:
    # USCC positions 3–8 and resident ID positions 1–6 are the division code (§2).
    return code[0:6] if subject_type is SubjectType.NATURAL_PERSON else code[2:8]


def _validate_people(
    subject_type: SubjectType, people: list[tuple[LinkedPersonRole, str, str]]
) -> tuple[tuple[LinkedPerson, ...], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    if people and subject_type not in ORGANISATION_TYPES:
        problems.append(
            FieldProblem(
                "body.linked_persons",
                "not_an_organisation",
                "only organisations have linked persons (DOMAIN.md §3)",
            )
        )
    persons = []
    for i, (role, name, resident_id) in enumerate(people):
        if not name.strip():
            problems.append(
                FieldProblem(f"body.linked_persons.{i}.name", "empty", "the name must not be empty")
            )
        try:
            persons.append(LinkedPerson(role, name.strip(), validate_resident_id(resident_id)))
        except IdentifierError as exc:
            problems.append(_problem(f"body.linked_persons.{i}.resident_id", exc))
    return tuple(persons), problems


def register(
    *,
    code: str,
    subject_type: SubjectType,
    name: str,
    division_code: str | None,
    linked_persons: list[tuple[LinkedPersonRole, str, str]],
    organisation_code_policy: Literal["warn", "reject"] = "warn",
) -> Subject:
    """A new subject, or InvalidInput naming every field that is wrong."""
    normalised, warnings, problems = validate_code(code, subject_type, organisation_code_policy)
    persons, people_problems = _validate_people(subject_type, linked_persons)
    problems += people_problems
    if division_code is not None:
        division, field_name = division_code, "body.division_code"
    else:
        # USCC positions 3–8 may hold letters of its alphabet, yet a division code is digits.
        division = _default_division(normalised, subject_type) if not problems else "000000"
        field_name = "body.code"
    if not _DIVISION_CODE.match(division):
        problems.append(
            FieldProblem(field_name, "division_code", f"division code {division!r} is not 6 digits")
        )
    if not name.strip():
        problems.append(FieldProblem("body.name", "empty", "the name must not be empty"))
    if problems:
        raise InvalidInput("the subject is not valid", problems=problems)
    return Subject(
        code=normalised,
        subject_type=subject_type,
        name=name.strip(),
        division_code=division,
        revision=1,
        linked_persons=persons,
        warnings=warnings,
    )


def listed(*, code: str, subject_type: SubjectType, name: str) -> Subject:
    """A subject known only because a list entry names it (trigger validated its code): the
    registry knows every listed subject, so the searches find it (docs/public-lookup.md). Its
    division is the one inside the code, or 000000 when that is not six digits."""
    division = _default_division(code, subject_type)
    return Subject(
        code=code,
        subject_type=subject_type,
        name=name.strip(),
        division_code=division if _DIVISION_CODE.match(division) else "000000",
        revision=1,
    )


def revise(
    subject: Subject,
    *,
    name: str,
    division_code: str | None,
    linked_persons: list[tuple[LinkedPersonRole, str, str]],
) -> Subject:
    """The next revision of a subject; code and type never change (a new code is a new subject)."""
    persons, problems = _validate_people(subject.subject_type, linked_persons)
    if division_code is not None and not _DIVISION_CODE.match(division_code):
        problems.append(
            FieldProblem("body.division_code", "division_code", "a division code is 6 digits")
        )
    if not name.strip():
        problems.append(FieldProblem("body.name", "empty", "the name must not be empty"))
    if problems:
        raise InvalidInput("the subject update is not valid", problems=problems)
    return replace(
        subject,
        name=name.strip(),
        division_code=division_code or subject.division_code,
        linked_persons=persons,
        revision=subject.revision + 1,
    )


# --- who may change a subject -------------------------------------------------------------------


def registering_authority(
    subject: Subject, registration_authorities: Mapping[str, str]
) -> str | None:
    """The department that keeps the register a subject's code comes from: USCC position 1
    names the registration authority (DOMAIN.md §2: 9 market regulation, 5 civil affairs, …),
    which `registration_authorities` maps to a department. None for a natural person (the
    resident ID register is not a department of the mesh) or an unmapped authority."""
    if subject.subject_type is SubjectType.NATURAL_PERSON:
        return None
    return registration_authorities.get(subject.code[:1])


def require_may_change(
    subject: Subject,
    *,
    created_by: str,
    by: str,
    office: bool,
    registration_authorities: Mapping[str, str],
) -> None:
    """Only the registering authority changes a subject: the department that registered it
    here, the one whose register its code comes from, or the joint conference office (which
    coordinates the platform, DOMAIN.md §1). Anyone else may read it, not rewrite it: a
    subject's name and linked persons decide whom the measures reach (§3)."""
    if office or by in (created_by, registering_authority(subject, registration_authorities)):
        return
    shown = (
        mask_resident_id(subject.code)
        if subject.subject_type is SubjectType.NATURAL_PERSON
        else subject.code
    )
    raise Forbidden(
        f"{by} may not change subject {shown}: only the department that registered it "
        f"({created_by}), its registration authority or the joint conference office may"
    )
