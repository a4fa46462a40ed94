"""The public lookup's rules for double-publicity decisions, without I/O (DOMAIN.md §12)."""

from __future__ import annotations

from datetime import date

import pytest

from jrp_registry.domain import publicity


def test_only_a_newer_version_is_taken() -> None:
    assert publicity.takes(None, 1)
    assert publicity.takes(1, 2)
    assert not publicity.takes(2, 2)
    assert not publicity.takes(2, 1)


def test_shown_within_the_period_inclusive_and_never_once_withdrawn() -> None:
    start, end = date(2026, 3, 3), date(2027, 3, 2)
    assert not publicity.shown_on(start, end, False, date(2026, 3, 2))
    assert publicity.shown_on(start, end, False, start)
    assert publicity.shown_on(start, end, False, end)
    assert not publicity.shown_on(start, end, False, date(2027, 3, 3))
    assert not publicity.shown_on(start, end, True, date(2026, 6, 1))


def test_a_complete_uscc_is_a_code_and_anything_else_text() -> None:
    assert publicity.read_query(" 91350100m000100y43 ") == publicity.PublicQuery(
        uscc="91350100M000100Y43", text=None
    )
    # 18 characters that fail the check: text (and then refused as a fragment).
    assert publicity.read_query("91350100M000100Y44").text == "91350100M000100Y44"
    assert publicity.read_query("  ") == publicity.PublicQuery(uscc=None, text=None)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("福州示例", False),
        ("榕市监罚〔2026〕15号", False),
        ("[2026]15", False),
        ("110", False),
        ("1101", True),
        ("11010519491231002X", True),
        ("１１０１", True),  # full-width digits
        ("〔2026〕1234号", True),
        ("2026", True),
    ],
)
def test_four_digits_in_a_row_outside_a_bracketed_year_are_a_fragment(
    text: str, fragment: bool
) -> None:
    assert publicity.is_fragment(text) is fragment
