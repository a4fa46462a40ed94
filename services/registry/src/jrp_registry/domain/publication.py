"""What the public lookup may show of a list entry, and until when (DOMAIN.md §3, §11, §12;
docs/public-lookup.md). No I/O here.

An entry is public now when all of these hold:

- its disclosure class is `public` (社会公开, 000 (四)): authorised-query and government-sharing
  records are never shown (§12);
- it is in force: a suspended entry (an objection or complaint under verification, §7) is not
  shown, nor a revoked or repaired one (repair means stopping publication, 国办发〔2025〕22号);
- today (the china date of the receiver's clock) lies within its period (expiry ends it,
  002 二(三)1);
- today is before its list type's `max_disclosure_months` from the period's start
  (publication stops automatically at the maximum, §11);
- the subject is an organisation, or the list type publishes natural persons by law (the
  court's list, 法释〔2017〕7号 第七条), and then the resident ID is masked.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from jrp_registry.domain.entries import StoredEntry
from jrp_shared.errors import InvalidInput
from jrp_shared.events.payloads import PublicationRules
from jrp_shared.identifiers import IdentifierError, validate_uscc
from jrp_shared.vocabulary import DisclosureClass, ListColour, ListEntryStatus, SubjectType


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def publication_ends(entry: StoredEntry, rules: PublicationRules) -> date:
    """The last day the entry may be shown: its period's end, or earlier the day before
    `max_disclosure_months` from the period's start."""
    if rules.max_disclosure_months is None:
        return entry.period_end
    cap = add_months(entry.period_start, rules.max_disclosure_months) - timedelta(days=1)
    return min(entry.period_end, cap)


def person_may_be_public(subject_type: SubjectType, rules: PublicationRules) -> bool:
    """Organisations may be; natural persons only where the list type publishes them."""
    return subject_type is not SubjectType.NATURAL_PERSON or rules.natural_persons_public


def is_public(entry: StoredEntry, rules: PublicationRules | None, today: date) -> bool:
    """Whether the public lookup shows the entry today (the rules above). No rules (a list
    type the registry does not know) shows nothing; nor does a watch list's entry: a watch list
    (重点关注名单) is never published (DOMAIN.md §11; docs/warning-list.md), whatever class an
    entry recorded before that rule claims."""
    return (
        rules is not None
        and entry.colour is not ListColour.WATCH
        and entry.disclosure_class is DisclosureClass.PUBLIC
        and entry.status is ListEntryStatus.IN_FORCE
        and entry.period_start <= today <= publication_ends(entry, rules)
        and person_may_be_public(entry.subject_type, rules)
    )


_DIGIT_RUN = re.compile(r"\d{4,}")


def code_in_query(q: str) -> str | None:
    """The public name search takes names, or one complete USCC (DOMAIN.md §12). A query
    that is a valid USCC answers that subject: its code is returned. Any other query holding
    a run of four or more digits is refused (`identifier_fragment`): a partial resident ID
    must never find a person, and neither may a whole one through a name search (a person is
    looked up by `GET /v1/public/subjects/{code}`)."""
    candidate = q.strip().upper()
    try:
        return validate_uscc(candidate, organisation_code_policy="warn").code
    except IdentifierError:
        pass
    if _DIGIT_RUN.search(unicodedata.normalize("NFKC", q)):
        raise InvalidInput.for_field(
            "query.q",
            "identifier_fragment",
            "the query holds a run of 4 or more digits but is not a complete USCC: search by "
            "name, or by a whole USCC (a person's record is looked up by its full code)",
        )
    return None
