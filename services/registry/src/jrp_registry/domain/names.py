"""Name search: how a query finds a subject's name, and how the finds rank (issue 13, part 3;
docs/public-lookup.md, "Search"). Pure: no I/O.

A name is folded once into search keys, stored beside the subject (`subject_search`):

- `name_key`: traditional characters folded to simplified (OpenCC `t2s`), full-width forms to
  half-width (NFKC), lower case, and only letters, digits and characters kept (spaces and
  punctuation such as `（）` dropped): `福州市閩江科技（集團）有限公司` becomes
  `福州市闽江科技集团有限公司`;
- `pinyin`: the pinyin of the key, one syllable per character, without tones, separated by
  spaces (pypinyin): `fu zhou shi min jiang …`;
- `initials`: the first letter of each syllable: `fzsmjkj…`.

A query is folded the same way. It matches a name when its characters appear in the name in
order (`福州科技` finds `福州市闽江科技有限公司`, not contiguous), or, for a query of latin
letters only, when it spells the name's syllables in order, each syllable whole or by a prefix
(`fuzhou`, `fzkj`, `fuzhoukeji`, `fzminjiang`). The database narrows the candidates with a LIKE
pattern every match satisfies (`like_pattern`), then `rank` orders them: exact, then prefix,
then contiguous, then in-order with fewer and shorter gaps; ties go to the shorter name, then
the code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from itertools import pairwise

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    """Loaded on first use (its dictionaries are read then), not at import."""
    return OpenCC("t2s")


def fold(text: str) -> str:
    """Simplified, half-width, lower case, letters/digits/characters only."""
    simplified = _converter().convert(unicodedata.normalize("NFKC", text))
    return "".join(c for c in simplified.lower() if c.isalnum())


def _syllables(key: str) -> list[str]:
    """One lower-case syllable per character (pypinyin, no tones); latin letters and digits
    stay as they are, one per character, so `abc科技` gives `a b c ke ji`."""
    chunks = lazy_pinyin(key, style=Style.NORMAL, errors=lambda s: " ".join(s))
    return [s.lower() for c in chunks for s in c.split() if s.isascii() and s.isalnum()]


@dataclass(frozen=True)
class NameKeys:
    """What is stored per subject to search it by (columns of `subject_search`)."""

    name_key: str
    pinyin: str
    initials: str


def keys_of(name: str) -> NameKeys:
    key = fold(name)
    syllables = _syllables(key)
    return NameKeys(key, " ".join(syllables), "".join(s[0] for s in syllables))


@dataclass(frozen=True)
class NameQuery:
    """A folded query: `text` (the folded characters) and whether it is latin letters only
    (then it may spell pinyin)."""

    text: str
    latin: bool


def query_of(q: str) -> NameQuery | None:
    """The folded query, or None when nothing searchable is left (only spaces, punctuation)."""
    text = fold(q)
    if not text:
        return None
    return NameQuery(text, text.isascii() and text.isalpha())


def like_pattern(text: str) -> str:
    """`%福%州%科%技%`: every name (or pinyin) a query matches satisfies it. The folded text
    holds no `%`, `_` or `\\` (punctuation is dropped), so nothing needs escaping."""
    return "%" + "%".join(text) + "%"


class Fit(IntEnum):
    """How a name fits a query, best first."""

    EXACT = 0
    PREFIX = 1
    CONTIGUOUS = 2
    IN_ORDER = 3


@dataclass(frozen=True, order=True)
class Rank:
    """Sort key of a match: lower is better."""

    fit: Fit
    gaps: int
    """Runs of skipped characters (or syllables) between the matched ones."""
    gap_length: int
    """Characters (or syllables) skipped between the first and the last matched one."""
    name_length: int
    code: str


def _in_order(needle: str, hay: str) -> tuple[int, int] | None:
    """(gaps, gap length) of the tightest in-order embedding of `needle` in `hay`, or None.
    Tries every start and takes the first match greedily from there: good enough for names."""
    best: tuple[int, int] | None = None
    for start in (i for i, c in enumerate(hay) if c == needle[0]):
        positions, at = [], start
        for c in needle:
            found = hay.find(c, at)
            if found < 0:
                break
            positions.append(found)
            at = found + 1
        if len(positions) < len(needle):
            break  # a later start cannot match either
        gaps = sum(1 for a, b in pairwise(positions) if b > a + 1)
        length = positions[-1] - positions[0] + 1 - len(needle)
        if best is None or (gaps, length) < best:
            best = (gaps, length)
    return best


def _spelled(query: str, syllables: list[str]) -> tuple[int, int] | None:
    """(gaps, skipped syllables) of the best way `query` spells `syllables` in order, each
    syllable used whole or by a prefix of at least one letter; None when it cannot. Syllables
    before the first and after the last matched one are free."""
    n, m = len(query), len(syllables)
    memo: dict[tuple[int, int, int], tuple[int, int] | None] = {}
    # state: 0 nothing matched yet, 1 the previous syllable matched, 2 it was skipped after a match

    def go(i: int, j: int, state: int) -> tuple[int, int] | None:
        if i == n:
            return (0, 0)
        if j == m:
            return None
        key = (i, j, state)
        if key in memo:
            return memo[key]
        options: list[tuple[int, int]] = []
        syllable = syllables[j]
        for k in range(min(len(syllable), n - i), 0, -1):
            if query[i : i + k] == syllable[:k]:
                rest = go(i + k, j + 1, 1)
                if rest is not None:
                    options.append(rest)
        skipped = go(i, j + 1, 0 if state == 0 else 2)
        if skipped is not None:
            opens = 1 if state == 1 else 0
            extra = 0 if state == 0 else 1
            options.append((skipped[0] + opens, skipped[1] + extra))
        result = min(options) if options else None
        memo[key] = result
        return result

    return go(0, 0, 0)


def rank(query: NameQuery, keys: NameKeys, code: str) -> Rank | None:
    """How the name of `keys` (as stored) fits `query`, or None when it does not match."""
    q = query.text
    length = len(keys.name_key)
    syllables = keys.pinyin.split()
    hays = [keys.name_key]
    if query.latin:
        hays += ["".join(syllables), keys.initials]
    candidates: list[tuple[Fit, int, int]] = []
    for hay in hays:
        if not hay:
            continue
        if hay == q:
            candidates.append((Fit.EXACT, 0, 0))
        elif hay.startswith(q):
            candidates.append((Fit.PREFIX, 0, 0))
        elif q in hay:
            candidates.append((Fit.CONTIGUOUS, 0, 0))
    if not candidates:
        embedded = _in_order(q, keys.name_key)
        if embedded is not None:
            candidates.append((Fit.IN_ORDER, *embedded))
        if query.latin:
            spelled = _spelled(q, syllables)
            if spelled is not None:
                candidates.append((Fit.IN_ORDER, *spelled))
    if not candidates:
        return None
    fit, gaps, gap_length = min(candidates)
    return Rank(fit, gaps, gap_length, length, code)


def ranked(query: NameQuery, found: list[tuple[str, NameKeys]]) -> list[tuple[str, Rank]]:
    """(code, rank) of every (code, stored keys) that matches, best first."""
    matches = [(code, r) for code, keys in found if (r := rank(query, keys, code)) is not None]
    return sorted(matches, key=lambda pair: pair[1])
