"""A subject's full credit record, read on authority, and the credit report made of it
(DOMAIN.md §3: disclosure classes, 000 (四); §12). No I/O here.

Who sees what (000 (四)):

- `public` records: everyone, in the public lookup (`domain/publication.py` decides which).
- `authorised_query` records: the subject itself (a subject token through the portal), and a
  department that states a lawful purpose for the decision it is making (DOMAIN.md §6).
- `government_sharing` records: departments only, with a lawful purpose; never the subject's own
  report and never the public.

Every such read is recorded (who, about whom, for what purpose, which entries were shown), and
a credit report carries a verification code the public lookup answers, so whoever is handed a
report can check that the platform issued it and what it said.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jrp_shared.errors import FieldProblem, Forbidden, InvalidInput
from jrp_shared.identifiers import mask_resident_id
from jrp_shared.vocabulary import CheckPurpose, DisclosureClass, ListEntryStatus, SubjectType

PLATFORM_NAME = "守信联合激励和失信联合惩戒平台"
SEAL_LINE = f"{PLATFORM_NAME}（电子签章）"
"""The report's seal line: which platform issued it (the verification code proves it)."""

_STATUS_ZH = {
    ListEntryStatus.IN_FORCE: "有效",
    ListEntryStatus.SUSPENDED: "异议核查中，措施暂停",
    ListEntryStatus.REVOKED: "已撤销",
    ListEntryStatus.EXPIRED: "期满退出",
    ListEntryStatus.REPAIRED: "信用修复退出",
}
_CLASS_ZH = {
    DisclosureClass.PUBLIC: "社会公开",
    DisclosureClass.AUTHORISED_QUERY: "授权查询",
    DisclosureClass.GOVERNMENT_SHARING: "政务共享",
}
_COLOUR_ZH = {"black": "黑名单", "red": "红名单", "watch": "重点关注名单"}


@dataclass(frozen=True)
class Reader:
    """Who reads: the subject itself, or a department stating its purpose (DOMAIN.md §6)."""

    name: str
    """`subject:<code>` or the department's code (as the audit rows name callers)."""
    is_department: bool
    purpose: CheckPurpose | None
    business_reference: str | None


@dataclass(frozen=True)
class RecordedEntry:
    """One list entry as the record shows it, whatever its state now."""

    entry_id: str
    version: int
    status: ListEntryStatus
    list_type: str
    list_type_name: str
    colour: str
    disclosure_class: DisclosureClass
    grounds: str
    legal_basis: str
    initiating_department: str
    department_name: str
    decision_number: str
    decision_date: date
    period_start: date
    period_end: date
    role: str = "listed_subject"
    """How the subject is reached: the listed subject, or a linked person's role (§3)."""

    @property
    def status_zh(self) -> str:
        return _STATUS_ZH[self.status]

    @property
    def class_zh(self) -> str:
        return _CLASS_ZH[self.disclosure_class]

    @property
    def colour_zh(self) -> str:
        return _COLOUR_ZH.get(self.colour, self.colour)


@dataclass(frozen=True)
class RecordedDecision:
    """A double-publicity decision (双公示) within its publication period (DOMAIN.md §12)."""

    decision_id: str
    version: int
    kind: str
    """licence or penalty"""
    department: str
    department_name: str
    decision_number: str
    decision_date: date
    content: str
    publication_ends: date

    @property
    def kind_zh(self) -> str:
        return "行政许可" if self.kind == "licence" else "行政处罚"


@dataclass(frozen=True)
class CreditRecord:
    subject_code: str
    subject_type: SubjectType
    subject_name: str
    as_of: datetime
    reader: Reader
    entries: tuple[RecordedEntry, ...]
    withheld: int
    """Entries the reader may not see (government sharing, for the subject itself). Told as a
    count so the subject knows the record is not all there, never what they are."""
    decisions: tuple[RecordedDecision, ...] = ()
    """Licence and penalty decisions within their publication period: public records, shown
    to every reader of the full record too."""

    @property
    def displayed_code(self) -> str:
        """The code as a report prints it: a person's resident ID masked (DOMAIN.md §2)."""
        if self.subject_type is SubjectType.NATURAL_PERSON:
            return mask_resident_id(self.subject_code)
        return self.subject_code

    def summary(self) -> dict[str, Any]:
        """What the platform keeps of a report or a read: the entries shown, with versions."""
        return {
            "entries": [
                {"entry_id": e.entry_id, "version": e.version, "status": str(e.status)}
                for e in self.entries
            ],
            "withheld": self.withheld,
            "decisions": [
                {"decision_id": d.decision_id, "version": d.version} for d in self.decisions
            ],
        }


def reader_for(
    *,
    caller: str,
    subject_code_of_token: str | None,
    asked_code: str,
    purpose: CheckPurpose | None,
    business_reference: str | None,
) -> Reader:
    """Who may read `asked_code`'s full record: the subject itself (its own code only), or a
    department with a lawful purpose and the reference of the matter it decides (§6)."""
    if subject_code_of_token is not None:
        if subject_code_of_token != asked_code:
            raise Forbidden("a subject token reaches only that subject's own credit record")
        return Reader(caller, False, purpose, business_reference)
    problems = []
    if purpose is None:
        problems.append(
            FieldProblem(
                "query.purpose",
                "purpose_required",
                "a department states the decision it reads the record for (DOMAIN.md §6)",
            )
        )
    if not business_reference or not business_reference.strip():
        problems.append(
            FieldProblem(
                "query.business_reference",
                "reference_required",
                "a department names the matter (licence, tender, subsidy...) it decides",
            )
        )
    if problems:
        raise InvalidInput("an authorised query needs a lawful purpose", problems=problems)
    return Reader(caller, True, purpose, business_reference)


def visible_classes(reader: Reader) -> frozenset[DisclosureClass]:
    """000 (四): government-sharing records reach departments only."""
    if reader.is_department:
        return frozenset(DisclosureClass)
    return frozenset({DisclosureClass.PUBLIC, DisclosureClass.AUTHORISED_QUERY})


def credit_record(
    *,
    subject_code: str,
    subject_type: SubjectType,
    subject_name: str,
    entries: list[RecordedEntry],
    reader: Reader,
    at: datetime,
    decisions: list[RecordedDecision] | None = None,
) -> CreditRecord:
    """The record `reader` may see: every entry of a visible class, newest decision first,
    with those in force before those that ended."""
    classes = visible_classes(reader)
    shown = [e for e in entries if e.disclosure_class in classes]
    shown.sort(
        key=lambda e: (
            e.status not in (ListEntryStatus.IN_FORCE, ListEntryStatus.SUSPENDED),
            -e.decision_date.toordinal(),
            e.entry_id,
        )
    )
    return CreditRecord(
        subject_code=subject_code,
        subject_type=subject_type,
        subject_name=subject_name,
        as_of=at,
        reader=reader,
        entries=tuple(shown),
        withheld=len(entries) - len(shown),
        decisions=tuple(decisions or ()),
    )


def status_on(status: ListEntryStatus, period_end: date, today: date) -> ListEntryStatus:
    """An entry in force past its last day has expired (002 二(三)1), whatever the sweep did."""
    if status is ListEntryStatus.IN_FORCE and today > period_end:
        return ListEntryStatus.EXPIRED
    return status


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    """80 random bits as 16 characters in four groups (no 0/O, 1/I): `XXXX-XXXX-XXXX-XXXX`.
    Not guessable, and the public verification route is rate-limited besides."""
    raw = secrets.token_bytes(10)
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(16):
        number, digit = divmod(number, 32)
        chars.append(_CODE_ALPHABET[digit])
    code = "".join(chars)
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def normalise_verification_code(raw: str) -> str:
    """The code as typed (any case, with or without dashes or spaces) in its printed form;
    InvalidInput when it cannot be one."""
    compact = "".join(ch for ch in raw.upper() if ch not in "- ")
    if len(compact) != 16 or any(ch not in _CODE_ALPHABET for ch in compact):
        raise InvalidInput(
            "not a credit report verification code",
            problems=[
                FieldProblem(
                    "path.verification_code",
                    "malformed",
                    "16 letters and digits as printed on the report, e.g. ABCD-EFGH-JKLM-NPQR",
                )
            ],
        )
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def digest(document: bytes) -> str:
    """The SHA-256 of a report's bytes, as the verification answer states it."""
    return hashlib.sha256(document).hexdigest()


def report_id() -> str:
    return "CR" + base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=")
