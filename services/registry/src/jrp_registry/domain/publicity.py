"""The registry's copy of the double-publicity decisions (双公示) and the rules of showing them
in the public lookup (DOMAIN.md §3, §9, §12).

Trigger publishes each licence or penalty decision on `publicity.v1`, again with a higher
version after a correction, and withdraws it when it is repaired or revoked. The public sees a
decision only while it is published: from the day it was published to its publication
deadline (公示截止期) inclusive, by the date in China, and never once withdrawn. Decisions that
involve personal privacy are never published at all (000 (七)): they do not reach the topic.

What the public sees of a natural person: the name, and the resident ID masked; never the ID
in clear, and no search by a part of it (DOMAIN.md §2, §12: "never lets a partial resident ID
find a person").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import (
    LicenceDetails,
    PenaltyDetails,
    PublicityDecisionPublished,
)
from jrp_shared.identifiers import IdentifierError, mask_resident_id, validate_uscc
from jrp_shared.vocabulary import PublicityKind, SubjectType


def takes(stored_version: int | None, version: int) -> bool:
    """A published version replaces the stored one only when it is newer: a redelivered or
    late older version changes nothing."""
    return stored_version is None or version > stored_version


def shown_on(published_on: date, publication_ends: date, withdrawn: bool, today: date) -> bool:
    """Shown from the day it was published through `publication_ends` inclusive (DOMAIN.md
    §12), unless withdrawn (repaired or revoked, §8, §11: repair stops publication)."""
    return not withdrawn and published_on <= today <= publication_ends


@dataclass(frozen=True)
class PublicDecision:
    """A decision as the public lookup shows it: a natural person's ID masked, no legal
    representative for a person, nothing the counterpart alone should read (the repair
    guidance goes to the counterpart, 两书同达, not to the public)."""

    decision_id: str
    version: int
    kind: PublicityKind
    department: str
    counterpart_name: str
    counterpart_category: SubjectType
    counterpart_code: str
    legal_representative: str | None
    decision_number: str
    decision_date: date
    licence: LicenceDetails | None
    penalty: PenaltyDetails | None
    published_at: datetime
    publication_ends: date

    @classmethod
    def of(cls, event: PublicityDecisionPublished) -> PublicDecision:
        person = event.counterpart.category is SubjectType.NATURAL_PERSON
        code = event.counterpart.code
        return cls(
            decision_id=event.decision_id,
            version=event.version,
            kind=event.kind,
            department=event.department,
            counterpart_name=event.counterpart.name,
            counterpart_category=event.counterpart.category,
            counterpart_code=mask_resident_id(code) if person else code,
            legal_representative=None if person else event.counterpart.legal_representative,
            decision_number=event.decision_number,
            decision_date=event.decision_date,
            licence=event.licence,
            penalty=event.penalty,
            published_at=event.published_at,
            publication_ends=event.publication_ends,
        )


# --- the public query ----------------------------------------------------------------------------

_YEAR_IN_BRACKETS = re.compile(r"[〔\[(【]\d{4}[〕\])】]")
"""A document number's year, e.g. 〔2026〕 in 榕市监罚〔2026〕15号: not an identifier's digits."""
_DIGIT_RUN = re.compile(r"\d{4,}")
MAX_QUERY = 100


@dataclass(frozen=True)
class PublicQuery:
    """What a public `q` asks for: a whole USCC (matched exactly), or text matched against
    the counterpart's name and the decision number."""

    uscc: str | None
    text: str | None


def read_query(q: str | None) -> PublicQuery:
    """Classify `q`. A complete, valid USCC finds the organisation by code. Anything else is
    text; text carrying a run of four or more digits (outside a document number's year) could
    be part of a resident ID and is refused by `is_fragment` unless it names a decision
    exactly (the caller checks that)."""
    if q is None or not q.strip():
        return PublicQuery(uscc=None, text=None)
    needle = q.strip()
    if len(needle) == 18:
        try:
            return PublicQuery(uscc=validate_uscc(needle).code, text=None)
        except IdentifierError:
            pass
    return PublicQuery(uscc=None, text=needle)


def is_fragment(text: str) -> bool:
    """Whether `text` holds a run of 4+ digits (full-width ones too) besides a bracketed year."""
    plain = _YEAR_IN_BRACKETS.sub("", unicodedata.normalize("NFKC", text))
    return _DIGIT_RUN.search(plain) is not None


def fragment_refused() -> InvalidInput:
    return InvalidInput.for_field(
        "q",
        "identifier_fragment",
        "q holds a run of four or more digits that is not a complete USCC: a part of an "
        "identifier never finds anyone (DOMAIN.md §12). Search by the complete 18-character "
        "USCC, the counterpart's name, or the complete decision number.",
    )
