"""Must-check (应查必查, DOMAIN.md §6): is this subject, or a person linked to it, on a list
now, and what must / may the asking department do about it. No I/O here.

Every approval, licence, subsidy, tender or honour checks the subject first (000 (二十一),
002 二(一)2, 004 三(一)), so the answer comes from an in-memory index of the entries in force
rather than from the database. The index is kept compact: a row per entry in a few arrays
and one byte heap, the values many entries share (list type, department, legal basis, roles,
measure sets and whole order layouts) stored once per `Profile`, so a million entries cost
about two hundred bytes each (docs/architecture.md, "The must-check index").
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import chain
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from jrp_enforcement.domain.eligibility import PastEntry, Unmet, unmet_conditions
from jrp_enforcement.domain.warning_list import Warning
from jrp_shared.errors import DomainError, FieldProblem, Forbidden, InvalidInput
from jrp_shared.events.payloads import MeasurePublished
from jrp_shared.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    validate_resident_id,
    validate_uscc,
)
from jrp_shared.vocabulary import ListColour, MeasureKind, SubjectType, TargetRole

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
    version: int = 0
    """The entry's version (`ListEntryInForce.version`) the index holds: the audit row
    records it, so an answer can be traced to the exact entry it came from."""
    list_type_version: int = 0
    """The catalog version of its list type (`ListEntryInForce.list_type_version`)."""

    def in_force_on(self, day: date) -> bool:
        # Judged at query time, so an entry stops answering on the day after its last day
        # even before the expiry sweep has run (002 二(三)1; the period end is inclusive).
        return self.period_start <= day <= self.period_end

    def target_codes(self) -> set[str]:
        return set(self.targets[0::2])


T = TypeVar("T", bound=Hashable)


class _Values(dict[Any, Any]):
    def __missing__(self, value: Any) -> Any:
        self[value] = value
        return value


class Interner:
    """Hands back one shared object for equal values (list type codes, departments, roles,
    dates, measure sets, order layouts), so what many entries hold is stored once."""

    def __init__(self) -> None:
        self._values = _Values()
        self.one: Callable[[Any], Any] = self._values.__getitem__
        """`self(value)` without the Python call in between (a load calls it millions of
        times)."""

    def __call__(self, value: T) -> T:
        found: T = self._values[value]
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


class Profile(NamedTuple):
    """What an entry shares with many others (its list type, colour, department, legal basis,
    suspension, the roles of its targets and its order layout), stored once for all of them."""

    list_type: str
    colour: str
    subject_type: str
    initiating_department: str
    legal_basis: str
    suspended: str | None
    roles: tuple[str, ...]
    orders: tuple[Order, ...]
    subject_first: bool
    """The listed subject's code is the first target's (as for every loaded entry)."""
    list_type_version: int = 0
    """The catalog version of the list type (shared by the entries decided under it)."""


class EntryRow(NamedTuple):
    """An entry as the index stores it: what is its own, and the `Profile` it shares."""

    entry_id: str
    codes: tuple[str, ...]
    """Its targets' codes, in the order of `profile.roles`."""
    subject_code: str
    subject_name: str
    decision_number: str
    period_start: date
    period_end: date
    decision_date: date
    profile: Profile
    version: int = 0
    """The entry's version (kept beside its dates, four bytes a row)."""

    @classmethod
    def of(cls, entry: Entry) -> EntryRow:
        targets = entry.targets
        codes = targets[0::2]
        return cls(
            entry.entry_id,
            codes,
            entry.subject_code,
            entry.subject_name,
            entry.decision_number,
            entry.period_start,
            entry.period_end,
            entry.decision_date,
            Profile(
                entry.list_type,
                entry.colour,
                entry.subject_type,
                entry.initiating_department,
                entry.legal_basis,
                entry.suspended,
                targets[1::2],
                entry.orders,
                bool(codes) and codes[0] == entry.subject_code,
                entry.list_type_version,
            ),
            entry.version,
        )

    def entry(self) -> Entry:
        p = self.profile
        return _entry_of(
            self.entry_id,
            self.codes,
            self.subject_code,
            self.subject_name,
            self.decision_number,
            self.period_start,
            self.period_end,
            self.decision_date,
            p,
            self.version,
        )


def _entry_of(
    entry_id: str,
    codes: Sequence[str],
    subject_code: str,
    subject_name: str,
    decision_number: str,
    period_start: date,
    period_end: date,
    decision_date: date,
    p: Profile,
    version: int = 0,
) -> Entry:
    roles = p.roles
    if len(roles) == 1:
        targets: tuple[str, ...] = (codes[0], roles[0])
    else:
        targets = tuple(chain.from_iterable(zip(codes, roles, strict=True)))
    return Entry(
        entry_id,
        p.list_type,
        p.colour,
        subject_code,
        p.subject_type,
        subject_name,
        p.initiating_department,
        p.legal_basis,
        decision_number,
        decision_date,
        period_start,
        period_end,
        targets,
        p.orders,
        p.suspended,
        version,
        p.list_type_version,
    )


_key_hash = hash
"""How a code or an id is hashed for the key arrays (the process's own string hash: the
index lives and dies with the process)."""
_FREE = 0
"""Profile number of a row no entry uses any more (dropped, replaced or ended)."""
_NO_PROFILE = Profile("", "", "", "", "", None, (), (), False)
_STRIDE = 4
"""Ints a row keeps in `CheckIndex._days`: its three dates and its version."""
_SEPARATOR = "\0"
"""Between the text fields of a row's record: PostgreSQL text never holds it."""
_MERGE_AT = 4_096
"""Keys added one by one are sorted into the arrays once there are this many (or 1/32 of
the arrays, if more)."""
_COMPACT_AT = 50_000
"""Free rows are squeezed out once there are this many and a quarter of the live ones."""


class _RowsByKey:
    """A multimap from 64-bit key hashes to row numbers, without an object per key: a sorted
    pair of arrays (binary search), a dict of the keys added one by one since (sorted in
    when it grows), and an unsorted tail for a bulk load (sorted in at the next read).

    Rows found here are candidates: the caller checks they are live and really hold the key
    (a hash may be shared, and a freed row stays listed until the index is compacted).
    """

    def __init__(self) -> None:
        self._hashes: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._rows: npt.NDArray[np.uint32] = np.empty(0, np.uint32)
        self._recent: dict[int, list[int]] = {}
        self._recent_pairs = 0
        self._tail_hashes = array("q")
        self._tail_rows = array("I")

    def __len__(self) -> int:
        return len(self._hashes) + self._recent_pairs + len(self._tail_hashes)

    @property
    def nbytes(self) -> int:
        return self._hashes.nbytes + self._rows.nbytes

    def add(self, key_hash: int, row: int) -> None:
        found = self._recent.get(key_hash)
        if found is None:
            self._recent[key_hash] = [row]
        else:
            found.append(row)
        self._recent_pairs += 1
        if self._recent_pairs >= max(_MERGE_AT, len(self._hashes) >> 5):
            self._merge_recent()

    def append(self, key_hash: int, row: int) -> None:
        """For a bulk load: kept unsorted until `settle`."""
        self._tail_hashes.append(key_hash)
        self._tail_rows.append(row)

    def settle(self) -> None:
        if self._tail_hashes:
            hashes = np.array(self._tail_hashes, np.int64)
            rows = np.array(self._tail_rows, np.uint32)
            self._tail_hashes, self._tail_rows = array("q"), array("I")
            self._merge(hashes, rows)

    def rows(self, key_hash: int) -> list[int]:
        hashes = self._hashes
        at, end = int(hashes.searchsorted(key_hash)), len(hashes)
        found: list[int] = []
        while at < end and hashes.item(at) == key_hash:
            found.append(self._rows.item(at))
            at += 1
        recent = self._recent.get(key_hash)
        if recent is not None:
            found.extend(recent)
        return found

    def sorted_pairs(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """Every (hash, row) pair, sorted by hash."""
        self.settle()
        self._merge_recent()
        return self._hashes, self._rows

    def keep(self, live: npt.NDArray[np.bool_], renumbered: npt.NDArray[np.int64]) -> None:
        """After compaction: forget the pairs of free rows, renumber the others."""
        hashes, rows = self.sorted_pairs()
        kept = live[rows]
        self._hashes = hashes[kept]
        self._rows = renumbered[rows[kept]].astype(np.uint32)

    def _merge_recent(self) -> None:
        if not self._recent:
            return
        hashes = np.fromiter(
            (h for h, rows in self._recent.items() for _ in rows), np.int64, self._recent_pairs
        )
        rows = np.fromiter(
            (r for found in self._recent.values() for r in found), np.uint32, self._recent_pairs
        )
        self._recent, self._recent_pairs = {}, 0
        self._merge(hashes, rows)

    def _merge(self, hashes: npt.NDArray[np.int64], rows: npt.NDArray[np.uint32]) -> None:
        order = np.argsort(hashes, kind="stable")
        hashes, rows = hashes[order], rows[order]
        if not len(self._hashes):
            self._hashes, self._rows = hashes, rows
            return
        at = self._hashes.searchsorted(hashes, side="right")
        self._hashes = np.insert(self._hashes, at, hashes)
        self._rows = np.insert(self._rows, at, rows)


class CheckIndex:
    """Entries in force or suspended, found by every code they reach (the listed subject and
    its linked persons) and by their id, in a few arrays rather than an object per entry.

    Each entry is a row: a profile number (the `Profile` it shares with entries alike), its
    three dates as day numbers, and one UTF-8 record of what is its own (id, target codes,
    subject name, decision number) in one shared byte heap. Codes and ids reach rows through
    sorted arrays of their hashes. `Entry` objects are built only for the rows a lookup finds.
    Replacing an entry writes a new row and frees the old one; free rows are squeezed out
    once they are many, so the index stays within a quarter of its live size.
    """

    def __init__(self) -> None:
        self._profiles: list[Profile] = [_NO_PROFILE]
        self._profile_numbers: dict[Profile, int] = {}
        self._profile_by_identity: dict[int, int] = {}
        self._profile_of = array("I")
        self._days = array("i")
        """Per row: period start, period end, decision date (proleptic ordinals) and the
        entry's version (`_STRIDE` ints a row)."""
        self._offsets = array("q", [0])
        """Row r's record is heap[offsets[r]:offsets[r + 1]]."""
        self._heap = bytearray()
        self._ids = _RowsByKey()
        self._codes = _RowsByKey()
        self._dates: dict[int, date] = {}
        self._live = 0
        self._free = 0
        self._distinct_codes = 0
        self._unsettled = False

    def __len__(self) -> int:
        self._settle()
        return self._live

    @property
    def codes(self) -> int:
        """Distinct codes that reach at least one entry (told apart by their 64-bit hashes:
        two codes sharing one, about one chance in ten million among two million codes,
        would count as one)."""
        self._settle()
        return self._distinct_codes

    @property
    def nbytes(self) -> int:
        """Memory held by the rows and keys (profiles and the Python objects around them
        aside: they do not grow with the entries)."""
        return (
            self._profile_of.itemsize * len(self._profile_of)
            + self._days.itemsize * len(self._days)
            + self._offsets.itemsize * len(self._offsets)
            + len(self._heap)
            + self._ids.nbytes
            + self._codes.nbytes
        )

    def lookup(self, code: str) -> tuple[Entry, ...]:
        self._settle()
        found = []
        rows = self._codes.rows(_key_hash(code))
        if len(rows) > 1:  # a row may be listed under the same hash for two of its codes
            rows = list(dict.fromkeys(rows))
        for row in rows:
            if self._profile_of[row] != _FREE:
                entry = self._entry(row)
                if code in entry.targets[0::2]:
                    found.append(entry)
        return tuple(found)

    def get(self, entry_id: str) -> Entry | None:
        self._settle()
        row = self._row_of(entry_id)
        return None if row is None else self._entry(row)

    def put(self, entry: Entry | EntryRow) -> None:
        """Add the entry, or replace the one with its id."""
        self._settle()
        row = entry if isinstance(entry, EntryRow) else EntryRow.of(entry)
        self.drop(row.entry_id)
        hashes = dict.fromkeys(_key_hash(code) for code in row.codes)
        new_codes = sum(1 for code_hash in hashes if not self._reached(code_hash))
        number = self._append(row)
        self._ids.add(_key_hash(row.entry_id), number)
        for code_hash in hashes:
            self._codes.add(code_hash, number)
        self._live += 1
        self._distinct_codes += new_codes

    def extend(self, entries: Iterable[Entry | EntryRow]) -> range:
        """Add many entries, as a load does: the same as `put` of each in turn (the last of
        one id wins), but their keys are sorted in at once, at the next read. Returns the
        numbers of the rows they were stored in (see `stored`)."""
        append, ids, codes = self._append, self._ids.append, self._codes.append
        first, added = len(self._profile_of), 0
        for entry in entries:
            row = entry if isinstance(entry, EntryRow) else EntryRow.of(entry)
            number = append(row)
            ids(_key_hash(row.entry_id), number)
            targets = row.codes
            if len(targets) == 2 and targets[0] != targets[1]:  # the subject and one person
                codes(_key_hash(targets[0]), number)
                codes(_key_hash(targets[1]), number)
            else:
                for code in dict.fromkeys(targets):
                    codes(_key_hash(code), number)
            added += 1
        self._live += added
        self._unsettled = True
        return range(first, first + added)

    def stored(self, number: int) -> EntryRow:
        """The entry in row `number`, as `extend` numbered it. For a load in progress: the
        numbers hold until the next read (which may compact the rows)."""
        profile = self._profiles[self._profile_of[number]]
        fields = self._fields(number)
        count = len(profile.roles)
        at = _STRIDE * number
        days = self._days
        return EntryRow(
            fields[0],
            tuple(fields[1 : count + 1]),
            fields[1] if profile.subject_first else fields[count + 3],
            fields[count + 1],
            fields[count + 2],
            self._date(days[at]),
            self._date(days[at + 1]),
            self._date(days[at + 2]),
            profile,
            days[at + 3],
        )

    def reprofile(self, number: int, profile: Profile) -> None:
        """Give the entry in row `number` (see `stored`) another profile: for a load that
        stored entries before their orders came."""
        self._profile_of[number] = self._profile_number(profile)

    def drop(self, entry_id: str) -> None:
        self._settle()
        row = self._row_of(entry_id)
        if row is not None:
            self._release(row)
            self._compact_if_sparse()

    def prune(self, today: date) -> int:
        """Drop the entries whose period ended before `today` (they no longer answer anyway;
        this only frees their memory if no expiry announcement did). Returns how many. A
        suspended entry stays: its period is not running (DOMAIN.md §7)."""
        self._settle()
        suspended = np.array([p.suspended is not None for p in self._profiles], np.bool_)
        profile_of = np.frombuffer(self._profile_of, np.uint32)
        ends = np.frombuffer(self._days, np.int32)[1::_STRIDE]
        ended = (profile_of != _FREE) & (ends < today.toordinal()) & ~suspended[profile_of]
        rows = np.flatnonzero(ended).tolist()
        del profile_of, ends  # views of the arrays: they must be let go before the rows change
        for row in rows:
            self._release(row)
        self._compact_if_sparse()
        return len(rows)

    # --- rows ---------------------------------------------------------------------------

    def _profile_number(self, profile: Profile) -> int:
        """The number of this profile: a new one if none is equal. Profiles are told apart
        by identity first (a builder hands out one object per profile), by value (their order
        layout included) only when the object is new here."""
        number = self._profile_by_identity.get(id(profile))
        if number is not None and self._profiles[number] is profile:
            return number
        number = self._profile_numbers.get(profile)
        if number is None:
            number = self._profile_numbers[profile] = len(self._profiles)
            self._profiles.append(profile)
        if self._profiles[number] is profile:  # only a kept object's id stays its own
            self._profile_by_identity[id(profile)] = number
        return number

    def _append(self, row: EntryRow) -> int:
        (
            entry_id,
            codes,
            subject_code,
            subject_name,
            decision_number,
            period_start,
            period_end,
            decision_date,
            profile,
            version,
        ) = row
        if _SEPARATOR in subject_name or _SEPARATOR in decision_number:  # cannot be stored
            subject_name = subject_name.replace(_SEPARATOR, "\ufffd")
            decision_number = decision_number.replace(_SEPARATOR, "\ufffd")
        if len(codes) == 2 and profile.subject_first:  # the subject and one person
            text = f"{entry_id}\0{codes[0]}\0{codes[1]}\0{subject_name}\0{decision_number}"
        else:
            fields = [entry_id, *codes, subject_name, decision_number]
            if not profile.subject_first:
                fields.append(subject_code)
            text = _SEPARATOR.join(fields)
        number = len(self._profile_of)
        heap = self._heap
        heap += text.encode()
        self._offsets.append(len(heap))
        found = self._profile_by_identity.get(id(profile))
        if found is None or self._profiles[found] is not profile:
            found = self._profile_number(profile)
        self._profile_of.append(found)
        self._days.extend(
            (
                period_start.toordinal(),
                period_end.toordinal(),
                decision_date.toordinal(),
                version,
            )
        )
        return number

    def _fields(self, row: int) -> list[str]:
        offsets = self._offsets
        return self._heap[offsets[row] : offsets[row + 1]].decode().split(_SEPARATOR)

    def _date(self, ordinal: int) -> date:
        found = self._dates.get(ordinal)
        if found is None:
            found = self._dates[ordinal] = date.fromordinal(ordinal)
        return found

    def _entry(self, row: int) -> Entry:
        return _entry_of(*self.stored(row))

    def _codes_of(self, row: int) -> list[str]:
        count = len(self._profiles[self._profile_of[row]].roles)
        return self._fields(row)[1 : count + 1]

    def _row_of(self, entry_id: str) -> int | None:
        offsets, heap = self._offsets, self._heap
        for row in self._ids.rows(_key_hash(entry_id)):
            if self._profile_of[row] != _FREE:
                start = offsets[row]
                end = heap.find(b"\0", start, offsets[row + 1])
                if heap[start:end].decode() == entry_id:
                    return row
        return None

    def _reached(self, code_hash: int) -> bool:
        """Some live row is listed under this code hash."""
        return any(self._profile_of[row] != _FREE for row in self._codes.rows(code_hash))

    def _release(self, row: int) -> None:
        hashes = dict.fromkeys(_key_hash(code) for code in self._codes_of(row))
        self._profile_of[row] = _FREE
        self._live -= 1
        self._free += 1
        self._distinct_codes -= sum(1 for code_hash in hashes if not self._reached(code_hash))

    def _settle(self) -> None:
        """Sort in the keys of a bulk load, let only the last row of an id live, count the
        codes."""
        if not self._unsettled:
            return
        self._unsettled = False
        self._ids.settle()
        self._codes.settle()
        profile_of = np.frombuffer(self._profile_of, np.uint32)
        hashes, rows = self._ids.sorted_pairs()
        live = profile_of[rows] != _FREE
        hashes, rows = hashes[live], rows[live]
        shared = np.flatnonzero(hashes[1:] == hashes[:-1])  # an id twice, or a hash shared
        suspects = np.unique(np.concatenate((rows[shared], rows[shared + 1]))).tolist()
        hashes, rows = self._codes.sorted_pairs()
        live = profile_of[rows] != _FREE
        live_hashes = hashes[live]
        distinct = int(np.count_nonzero(live_hashes[1:] != live_hashes[:-1])) + bool(
            len(live_hashes)
        )
        del profile_of, live
        self._distinct_codes = distinct
        latest: dict[str, int] = {}
        for row in suspects:  # ascending: a later row of the same id replaces an earlier one
            entry_id = self._fields(row)[0]
            if entry_id in latest:
                self._release(latest[entry_id])
            latest[entry_id] = row
        self._compact_if_sparse()

    def _compact_if_sparse(self) -> None:
        if self._free >= max(_COMPACT_AT, self._live >> 2):
            self._compact()

    def _compact(self) -> None:
        """Squeeze out the free rows: copy the live records in order, renumber the keys,
        forget the profiles no row uses."""
        profile_of = np.frombuffer(self._profile_of, np.uint32)
        live = profile_of != _FREE
        renumbered = np.cumsum(live, dtype=np.int64) - 1
        offsets = np.frombuffer(self._offsets, np.int64)
        heap = bytearray()
        # Live rows come in runs; each run's records are one slice of the heap.
        edges = np.flatnonzero(np.diff(np.concatenate(([False], live, [False])).astype(np.int8)))
        view = memoryview(self._heap)
        for start, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
            heap += view[offsets[start] : offsets[end]]
        view.release()
        lengths = (offsets[1:] - offsets[:-1])[live]
        new_offsets = np.concatenate((np.zeros(1, np.int64), np.cumsum(lengths)))
        days = np.frombuffer(self._days, np.int32).reshape(-1, _STRIDE)[live]
        used, numbers = np.unique(profile_of[live], return_inverse=True)
        profiles = [_NO_PROFILE] + [self._profiles[p] for p in used.tolist()]
        new_profile_of = (numbers + 1).astype(np.uint32)
        self._ids.keep(live, renumbered)
        self._codes.keep(live, renumbered)
        del profile_of, offsets
        self._heap = heap
        self._offsets = array("q", new_offsets.tobytes())
        self._days = array("i", days.tobytes())
        self._profile_of = array("I", new_profile_of.tobytes())
        self._profiles = profiles
        self._profile_numbers = {p: n for n, p in enumerate(profiles) if n != _FREE}
        self._profile_by_identity = {id(p): n for n, p in enumerate(profiles) if n != _FREE}
        self._free = 0


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
class Withheld:
    """A reward the department would grant for an entry, were it not for the subject's record:
    the conditions on the day that do not hold, each with its reason (DOMAIN.md §6)."""

    measure: Measure
    entry_ids: tuple[str, ...]
    unmet: tuple[Unmet, ...]


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
    withheld: tuple[Withheld, ...] = ()
    """Rewards with conditions on the subject's record that do not hold on the day."""
    warning: Warning | None = None
    """The code is on the big-data warning list (watch lists in three or more key areas;
    DOMAIN.md §11, domain/warning_list.py)."""

    def summary(self) -> dict[str, Any]:
        """What the audit row keeps of the answer, exactly: entry ids and measure codes,
        and the versions they were answered from: each entry's version, each measure's
        catalog version and each list type's catalog version (DOMAIN.md §4, §6). Also the
        ids of suspended entries, when there are any."""
        due = (*self.mandatory, *self.recommended, *self.rewards)
        summary: dict[str, Any] = {
            "department": self.department,
            "on": self.on.isoformat(),
            "entries": [h.entry.entry_id for h in self.hits],
            "rewarded": self.rewarded,
            "mandatory": [d.measure.code for d in self.mandatory],
            "recommended": [d.measure.code for d in self.recommended],
            "rewards": [d.measure.code for d in self.rewards],
            "entry_versions": {h.entry.entry_id: h.entry.version for h in self.hits},
            "measure_versions": {d.measure.code: d.measure.version for d in due},
            "list_type_versions": {h.entry.list_type: h.entry.list_type_version for h in self.hits},
        }
        if self.suspended:
            summary["suspended"] = [h.entry.entry_id for h in self.hits if h.suspended]
        if self.warning is not None:
            summary["warning"] = list(self.warning.key_areas)
        if self.withheld:
            summary["withheld"] = {w.measure.code: [u.kind for u in w.unmet] for w in self.withheld}
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
    return _compose(code, department, on, hits)


def _compose(code: str, department: str, on: date, hits: tuple[Hit, ...]) -> CheckAnswer:
    """The answer from its hits: whether listed or rewarded, the measures due by bucket."""
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


# --- eligibility from history (DOMAIN.md §6, domain/eligibility.py) --------------------------

ConditionalMeasures = Mapping[str, Sequence[MeasurePublished]]
"""The measures in force that carry conditions, by list type (few: the catalog's green
channels)."""


def _target_type(entry: Entry, roles: tuple[str, ...]) -> str:
    return entry.subject_type if SUBJECT_ROLE in roles else SubjectType.NATURAL_PERSON.value


def _conditional_for(
    hit: Hit, department: str, conditional: ConditionalMeasures
) -> list[MeasurePublished]:
    entry = hit.entry
    if entry.suspended is not None or entry.colour != _RED:
        return []
    found = conditional.get(entry.list_type)
    if not found:
        return []
    subject_type = _target_type(entry, hit.roles)
    return [
        m
        for m in found
        if m.implementing_department == department
        and any(t.value == subject_type for t in m.applies_to)
    ]


def needs_record(result: CheckAnswer, conditional: ConditionalMeasures) -> bool:
    """Whether the answer involves a measure with conditions (only then is the subject's
    record read: most checks cost nothing more)."""
    return bool(conditional) and any(
        _conditional_for(h, result.department, conditional) for h in result.hits
    )


def _as_measure(m: MeasurePublished) -> Measure:
    return Measure(
        m.code, m.version, m.kind.value, m.mandatory, m.content, m.content_en, m.legal_basis
    )


def with_eligibility(
    result: CheckAnswer,
    conditional: ConditionalMeasures,
    record: Sequence[PastEntry],
    list_type_names: Mapping[str, str],
) -> CheckAnswer:
    """The answer with each conditional reward judged from the subject's record on the day
    of the check: granted when its conditions hold (whether or not the order, planned on an
    earlier day, carries it yet), otherwise taken out of the rewards and shown as withheld
    with the reasons, e.g. "需连续三年列入纳税信用A级纳税人名单：2024、2025年未在…名单"."""
    hits: list[Hit] = []
    withheld: dict[str, tuple[Measure, list[str], tuple[Unmet, ...]]] = {}
    changed = False
    for hit in result.hits:
        measures = _conditional_for(hit, result.department, conditional)
        if not measures:
            hits.append(hit)
            continue
        kept = {m.code: m for m in hit.measures}
        for m in measures:
            problems = unmet_conditions(m, hit.entry.list_type, record, result.on, list_type_names)
            if problems:
                kept.pop(m.code, None)
                found = withheld.setdefault(m.code, (_as_measure(m), [], problems))
                found[1].append(hit.entry.entry_id)
            elif m.code not in kept:
                kept[m.code] = _as_measure(m)
        new = tuple(sorted(kept.values(), key=operator.attrgetter("code")))
        changed |= new != hit.measures
        hits.append(Hit(hit.entry, hit.roles, new))
    if not changed and not withheld:
        return result
    composed = _compose(result.code, result.department, result.on, tuple(hits))
    return replace(
        composed,
        withheld=tuple(Withheld(m, tuple(ids), unmet) for m, ids, unmet in withheld.values()),
    )
