"""Name search (jrp_registry.domain.names): traditional characters, pinyin, initials,
non-contiguous words, ranking (issue 13 part 3)."""

from jrp_registry.domain.names import (
    Fit,
    NameQuery,
    Rank,
    keys_of,
    like_pattern,
    query_of,
    rank,
    ranked,
)

MINJIANG = "福州市闽江科技有限公司"
NAMES = [
    ("A", MINJIANG),
    ("B", "福州科技有限公司"),
    ("C", "厦门科技有限公司"),
    ("D", "福州科技"),
    ("E", "福建省福州建工集团有限公司"),
]


def _ranked(query: NameQuery, names: list[tuple[str, str]]) -> list[tuple[str, Rank]]:
    return ranked(query, [(code, keys_of(name)) for code, name in names])


def _rank(query: NameQuery, name: str, code: str) -> Rank | None:
    return rank(query, keys_of(name), code)


def _codes(q: str) -> list[str]:
    query = query_of(q)
    assert query is not None
    return [code for code, _ in _ranked(query, NAMES)]


def test_the_keys_fold_traditional_full_width_and_punctuation() -> None:
    keys = keys_of("福州市閩江科技（集團）有限公司 ")
    assert keys.name_key == "福州市闽江科技集团有限公司"
    assert keys.pinyin == "fu zhou shi min jiang ke ji ji tuan you xian gong si"
    assert keys.initials == "fzsmjkjjtyxgs"
    assert keys_of("ＡＢＣ科技").name_key == "abc科技"


def test_a_traditional_query_finds_the_simplified_name() -> None:
    assert _codes("閩江") == ["A"]
    assert _codes("福州市閩江科技有限公司")[0] == "A"


def test_non_contiguous_characters_in_order_match_and_out_of_order_do_not() -> None:
    assert "A" in _codes("福州科技")
    assert "A" not in _codes("科技福州")
    assert _codes("闽科") == ["A"]


def test_pinyin_and_initials() -> None:
    assert "A" in _codes("fuzhou")
    assert _codes("minjiang") == ["A"]
    assert "A" in _codes("fzkj")
    assert "A" in _codes("FuZhou KeJi")  # case and spaces do not matter
    assert _codes("fzmj") == ["A"]  # initials of 福州 and 闽江, 市 skipped
    assert _codes("xiamen") == ["C"]
    assert _codes("beijing") == []


def test_ranking_exact_prefix_contiguous_then_gaps_then_shorter() -> None:
    # D is exactly 福州科技, B starts with it, A has it with a gap; C and E do not match.
    assert _codes("福州科技") == ["D", "B", "A"]
    query = query_of("福州")
    assert query is not None
    fits = {code: r.fit for code, r in _ranked(query, NAMES)}
    assert fits == {"D": Fit.PREFIX, "B": Fit.PREFIX, "A": Fit.PREFIX, "E": Fit.CONTIGUOUS}
    # Ties go to the shorter name, then the code.
    assert _codes("福州") == ["D", "B", "A", "E"]
    same = query_of("科技")
    assert same is not None
    assert [c for c, _ in _ranked(same, [("Z", "甲科技"), ("Y", "乙科技")])] == ["Y", "Z"]


def test_fewer_gaps_rank_before_more() -> None:
    query = query_of("福科")
    assert query is not None
    one_gap = _rank(query, "福州科技有限公司", "1")
    two_gaps = _rank(query, "福建省福州建工科技公司", "2")
    assert one_gap is not None and two_gaps is not None
    assert one_gap < two_gaps


def test_the_like_pattern_admits_every_match() -> None:
    assert like_pattern("福州科技") == "%福%州%科%技%"
    assert query_of("  （）  ") is None
    query = query_of("100%_x")
    assert query is not None and "%" not in query.text and "_" not in query.text
