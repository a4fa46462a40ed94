"""Keyed pseudonyms: no resident ID in a message key or ce_subject, one subject one key."""

from pathlib import Path

import pytest

from jrp_shared.bus.base import Message
from jrp_shared.pseudonyms import PseudonymSecretError, SubjectPseudonyms, looks_like_resident_id
from jrp_shared.testing import sample_resident_id, sample_uscc

PERSON = sample_resident_id(7)
ENTERPRISE = sample_uscc(7)
SECRET = b"s" * 32


def _message(key: str | None, subject: str | None) -> Message:
    headers: tuple[tuple[str, bytes], ...] = (("ce_id", b"1"),)
    if subject is not None:
        headers += (("ce_subject", subject.encode()),)
    return Message("list-entries.v1", key, headers, PERSON.encode())


def test_a_resident_id_becomes_a_stable_keyed_pseudonym() -> None:
    pseudonyms = SubjectPseudonyms(SECRET)
    pseudonym = pseudonyms.of(PERSON)
    assert pseudonym.startswith("p-") and len(pseudonym) == 34
    assert PERSON not in pseudonym
    assert pseudonyms.of(PERSON) == pseudonym  # stable: one subject keeps one partition
    assert SubjectPseudonyms(SECRET).of(PERSON) == pseudonym  # across processes
    assert SubjectPseudonyms(b"t" * 32).of(PERSON) != pseudonym  # keyed by the secret
    assert pseudonyms.of(sample_resident_id(8)) != pseudonym
    assert pseudonyms.of("11010519491231002x") == pseudonyms.of("11010519491231002X")


def test_only_what_looks_like_a_resident_id_is_replaced() -> None:
    pseudonyms = SubjectPseudonyms(SECRET)
    assert looks_like_resident_id(PERSON) and looks_like_resident_id("11010519491231002X")
    # A wrong check character is still personal data.
    assert looks_like_resident_id(PERSON[:-1] + ("1" if PERSON[-1] != "1" else "2"))
    for public in (ENTERPRISE, "black.tax.major-violation", "2026", "entries", None):
        assert pseudonyms.key(public) == public


def test_a_message_loses_the_resident_id_from_its_key_and_ce_subject_only() -> None:
    pseudonyms = SubjectPseudonyms(SECRET)
    safe = pseudonyms.message(_message(PERSON, PERSON))
    assert safe.key == pseudonyms.of(PERSON)
    assert dict(safe.headers)["ce_subject"] == pseudonyms.of(PERSON).encode()
    assert dict(safe.headers)["ce_id"] == b"1"
    assert safe.value == PERSON.encode()  # the body still names the subject, for consumers
    enterprise = _message(ENTERPRISE, ENTERPRISE)
    assert pseudonyms.message(enterprise) is enterprise


def test_the_secret_must_be_long_enough_and_is_never_shown(tmp_path: Path) -> None:
    with pytest.raises(PseudonymSecretError, match="at least 32"):
        SubjectPseudonyms(b"short")
    short = tmp_path / "short"
    short.write_bytes(b"not-long-enough")
    with pytest.raises(PseudonymSecretError) as refused:
        SubjectPseudonyms.from_file(short)
    assert "not-long-enough" not in str(refused.value)
    with pytest.raises(PseudonymSecretError, match="cannot be read"):
        SubjectPseudonyms.from_file(tmp_path / "missing")
    assert "sss" not in repr(SubjectPseudonyms(SECRET))
