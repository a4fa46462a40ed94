"""The office's supervision dashboard: from the services' report JSON to chart series (names and
values), and the period an officer picks.

The figures are the trigger's supervision report (docs/supervision.md; DOMAIN.md §5 step 5:
statistics track who has responded; §9: monthly reports) and enforcement's statistics (open
orders past their receipt or feedback due day, per department and list type). Nothing here
counts anew: each value is a figure a service published, only arranged for a chart. The same
series feed the chart and its accessible table, so both show the same numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jrp_shared.clock import china_date

CASE_KINDS: tuple[str, ...] = ("objections", "complaints", "objection_appeals", "repairs")
"""The due-process figures of a report (DOMAIN.md §7, §8), in the order the charts show them."""

CASE_SERIES: tuple[str, ...] = ("filed", "decided_on_time", "decided_late", "overdue")
"""Each kind by outcome and timeliness: filed in the period, decided on or before the decision
due day, decided after it, and still undecided past it."""

TREND_MONTHS = 6
"""A one-month period shows the entries of the months up to it (a trend), this many."""

MAX_MONTHS = 13
"""A date range touches at most this many months (the trigger allows 366 days)."""

MAX_RANGE_DAYS = 366

FIRST_MONTH = "2000-01"
"""The trigger reports nothing before 2000-01-01 (`range_too_early`): the trend starts there."""


class PeriodError(ValueError):
    """The picked period cannot be reported (the key of the message to show)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class DashboardPeriod:
    """`start`..`end` inclusive; `month` (`YYYY-MM`) when one whole month was picked."""

    start: date
    end: date
    month: str | None = None

    def months(self) -> list[str]:
        """The months whose entries the trend chart shows: those the range touches, or for a
        month the `TREND_MONTHS` months ending with it."""
        if self.month is not None:
            first = month_start(self.month)
            trend = [month_text(shift_month(first, -k)) for k in range(TREND_MONTHS - 1, -1, -1)]
            return [m for m in trend if m >= FIRST_MONTH]
        found: list[str] = []
        day = self.start.replace(day=1)
        while day <= self.end:
            found.append(month_text(day))
            day = shift_month(day, 1)
        return found

    def slices(self) -> list[tuple[str, date, date]]:
        """Each month of `months()` with the days of it to count: the whole month, or for a
        range only the days inside the range."""
        found: list[tuple[str, date, date]] = []
        for text in self.months():
            first = month_start(text)
            last = month_end(first)
            if self.month is None:
                first, last = max(first, self.start), min(last, self.end)
            found.append((text, first, last))
        return found


def month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(text: str) -> date:
    """`YYYY-MM` → its first day; PeriodError `dashboard.bad_month` if malformed."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise PeriodError("dashboard.bad_month") from None


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return shift_month(first, 1) - timedelta(days=1)


def pick_period(
    today: date, month: str | None = None, start: str | None = None, end: str | None = None
) -> DashboardPeriod:
    """The period asked for: `from`/`to` when both are given, else `month`, else this month.

    Like the trigger (docs/supervision.md): a month that has not started, a reversed range, one
    longer than 366 days, starting after today or before 2000 cannot be reported (PeriodError)."""
    if start or end:
        try:
            first = date.fromisoformat(start or "")
            last = date.fromisoformat(end or "")
        except ValueError:
            raise PeriodError("dashboard.bad_range") from None
        if last < first:
            raise PeriodError("dashboard.range_reversed")
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise PeriodError("dashboard.range_too_long")
        if first > today:
            raise PeriodError("dashboard.in_future")
        if first < month_start(FIRST_MONTH):
            raise PeriodError("dashboard.too_early")
        return DashboardPeriod(first, last)
    first = month_start(month) if month else today.replace(day=1)
    if first > today:
        raise PeriodError("dashboard.in_future")
    if first < month_start(FIRST_MONTH):
        raise PeriodError("dashboard.too_early")
    return DashboardPeriod(first, month_end(first), month_text(first))


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    """What the values are (a message key suffix: `dashboard.series.<key>`)."""
    values: list[float]


@dataclass(frozen=True)
class Chart:
    """A bar chart: one value per category in each series. `unit` is `%` for rates."""

    key: str
    categories: list[str]
    series: list[Series]
    stacked: bool = False
    unit: str = ""
    category_labels: list[str] = field(default_factory=list)
    """What to show for each category (a department's name); the categories when empty."""

    def total(self, series: str) -> float:
        return sum(next(s.values for s in self.series if s.key == series))

    def value(self, series: str, category: str) -> float:
        column = self.categories.index(category)
        return next(s.values[column] for s in self.series if s.key == series)

    def as_json(self, label: Callable[[str], str]) -> dict[str, Any]:
        """For the page's data island: `label(key)` names a series (and a case kind)."""
        return {
            "key": self.key,
            "unit": self.unit,
            "stacked": self.stacked,
            "categories": self.categories,
            "labels": self.category_labels or self.categories,
            "series": [
                {"key": s.key, "name": label(s.key), "values": s.values} for s in self.series
            ],
        }


def _number(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def percent(rate: Any) -> float | None:
    """A report's fraction (4 decimals) as a percentage with one decimal; None stays None."""
    if not isinstance(rate, int | float) or isinstance(rate, bool):
        return None
    return round(float(rate) * 100, 1)


def department_names(report: Mapping[str, Any]) -> dict[str, str]:
    """The departments' names by code, as the report gives them (the code when unknown)."""
    names: dict[str, str] = {}
    for row in [*report.get("departments", []), *report.get("report_status", [])]:
        code = str(row.get("department", ""))
        if code and row.get("department_name"):
            names[code] = str(row["department_name"])
    return names


def feedback_rate_chart(report: Mapping[str, Any]) -> Chart:
    """Feedback rate per implementing department: fed back / orders issued in the period, in
    percent, for each department that was issued an order (DOMAIN.md §5 step 5)."""
    names = department_names(report)
    categories: list[str] = []
    values: list[float] = []
    for row in sorted(report.get("departments", []), key=lambda r: str(r.get("department"))):
        orders = row.get("orders", {})
        rate = percent(orders.get("feedback_rate"))
        if _number(orders.get("issued")) == 0 or rate is None:
            continue
        categories.append(str(row["department"]))
        values.append(rate)
    return Chart(
        "feedback_rate",
        categories,
        [Series("feedback_rate", values)],
        unit="%",
        category_labels=[names.get(c, c) for c in categories],
    )


def overdue_chart(statistics: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Chart:
    """Open orders past their receipt or feedback due day, per implementing department (the
    categories) and list type (stacked series), from enforcement's `GET /v1/statistics`. Only
    departments and list types with something overdue appear."""
    counts: dict[tuple[str, str], int] = {}
    for row in statistics.get("rows", []):
        overdue = _number(row.get("overdue"))
        if overdue > 0:
            key = (str(row["department"]), str(row["list_type"]))
            counts[key] = counts.get(key, 0) + overdue
    departments = sorted({d for d, _ in counts})
    list_types = sorted({t for _, t in counts})
    return Chart(
        "overdue",
        departments,
        [Series(t, [float(counts.get((d, t), 0)) for d in departments]) for t in list_types],
        stacked=True,
        category_labels=[(names or {}).get(d, d) for d in departments],
    )


def entries_by_month_chart(monthly: Iterable[tuple[str, Mapping[str, Any]]]) -> Chart:
    """List entries initiated per month (every department), from each month's report."""
    months: list[str] = []
    values: list[float] = []
    for month, report in monthly:
        months.append(month)
        values.append(float(_number(report.get("total", {}).get("entries", {}).get("initiated"))))
    return Chart("entries_by_month", months, [Series("entries", values)])


def cases_chart(report: Mapping[str, Any]) -> Chart:
    """Objections, complaints, objection appeals and repairs (the categories) by outcome and
    timeliness (the series `CASE_SERIES`), every department together."""
    total = report.get("total", {})
    return Chart(
        "cases",
        list(CASE_KINDS),
        [
            Series(s, [float(_number(total.get(kind, {}).get(s))) for kind in CASE_KINDS])
            for s in CASE_SERIES
        ],
    )


OUTCOME_KINDS: tuple[str, ...] = ("objections", "complaints", "repairs")
OUTCOME_SERIES: tuple[str, ...] = ("in_subjects_favour", "upheld", "pending")
"""How a case filed in the period ended: for the subject (an objection or complaint found the
information wrong: revoked or corrected, DOMAIN.md §7; a repair approved, §11), upheld (the
information right; the repair refused), or not decided yet."""


def _filed_in(case: Mapping[str, Any], start: date, end: date) -> bool:
    moment = case.get("filed_at") or case.get("applied_at")
    if not isinstance(moment, str):
        return False
    try:
        filed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return False
    if filed.tzinfo is None:
        filed = filed.replace(tzinfo=UTC)
    return start <= china_date(filed) <= end


def _ending(kind: str, case: Mapping[str, Any]) -> str:
    if kind == "repairs":
        state = case.get("state")
        return {"approved": "in_subjects_favour", "refused": "upheld"}.get(str(state), "pending")
    outcome = case.get("outcome")
    if outcome == "information_wrong":
        return "in_subjects_favour"
    if outcome == "information_right":
        return "upheld"
    return "pending"


def outcomes_chart(
    cases: Mapping[str, Iterable[Mapping[str, Any]]], start: date, end: date
) -> Chart:
    """Objections, complaints and repairs filed in the period by how they ended (stacked):
    `cases` maps each of `OUTCOME_KINDS` to the cases as appeals lists them."""
    counts = {kind: dict.fromkeys(OUTCOME_SERIES, 0) for kind in OUTCOME_KINDS}
    for kind in OUTCOME_KINDS:
        for case in cases.get(kind, ()):
            if _filed_in(case, start, end):
                counts[kind][_ending(kind, case)] += 1
    return Chart(
        "outcomes",
        list(OUTCOME_KINDS),
        [Series(s, [float(counts[k][s]) for k in OUTCOME_KINDS]) for s in OUTCOME_SERIES],
        stacked=True,
    )


@dataclass(frozen=True)
class Dashboard:
    feedback_rate: Chart
    overdue: Chart
    entries_by_month: Chart
    cases: Chart
    outcomes: Chart

    def charts(self) -> Sequence[Chart]:
        return (self.feedback_rate, self.overdue, self.entries_by_month, self.cases, self.outcomes)


def dashboard(
    report: Mapping[str, Any],
    statistics: Mapping[str, Any],
    monthly: Iterable[tuple[str, Mapping[str, Any]]],
    cases: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    period: tuple[date, date] | None = None,
) -> Dashboard:
    """The charts of the period's report, enforcement's statistics, the months' reports and
    (outcomes) the cases appeals lists, filed in `period`."""
    start, end = period or (date.min, date.max)
    return Dashboard(
        feedback_rate=feedback_rate_chart(report),
        overdue=overdue_chart(statistics, department_names(report)),
        entries_by_month=entries_by_month_chart(monthly),
        cases=cases_chart(report),
        outcomes=outcomes_chart(cases or {}, start, end),
    )
