"""Eligibility from history: whether a subject's record lets it have a measure that carries
conditions (`MeasurePublished.conditions`). No I/O here.

DOMAIN.md §6: three consecutive years with no bad record make a subject eligible for the
green channel (000 (十一), 004 一(三)); the catalog's "A-grade three years running" adds that
the subject was graded A in each of those years. Conditions are catalog data; this module
says what each kind means, precisely:

- `no_black_list_within_years` (years N): the subject has no black-list entry that is in
  force or suspended on the day, nor one that expired within the N years before it — an
  entry ended on `day − N years` or later counts. A **revoked** entry never counts:
  revocation means the information was wrong (000 (二十四), DOMAIN.md §7), and the subject's
  reputation is to be restored, not held against it. A **repaired** entry no longer counts
  either: repair means stopping publication, sharing *and use* of the record (DOMAIN.md §11,
  国办发〔2025〕22号, NDRC Order No. 36), and holding it against a reward would be a use.
  An entry whose period starts after the day does not count yet.
- `on_list_consecutive_years` (list type L, years N): the subject was listed on L in each of
  N consecutive years ending with the year of its current listing. A listing of L is annual
  (an A-grade rating is one year's: in force from its publication, about April, for a year),
  so each entry counts for the calendar year its period starts in; the current listing is
  the latest-starting entry of L in force on the day (without one, the years end with the
  day's). Revoked entries do not count; entries that started after the day do not yet. So
  ratings starting 2024, 2025 and 2026 make three years running while the 2026 one is in
  force (in January 2027 too), and a missing 2025 rating breaks the run.

Only the subject's own entries (as the listed subject, by its code) make its record: being
a linked person of another subject's entry is that subject's record (DOMAIN.md §3).
A condition with `for_list_types` applies only to entries of those list types (an exemplar
gets the green channel as such, 000 (十一) "守信典型和连续三年无不良信用记录").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from jrp_shared.events.payloads import EligibilityCondition, MeasurePublished
from jrp_shared.vocabulary import ListColour, ListEntryStatus

_CHINESE_NUMBERS = "零一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class PastEntry:
    """One entry of the subject's record, as this service holds it (any status)."""

    entry_id: str
    list_type: str
    colour: ListColour
    status: ListEntryStatus
    period_start: date
    period_end: date
    ended_on: date | None = None
    """The China date it ended by a decision (repair, revocation); None otherwise."""

    def last_day(self) -> date | None:
        """Its last day on the list; None if it never counts (revoked: it was wrong; repaired:
        its use stopped)."""
        if self.status in (ListEntryStatus.REVOKED, ListEntryStatus.REPAIRED):
            return None
        return self.period_end


@dataclass(frozen=True, slots=True)
class Unmet:
    """A condition that does not hold, with the reason an officer reads (and its English)."""

    kind: str
    reason: str
    reason_en: str
    entry_ids: tuple[str, ...] = ()
    """Black-list entries that stand in the way (no_black_list_within_years)."""
    missing_years: tuple[int, ...] = ()
    """Years not on the list (on_list_consecutive_years)."""


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _number(n: int) -> str:
    return _CHINESE_NUMBERS[n] if 0 <= n <= 10 else str(n)


def _black_in_the_way(years: int, history: Iterable[PastEntry], on: date) -> list[str]:
    since = years_before(on, years)
    found = []
    for e in history:
        last = e.last_day()
        if (
            e.colour is ListColour.BLACK
            and last is not None
            and e.period_start <= on
            and last >= since
        ):
            found.append(e.entry_id)
    return sorted(found)


def _missing_years(
    list_type: str, n: int, history: Iterable[PastEntry], on: date
) -> tuple[int, ...]:
    counted = [
        e
        for e in history
        if e.list_type == list_type and e.last_day() is not None and e.period_start <= on
    ]
    current = [e.period_start.year for e in counted if (e.last_day() or on) >= on]
    last_year = max(current) if current else on.year
    started = {e.period_start.year for e in counted}
    return tuple(y for y in range(last_year - n + 1, last_year + 1) if y not in started)


def unmet(
    condition: EligibilityCondition,
    history: Sequence[PastEntry],
    on: date,
    list_type_names: Mapping[str, str],
) -> Unmet | None:
    """The condition's reason for withholding on `on`, or None when it holds."""
    n = condition.years
    if condition.kind == "no_black_list_within_years":
        ids = _black_in_the_way(n, history, on)
        if not ids:
            return None
        return Unmet(
            condition.kind,
            f"需{_number(n)}年内无失信黑名单记录：{len(ids)}条黑名单记录在效或结束未满{_number(n)}年",
            f"needs {n} years without a black-list entry: {len(ids)} in force or ended within "
            f"{n} years",
            entry_ids=tuple(ids),
        )
    list_type = condition.list_type or ""
    missing = _missing_years(list_type, n, history, on)
    if not missing:
        return None
    name = list_type_names.get(list_type, list_type)
    shown = "、".join(str(y) for y in missing)
    return Unmet(
        condition.kind,
        f"需连续{_number(n)}年列入{name}名单：{shown}年未在{name}名单",
        f"needs {n} consecutive years on {list_type}: not on it in {shown}",
        missing_years=missing,
    )


def applies(condition: EligibilityCondition, entry_list_type: str) -> bool:
    return not condition.for_list_types or entry_list_type in condition.for_list_types


def unmet_conditions(
    measure: MeasurePublished,
    entry_list_type: str,
    history: Sequence[PastEntry],
    on: date,
    list_type_names: Mapping[str, str],
) -> tuple[Unmet, ...]:
    """Every condition of the measure that does not hold for an entry of `entry_list_type`
    on `on` (empty: the measure is granted)."""
    found = []
    for condition in measure.conditions:
        if applies(condition, entry_list_type):
            problem = unmet(condition, history, on, list_type_names)
            if problem is not None:
                found.append(problem)
    return tuple(found)


def conditional(measures: Iterable[MeasurePublished]) -> list[MeasurePublished]:
    """The measures that carry conditions (the only ones whose subject's record is read)."""
    return [m for m in measures if m.conditions]


def with_current(history: Sequence[PastEntry], current: PastEntry) -> list[PastEntry]:
    """The record with `current` as it is now (replacing a stored older state of it)."""
    return [*(e for e in history if e.entry_id != current.entry_id), current]
