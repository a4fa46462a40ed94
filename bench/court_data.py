"""Realistic data of the court's list of dishonest judgment debtors (失信被执行人), by seed.

A snapshot is what a court's system would send when it onboards its list: N
`ListEntrySubmission`-shaped dicts for `black.judicial.dishonest-judgment-debtor`, department
`court` (issue 12, part 4). A delta is what it sends on a later day: new listings, corrections of
listings still in force and deletions (法释〔2017〕7号 第十条), as feed lines.

The rules it follows (DOMAIN.md §2, §3, §11 "Court list"):

* identifiers: USCCs with a valid check character (and a valid organisation code) and
  resident IDs with a valid check character, Fujian division codes, birth dates that make every
  natural person (debtor or legal representative) an adult on the decision date — minors are
  never listed (法释〔2017〕7号 第五条);
* a share of natural persons; organisations carry their legal representative in
  `linked_persons` (DOMAIN.md §3);
* decision dates from 2014 to the day before `as_of`; the period starts on the decision date
  and lasts 24 months, a share extended by 12–36 months with an `extension_ground`
  (法释〔2017〕7号 第二条). Periods that ended before `as_of` are recorded as expired, with no
  orders (issue 12, part 1);
* the court case record (DOMAIN.md §11): enforcing court of Fujian, case number like
  `(2023)闽0102执1234号` (the year is the filing year), filing date before the decision, the
  enforcement basis (issuer, number), the obligation and whether it was met in part.

A plain module: `jrp_shared`, and the CSV layout from trigger's `bulk_input` (one layout);
deterministic for a seed and an `as_of` date. Command line::

    python -m bench.court_data snapshot --entries 20000 --seed 1 > court.ndjson
    python -m bench.court_data delta --entries 20000 --seed 1 --changes 2000 > delta.ndjson
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final, TextIO

from jrp_shared.identifiers import (
    USCC_ALPHABET,
    organisation_code_check_character,
    resident_id_check_character,
    uscc_check_character,
)
from jrp_trigger.entrypoints.bulk_input import CSV_OPTIONAL, CSV_REQUIRED

LIST_TYPE: Final = "black.judicial.dishonest-judgment-debtor"
DEPARTMENT: Final = "court"
DEFAULT_PERIOD_MONTHS: Final = 24
EXTENSION_MONTHS: Final = (12, 36)
EXTENSION_GROUNDS: Final = ("violent_obstruction", "multiple_dishonest_acts")
"""法释〔2017〕7号 第二条: violent or threatening obstruction, or several dishonest acts."""

DELETION_GROUNDS: Final = (
    "obligations_performed",
    "settlement_performed",
    "applicant_requested_deletion",
    "no_assets_after_termination",
    "suspended_for_review_or_bankruptcy",
    "enforcement_refused",
    "enforcement_terminated",
)
"""The seven grounds of 法释〔2017〕7号 第十条 (deleted within three working days), by the
codes of the court list type's `deletion.grounds` in the catalog."""

FIRST_DECISION: Final = date(2014, 1, 1)
MINIMUM_AGE: Final = 18

SITUATIONS: Final = (
    "有履行能力而拒不履行",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
)
"""The six situations of 法释〔2017〕7号 第一条, as the catalog's court list grounds name them."""
_ITEMS: Final = "一二三四五六"
GROUNDS: Final = tuple(
    f"被执行人未履行生效法律文书确定的义务，{situation}（法释〔2017〕7号 第一条第（{item}）项）"
    for situation, item in zip(SITUATIONS, _ITEMS, strict=True)
)
LEGAL_BASIS: Final = (
    "《中华人民共和国民事诉讼法》; 《最高人民法院关于公布失信被执行人名单信息的若干规定》"
    "(法释〔2017〕7号)"
)
"""The first two documents of the catalog's legal basis for the court list."""
_VIOLENT_GROUND: Final = GROUNDS[1]

# --- word lists ---------------------------------------------------------------------------------

SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严武戴莫孔向汤游翁柯詹庄温施欧阳"
)
GIVEN: Final = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文斌海波辉玲红燕鹏飞宇浩晨欣怡"
    "婷雪琳晶颖佳子涵梓轩俊杰鑫宏振荣春梅金水木火土林森福祥德仁义礼智信忠孝和顺安康泉清源"
)
TRADE_NAMES: Final = (
    "鑫源",
    "华盛",
    "宏达",
    "恒通",
    "永安",
    "聚福",
    "闽兴",
    "海峡",
    "榕城",
    "鹭岛",
    "泉发",
    "东南",
    "中联",
    "金泰",
    "瑞丰",
    "嘉禾",
    "天成",
    "兴业",
    "龙腾",
    "盛世",
    "鼎新",
    "汇通",
    "利民",
    "德盛",
    "宏远",
    "福顺",
    "安泰",
    "锦江",
    "万达",
    "新航",
    "三元",
    "博远",
    "正和",
)
INDUSTRIES: Final = (
    "贸易",
    "建设工程",
    "电子科技",
    "食品",
    "物流",
    "房地产开发",
    "投资",
    "服装",
    "茶业",
    "石材",
    "鞋业",
    "水产",
    "机械设备",
    "建材",
    "网络科技",
    "装饰工程",
    "汽车销售",
    "医药",
    "家具",
)
COMPANY_SUFFIXES: Final = ("有限公司", "有限公司", "有限责任公司", "股份有限公司")


@dataclass(frozen=True)
class Division:
    """A Fujian county-level division (GB/T 2260) with its city and basic court."""

    code: str
    city: str
    court: str


DIVISIONS: Final = (
    Division("350102", "福州", "福州市鼓楼区人民法院"),
    Division("350103", "福州", "福州市台江区人民法院"),
    Division("350104", "福州", "福州市仓山区人民法院"),
    Division("350111", "福州", "福州市晋安区人民法院"),
    Division("350121", "福州", "闽侯县人民法院"),
    Division("350181", "福州", "福清市人民法院"),
    Division("350203", "厦门", "厦门市思明区人民法院"),
    Division("350206", "厦门", "厦门市湖里区人民法院"),
    Division("350211", "厦门", "厦门市集美区人民法院"),
    Division("350302", "莆田", "莆田市城厢区人民法院"),
    Division("350502", "泉州", "泉州市鲤城区人民法院"),
    Division("350582", "泉州", "晋江市人民法院"),
    Division("350583", "泉州", "南安市人民法院"),
    Division("350602", "漳州", "漳州市芗城区人民法院"),
    Division("350702", "南平", "南平市延平区人民法院"),
    Division("350802", "龙岩", "龙岩市新罗区人民法院"),
    Division("350902", "宁德", "宁德市蕉城区人民法院"),
)
INTERMEDIATE_COURTS: Final = {
    "福州": "福州市中级人民法院",
    "厦门": "厦门市中级人民法院",
    "莆田": "莆田市中级人民法院",
    "泉州": "泉州市中级人民法院",
    "漳州": "漳州市中级人民法院",
    "南平": "南平市中级人民法院",
    "龙岩": "龙岩市中级人民法院",
    "宁德": "宁德市中级人民法院",
}
ARBITRATION: Final = {
    "福州": ("福州仲裁委员会", "榕仲"),
    "厦门": ("厦门仲裁委员会", "厦仲"),
    "泉州": ("泉州仲裁委员会", "泉仲"),
}
OBLIGATIONS: Final = (
    "支付货款人民币{amount}元及逾期付款利息",
    "偿还借款本金人民币{amount}元及利息",
    "支付工程款人民币{amount}元",
    "支付租金人民币{amount}元并腾退租赁房屋",
    "支付劳动报酬人民币{amount}元",
    "赔偿损失人民币{amount}元",
    "返还购房款人民币{amount}元及违约金",
)


# --- identifiers ---------------------------------------------------------------------------------


def _uscc(rng: random.Random, division: str) -> str:
    """An enterprise registered by market regulation (`91`) in `division`: a random
    organisation code with its GB 11714 check, then the GB 32100 check (DOMAIN.md §2)."""
    body8 = "".join(rng.choice("0123456789" + USCC_ALPHABET[10:]) for _ in range(8))
    first17 = f"91{division}{body8}{organisation_code_check_character(body8)}"
    return first17 + uscc_check_character(first17)


def _resident_id(rng: random.Random, division: str, born: date, male: bool) -> str:
    """GB 11643: division, birth date, a sequence whose last digit is odd for men, check."""
    sequence = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{division}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_character(first17)


def _adult_birth_date(rng: random.Random, on: date) -> date:
    """A birth date making the person 18 to 75 years old on `on` (never a minor, 第五条)."""
    latest = _years_before(on, MINIMUM_AGE) - timedelta(days=1)
    earliest = _years_before(on, 75)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has none)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_end(start: date, months: int, extended: bool) -> date:
    """The last day of a listing of `months` from `start`: the day before the same day
    `months` later; an extension runs to that day itself, as the platform measures one (at
    least the default plus `min_months` from the start, at most plus `max_months`)."""
    end = add_months(start, months)
    return end if extended else end - timedelta(days=1)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def birth_date_in(resident_id: str) -> date:
    return date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))


# --- the generator ------------------------------------------------------------------------------


@dataclass
class _Names:
    """Unique codes across everything generated from one seed (subjects and people)."""

    codes: set[str] = field(default_factory=set)

    def fresh(self, make: Iterator[str]) -> str:
        for code in make:
            if code not in self.codes:
                self.codes.add(code)
                return code
        raise AssertionError("unreachable")


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _company_name(rng: random.Random, city: str) -> str:
    return f"{city}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}{rng.choice(COMPANY_SUFFIXES)}"


def _person(rng: random.Random, names: _Names, division: str, on: date) -> tuple[str, str]:
    """(name, resident ID) of an adult on `on`."""
    born = _adult_birth_date(rng, on)
    male = rng.random() < 0.7

    def codes() -> Iterator[str]:
        while True:
            yield _resident_id(rng, division, born, male)

    return _person_name(rng), names.fresh(codes())


def _court_case(
    rng: random.Random, division: Division, decided: date, extension_ground: str | None
) -> dict[str, Any]:
    """The court's record (DOMAIN.md §11): filing 20–400 days before the decision."""
    filed = decided - timedelta(days=rng.randrange(20, 400))
    basic = rng.random() < 0.85
    court = division.court if basic else INTERMEDIATE_COURTS[division.city]
    court_code = f"闽{division.code[2:6]}" if basic else f"闽{division.code[2:4]}"
    case_number = f"({filed.year}){court_code}执{rng.randrange(1, 20000)}号"
    basis_year = filed.year - rng.choice((0, 1, 1, 2))
    arbitration = ARBITRATION.get(division.city)
    if arbitration and rng.random() < 0.15:
        issuer, short = arbitration
        basis = {
            "issuer": issuer,
            "number": f"({basis_year}){short}裁字第{rng.randrange(1, 3000)}号",
        }
    else:
        kind = rng.choice(("民初", "民初", "民终", "商初"))
        basis = {
            "issuer": court,
            "number": f"({basis_year}){court_code}{kind}{rng.randrange(1, 20000)}号民事判决书",
        }
    amount = rng.randrange(5_000, 5_000_000)
    partial = rng.random() < 0.25
    case: dict[str, Any] = {
        "court": court,
        "case_number": case_number,
        "filing_date": filed.isoformat(),
        "enforcement_basis": basis,
        "obligation": rng.choice(OBLIGATIONS).format(amount=f"{amount:,}"),
        "performance": "partial" if partial else "none",
    }
    if partial:
        case["performed_part"] = f"已履行人民币{rng.randrange(1_000, max(amount // 2, 1_001)):,}元"
    if extension_ground:
        case["extension_ground"] = extension_ground
    return case


@dataclass(frozen=True)
class Options:
    """What a snapshot looks like: how many entries, from which seed, as of which day."""

    entries: int
    seed: int
    as_of: date
    persons_share: float = 0.7
    extended_share: float = 0.1
    first_decision: date = FIRST_DECISION


def _decision_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _entry(
    rng: random.Random,
    names: _Names,
    record_id: str,
    decided: date,
    options: Options,
) -> dict[str, Any]:
    division = rng.choice(DIVISIONS)
    extended = rng.random() < options.extended_share
    ground = rng.choice(EXTENSION_GROUNDS) if extended else None
    months = DEFAULT_PERIOD_MONTHS + (rng.randint(*EXTENSION_MONTHS) if extended else 0)
    end = period_end(decided, months, extended)
    # Keep clear of the expiry boundary: the platform judges it on its own clock.
    if abs((end - options.as_of).days) <= 2:
        decided -= timedelta(days=5)
        end = period_end(decided, months, extended)
    person = rng.random() < options.persons_share
    linked: list[dict[str, str]] = []
    if person:
        name, code = _person(rng, names, division.code, decided)
        subject = {"code": code, "subject_type": "natural_person", "name": name}
    else:

        def usccs() -> Iterator[str]:
            while True:
                yield _uscc(rng, division.code)

        subject = {
            "code": names.fresh(usccs()),
            "subject_type": "legal_person",
            "name": _company_name(rng, division.city),
        }
        rep_name, rep_code = _person(rng, names, rng.choice(DIVISIONS).code, decided)
        linked = [{"role": "legal_representative", "name": rep_name, "resident_id": rep_code}]
    grounds = _VIOLENT_GROUND if ground == "violent_obstruction" else rng.choice(GROUNDS)
    case = _court_case(rng, division, decided, ground)
    entry: dict[str, Any] = {
        "record_id": record_id,
        "subject": subject,
        "list_type": LIST_TYPE,
        "grounds": grounds,
        "legal_basis": LEGAL_BASIS,
        "decision_document": {
            "number": case["case_number"].removesuffix("号") + "号决定书",
            "date": decided.isoformat(),
        },
        "period": {"start": decided.isoformat(), "end": end.isoformat()},
        "disclosure_class": "public",
        "linked_persons": linked,
        "evidence_references": [f"{case['case_number']}失信决定书"],
        "court_case": case,
    }
    return entry


def _record_id(seed: int, n: int) -> str:
    return f"court-s{seed}-{n:07d}"


def snapshot(options: Options) -> Iterator[dict[str, Any]]:
    """N court-list entries, deterministic for (seed, as_of). Holds no more than the codes
    already used (to keep them unique)."""
    rng = random.Random(f"snapshot:{options.seed}")
    names = _Names()
    last = options.as_of - timedelta(days=1)
    for n in range(options.entries):
        decided = _decision_date(rng, options.first_decision, last)
        yield _entry(rng, names, _record_id(options.seed, n), decided, options)


def in_force(entry: dict[str, Any], as_of: date) -> bool:
    """Whether the entry's period has not ended on `as_of` (else it arrives expired)."""
    return date.fromisoformat(entry["period"]["end"]) >= as_of


@dataclass(frozen=True)
class DeltaMix:
    """How a delta's changes split: additions, corrections, deletions (shares of the total)."""

    additions: float = 0.4
    corrections: float = 0.3

    def split(self, changes: int, changeable: int) -> tuple[int, int, int]:
        """(additions, corrections, deletions); corrections and deletions only among the
        entries in force, so additions take what they cannot."""
        corrections = min(round(changes * self.corrections), changeable)
        deletions = min(
            changes - round(changes * self.additions) - corrections, changeable - corrections
        )
        deletions = max(deletions, 0)
        return changes - corrections - deletions, corrections, deletions


def _corrected(rng: random.Random, entry: dict[str, Any]) -> dict[str, Any]:
    """The same record with a changed court case: the debtor paid part of the debt, or the
    court corrects a detail of the case record (法释〔2017〕7号 第十二条)."""
    case = dict(entry["court_case"])
    if case["performance"] == "none" or rng.random() < 0.5:
        case["performance"] = "partial"
        case["performed_part"] = f"已履行人民币{rng.randrange(1_000, 100_000):,}元（更正）"
        reason = "被执行人已部分履行义务，更正履行情况"
    else:
        case["obligation"] = case["obligation"] + "（更正：含迟延履行期间的债务利息）"
        reason = "更正执行依据确定的义务内容"
    corrected = dict(entry, court_case=case)
    corrected["op"] = "upsert"
    corrected["correction_reason"] = reason
    return corrected


def _deletion(rng: random.Random, entry: dict[str, Any], as_of: date) -> dict[str, Any]:
    """A deletion line (法释〔2017〕7号 第十条) with a ground that arose 0–2 days ago."""
    ground = rng.choice(DELETION_GROUNDS)
    reasons = {
        "obligations_performed": "被执行人已履行生效法律文书确定的全部义务",
        "settlement_performed": "当事人达成执行和解协议且已履行完毕",
        "applicant_requested_deletion": "申请执行人书面申请删除失信信息，经审查同意",
        "no_assets_after_termination": "终结本次执行程序后两次查询未发现可供执行财产",
        "suspended_for_review_or_bankruptcy": "因审判监督或破产程序裁定中止执行",
        "enforcement_refused": "人民法院依法裁定不予执行",
        "enforcement_terminated": "人民法院依法裁定终结执行",
    }
    arose = max(
        as_of - timedelta(days=rng.randrange(0, 3)),
        date.fromisoformat(entry["decision_document"]["date"]),
    )
    return {
        "record_id": entry["record_id"],
        "op": "delete",
        "reason": reasons[ground],
        "deletion_ground": ground,
        "ground_arose_on": arose.isoformat(),
    }


def delta(options: Options, changes: int, mix: DeltaMix | None = None) -> Iterator[dict[str, Any]]:
    """`changes` feed lines against the snapshot of `options`: new listings (decided within
    the last 30 days, so in force), corrections and deletions of entries in force. Lines come
    shuffled, each record at most once. Holds the codes and the ids in force, not the
    snapshot."""
    mix = mix or DeltaMix()
    rng = random.Random(f"delta:{options.seed}:{changes}")
    names = _Names()
    changeable: list[str] = []
    for entry in snapshot(options):
        names.codes.add(entry["subject"]["code"])
        names.codes.update(p["resident_id"] for p in entry["linked_persons"])
        if in_force(entry, options.as_of):
            changeable.append(entry["record_id"])
    additions, corrections, deletions = mix.split(changes, len(changeable))
    chosen_ids = rng.sample(changeable, corrections + deletions)
    # A second pass for the chosen entries: a million entries are never all held at once.
    wanted = set(chosen_ids)
    found = {e["record_id"]: e for e in snapshot(options) if e["record_id"] in wanted}
    chosen = [found[record_id] for record_id in chosen_ids]
    lines: list[dict[str, Any]] = [_corrected(rng, e) for e in chosen[:corrections]]
    lines += [_deletion(rng, e, options.as_of) for e in chosen[corrections:]]
    recent = options.as_of - timedelta(days=30)
    for n in range(additions):
        decided = _decision_date(rng, recent, options.as_of - timedelta(days=1))
        record_id = f"court-d{options.seed}-{n:07d}"
        lines.append(_entry(rng, names, record_id, decided, options))
    rng.shuffle(lines)
    return iter(lines)


# --- the expected outcome -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the platform must do with a snapshot and then a delta, record by record."""

    created: frozenset[str]
    """Snapshot records entering force (orders issued)."""
    expired_on_arrival: frozenset[str]
    """Snapshot records whose period ended before they arrived: recorded expired, no orders."""
    added: frozenset[str]
    """Delta records that are new: created, in force."""
    corrected: frozenset[str]
    """Delta records that change an entry in force: a new version, orders re-issued."""
    deleted: frozenset[str]
    """Delta records deleted: revoked, orders lifted."""

    @property
    def in_force_after(self) -> frozenset[str]:
        return (self.created | self.added) - self.deleted


def expected_outcome(
    snapshot_entries: Iterable[dict[str, Any]], delta_lines: Iterable[dict[str, Any]], as_of: date
) -> Outcome:
    created: set[str] = set()
    expired: set[str] = set()
    for entry in snapshot_entries:
        (created if in_force(entry, as_of) else expired).add(entry["record_id"])
    return outcome_of(created, expired, delta_lines)


def outcome_of(
    created: Iterable[str], expired: Iterable[str], delta_lines: Iterable[dict[str, Any]]
) -> Outcome:
    """The outcome from the snapshot's record ids in force and expired (what a caller that
    streams the snapshot keeps) and the delta's lines."""
    created, expired = set(created), set(expired)
    added: set[str] = set()
    corrected: set[str] = set()
    deleted: set[str] = set()
    for line in delta_lines:
        record_id = line["record_id"]
        if line.get("op") == "delete":
            deleted.add(record_id)
        elif record_id in created:
            corrected.add(record_id)
        elif record_id not in expired:
            added.add(record_id)
    return Outcome(
        frozenset(created),
        frozenset(expired),
        frozenset(added),
        frozenset(corrected),
        frozenset(deleted),
    )


# --- formats ------------------------------------------------------------------------------------

CSV_COLUMNS: Final = (*CSV_REQUIRED, *CSV_OPTIONAL)
"""The bulk import's CSV columns and the court case's, flattened: trigger's own layout."""


def csv_row(entry: dict[str, Any]) -> list[str]:
    case = entry["court_case"]
    people = ";".join(
        f"{p['role']}:{p['name']}:{p['resident_id']}" for p in entry["linked_persons"]
    )
    return [
        entry["record_id"],
        entry["subject"]["code"],
        entry["subject"]["subject_type"],
        entry["subject"]["name"],
        entry["list_type"],
        entry["grounds"],
        entry["legal_basis"],
        entry["decision_document"]["number"],
        entry["decision_document"]["date"],
        entry["period"]["start"],
        entry["period"]["end"],
        entry["disclosure_class"],
        people,
        "|".join(entry["evidence_references"]),
        case["court"],
        case["case_number"],
        case["filing_date"],
        case["enforcement_basis"]["issuer"],
        case["enforcement_basis"]["number"],
        case["obligation"],
        case["performance"],
        case.get("performed_part", ""),
        case.get("extension_ground", ""),
    ]


def entry_from_csv(row: dict[str, str]) -> dict[str, Any]:
    """The entry a CSV row (by `CSV_COLUMNS`) stands for: the inverse of `csv_row`."""
    people = []
    for item in filter(None, row["linked_persons"].split(";")):
        role, name, resident_id = item.split(":")
        people.append({"role": role, "name": name, "resident_id": resident_id})
    case: dict[str, Any] = {
        "court": row["court_case_court"],
        "case_number": row["court_case_number"],
        "filing_date": row["court_case_filing_date"],
        "enforcement_basis": {
            "issuer": row["court_case_basis_issuer"],
            "number": row["court_case_basis_number"],
        },
        "obligation": row["court_case_obligation"],
        "performance": row["court_case_performance"],
    }
    for optional in ("performed_part", "extension_ground"):
        if row[f"court_case_{optional}"]:
            case[optional] = row[f"court_case_{optional}"]
    return {
        "record_id": row["record_id"],
        "subject": {
            "code": row["subject_code"],
            "subject_type": row["subject_type"],
            "name": row["subject_name"],
        },
        "list_type": row["list_type"],
        "grounds": row["grounds"],
        "legal_basis": row["legal_basis"],
        "decision_document": {"number": row["decision_number"], "date": row["decision_date"]},
        "period": {"start": row["period_start"], "end": row["period_end"]},
        "disclosure_class": row["disclosure_class"],
        "linked_persons": people,
        "evidence_references": [e for e in row["evidence_references"].split("|") if e],
        "court_case": case,
    }


def write_ndjson(lines: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def write_csv(entries: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(csv_row(entry))
        count += 1
    return count


def read_csv(text: str) -> list[dict[str, Any]]:
    return [entry_from_csv(row) for row in csv.DictReader(io.StringIO(text))]


# --- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.court_data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("snapshot", "delta"):
        p = sub.add_parser(name)
        p.add_argument("--entries", type=int, required=True, help="entries in the snapshot")
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--persons-share", type=float, default=0.7)
        p.add_argument("--extended-share", type=float, default=0.1)
        p.add_argument(
            "--since",
            type=date.fromisoformat,
            default=FIRST_DECISION,
            help="the earliest decision date (later: more entries still in force)",
        )
        p.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=date.today(),
            help="the day the list is sent (periods ended before it arrive expired)",
        )
        if name == "snapshot":
            p.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
        else:
            p.add_argument("--changes", type=int, required=True)
    args = parser.parse_args(argv)
    options = Options(
        entries=args.entries,
        seed=args.seed,
        as_of=args.as_of,
        persons_share=args.persons_share,
        extended_share=args.extended_share,
        first_decision=args.since,
    )
    if args.command == "snapshot":
        write = write_csv if args.format == "csv" else write_ndjson
        count = write(snapshot(options), sys.stdout)
    else:
        count = write_ndjson(delta(options, args.changes), sys.stdout)
    print(f"[bench.court_data] {count} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
