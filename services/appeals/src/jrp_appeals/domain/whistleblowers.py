"""Whistle-blower reports on dishonest behaviour (DOMAIN.md §9: whistle-blowing is encouraged,
rewarded, and the reporter's identity is kept strictly confidential — 000 (十七), 003 三(四)3).

Anyone may report, without a token. The report goes to the departments responsible for its
domain ("谁主管、谁负责", 002 二(一)1: the departments whose domains include it and that initiate
lists), else to the joint conference office. The reporter gets a report number and a secret
query code, shown once; only a slow hash of the code is kept. The reporter's identity is kept
sealed (`jrp_appeals.adapters.identity_vault`); no department ever sees it, and only the office
may lift it, with a reason that is recorded.

Plain rules over frozen dataclasses; each refusal names the field and a machine `reason`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from jrp_shared.errors import Conflict, DomainError, FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import DepartmentPublished
from jrp_shared.identifiers import IdentifierError, validate_resident_id, validate_uscc


class ReportState(StrEnum):
    RECEIVED = "received"
    """Routed, waiting for a department (or the office) to take it up."""
    ACCEPTED = "accepted"
    """Taken up: being verified."""
    DECIDED = "decided"


class ReportOutcome(StrEnum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"


class AttachmentTooLarge(DomainError):
    """An evidence attachment, or all of them together, over the limit: 413."""

    status = 413
    code = "too_large"


# --- what the reporter sends ---------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class AttachmentLimits:
    """Settings (`WHISTLEBLOWER_ATTACHMENT_*`), passed in."""

    max_count: int
    max_file_bytes: int
    max_total_bytes: int
    content_types: frozenset[str]


def check_attachments(attachments: Sequence[Attachment], limits: AttachmentLimits) -> None:
    """Bounded count (422 `too_many_attachments`), allowed content types (422
    `content_type_not_allowed`), per-file and total size (413 `file_too_large`,
    `total_too_large`)."""
    if len(attachments) > limits.max_count:
        raise InvalidInput.for_field(
            "attachments",
            "too_many_attachments",
            f"at most {limits.max_count} attachments; send the most telling ones",
            limit=limits.max_count,
        )
    for i, a in enumerate(attachments):
        if a.content_type not in limits.content_types:
            raise InvalidInput.for_field(
                f"attachments[{i}].content_type",
                "content_type_not_allowed",
                f"attachment {i}: content type {a.content_type!r} is not accepted; send one of "
                + ", ".join(sorted(limits.content_types)),
                allowed=sorted(limits.content_types),
            )
        if not a.data:
            raise InvalidInput.for_field(
                f"attachments[{i}].content", "empty", f"attachment {i} is empty"
            )
        if len(a.data) > limits.max_file_bytes:
            raise AttachmentTooLarge(
                f"attachment {i} has {len(a.data)} bytes, over the limit of "
                f"{limits.max_file_bytes} per file; send a smaller or compressed copy",
                problems=[
                    _size_problem(f"attachments[{i}]", "file_too_large", limits.max_file_bytes)
                ],
            )
    total = sum(len(a.data) for a in attachments)
    if total > limits.max_total_bytes:
        raise AttachmentTooLarge(
            f"the attachments have {total} bytes together, over the limit of "
            f"{limits.max_total_bytes}; send fewer or smaller files",
            problems=[_size_problem("attachments", "total_too_large", limits.max_total_bytes)],
        )


def _size_problem(field: str, reason: str, limit: int) -> FieldProblem:
    return FieldProblem(field, reason, f"{field} is over {limit} bytes", {"limit": limit})


@dataclass(frozen=True)
class ReportedSubject:
    code: str | None
    name: str | None


def check_subject(subject: ReportedSubject) -> ReportedSubject:
    """A code (USCC or resident ID, checked: DOMAIN.md §2) and/or a name; at least one. A bad
    code is refused without echoing it (it may be a person's ID)."""
    if subject.code is None and subject.name is None:
        raise InvalidInput.for_field(
            "subject",
            "subject_missing",
            "name the subject reported: its USCC or resident ID, or its name, or both",
        )
    code = subject.code
    if code is not None:
        try:
            code = validate_uscc(code).code
        except IdentifierError as as_uscc:
            try:
                code = validate_resident_id(code)
            except IdentifierError:
                raise InvalidInput.for_field(
                    "subject.code",
                    "invalid_code",
                    "subject.code is neither a valid USCC nor a valid resident ID "
                    f"({as_uscc.message}); check it or give the name only",
                ) from None
    return ReportedSubject(code=code, name=subject.name)


@dataclass(frozen=True)
class ReporterIdentity:
    """Who reports; every part optional (an anonymous report has none)."""

    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    email: str | None = None

    @property
    def anonymous(self) -> bool:
        return not any((self.name, self.phone, self.id_number, self.email))

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "phone": self.phone,
            "id_number": self.id_number,
            "email": self.email,
        }


def check_identity(identity: ReporterIdentity) -> ReporterIdentity:
    """A resident ID given as the reporter's ID number is checked (never echoed)."""
    if identity.id_number is None:
        return identity
    try:
        number = validate_resident_id(identity.id_number)
    except IdentifierError as error:
        raise InvalidInput.for_field(
            "reporter.id_number",
            "invalid_id_number",
            f"reporter.id_number is not a valid resident ID ({error.reason}); "
            "check it or leave it out",
        ) from None
    return ReporterIdentity(identity.name, identity.phone, number, identity.email)


def check_domain(domain: str, known: Iterable[str]) -> None:
    """A domain of the catalog (the domains of the list types and departments this service
    knows; DOMAIN.md §4)."""
    known_domains = sorted(set(known))
    if domain not in known_domains:
        raise InvalidInput.for_field(
            "domain",
            "unknown_domain",
            f"domain {domain!r} is not a domain of the catalog; use one of: "
            + ", ".join(known_domains),
            known=known_domains,
        )


# --- number and query code ------------------------------------------------------------------------

_NUMBER = re.compile(r"^JB-(\d{4})-(\d{6,})$")


def report_number(year: int, sequence: int) -> str:
    """Human-readable and unique: `JB-2026-000123` (举报, the year, a per-year sequence)."""
    return f"JB-{year:04d}-{sequence:06d}"


def is_report_number(value: str) -> bool:
    return _NUMBER.fullmatch(value) is not None


_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
_CODE_GROUPS = 4
_CODE_GROUP_LENGTH = 4
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""~50 ms and 16 MiB per hash: a stolen table does not give the codes back cheaply."""
_DUMMY_HASH = f"scrypt${'00' * 16}${'00' * 64}"


def new_query_code() -> str:
    """16 characters over 32 symbols (80 bits), in groups: `7KQ2-M9XD-…`. Shown once."""
    groups = (
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP_LENGTH))
        for _ in range(_CODE_GROUPS)
    )
    return "-".join(groups)


def _normal_code(code: str) -> bytes:
    """Dashes, spaces and case do not matter when typed back."""
    return re.sub(r"[\s-]", "", code).upper().encode()


def hash_query_code(code: str) -> str:
    """scrypt with a random salt, as the registry hashes client secrets. CPU-bound: call it
    off the event loop."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_normal_code(code), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def query_code_matches(code: str, stored: str | None) -> bool:
    """Whether `code` hashes to `stored`. Always hashes (a dummy without a stored hash), so an
    unknown report number costs as long as a wrong code and the timing tells nothing."""
    parts = (stored or "").split("$")
    usable = len(parts) == 3 and parts[0] == "scrypt"
    try:
        salt = bytes.fromhex(parts[1]) if usable else b""
    except ValueError:
        usable = False
    if not usable:
        parts = _DUMMY_HASH.split("$")
        salt = bytes.fromhex(parts[1])
    digest = hashlib.scrypt(_normal_code(code), salt=salt, **_SCRYPT)
    return usable and hmac.compare_digest(digest.hex(), parts[2])


# --- routing ------------------------------------------------------------------------------------


def route(domain: str, departments: Iterable[DepartmentPublished], office: str) -> tuple[str, ...]:
    """The departments responsible for the domain: active, initiating, with the domain among
    theirs ("谁主管、谁负责", 002 二(一)1); none: the joint conference office."""
    found = sorted(
        d.code
        for d in departments
        if d.active and d.initiates and domain in d.domains and d.code != office
    )
    return tuple(found) or (office,)


# --- handling -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    """Who acts on a report: a department, or the office (administrator)."""

    department: str
    office: bool
    officer: str | None = None
    """The officer of `department` who acts, when it signed in as one (docs/security.md,
    "Officers"): recorded with every action, acceptance, decision and disclosure."""

    def detail(self, **values: object) -> dict[str, object]:
        """A history line's detail, naming the officer who acted when there is one."""
        return {**values, "officer": self.officer} if self.officer is not None else dict(values)


@dataclass(frozen=True)
class Reward:
    amount: Decimal
    description: str


@dataclass(frozen=True)
class Decision:
    outcome: ReportOutcome
    reasons: str
    entry_id: str | None
    reward: Reward | None


def may_see(handler: Handler, routed_to: Sequence[str]) -> bool:
    """The office sees every report; a department only those routed to it."""
    return handler.office or handler.department in routed_to


def require_may_handle(handler: Handler, routed_to: Sequence[str]) -> None:
    if not may_see(handler, routed_to):
        raise Forbidden(
            f"{handler.department}: the report is not routed to you; the departments it is "
            "routed to, or the joint conference office, act on it"
        )


def require_office_for_identity(handler: Handler) -> None:
    """The reporter's identity is lifted by the joint conference office alone (DOMAIN.md §9)."""
    if not handler.office:
        raise Forbidden(
            "only the joint conference office (administrator) may lift a reporter's identity"
        )


def require_open(state: ReportState, action: str) -> None:
    if state is ReportState.DECIDED:
        raise Conflict(f"the report is already decided; it cannot be {action}")


def check_accept(state: ReportState) -> None:
    require_open(state, "accepted")
    if state is ReportState.ACCEPTED:
        raise Conflict("the report is already accepted")


def check_transfer(handler: Handler, state: ReportState, to: Sequence[str]) -> None:
    """Only the joint conference office moves a report to other departments."""
    if not handler.office:
        raise Forbidden(
            "only the joint conference office (administrator) transfers a report; ask it to"
        )
    require_open(state, "transferred")
    if not to:
        raise InvalidInput.for_field(
            "departments", "no_department", "name at least one department to transfer to"
        )


def check_decision(state: ReportState, decision: Decision) -> None:
    """A decision follows acceptance. An entry id and a reward only for a substantiated
    report (rewarded whistle-blowing, 000 (十七))."""
    require_open(state, "decided again")
    if state is not ReportState.ACCEPTED:
        raise Conflict("accept the report before deciding it (POST …/acceptance)")
    if decision.outcome is ReportOutcome.UNSUBSTANTIATED:
        if decision.entry_id is not None:
            raise InvalidInput.for_field(
                "entry_id",
                "entry_needs_substantiated",
                "an entry id goes only with a substantiated report; leave it out",
            )
        if decision.reward is not None:
            raise InvalidInput.for_field(
                "reward",
                "reward_needs_substantiated",
                "a reward goes only with a substantiated report; leave it out",
            )


def is_overdue(state: ReportState, due: date, today: date) -> bool:
    """Not decided after its due date (the due date itself is still in time)."""
    return state is not ReportState.DECIDED and today > due


@dataclass(frozen=True)
class Disclosure:
    """The office lifted the reporter's identity: who, when, why (recorded, listed to it)."""

    by: str
    at: datetime
    reason: str
    officer: str | None = None
    """The office's officer who lifted it, when it signed in as one (the disclosure names the
    person, DOMAIN.md §9: kept strictly confidential)."""


@dataclass(frozen=True)
class Action:
    """One line of a report's history (every action is recorded)."""

    at: datetime
    actor: str
    action: str
    detail: dict[str, object]


@dataclass(frozen=True)
class AttachmentInfo:
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Report:
    """A report as stored. `identity_sealed` is never shown; only the office opens it."""

    report_id: str
    number: str
    query_code_hash: str
    subject: ReportedSubject
    domain: str
    facts: str
    occurred_on: date | None
    place: str | None
    anonymous: bool
    identity_key_id: str | None
    identity_sealed: bytes | None
    submitted_at: datetime
    due: date
    due_provisional: bool
    working_days: int
    state: ReportState
    routed_to: tuple[str, ...]
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    decision: Decision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    accepted_by_officer: str | None = None
    """The officer of `accepted_by` who accepted it, when it signed in as one."""
    decided_by_officer: str | None = None
    """The officer of `decided_by` who decided it, when it signed in as one."""
