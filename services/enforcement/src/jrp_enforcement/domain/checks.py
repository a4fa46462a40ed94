"""Must-check (应查必查, DOMAIN.md §6): is this subject, or a person linked to it, on a list
now, and what must / may the asking department do about it. No I/O here.

Every approval, licence, subsidy, tender or honour checks the subject first (000 (二十一),
002 二(一)2, 004 三(一)), so the answer comes from an in-memory index of the entries in force
rather than from the database. The index is kept compact: one tuple per entry, and the values
many entries share (list type, department, role, dates, legal basis, measure sets and even
whole order layouts) are interned, so a million entries cost a few hundred bytes each.
"""

from __future__ import annotations

import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from jrp_shared.errors import DomainError, FieldProblem, Forbidden, InvalidInput
from jrp_shared.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    validate_resident_id,
    validate_uscc,
)
from jrp_shared.vocabulary import ListColour, MeasureKind, TargetRole

MAX_BATCH = 100_000
"""Codes one batch check may carry."""

_BLACK = ListColour.BLACK.value
_RED = ListColour.RED.value
_REWARD = MeasureKind.REWARD.value
SUBJECT_ROLE = TargetRole.SUBJECT.value


class IndexNotReady(DomainError):
    """The index is still loading at start-up: answering from a partial index could miss a
    listing, so the check is refused (and /readyz says not ready) until it is complete."""

    status = 503
    code = "index_loading"


class AuditUnavailable(DomainError):
    """The check could not be recorded; an unaudited answer is never given (DOMAIN.md §6)."""

    status = 503
    code = "audit_unavailable"


# --- what the index holds -----------------------------------------------------------------


class Measure(NamedTuple):
    """One catalogued measure an order asks a department to apply or grant (DOMAIN.md §4)."""

    code: str
    version: int
    kind: str
    mandatory: bool
    content: str
    content_en: str
    legal_basis: str


MeasureSet = tuple[Measure, ...]


class Order(NamedTuple):
    """A department's measures for one target of an entry. `target` is the target's position
    in `Entry.targets` (not its code), so entries of one list type share their Order tuples."""

    department: str
    target: int
    measures: MeasureSet


class Entry(NamedTuple):
    """A list entry in force, or suspended, as the check answers it (DOMAIN.md §3, §5, §7)."""

    entry_id: str
    list_type: str
    colour: str
    subject_code: str
    subject_type: str
    subject_name: str
    initiating_department: str
    legal_basis: str
    decision_number: str
    decision_date: date
    period_start: date
    period_end: date
    targets: tuple[str, ...]
    """Flat (code, role, code, role, ...): the listed subject and its linked persons (§3)."""
    orders: tuple[Order, ...]
    suspended: str | None = None
    """The kind of case (CaseKind value, interned) the entry's measures are suspended for
    while it is verified (DOMAIN.md §7); None for an entry in force, i.e. nearly all."""

    def in_force_on(self, day: date) -> bool:
        # Judged at query time, so an entry stops answering on the day after its last day
        # even before the expiry sweep has run (002 二(三)1; the period end is inclusive).
        return self.period_start <= day <= self.period_end

    def target_codes(self) -> set[str]:
        return set(self.targets[0::2])


T = TypeVar("T", bound=Hashable)


class Interner:
    """Hands back one shared object for equal values (list type codes, departments, roles,
    dates, measure sets, order layouts), so a million entries hold references, not copies."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: T) -> T:
        found: T = self._values.setdefault(value, value)
        return found

    def __len__(self) -> int:
        return len(self._values)


def merge_measures(sets: Iterable[MeasureSet]) -> MeasureSet:
    """The measures of several orders of one department and target (a re-issue not yet
    lifted, say), each code once, the newest version winning."""
    by_code: dict[str, Measure] = {}
    for measures in sets:
        for measure in measures:
            known = by_code.get(measure.code)
            if known is None or measure.version > known.version:
                by_code[measure.code] = measure
    return tuple(sorted(by_code.values(), key=operator.attrgetter("code")))


class CheckIndex:
    """Entries in force by every code they reach (listed subject and linked persons).

    A code that appears in one entry maps to that Entry itself; only codes in several entries
    pay for a tuple. Replacing or dropping an entry is by its id.
    """

    def __init__(self) -> None:
        self._by_code: dict[str, Entry | tuple[Entry, ...]] = {}
        self._by_id: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def codes(self) -> int:
        return len(self._by_code)

    def lookup(self, code: str) -> tuple[Entry, ...]:
        found = self._by_code.get(code)
        if found is None:
            return ()
        if isinstance(found, Entry):
            return (found,)
        return found

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def put(self, entry: Entry) -> None:
        self.drop(entry.entry_id)
        self._by_id[entry.entry_id] = entry
        by_code = self._by_code
        for code in entry.target_codes():
            found = by_code.get(code)
            if found is None:
                by_code[code] = entry
            elif isinstance(found, Entry):
                by_code[code] = (found, entry)
            else:
                by_code[code] = (*found, entry)

    def prune(self, today: date) -> int:
        """Drop the entries whose period ended before `today` (they no longer answer anyway;
        this only frees their memory if no expiry announcement did). Returns how many. A
        suspended entry stays: its period is not running (DOMAIN.md §7)."""
        ended = [
            e.entry_id for e in self._by_id.values() if e.period_end < today and e.suspended is None
        ]
        for entry_id in ended:
            self.drop(entry_id)
        return len(ended)

    def drop(self, entry_id: str) -> None:
        old = self._by_id.pop(entry_id, None)
        if old is None:
            return
        by_code = self._by_code
        for code in old.target_codes():
            found = by_code.get(code)
            if found is None:
                continue
            rest = () if isinstance(found, Entry) else tuple(e for e in found if e is not old)
            if not rest:
                del by_code[code]
            else:
                by_code[code] = rest[0] if len(rest) == 1 else rest


# --- the identifier asked about -----------------------------------------------------------

# The check sums of jrp_shared.identifiers as one table per position (character → value ×
# weight), so a sum is one C-level pass: a 100,000-code batch has 2 s in all. Only a "valid"
# from these fast checks is trusted; anything else is decided, and its message written, by the
# shared validators.
_USCC_TABLES = tuple(
    {c: i * pow(3, position, 31) for i, c in enumerate(USCC_ALPHABET)} for position in range(17)
)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_RESIDENT_ID_TABLES = tuple(
    {str(d): d * w for d in range(10)}
    for w in (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
)
_RESIDENT_ID_CHECK = "10X98765432"
_BIRTH_DATES: dict[str, date | None] = {}


def _birth_date(digits: str) -> date | None:
    found = _BIRTH_DATES.get(digits, _BIRTH_DATES)
    if found is not _BIRTH_DATES:
        return found  # type: ignore[return-value]
    try:
        born: date | None = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        born = None
    if len(_BIRTH_DATES) >= 200_000:
        _BIRTH_DATES.clear()
    _BIRTH_DATES[digits] = born
    return born


def _fast_resident_id(code: str, today: date) -> bool:
    """GB 11643: 17 digits, the MOD 11-2 check character, a real birth date 1900..today."""
    try:
        total: int = sum(map(dict.__getitem__, _RESIDENT_ID_TABLES, code[:17]))
    except KeyError:  # not a digit
        return False
    if code[17] != _RESIDENT_ID_CHECK[total % 11]:
        return False
    born = _birth_date(code[6:14])
    return born is not None and born.year >= 1900 and born <= today


def _fast_uscc(code: str) -> bool:
    """GB 32100: the alphabet and the check character (the organisation-code check only
    warns, DOMAIN.md §2)."""
    try:
        total: int = sum(map(dict.__getitem__, _USCC_TABLES, code[:17]))
        last = _USCC_VALUE[code[17]]
    except KeyError:
        return False
    return last == (31 - total % 31) % 31


def normalise_code(raw: str, today: date, *, field: str) -> str:
    """The code asked about, as stored: a resident ID or a USCC (DOMAIN.md §2), upper-case.

    An 18-digit string may be either; it is taken if valid as one of them. Otherwise the
    error names the kind it looks like, the reason and the position at fault.
    """
    code = raw.strip().upper()
    # 17 digits first: shaped like a resident ID (also a valid USCC may look so).
    person_shaped = len(code) == 18 and code[:17].isdigit() and code[:17].isascii()
    if person_shaped:
        if _fast_resident_id(code, today) or _fast_uscc(code):
            return code
    elif len(code) == 18 and _fast_uscc(code):
        return code
    try:
        if person_shaped:
            return validate_resident_id(code, today=today)
        return validate_uscc(code).code
    except IdentifierError as exc:
        context = {"position": exc.position} if exc.position is not None else {}
        raise InvalidInput(
            exc.message, problems=[FieldProblem(field, exc.error_type, exc.message, context)]
        ) from None


def department_asked_for(asking: str, requested: str | None, *, administrator: bool) -> str:
    """Whose measures the answer lists: the caller's own, or any department's for the joint
    conference office (DOMAIN.md §6: a department checks for the decisions it makes)."""
    if requested is None or requested == asking:
        return asking
    if not administrator:
        raise Forbidden(f"department {asking} may only check for itself, not for {requested}")
    return requested


# --- the answer ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One entry in force that reaches the code, with the asking department's measures for
    the code's target(s) in it; or a suspended entry, with none (DOMAIN.md §7)."""

    entry: Entry
    roles: tuple[str, ...]
    measures: MeasureSet

    @property
    def suspended(self) -> str | None:
        """The kind of case its measures are suspended for, if they are."""
        return self.entry.suspended


@dataclass(frozen=True, slots=True)
class Due:
    """A measure the department must or may apply (or a reward it grants), and the entries
    that call for it."""

    measure: Measure
    entry_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    code: str
    department: str
    on: date
    hits: tuple[Hit, ...]
    listed: bool
    """On a black list now (as the subject or a linked person)."""
    rewarded: bool
    """On a red list now."""
    mandatory: tuple[Due, ...]
    recommended: tuple[Due, ...]
    rewards: tuple[Due, ...]
    suspended: bool = False
    """An entry reaching the code has its measures suspended pending an objection or
    complaint (DOMAIN.md §7): it is shown, but calls for nothing now."""

    def summary(self) -> dict[str, Any]:
        """What the audit row keeps of the answer: entry ids and measure codes (and the ids
        of suspended entries, when there are any)."""
        summary = {
            "department": self.department,
            "on": self.on.isoformat(),
            "entries": [h.entry.entry_id for h in self.hits],
            "rewarded": self.rewarded,
            "mandatory": [d.measure.code for d in self.mandatory],
            "recommended": [d.measure.code for d in self.recommended],
            "rewards": [d.measure.code for d in self.rewards],
        }
        if self.suspended:
            summary["suspended"] = [h.entry.entry_id for h in self.hits if h.suspended]
        return summary


def _hit(entry: Entry, code: str, department: str) -> Hit:
    targets = entry.targets
    positions = [i // 2 for i in range(0, len(targets), 2) if targets[i] == code]
    roles = tuple(targets[2 * p + 1] for p in positions)
    if entry.suspended is not None:  # no measure is due while the case is verified (§7)
        return Hit(entry, roles, ())
    sets = [
        o.measures for o in entry.orders if o.department == department and o.target in positions
    ]
    if not sets:
        measures: MeasureSet = ()
    elif len(sets) == 1:
        measures = sets[0]
    else:
        measures = merge_measures(sets)
    return Hit(entry, roles, measures)


def _due(collected: Mapping[str, tuple[Measure, list[str]]]) -> tuple[Due, ...]:
    return tuple(Due(m, tuple(ids)) for m, ids in collected.values())


def answer(code: str, department: str, on: date, candidates: Sequence[Entry]) -> CheckAnswer:
    """Compose the answer from the index's entries for `code` (DOMAIN.md §6).

    Only entries whose period contains `on` count. Black entries make the code `listed` and
    their measures split into mandatory and recommended (000 (二十二)); red entries make it
    `rewarded` and their measures are the rewards due (000 (十一)–(十三)). A suspended entry
    is shown (its period stopped, so whatever its end) but is neither, and calls for no
    measure while its objection or complaint is verified (000 (二十四), DOMAIN.md §7).
    """
    if not candidates:
        return CheckAnswer(code, department, on, (), False, False, (), (), ())
    live = sorted(
        (e for e in candidates if e.suspended is not None or e.in_force_on(on)),
        key=lambda e: (e.colour != _BLACK, e.period_start, e.entry_id),
    )
    hits = tuple(_hit(e, code, department) for e in live)
    mandatory: dict[str, tuple[Measure, list[str]]] = {}
    recommended: dict[str, tuple[Measure, list[str]]] = {}
    rewards: dict[str, tuple[Measure, list[str]]] = {}
    listed = rewarded = suspended = False
    for hit in hits:
        entry = hit.entry
        if entry.suspended is not None:
            suspended = True
            continue
        if entry.colour == _BLACK:
            listed = True
        elif entry.colour == _RED:
            rewarded = True
        for measure in hit.measures:
            if measure.kind == _REWARD:
                bucket = rewards
            elif measure.mandatory:
                bucket = mandatory
            else:
                bucket = recommended
            found = bucket.get(measure.code)
            if found is None:
                bucket[measure.code] = (measure, [entry.entry_id])
            elif entry.entry_id not in found[1]:
                found[1].append(entry.entry_id)
    return CheckAnswer(
        code=code,
        department=department,
        on=on,
        hits=hits,
        listed=listed,
        rewarded=rewarded,
        mandatory=_due(mandatory),
        recommended=_due(recommended),
        rewards=_due(rewards),
        suspended=suspended,
    )
