"""Eligibility from history (DOMAIN.md §6; 000 (十一), 004 一(三)): the green channel of an
A-grade taxpayer needs three consecutive A-grade years and three years with no black-list
entry. Domain only: planning with the seed catalog, and the check answer judged from a record.
"""

from datetime import date

from jrp_enforcement.domain.checks import (
    CheckAnswer,
    Entry,
    Measure,
    Order,
    answer,
    needs_record,
    with_eligibility,
)
from jrp_enforcement.domain.eligibility import PastEntry, unmet, unmet_conditions
from jrp_enforcement.domain.planning import plan_orders
from jrp_enforcement.testing import entry_in_force
from jrp_shared.events.payloads import (
    EligibilityCondition,
    ListEntryInForce,
    ListTypePublished,
    MeasurePublished,
    Period,
    SubjectReference,
)
from jrp_shared.vocabulary import ListColour, ListEntryStatus, SubjectType

Catalog = tuple[list[ListTypePublished], list[MeasurePublished]]
A_GRADE = "red.tax.a-grade-taxpayer"
TAX_BLACK = "black.tax.major-violation"
CO = "91110000802100433B"
ON = date(2026, 11, 29)
NAMES = {A_GRADE: "纳税信用A级纳税人"}
GREEN = "tax.green-channel-3y"
LICENSING_GREEN = "trading.licensing-green-channel"

CONSECUTIVE = EligibilityCondition(kind="on_list_consecutive_years", list_type=A_GRADE, years=3)
CLEAN = EligibilityCondition(kind="no_black_list_within_years", years=3)


def a_grade(year: int, status: ListEntryStatus = ListEntryStatus.EXPIRED) -> PastEntry:
    """The A-grade rating of `year`, in force April `year` to March `year + 1`."""
    return PastEntry(
        f"a-{year}",
        A_GRADE,
        ListColour.RED,
        status,
        date(year, 4, 1),
        date(year + 1, 3, 31),
    )


def black(
    entry_id: str,
    start: date,
    end: date,
    status: ListEntryStatus = ListEntryStatus.EXPIRED,
    ended_on: date | None = None,
) -> PastEntry:
    return PastEntry(entry_id, TAX_BLACK, ListColour.BLACK, status, start, end, ended_on)


# --- the conditions ------------------------------------------------------------------------


def test_consecutive_years_name_the_missing_years_in_the_reason() -> None:
    first_year = [a_grade(2026, ListEntryStatus.IN_FORCE)]
    problem = unmet(CONSECUTIVE, first_year, ON, NAMES)
    assert problem is not None
    assert problem.missing_years == (2024, 2025)
    assert (
        problem.reason
        == "需连续三年列入纳税信用A级纳税人名单：2024、2025年未在纳税信用A级纳税人名单"
    )
    assert unmet(CONSECUTIVE, [a_grade(2024), a_grade(2025), *first_year], ON, NAMES) is None


def test_a_gap_year_breaks_the_run_and_revoked_ratings_do_not_count() -> None:
    gap = [a_grade(2023), a_grade(2026, ListEntryStatus.IN_FORCE)]
    # Each rating counts for its own year (2023's runs to March 2024: it is not 2024's).
    problem = unmet(CONSECUTIVE, gap, ON, NAMES)
    assert problem is not None and problem.missing_years == (2024, 2025)
    revoked = [a_grade(2024), a_grade(2025, ListEntryStatus.REVOKED), a_grade(2026)]
    problem = unmet(CONSECUTIVE, revoked, ON, NAMES)
    assert problem is not None and problem.missing_years == (2025,)


def test_a_black_list_entry_in_force_or_ended_within_three_years_stands_in_the_way() -> None:
    in_force = black("b-now", date(2026, 6, 1), date(2029, 5, 31), ListEntryStatus.IN_FORCE)
    problem = unmet(CLEAN, [in_force], ON, NAMES)
    assert problem is not None and problem.entry_ids == ("b-now",)
    assert "三年内无失信黑名单记录" in problem.reason
    # Ended 2023-11-29 (exactly three years before): still counts; a day earlier: no longer.
    assert unmet(CLEAN, [black("b1", date(2021, 1, 1), date(2023, 11, 29))], ON, NAMES)
    assert unmet(CLEAN, [black("b2", date(2021, 1, 1), date(2023, 11, 28))], ON, NAMES) is None


def test_a_watch_list_entry_is_no_bad_record_for_three_clean_years() -> None:
    """A watch list (重点关注名单, DOMAIN.md §11) is not a black list: however recent, it never
    stands in the way of the green channel's three clean years."""
    watched = PastEntry(
        "w1",
        "watch.tax.key-supervision",
        ListColour.WATCH,
        ListEntryStatus.IN_FORCE,
        date(2026, 11, 1),
        date(2027, 10, 31),
    )

    assert unmet(CLEAN, [watched], ON, NAMES) is None
    assert unmet(CLEAN, [watched, black("b1", date(2025, 1, 1), date(2026, 1, 1))], ON, NAMES)


def test_neither_a_revoked_nor_a_repaired_black_entry_counts() -> None:
    revoked = black(
        "b-wrong", date(2026, 1, 1), date(2028, 12, 31), ListEntryStatus.REVOKED, date(2026, 2, 1)
    )
    assert unmet(CLEAN, [revoked], ON, NAMES) is None
    repaired = black(
        "b-fixed", date(2020, 1, 1), date(2026, 12, 31), ListEntryStatus.REPAIRED, date(2023, 6, 1)
    )
    assert unmet(CLEAN, [repaired], ON, NAMES) is None  # repaired 2023-06-01: over 3 years
    recent = black(
        "b-fixed2", date(2020, 1, 1), date(2026, 12, 31), ListEntryStatus.REPAIRED, date(2025, 6, 1)
    )
    # Repaired last year: its use stopped with the repair (DOMAIN.md §11), so it counts no more.
    assert unmet(CLEAN, [recent], ON, NAMES) is None
    in_force = black("b-now", date(2020, 1, 1), date(2026, 12, 31), ListEntryStatus.IN_FORCE)
    assert unmet(CLEAN, [in_force], ON, NAMES) is not None


def test_a_condition_for_some_list_types_only_does_not_touch_the_others() -> None:
    narrowed = MeasurePublished(
        code=LICENSING_GREEN,
        version=1,
        effective_from=date(2026, 1, 1),
        list_types=[A_GRADE, "red.civic.trustworthy-exemplar"],
        content="绿色通道",
        content_en="green channel",
        kind="reward",
        mandatory=False,
        implementing_department="trading",
        legal_basis="…",
        applies_to=[SubjectType.LEGAL_PERSON],
        sources=["000 (十一)"],
        conditions=[CLEAN.model_copy(update={"for_list_types": [A_GRADE]})],
    )
    record = [black("b-now", date(2026, 6, 1), date(2029, 5, 31), ListEntryStatus.IN_FORCE)]
    assert unmet_conditions(narrowed, A_GRADE, record, ON, NAMES)
    assert unmet_conditions(narrowed, "red.civic.trustworthy-exemplar", record, ON, NAMES) == ()


# --- planning with the seed catalog ----------------------------------------------------------


def _a_grade_entry(entry_id: str = "a-2026", start: date = date(2026, 4, 1)) -> ListEntryInForce:
    return entry_in_force(
        entry_id=entry_id,
        initiating_department="tax",
        subject=SubjectReference(
            code=CO, subject_type=SubjectType.LEGAL_PERSON, name="北京示例纳税人有限公司"
        ),
        list_type=A_GRADE,
        colour=ListColour.RED,
        period=Period(start=start, end=date(start.year + 1, 3, 31)),
        linked_persons=[],
    )


def _ordered(catalog: Catalog, records: dict[str, list[PastEntry]]) -> dict[str, set[str]]:
    list_types, measures = catalog
    [list_type] = [t for t in list_types if t.code == A_GRADE]
    entry = _a_grade_entry()
    plans = plan_orders(entry, list_type, measures, on=ON, records=records)
    return {p.department: {m.code for m in p.measures} for p in plans}


def test_a_first_year_a_grade_taxpayer_gets_the_a_grade_rewards_but_not_the_green_channel(
    catalog: Catalog,
) -> None:
    ordered = _ordered(catalog, {})
    assert {"tax.a-grade-publicity", "tax.invoice-on-demand"} <= ordered["tax"]
    assert GREEN not in ordered["tax"]
    # No bad record: the licensing green channel needs only that (000 (十一)).
    assert LICENSING_GREEN in ordered["trading"]


def test_the_third_consecutive_year_gets_the_green_channel(catalog: Catalog) -> None:
    ordered = _ordered(catalog, {CO: [a_grade(2024), a_grade(2025)]})
    assert GREEN in ordered["tax"]


def test_a_black_list_entry_within_three_years_takes_the_green_channels_away(
    catalog: Catalog,
) -> None:
    record = [a_grade(2024), a_grade(2025), black("b", date(2023, 1, 1), date(2025, 12, 31))]
    ordered = _ordered(catalog, {CO: record})
    assert GREEN not in ordered["tax"]
    assert LICENSING_GREEN not in ordered["trading"]
    assert "tax.invoice-on-demand" in ordered["tax"]  # the unconditional rewards stay


def test_a_withheld_measure_is_named_in_the_plan_with_its_reasons(catalog: Catalog) -> None:
    list_types, measures = catalog
    [list_type] = [t for t in list_types if t.code == A_GRADE]
    [tax] = [
        p
        for p in plan_orders(_a_grade_entry(), list_type, measures, on=ON, records={})
        if p.department == "tax"
    ]
    [(code, problems)] = tax.withheld
    assert code == GREEN
    assert [p.kind for p in problems] == ["on_list_consecutive_years"]
    assert tax.withheld_json()[0]["measure"] == GREEN


# --- the check answer ----------------------------------------------------------------------


def _green(catalog: Catalog) -> MeasurePublished:
    [green] = [m for m in catalog[1] if m.code == GREEN]
    return green


def _check(ordered: tuple[Measure, ...]) -> CheckAnswer:
    entry = Entry(
        "a-2026", A_GRADE, "red", CO, "legal_person", "北京示例纳税人有限公司", "tax", "…",
        "税A〔2026〕1号", date(2026, 4, 1), date(2026, 4, 1), date(2027, 3, 31),
        (CO, "subject"), (Order("tax", 0, ordered),),
    )  # fmt: skip
    return answer(CO, "tax", ON, [entry])


def test_the_check_withholds_the_green_channel_with_the_reason(catalog: Catalog) -> None:
    invoices = Measure("tax.invoice-on-demand", 1, "reward", True, "…", "…", "…")
    result = _check((invoices,))
    conditional = {A_GRADE: (_green(catalog),)}
    assert needs_record(result, conditional)
    assert not needs_record(result, {})
    judged = with_eligibility(result, conditional, [a_grade(2026)], NAMES)
    assert [d.measure.code for d in judged.rewards] == ["tax.invoice-on-demand"]
    [withheld] = judged.withheld
    assert withheld.measure.code == GREEN and withheld.entry_ids == ("a-2026",)
    assert withheld.unmet[0].missing_years == (2024, 2025)
    assert judged.summary()["withheld"] == {GREEN: ["on_list_consecutive_years"]}


def test_the_check_grants_what_holds_on_the_day_and_drops_what_no_longer_does(
    catalog: Catalog,
) -> None:
    green = _green(catalog)
    as_ordered = Measure(GREEN, green.version, "reward", True, "…", "…", "…")
    conditional = {A_GRADE: (green,)}
    three_years = [a_grade(2024), a_grade(2025), a_grade(2026)]
    granted = with_eligibility(_check(()), conditional, three_years, NAMES)
    assert [d.measure.code for d in granted.rewards] == [GREEN] and not granted.withheld
    blacklisted = [*three_years, black("b", date(2026, 10, 1), date(2029, 9, 30))]
    dropped = with_eligibility(_check((as_ordered,)), conditional, blacklisted, NAMES)
    assert dropped.rewards == () and dropped.withheld[0].unmet[0].entry_ids == ("b",)
