"""Officer accounts' rules: Argon2id hashing, the password policy, roles within the
department's (docs/security.md, "Officers")."""

import pytest

from jrp_registry.domain import officers
from jrp_registry.domain.officers import manager_of
from jrp_shared.auth import (
    ROLE_ADMINISTRATOR,
    ROLE_IMPLEMENTER,
    ROLE_INITIATOR,
    ROLE_PORTAL,
    ROLE_REVIEWER,
    Principal,
)
from jrp_shared.errors import Forbidden


def test_a_password_hashes_with_argon2id_and_verifies() -> None:
    stored = officers.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert officers.password_matches("correct horse battery", stored)
    assert not officers.password_matches("correct horse battery!", stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert officers.hash_password("correct horse battery") != officers.hash_password(
        "correct horse battery"
    )


def test_no_stored_hash_or_a_damaged_one_refuses_without_raising() -> None:
    assert not officers.password_matches("correct horse battery", None)
    assert not officers.password_matches("correct horse battery", "$argon2id$garbage")
    assert not officers.password_matches("correct horse battery", "scrypt$00$00")


def test_the_password_policy_bounds_the_length_both_ways() -> None:
    short = officers.password_problem("elevenchars")
    assert short is not None and short.reason == "too_short"
    assert officers.password_problem("twelve-chars") is None
    assert officers.password_problem("abcd1234" * 16) is None  # 128 characters
    long = officers.password_problem("abcd1234" * 16 + "e")  # 129 characters
    assert long is not None and long.reason == "too_long"


def test_the_password_policy_refuses_the_username_and_repetition() -> None:
    named = officers.password_problem("zhang.wei-2027!", username="zhang.wei")
    assert named is not None and named.reason == "contains_username"
    simple = officers.password_problem("aaaaaaaaaaaaaaab")
    assert simple is not None and simple.reason == "too_simple"


def test_an_officer_never_holds_more_than_its_department() -> None:
    implementer_only = frozenset({ROLE_IMPLEMENTER})
    requested = frozenset({ROLE_INITIATOR, ROLE_IMPLEMENTER, ROLE_REVIEWER, ROLE_ADMINISTRATOR})
    assert officers.allowed_roles(requested, implementer_only) == {ROLE_IMPLEMENTER, ROLE_REVIEWER}


def test_the_office_may_give_the_administrator_role_but_never_portal() -> None:
    office = frozenset({ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR, ROLE_PORTAL})
    requested = frozenset({ROLE_ADMINISTRATOR, ROLE_PORTAL})
    assert officers.allowed_roles(requested, office) == {ROLE_ADMINISTRATOR}
    assert officers.unknown_roles(requested) == [ROLE_PORTAL]


def test_a_department_without_powers_has_no_reviewers() -> None:
    assert officers.allowed_roles(frozenset({ROLE_REVIEWER}), frozenset()) == frozenset()


def test_a_token_loses_a_role_the_department_lost() -> None:
    held_before = frozenset({ROLE_INITIATOR, ROLE_REVIEWER})
    assert officers.token_roles(held_before, frozenset({ROLE_IMPLEMENTER})) == {ROLE_REVIEWER}


def test_who_manages_which_officers() -> None:
    """The office all; a department's system credential its own, within its powers; an
    officer's token none (DOMAIN.md §5, 谁主管、谁负责)."""
    office = manager_of(Principal("credit-office", frozenset({"administrator"})))
    office.require_department("tax")
    office.require_within_powers(frozenset({"administrator", "reviewer"}))
    tax = manager_of(Principal("tax", frozenset({"initiator"})))
    assert tax.department == "tax" and tax.by == "tax"
    tax.require_department("tax")
    tax.require_within_powers(frozenset({"initiator", "reviewer"}))
    with pytest.raises(Forbidden):
        tax.require_department("finance")
    with pytest.raises(Forbidden):
        tax.require_within_powers(frozenset({"implementer"}))
    with pytest.raises(Forbidden):
        manager_of(Principal("tax", frozenset({"initiator"}), officer="officer-0a1b2c3d4e5f"))
    admin = manager_of(
        Principal("credit-office", frozenset({"administrator"}), officer="officer-aa")
    )
    assert admin.department is None and admin.by == "credit-office/officer-aa"
    with pytest.raises(Forbidden):
        manager_of(Principal("", frozenset({"subject"}), subject_code="91350100M000100Y43"))
