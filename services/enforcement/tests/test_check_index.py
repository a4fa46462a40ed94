"""The compact must-check index without I/O (DOMAIN.md §6): what is put comes back equal from
every code it reaches, and replacing, dropping, pruning, bulk loading and compaction keep
every lookup exact, including when key hashes collide."""

import random
from datetime import date, timedelta

import pytest

from jrp_enforcement.domain import checks
from jrp_enforcement.domain.checks import CheckIndex, Entry, Measure, Order

TODAY = date(2026, 11, 23)
INVOICES = Measure("tax.no-new-invoice-quota", 1, "punishment", True, "发票", "Invoices", "法")
PROCUREMENT = Measure("finance.no-procurement", 1, "punishment", True, "采购", "Procurement", "法")
LAYOUTS = (
    (),
    (Order("tax", 0, (INVOICES,)),),
    (Order("finance", 0, (PROCUREMENT,)), Order("tax", 1, (INVOICES,))),
)
ROLES = ("legal_representative", "principal_responsible_person", "directly_responsible_person")


def _code(n: int) -> str:
    return f"C{n:017d}"


def _entry(
    entry_id: str,
    subject: str,
    persons: tuple[tuple[str, str], ...] = (),
    *,
    colour: str = "black",
    end: date = date(2029, 11, 19),
    suspended: str | None = None,
    orders: tuple[Order, ...] = (),
    name: str = "福州示例科技有限公司",
) -> Entry:
    targets: tuple[str, ...] = (subject, "subject")
    for code, role in persons:
        targets += (code, role)
    return Entry(
        entry_id=entry_id,
        list_type=f"{colour}.tax.major-violation",
        colour=colour,
        subject_code=subject,
        subject_type="legal_person",
        subject_name=name,
        initiating_department="tax",
        legal_basis="《中华人民共和国税收征收管理法》",
        decision_number=f"闽税稽罚〔2026〕{entry_id}号",
        decision_date=date(2026, 11, 20),
        period_start=date(2026, 11, 20),
        period_end=end,
        targets=targets,
        orders=orders,
        suspended=suspended,
    )


def _found(index: CheckIndex, code: str) -> set[Entry]:
    return set(index.lookup(code))


def test_entries_come_back_equal_from_every_code_they_reach() -> None:
    index = CheckIndex()
    shared_person = _code(99)
    first = _entry("e1", _code(1), ((shared_person, "legal_representative"),), orders=LAYOUTS[2])
    second = _entry(
        "e2",
        _code(2),
        ((shared_person, "principal_responsible_person"), (_code(3), "legal_representative")),
        orders=LAYOUTS[1],
    )
    third = _entry("e3", _code(3), colour="red")
    index.put(first)
    index.extend([second, third])
    assert index.lookup(_code(1)) == (first,)
    assert _found(index, shared_person) == {first, second}
    assert _found(index, _code(3)) == {second, third}
    assert index.lookup("C00000000000000404") == ()
    assert (len(index), index.codes) == (3, 4)
    assert index.get("e2") == second and index.get("e4") is None
    [again] = index.lookup(_code(1))
    assert again.orders is first.orders  # the layout is shared, not copied per entry


def test_a_replaced_entry_answers_only_as_it_is_now() -> None:
    index = CheckIndex()
    person = _code(50)
    index.put(_entry("e1", _code(1), ((person, "legal_representative"),)))
    unlinked = _entry("e1", _code(1), ((_code(51), "legal_representative"),), name="新名称")
    index.put(unlinked)
    assert index.lookup(person) == ()
    assert index.lookup(_code(51)) == (unlinked,)
    assert index.lookup(_code(1)) == (unlinked,)
    assert (len(index), index.codes) == (1, 2)
    moved = unlinked._replace(subject_code=_code(2), targets=(_code(2), "subject"))
    index.put(moved)
    assert index.lookup(_code(1)) == () and index.lookup(_code(2)) == (moved,)
    assert (len(index), index.codes) == (1, 1)
    index.drop("e1")
    index.drop("e1")  # twice, or unknown: nothing happens
    assert index.lookup(_code(2)) == () and (len(index), index.codes) == (0, 0)


def test_suspended_entries_are_kept_by_prune_and_come_back_suspended() -> None:
    index = CheckIndex()
    ended = TODAY - timedelta(days=1)
    suspended = _entry("s1", _code(1), suspended="objection", end=ended)
    index.extend(
        [
            suspended,
            _entry("over", _code(1), end=ended),
            _entry("last-day", _code(2), end=TODAY),
            _entry("complaint", _code(3), suspended="complaint", orders=LAYOUTS[1]),
        ]
    )
    assert index.prune(TODAY) == 1
    assert index.lookup(_code(1)) == (suspended,)
    assert index.lookup(_code(1))[0].suspended == "objection"
    assert index.lookup(_code(3))[0].suspended == "complaint"
    assert index.lookup(_code(2))[0].entry_id == "last-day"
    assert index.prune(TODAY + timedelta(days=1)) == 1
    assert (len(index), index.codes) == (2, 2)


def test_a_load_keeps_the_last_entry_of_an_id() -> None:
    index = CheckIndex()
    old = _entry("e1", _code(1), ((_code(7), "legal_representative"),))
    new = _entry("e1", _code(1), orders=LAYOUTS[1])
    index.extend([old, _entry("e2", _code(2)), new])
    assert index.lookup(_code(1)) == (new,)
    assert index.lookup(_code(7)) == ()
    assert (len(index), index.codes) == (2, 2)


def test_odd_entries_are_stored_as_given() -> None:
    index = CheckIndex()
    no_targets = _entry("bare", _code(1))._replace(targets=())
    elsewhere = _entry("elsewhere", _code(2))._replace(
        targets=(_code(3), "subject", _code(2), "legal_representative")
    )
    same_person_twice = _entry(
        "twice",
        _code(4),
        ((_code(5), "legal_representative"), (_code(5), "principal_responsible_person")),
    )
    index.extend([no_targets, elsewhere, same_person_twice])
    assert index.get("bare") == no_targets and index.lookup(_code(1)) == ()
    assert index.lookup(_code(2)) == (elsewhere,) and index.lookup(_code(3)) == (elsewhere,)
    assert index.lookup(_code(5)) == (same_person_twice,)
    assert index.codes == 4
    with_nul = _entry("nul", _code(6), name="名\0称")
    index.put(with_nul)
    assert index.lookup(_code(6))[0].subject_name == "名\ufffd称"  # a NUL cannot be stored


def test_lookups_stay_exact_when_every_key_hash_collides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_key_hash", lambda _value: 42)
    index = CheckIndex()
    entries = [
        _entry(f"e{n}", _code(n), ((_code(100 + n % 3), "legal_representative"),)) for n in range(9)
    ]
    index.extend(entries[:5])
    for entry in entries[5:]:
        index.put(entry)
    assert index.lookup(_code(4)) == (entries[4],)
    assert _found(index, _code(100)) == {entries[0], entries[3], entries[6]}
    assert len(index) == 9
    index.drop("e3")
    assert _found(index, _code(100)) == {entries[0], entries[6]}
    assert index.get("e3") is None and index.get("e8") == entries[8]


@pytest.mark.parametrize("seed", range(4))
def test_random_changes_answer_like_a_plain_dictionary(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Puts, drops, loads and prunes at random, with small merge and compaction thresholds
    so that both happen many times; after each step every code answers as a plain dict of
    entries would."""
    monkeypatch.setattr(checks, "_MERGE_AT", 8)
    monkeypatch.setattr(checks, "_COMPACT_AT", 16)
    rng = random.Random(seed)
    index, model = CheckIndex(), dict[str, Entry]()
    codes = [_code(n) for n in range(40)]

    def random_entry() -> Entry:
        persons = tuple((rng.choice(codes), rng.choice(ROLES)) for _ in range(rng.randrange(3)))
        return _entry(
            f"e{rng.randrange(60)}",
            rng.choice(codes),
            tuple(dict.fromkeys(persons)),
            colour=rng.choice(("black", "red")),
            end=TODAY + timedelta(days=rng.randrange(-3, 30)),
            suspended=rng.choice((None, None, None, "objection")),
            orders=rng.choice(LAYOUTS),
        )

    for step in range(300):
        action = rng.random()
        if action < 0.5:
            entry = random_entry()
            index.put(entry)
            model[entry.entry_id] = entry
        elif action < 0.7:
            batch = [random_entry() for _ in range(rng.randrange(1, 12))]
            index.extend(batch)
            model.update((e.entry_id, e) for e in batch)
        elif action < 0.95:
            entry_id = f"e{rng.randrange(60)}"
            index.drop(entry_id)
            model.pop(entry_id, None)
        else:
            day = TODAY + timedelta(days=rng.randrange(10))
            ended = [k for k, e in model.items() if e.period_end < day and e.suspended is None]
            assert index.prune(day) == len(ended), step
            for entry_id in ended:
                del model[entry_id]
        reached: dict[str, set[Entry]] = {code: set() for code in codes}
        for entry in model.values():
            for code in entry.targets[0::2]:
                reached[code].add(entry)
        for code, expected in reached.items():
            found = index.lookup(code)
            assert set(found) == expected and len(found) == len(expected), (step, code)
        assert len(index) == len(model), step
        assert index.codes == sum(1 for found in reached.values() if found), step
        for entry_id in ("e0", "e1", "e59"):
            assert index.get(entry_id) == model.get(entry_id), step
