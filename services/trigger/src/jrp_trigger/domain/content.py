"""What a list entry says: the submission without the department's record id (DOMAIN.md §5
step 1, 002 二(一)2). One version of an entry is one `EntryContent`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from jrp_shared.events.payloads import (
    CourtCase,
    DecisionDocument,
    LinkedPersonRecord,
    Period,
    PriorNotice,
    SubjectReference,
)
from jrp_shared.vocabulary import DisclosureClass


class Submitted(Protocol):
    """Anything carrying an entry's fields: a `ListEntrySubmission` or a correction."""

    @property
    def subject(self) -> SubjectReference: ...
    @property
    def list_type(self) -> str: ...
    @property
    def grounds(self) -> str: ...
    @property
    def legal_basis(self) -> str: ...
    @property
    def decision_document(self) -> DecisionDocument: ...
    @property
    def period(self) -> Period: ...
    @property
    def disclosure_class(self) -> DisclosureClass: ...
    @property
    def linked_persons(self) -> Sequence[LinkedPersonRecord]: ...
    @property
    def evidence_references(self) -> Sequence[str]: ...
    @property
    def court_case(self) -> CourtCase | None: ...


@dataclass(frozen=True)
class EntryContent:
    subject: SubjectReference
    list_type: str
    grounds: str
    legal_basis: str
    decision_document: DecisionDocument
    period: Period
    disclosure_class: DisclosureClass
    linked_persons: tuple[LinkedPersonRecord, ...] = ()
    evidence_references: tuple[str, ...] = ()
    court_case: CourtCase | None = None
    """The court's record (DOMAIN.md §11), where the list type takes one."""
    prior_notice: PriorNotice | None = None
    """How the party was told before listing (国办发〔2020〕49号), where the list type requires
    it. A correction carries over the entry's notice (`with_notice_of`)."""

    @classmethod
    def of(cls, source: Submitted) -> EntryContent:
        return cls(
            subject=source.subject,
            list_type=source.list_type,
            grounds=source.grounds,
            legal_basis=source.legal_basis,
            decision_document=source.decision_document,
            period=source.period,
            disclosure_class=source.disclosure_class,
            linked_persons=tuple(source.linked_persons),
            evidence_references=tuple(source.evidence_references),
            court_case=source.court_case,
            # Submissions carry it; a correction (CorrectedEntry) does not.
            prior_notice=getattr(source, "prior_notice", None),
        )

    def with_notice_of(self, earlier: EntryContent) -> EntryContent:
        """This content with the prior notice of the version it corrects: the notice was given
        before the listing and a correction does not give it again."""
        return replace(self, prior_notice=earlier.prior_notice)

    def as_json(self) -> dict[str, Any]:
        # Built by hand rather than with model_dump: bulk imports call this per line.
        return {
            "subject": {
                "code": self.subject.code,
                "subject_type": str(self.subject.subject_type),
                "name": self.subject.name,
            },
            "list_type": self.list_type,
            "grounds": self.grounds,
            "legal_basis": self.legal_basis,
            "decision_document": {
                "number": self.decision_document.number,
                "date": self.decision_document.date.isoformat(),
            },
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "disclosure_class": str(self.disclosure_class),
            "linked_persons": [
                {"role": str(p.role), "name": p.name, "resident_id": p.resident_id}
                for p in self.linked_persons
            ],
            "evidence_references": list(self.evidence_references),
            "court_case": (
                None if self.court_case is None else self.court_case.model_dump(mode="json")
            ),
            "prior_notice": (
                None if self.prior_notice is None else self.prior_notice.model_dump(mode="json")
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EntryContent:
        return cls(
            subject=SubjectReference.model_validate(data["subject"]),
            list_type=data["list_type"],
            grounds=data["grounds"],
            legal_basis=data["legal_basis"],
            decision_document=DecisionDocument.model_validate(data["decision_document"]),
            period=Period.model_validate(data["period"]),
            disclosure_class=DisclosureClass(data["disclosure_class"]),
            linked_persons=tuple(
                LinkedPersonRecord.model_validate(p) for p in data["linked_persons"]
            ),
            evidence_references=tuple(data["evidence_references"]),
            # Versions stored before the court case existed have no such key.
            court_case=(
                CourtCase.model_validate(data["court_case"]) if data.get("court_case") else None
            ),
            prior_notice=(
                PriorNotice.model_validate(data["prior_notice"])
                if data.get("prior_notice")
                else None
            ),
        )

    def fingerprint(self) -> str:
        """Equal for the same content, whatever the case of its identifiers: what tells a
        repeated post (same entry) from a changed one under the same record id. A flat JSON
        list, not `as_json`: bulk imports compute one per line."""
        s, d, p = self.subject, self.decision_document, self.period
        canonical: list[Any] = [
            s.code.strip().upper(),
            str(s.subject_type),
            s.name,
            self.list_type,
            self.grounds,
            self.legal_basis,
            d.number,
            d.date.isoformat(),
            p.start.isoformat(),
            p.end.isoformat(),
            str(self.disclosure_class),
            [[str(x.role), x.name, x.resident_id.strip().upper()] for x in self.linked_persons],
            list(self.evidence_references),
        ]
        if self.court_case is not None:
            # Appended only when present: the fingerprints of entries without one are unchanged.
            canonical.append(self.court_case.model_dump(mode="json"))
        if self.prior_notice is not None:
            # Tagged, so it never reads as a court case; absent: fingerprints unchanged.
            canonical.append({"prior_notice": self.prior_notice.model_dump(mode="json")})
        text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
