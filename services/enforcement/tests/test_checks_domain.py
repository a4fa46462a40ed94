"""Must-check without I/O: identifiers, the index, answers composed from index records,
period boundaries (DOMAIN.md §2, §6, §8)."""

import json
import random
from datetime import date, timedelta
from typing import NamedTuple

import pytest

from jrp_enforcement.adapters.check_index import EntryBuilder, LiveCheckIndex
from jrp_enforcement.domain.checks import (
    CheckIndex,
    Entry,
    IndexNotReady,
    Measure,
    Order,
    answer,
    department_asked_for,
    normalise_code,
)
from jrp_enforcement.service_layer.checks import CheckService
from jrp_shared.auth import Principal
from jrp_shared.catalog_copy import CatalogCopy
from jrp_shared.clock import system_clock
from jrp_shared.db import Database
from jrp_shared.errors import Forbidden, InvalidInput
from jrp_shared.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

ENTERPRISE = "91350100M000100Y43"
PERSON = "11010519491231002X"
RED_CO = "91110000802100433B"
TODAY = date(2026, 11, 23)

PROCUREMENT = Measure(
    "finance.no-government-procurement",
    1,
    "punishment",
    True,
    "限制政府采购",
    "No procurement",
    "政府采购法",
)
INVOICES = Measure(
    "tax.no-new-invoice-quota", 1, "punishment", True, "发票", "Invoices", "税收征管法"
)
MONITORING = Measure(
    "tax.key-monitoring", 1, "punishment", False, "重点监控", "Monitoring", "征管法"
)
EXECUTIVE_BAN = Measure(
    "tax.legal-rep-restriction", 1, "punishment", True, "法定代表人限制", "Ban", "征管法"
)
GREEN_CHANNEL = Measure("tax.green-channel", 1, "reward", False, "绿色通道", "Green", "纳税信用")


def _entry(
    entry_id: str = "entry-1",
    *,
    colour: str = "black",
    subject: str = ENTERPRISE,
    person: str | None = PERSON,
    start: date = date(2026, 11, 20),
    end: date = date(2029, 11, 19),
    orders: tuple[Order, ...] = (),
) -> Entry:
    targets: tuple[str, ...] = (subject, "subject")
    if person is not None:
        targets += (person, "legal_representative")
    return Entry(
        entry_id=entry_id,
        list_type="black.tax.major-violation" if colour == "black" else "red.tax.a-grade-taxpayer",
        colour=colour,
        subject_code=subject,
        subject_type="legal_person",
        subject_name="福州示例科技有限公司",
        initiating_department="tax",
        legal_basis="《中华人民共和国税收征收管理法》",
        decision_number="闽税稽罚〔2026〕12号",
        decision_date=start,
        period_start=start,
        period_end=end,
        targets=targets,
        orders=orders,
        version=3,
        list_type_version=2,
    )


TAX_ORDERS = (
    Order("finance", 0, (PROCUREMENT,)),
    Order("tax", 0, (INVOICES, MONITORING)),
    Order("tax", 1, (EXECUTIVE_BAN,)),
)


# --- identifiers --------------------------------------------------------------------------


def test_codes_are_normalised_and_either_kind_is_accepted() -> None:
    assert normalise_code(" 91350100m000100y43 ", TODAY, field="f") == ENTERPRISE
    assert normalise_code("11010519491231002x", TODAY, field="f") == PERSON


@pytest.mark.parametrize(
    ("code", "reason", "position"),
    [
        ("91350100M000100Y42", "uscc_check_character", 18),
        ("91350100M000100I43", "uscc_character", 16),
        ("9135", "uscc_length", None),
        ("110105194912310021", "resident_id_check_character", 18),
        ("110105202712310027", "resident_id_birth_date", 7),
    ],
)
def test_an_invalid_code_names_the_reason_and_position(
    code: str, reason: str, position: int | None
) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_code(code, TODAY, field="path.subject_code")
    [problem] = caught.value.problems
    assert (problem.field, problem.reason) == ("path.subject_code", reason)
    assert problem.context.get("position") == position
    assert code not in problem.message  # a resident ID is never echoed (DOMAIN.md §2)


def _shared_accepts(code: str) -> bool:
    for validate in (validate_uscc, lambda c: validate_resident_id(c, today=TODAY)):
        try:
            validate(code)
            return True
        except IdentifierError:
            pass
    return False


def test_the_fast_path_agrees_with_the_shared_validators() -> None:
    rng = random.Random(7)
    samples: list[str] = []
    for _ in range(3000):
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(17))
        samples.append(body + uscc_check_character(body))
        samples.append(body + rng.choice(USCC_ALPHABET))
        born = date(1890, 1, 1) + timedelta(days=rng.randrange(60_000))
        digits = f"{rng.randrange(10**6):06d}{born:%Y%m%d}{rng.randrange(1000):03d}"
        samples.append(digits + resident_id_check_character(digits))
        samples.append(digits + rng.choice("0123456789X"))
        samples.append(
            f"{rng.randrange(10**6):06d}{rng.randrange(10**8):08d}{rng.randrange(1000):03d}0"
        )
    for code in samples:
        try:
            normalise_code(code, TODAY, field="f")
            ours = True
        except InvalidInput:
            ours = False
        assert ours == _shared_accepts(code), code


def test_a_department_checks_for_itself_unless_administrator() -> None:
    assert department_asked_for("tax", None, administrator=False) == "tax"
    assert department_asked_for("tax", "tax", administrator=False) == "tax"
    assert department_asked_for("credit-office", "tax", administrator=True) == "tax"
    with pytest.raises(Forbidden):
        department_asked_for("tax", "finance", administrator=False)


# --- answers ------------------------------------------------------------------------------


def test_the_listed_enterprise_gets_the_asking_departments_measures_split() -> None:
    result = answer(ENTERPRISE, "tax", TODAY, (_entry(orders=TAX_ORDERS),))
    assert (result.listed, result.rewarded) == (True, False)
    [hit] = result.hits
    assert hit.roles == ("subject",)
    assert [d.measure for d in result.mandatory] == [INVOICES]
    assert [d.measure for d in result.recommended] == [MONITORING]
    assert result.rewards == ()
    assert result.mandatory[0].entry_ids == ("entry-1",)
    assert result.summary() == {
        "department": "tax",
        "on": "2026-11-23",
        "entries": ["entry-1"],
        "rewarded": False,
        "mandatory": ["tax.no-new-invoice-quota"],
        "recommended": ["tax.key-monitoring"],
        "rewards": [],
        # The answer as it was given: which version of each entry, measure and list type.
        "entry_versions": {"entry-1": 3},
        "measure_versions": {"tax.no-new-invoice-quota": 1, "tax.key-monitoring": 1},
        "list_type_versions": {"black.tax.major-violation": 2},
    }


def test_the_legal_representative_gets_the_measures_for_their_own_target() -> None:
    result = answer(PERSON, "tax", TODAY, (_entry(orders=TAX_ORDERS),))
    assert result.listed
    [hit] = result.hits
    assert hit.roles == ("legal_representative",)
    assert [d.measure for d in result.mandatory] == [EXECUTIVE_BAN]
    assert result.recommended == ()


def test_another_department_sees_only_its_own_measures() -> None:
    finance = answer(ENTERPRISE, "finance", TODAY, (_entry(orders=TAX_ORDERS),))
    assert [d.measure for d in finance.mandatory] == [PROCUREMENT]
    customs = answer(ENTERPRISE, "customs", TODAY, (_entry(orders=TAX_ORDERS),))
    assert customs.listed and customs.mandatory == () and customs.hits[0].measures == ()


def test_a_red_entry_gives_rewards_and_one_measure_is_listed_once_per_code() -> None:
    red = _entry(
        "red-1",
        colour="red",
        subject=RED_CO,
        person=None,
        orders=(Order("tax", 0, (GREEN_CHANNEL,)),),
    )
    red_again = red._replace(entry_id="red-2")
    result = answer(RED_CO, "tax", TODAY, (red, red_again))
    assert (result.listed, result.rewarded) == (False, True)
    [due] = result.rewards
    assert due.measure == GREEN_CHANNEL and due.entry_ids == ("red-1", "red-2")
    assert result.mandatory == result.recommended == ()


@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        (date(2026, 11, 19), False),  # the day before the period starts
        (date(2026, 11, 20), True),  # first day
        (date(2029, 11, 19), True),  # last day: the period end is inclusive
        (date(2029, 11, 20), False),  # ended, even if the expiry sweep has not run
    ],
)
def test_the_period_is_judged_on_the_day_asked(on: date, in_force: bool) -> None:
    result = answer(ENTERPRISE, "tax", on, (_entry(orders=TAX_ORDERS),))
    assert result.listed is in_force
    assert bool(result.mandatory) is in_force


def test_black_entries_come_first() -> None:
    black = _entry("b", subject=RED_CO, person=None)
    red = _entry("a", colour="red", subject=RED_CO, person=None)
    result = answer(RED_CO, "tax", TODAY, (red, black))
    assert [h.entry.entry_id for h in result.hits] == ["b", "a"]
    assert result.listed and result.rewarded


# --- the index ----------------------------------------------------------------------------


def test_the_index_finds_entries_by_every_target_and_replaces_by_id() -> None:
    index = CheckIndex()
    first = _entry("e1")
    second = _entry("e2", subject=RED_CO)  # same legal representative
    index.put(first)
    index.put(second)
    assert index.lookup(ENTERPRISE) == (first,)
    assert set(index.lookup(PERSON)) == {first, second}
    assert (len(index), index.codes) == (2, 3)
    moved = first._replace(targets=(ENTERPRISE, "subject"))  # the person was unlinked
    index.put(moved)
    assert index.lookup(PERSON) == (second,)
    index.drop("e2")
    assert index.lookup(PERSON) == () and index.lookup(RED_CO) == ()
    assert index.lookup(ENTERPRISE) == (moved,)
    index.drop("unknown")
    assert len(index) == 1
    assert index.prune(date(2029, 11, 19)) == 0  # the last day is still in force
    assert index.prune(date(2029, 11, 20)) == 1
    assert index.lookup(ENTERPRISE) == () and len(index) == 0


class _EntryRow(NamedTuple):
    entry_id: str
    list_type: str
    colour: str
    subject_code: str
    initiating_department: str
    period_start: date
    period_end: date
    payload: str
    suspension_case_kind: str | None = None


class _TargetRow(NamedTuple):
    entry_id: str
    code: str
    role: str
    subject_type: str
    name: str


class _OrderRow(NamedTuple):
    entry_id: str
    department: str
    target_code: str
    target_role: str
    measures: str


def _measures_text(*measures: Measure) -> str:
    return json.dumps([m._asdict() for m in measures], ensure_ascii=False)


def test_rows_become_compact_entries_that_share_their_order_layout() -> None:
    builder = EntryBuilder()
    built: list[Entry] = []
    for n, (subject, person) in enumerate([(ENTERPRISE, PERSON), (RED_CO, "11010519800101001X")]):
        entry_id = f"e{n}"
        row = _EntryRow(
            entry_id,
            "black.tax.major-violation",
            "black",
            subject,
            "tax",
            date(2026, 1, 1),
            date(2028, 12, 31),
            json.dumps(
                {
                    "legal_basis": "征管法",
                    "decision_document": {"number": f"闽税〔2026〕{n}号", "date": "2025-12-30"},
                },
                ensure_ascii=False,
            ),
        )
        targets = [
            _TargetRow(entry_id, person, "legal_representative", "natural_person", "张三"),
            _TargetRow(entry_id, subject, "subject", "legal_person", "公司"),
        ]
        orders = [
            _OrderRow(entry_id, "tax", subject, "subject", _measures_text(MONITORING, INVOICES)),
            _OrderRow(
                entry_id, "tax", person, "legal_representative", _measures_text(EXECUTIVE_BAN)
            ),
            _OrderRow(entry_id, "tax", "91440300708461136T", "subject", _measures_text(INVOICES)),
        ]
        built.append(builder.build(row, targets, orders))
    first, second = built
    assert first.targets == (ENTERPRISE, "subject", PERSON, "legal_representative")
    assert first.decision_date == date(2025, 12, 30)
    assert (first.decision_number, first.legal_basis) == ("闽税〔2026〕0号", "征管法")
    assert first.orders == (
        Order("tax", 0, (MONITORING, INVOICES)),  # sorted by measure code
        Order("tax", 1, (EXECUTIVE_BAN,)),
    )
    assert second.orders is first.orders  # one tuple for every entry of that layout
    assert second.list_type is first.list_type and second.period_end is first.period_end
    assert builder.skipped_orders == 2  # orders for someone the entry does not name
    assert [d.measure for d in answer(PERSON, "tax", TODAY, (first,)).mandatory] == [EXECUTIVE_BAN]


async def test_no_check_is_answered_before_the_index_is_loaded() -> None:
    db = Database("sqlite+aiosqlite:///:memory:")  # never connected: the index never loads
    live = LiveCheckIndex(db, CatalogCopy.__new__(CatalogCopy), system_clock)
    service = CheckService(live, audit=None, clock=system_clock)  # type: ignore[arg-type]
    principal = Principal("tax", frozenset())
    with pytest.raises(IndexNotReady):
        await service.check(principal, ENTERPRISE, None)
    with pytest.raises(InvalidInput):  # bad input is still named while loading
        await service.check(principal, "9135", None)
    await db.dispose()
