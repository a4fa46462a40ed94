"""Whether a list entry may be recorded: the checks every submission and correction passes.

All checks run on every path (HTTP, bulk, the inbound topic); a refusal names each field at
fault with a machine `reason`. The list type version that judges an entry is the one in force
on its decision date, since a decision is checked against the catalog of its day (DOMAIN.md §4).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.errors import FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import (
    EntryOrigin,
    LinkedPersonRecord,
    ListTypePublished,
    SubjectReference,
)
from jrp_shared.identifiers import (
    IdentifierError,
    OrganisationCodePolicy,
    birth_date_of,
    validate_resident_id,
    validate_uscc,
)
from jrp_shared.vocabulary import DisclosureClass, ListColour, SubjectType
from jrp_trigger.domain.content import EntryContent


@dataclass(frozen=True)
class Admission:
    """A content that passed every check, with its identifiers normalised, the list type
    version that judged it, and warnings to keep on the entry."""

    content: EntryContent
    list_type: ListTypePublished
    warnings: tuple[str, ...] = ()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def list_type_on(versions: Sequence[ListTypePublished], on: date) -> ListTypePublished | None:
    """The version in force on `on`: of the versions that took effect by then, the one with
    the latest `effective_from`, and of those the highest version (the same answer as the
    catalog copy's `list_type_in_force` and the registry's `version_on`). A past catalog
    edition loaded later has a higher version number and an older date."""
    best: ListTypePublished | None = None
    for v in versions:
        if v.effective_from <= on and (
            best is None or (v.effective_from, v.version) > (best.effective_from, best.version)
        ):
            best = v
    return best


def admit(
    content: EntryContent,
    versions: Sequence[ListTypePublished],
    *,
    department: str,
    today: date,
    organisation_code_policy: OrganisationCodePolicy = "warn",
    calendar: WorkingDayCalendar | None = None,
    initial: bool = True,
    exchange_partner: bool = False,
) -> Admission:
    """Check `content` posted by `department`; raise `Forbidden` when the department may not
    initiate the list type, else `InvalidInput` naming every problem. `calendar` counts the
    prior notice's response window (the service's calendar copy, DOMAIN.md §10); `initial` is
    false for a correction, which keeps the entry's notice (an entry recorded before prior
    notice was required has none and may still be corrected). An `exchange_partner` (another
    platform, with the entry's `origin`) may submit any list type of the catalog."""
    problems: list[FieldProblem] = []
    list_type = _list_type(content, versions, problems)
    if list_type is not None and not exchange_partner:
        # Another platform acts for the deciding department of its own region (DOMAIN.md §11).
        _require_initiator(list_type, department)
    subject, warnings = _subject(content.subject, today, organisation_code_policy, problems)
    people = _linked_persons(content, list_type, today, problems)
    _texts(content, problems)
    _dates(content, list_type, today, problems)
    if list_type is not None:
        _minors(subject, people, content, list_type, problems)
        _court_case(content, list_type, problems)
        _extension(content, list_type, problems)
        _watch_disclosure(content, list_type, problems)
        _prior_notice(
            content, list_type, today, calendar or WorkingDayCalendar(), initial, problems
        )
    if problems or list_type is None:
        fields = ", ".join(sorted({p.field for p in problems}))
        raise InvalidInput(
            f"list entry refused: {len(problems)} problem(s) ({fields})", problems=problems
        )
    admitted = replace(content, subject=subject, linked_persons=people)
    return Admission(admitted, list_type, warnings)


def _list_type(
    content: EntryContent, versions: Sequence[ListTypePublished], problems: list[FieldProblem]
) -> ListTypePublished | None:
    code, decided = content.list_type, content.decision_document.date
    if not versions:
        # DOMAIN.md §4 (002 二(一)1): no joint punishment outside the catalog.
        problems.append(
            FieldProblem(
                "body.list_type",
                "unknown_list_type",
                f"list type {code!r} is not in the catalog; no entry may be made outside it",
                {"list_type": code},
            )
        )
        return None
    found = list_type_on(versions, decided)
    if found is None:
        first = min(v.effective_from for v in versions)
        problems.append(
            FieldProblem(
                "body.list_type",
                "list_type_not_in_force",
                f"list type {code!r} is not in force on the decision date {decided}: "
                f"the catalog has it from {first}",
                {
                    "list_type": code,
                    "decision_date": decided.isoformat(),
                    "from": first.isoformat(),
                },
            )
        )
    return found


def require_origin(origin: EntryOrigin | None, *, exchange_partner: bool) -> None:
    """Entries of other regions arrive through the same door as an initiating department's,
    and carry their origin (DOMAIN.md §11): an exchange partner (role `exchange`) must name
    it; nobody else may (a department's own entry has no other origin)."""
    if exchange_partner and origin is None:
        message = (
            "an exchange partner submits other regions' entries: send `origin` (platform, "
            "region_code, department_name, original_entry_id)"
        )
        raise InvalidInput(
            message, problems=[FieldProblem("body.origin", "origin_required", message)]
        )
    if not exchange_partner and origin is not None:
        message = (
            "only an exchange partner (another credit platform, role 'exchange') may send "
            "`origin`; a department's own entry leaves it out"
        )
        raise Forbidden(
            message, problems=[FieldProblem("body.origin", "origin_not_allowed", message)]
        )


def _require_initiator(list_type: ListTypePublished, department: str) -> None:
    # 谁主管、谁负责 (DOMAIN.md §5 step 1, 002 二(一)1): only that domain's departments initiate.
    if department in list_type.initiating_departments:
        return
    allowed = ", ".join(list_type.initiating_departments)
    message = (
        f"department {department!r} may not initiate list type {list_type.code!r}: "
        f"only {allowed} may (谁主管、谁负责)"
    )
    raise Forbidden(
        message,
        problems=[
            FieldProblem(
                "body.list_type",
                "not_initiating_department",
                message,
                {"department": department, "initiating_departments": allowed.split(", ")},
            )
        ],
    )


def _identifier_problem(field: str, error: IdentifierError) -> FieldProblem:
    # DOMAIN.md §2: the reason and the position at fault, never the identifier itself.
    return FieldProblem(field, error.error_type, error.message, {"position": error.position})


def _subject(
    subject: SubjectReference,
    today: date,
    policy: OrganisationCodePolicy,
    problems: list[FieldProblem],
) -> tuple[SubjectReference, tuple[str, ...]]:
    if not subject.name.strip():
        problems.append(FieldProblem("body.subject.name", "empty", "the name must not be empty"))
    warnings: tuple[str, ...] = ()
    try:
        if subject.subject_type is SubjectType.NATURAL_PERSON:
            code = validate_resident_id(subject.code, today=today)
        else:
            # Organisations and individual businesses carry a USCC (DOMAIN.md §2, §3).
            check = validate_uscc(subject.code, organisation_code_policy=policy)
            code, warnings = check.code, check.warnings
    except IdentifierError as error:
        problems.append(_identifier_problem("body.subject.code", error))
        return subject, ()
    if code == subject.code:
        return subject, warnings
    return subject.model_copy(update={"code": code}), warnings


def _linked_persons(
    content: EntryContent,
    list_type: ListTypePublished | None,
    today: date,
    problems: list[FieldProblem],
) -> tuple[LinkedPersonRecord, ...]:
    people = content.linked_persons
    if not people:
        return people
    if content.subject.subject_type is SubjectType.NATURAL_PERSON:
        # DOMAIN.md §3: linked persons stand behind an organisation; a person has none.
        problems.append(
            FieldProblem(
                "body.linked_persons",
                "natural_person_has_no_linked_persons",
                "a natural person has no linked persons; leave the list empty",
            )
        )
    elif list_type is not None and not list_type.includes_linked_persons:
        # The catalog decides whom a list type reaches (DOMAIN.md §3, §11 过惩相当): measures
        # may not be extended to persons it does not name.
        problems.append(
            FieldProblem(
                "body.linked_persons",
                "linked_persons_not_included",
                f"list type {list_type.code!r} does not reach linked persons; leave the list empty",
            )
        )
    out: list[LinkedPersonRecord] = []
    seen: set[tuple[str, str]] = set()
    for i, person in enumerate(people):
        if not person.name.strip():
            problems.append(
                FieldProblem(f"body.linked_persons.{i}.name", "empty", "the name must not be empty")
            )
        try:
            resident_id = validate_resident_id(person.resident_id, today=today)
        except IdentifierError as error:
            problems.append(_identifier_problem(f"body.linked_persons.{i}.resident_id", error))
            out.append(person)
            continue
        if (person.role.value, resident_id) in seen:
            problems.append(
                FieldProblem(
                    f"body.linked_persons.{i}",
                    "duplicate_linked_person",
                    "the same person is named twice in the same role",
                )
            )
        seen.add((person.role.value, resident_id))
        out.append(
            person
            if resident_id == person.resident_id
            else person.model_copy(update={"resident_id": resident_id})
        )
    return tuple(out)


def _watch_disclosure(
    content: EntryContent, list_type: ListTypePublished, problems: list[FieldProblem]
) -> None:
    """A watch list (重点关注名单; DOMAIN.md §11, 发改财金规〔2017〕1798号) is closer supervision,
    not a publication: its entries are shared between governments or queried with authorisation,
    never `public` (DOMAIN.md §3 disclosure classes; docs/warning-list.md)."""
    if list_type.colour is ListColour.WATCH and content.disclosure_class is DisclosureClass.PUBLIC:
        problems.append(
            FieldProblem(
                "body.disclosure_class",
                "watch_list_not_public",
                f"{list_type.code} is a watch list and is never published: send "
                "government_sharing or authorised_query",
            )
        )


def _texts(content: EntryContent, problems: list[FieldProblem]) -> None:
    for field, value in (
        ("body.grounds", content.grounds),
        ("body.legal_basis", content.legal_basis),
        ("body.decision_document.number", content.decision_document.number),
    ):
        if not value.strip():
            problems.append(FieldProblem(field, "empty", "must not be empty"))
    for i, reference in enumerate(content.evidence_references):
        if not reference.strip():
            problems.append(
                FieldProblem(f"body.evidence_references.{i}", "empty", "must not be empty")
            )


def _dates(
    content: EntryContent,
    list_type: ListTypePublished | None,
    today: date,
    problems: list[FieldProblem],
) -> None:
    decided, period = content.decision_document.date, content.period
    if decided > today:
        problems.append(
            FieldProblem(
                "body.decision_document.date",
                "decision_date_in_future",
                f"the decision date {decided} is in the future (today is {today} in China); "
                "a listing rests on a decision already made",
                {"today": today.isoformat()},
            )
        )
    if period.start < decided:
        problems.append(
            FieldProblem(
                "body.period.start",
                "period_starts_before_decision",
                f"the period starts {period.start}, before the decision date {decided}",
            )
        )
    if period.end < period.start:
        problems.append(
            FieldProblem(
                "body.period.end",
                "period_end_before_start",
                f"the period ends {period.end}, before it starts ({period.start})",
            )
        )
    elif list_type is not None and list_type.period_extension is None:
        # A list type with a period extension rule is judged by `_extension` instead.
        latest = add_months(period.start, list_type.max_period_months)
        if period.end > latest:
            problems.append(
                FieldProblem(
                    "body.period.end",
                    "period_exceeds_max",
                    f"the period may last at most {list_type.max_period_months} months "
                    f"(max_period_months of {list_type.code!r}): it must end by {latest}",
                    {"max_period_months": list_type.max_period_months, "latest_end": str(latest)},
                )
            )


def _minors(
    subject: SubjectReference,
    people: Sequence[LinkedPersonRecord],
    content: EntryContent,
    list_type: ListTypePublished,
    problems: list[FieldProblem],
) -> None:
    """No natural person younger than the list type's `minimum_age_years` on the decision date
    is listed, as the subject or as a linked person (the court's list: 18, 法释〔2017〕7号
    第五条). The age comes from the resident ID's birth date (DOMAIN.md §2); the message
    never shows the ID."""
    minimum = list_type.minimum_age_years
    if minimum is None:
        return
    decided = content.decision_document.date
    persons: list[tuple[str, str]] = []
    if subject.subject_type is SubjectType.NATURAL_PERSON:
        persons.append(("body.subject.code", subject.code))
    persons += [
        (f"body.linked_persons.{i}.resident_id", p.resident_id) for i, p in enumerate(people)
    ]
    for field, resident_id in persons:
        try:
            born = birth_date_of(resident_id)
        except IdentifierError:
            continue  # already refused by the identifier checks
        if decided < add_months(born, 12 * minimum):
            problems.append(
                FieldProblem(
                    field,
                    "minor",
                    f"the person was under {minimum} on the decision date {decided}: a minor "
                    f"is never listed on {list_type.code!r} (minimum_age_years; "
                    "法释〔2017〕7号 第五条); do not submit this listing",
                    {"minimum_age_years": minimum, "decision_date": decided.isoformat()},
                )
            )


def _court_case(
    content: EntryContent, list_type: ListTypePublished, problems: list[FieldProblem]
) -> None:
    """The court's record goes with a list type that requires it, and only there (DOMAIN.md
    §11, 法释〔2017〕7号 第六条)."""
    case = content.court_case
    if case is None:
        if list_type.court_case_required:
            problems.append(
                FieldProblem(
                    "body.court_case",
                    "court_case_required",
                    f"list type {list_type.code!r} requires the court's case record "
                    "(court, case number, filing date, enforcement basis, obligation, "
                    "performance); add `court_case`",
                )
            )
        return
    if not list_type.court_case_required:
        problems.append(
            FieldProblem(
                "body.court_case",
                "court_case_not_applicable",
                f"list type {list_type.code!r} takes no court case record; leave it out",
            )
        )
        return
    decided = content.decision_document.date
    if case.filing_date > decided:
        problems.append(
            FieldProblem(
                "body.court_case.filing_date",
                "filing_after_decision",
                f"the case was filed {case.filing_date}, after the decision date {decided}; "
                "the enforcement case is filed before the listing decision",
                {"decision_date": decided.isoformat()},
            )
        )


def _extension(
    content: EntryContent, list_type: ListTypePublished, problems: list[FieldProblem]
) -> None:
    """A period beyond the list type's default is an extension: it needs a ground the list
    type names and lasts between its `min_months` and `max_months` (法释〔2017〕7号 第二条:
    two years, extended by one to three years for violent obstruction or several dishonest
    acts; DOMAIN.md §11)."""
    rule, period = list_type.period_extension, content.period
    if rule is None or period.end < period.start:
        return
    default = list_type.default_period_months
    if period.end <= add_months(period.start, default):
        return
    ground = content.court_case.extension_ground if content.court_case is not None else None
    shortest = add_months(period.start, default + rule.min_months)
    longest = add_months(period.start, default + rule.max_months)
    limits = {
        "default_period_months": default,
        "min_months": rule.min_months,
        "max_months": rule.max_months,
        "grounds": list(rule.grounds),
    }
    if ground is None:
        problems.append(
            FieldProblem(
                "body.court_case.extension_ground",
                "period_extension_ground_required",
                f"the period runs beyond the default {default} months of {list_type.code!r}: "
                f"name the ground of the extension (one of {', '.join(rule.grounds)}) in "
                "court_case.extension_ground, or end the period by "
                f"{add_months(period.start, default)}",
                limits,
            )
        )
    elif ground not in rule.grounds:
        problems.append(
            FieldProblem(
                "body.court_case.extension_ground",
                "period_extension_ground_unknown",
                f"{ground!r} is not a ground of extension of {list_type.code!r}; "
                f"use one of {', '.join(rule.grounds)}",
                limits,
            )
        )
    if period.end > longest:
        problems.append(
            FieldProblem(
                "body.period.end",
                "period_extension_exceeds_max",
                f"the period may last at most {default} months extended by {rule.max_months} "
                f"(period_extension of {list_type.code!r}): it must end by {longest}",
                {**limits, "latest_end": longest.isoformat()},
            )
        )
    elif period.end < shortest:
        problems.append(
            FieldProblem(
                "body.period.end",
                "period_extension_below_min",
                f"an extension lasts at least {rule.min_months} months: end the period by "
                f"{add_months(period.start, default)} (no extension) or from {shortest}",
                {**limits, "earliest_extended_end": shortest.isoformat()},
            )
        )


def response_window_ends(
    notified_on: date, working_days: int, calendar: WorkingDayCalendar
) -> date:
    """The last day the party may answer: `working_days` working days after the notice (the day
    of the notice not counted; DOMAIN.md §10)."""
    return calendar.add_working_days(notified_on, working_days).due


def _prior_notice(
    content: EntryContent,
    list_type: ListTypePublished,
    today: date,
    calendar: WorkingDayCalendar,
    initial: bool,
    problems: list[FieldProblem],
) -> None:
    """Before a listing the party is told the reasons, the basis and its rights
    (国办发〔2020〕49号; DOMAIN.md §11). Where the list type requires it, a submission names the
    notice, given no later than the decision and not in the future, and is posted only once
    the response window (working days from the notice) has run, unless the party answered."""
    rules, notice = list_type.prior_notice, content.prior_notice
    required = rules is not None and rules.required
    if notice is None:
        if required and initial:
            assert rules is not None
            problems.append(
                FieldProblem(
                    "body.prior_notice",
                    "prior_notice_required",
                    f"list type {list_type.code!r} requires prior notice to the party of the "
                    "finding, its reasons, basis and rights before listing (国办发〔2020〕49号): "
                    "add `prior_notice` {notified_on, channel, document_number, "
                    "response_received}",
                    {"response_window_working_days": rules.response_window_working_days},
                )
            )
        return
    decided = content.decision_document.date
    if notice.notified_on > today:
        problems.append(
            FieldProblem(
                "body.prior_notice.notified_on",
                "notice_in_future",
                f"the notice date {notice.notified_on} is in the future (today is {today} in "
                "China); post the listing after the party was told",
                {"today": today.isoformat()},
            )
        )
        return
    if notice.notified_on > decided:
        problems.append(
            FieldProblem(
                "body.prior_notice.notified_on",
                "notice_after_decision",
                f"the party was told on {notice.notified_on}, after the decision date {decided}: "
                "prior notice comes before the listing decision",
                {"decision_date": decided.isoformat()},
            )
        )
        return
    if not required or not initial or notice.response_received:
        return
    assert rules is not None
    ends = response_window_ends(notice.notified_on, rules.response_window_working_days, calendar)
    if today <= ends:
        problems.append(
            FieldProblem(
                "body.prior_notice",
                "response_window_open",
                f"the party has {rules.response_window_working_days} working days from the "
                f"notice of {notice.notified_on} to answer, until {ends}: post the listing "
                f"from {ends + timedelta(days=1)}, or once the party has answered "
                "(response_received: true)",
                {
                    "response_window_working_days": rules.response_window_working_days,
                    "window_ends": ends.isoformat(),
                },
            )
        )
