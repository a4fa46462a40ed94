"""Subject tokens: a portal acts for one subject, and such a token is never a department's."""

from __future__ import annotations

import jwt
import pytest

from jrp_shared.auth import (
    ROLE_SUBJECT,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
)
from jrp_shared.errors import Forbidden, Unauthenticated

PRIVATE, PUBLIC = generate_keypair()
ISSUER = TokenIssuer(PRIVATE, issuer="jrp-registry", audience="jrp")
VERIFIER = TokenVerifier(PUBLIC, issuer="jrp-registry", audience="jrp")


def test_a_subject_token_names_the_subject_and_the_portal_acting_for_it() -> None:
    token, _ = ISSUER.issue_for_subject("91350100M000100Y43", agent="credit-office")
    principal = VERIFIER.verify(token)
    assert principal.is_subject
    assert principal.subject_code == "91350100M000100Y43"
    assert principal.agent == "credit-office"
    assert principal.roles == {ROLE_SUBJECT}
    assert principal.department_code == ""
    assert principal.name == "subject:91350100M000100Y43"


def test_a_subject_token_cannot_act_for_a_department() -> None:
    token, _ = ISSUER.issue_for_subject("91350100M000100Y43", agent="credit-office")
    with pytest.raises(Forbidden, match="cannot act for a department"):
        VERIFIER.verify(token).require_department()


def test_a_department_token_is_not_a_subject() -> None:
    token, _ = ISSUER.issue("tax", frozenset({"initiator"}))
    principal = VERIFIER.verify(token)
    assert not principal.is_subject
    principal.require_department()


def test_a_department_claiming_the_subject_role_is_refused() -> None:
    token, _ = ISSUER.issue("tax", frozenset({ROLE_SUBJECT}))
    with pytest.raises(Unauthenticated, match="cannot hold the subject role"):
        VERIFIER.verify(token)


def test_a_subject_token_without_its_acting_portal_is_refused() -> None:
    claims = jwt.decode(
        ISSUER.issue_for_subject("91350100M000100Y43", agent="credit-office")[0],
        options={"verify_signature": False},
    )
    del claims["act"]
    forged = jwt.encode(claims, ISSUER._key, algorithm="EdDSA")
    with pytest.raises(Unauthenticated, match="malformed subject token"):
        VERIFIER.verify(forged)
