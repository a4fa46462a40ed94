"""Issue 16: officer tokens name the department (so every authority check holds), the officer
and its own credential version; `OfficerPublished` revokes them on every service."""

from __future__ import annotations

import jwt
import pytest
from pydantic import ValidationError

from jrp_shared.auth import (
    CredentialStates,
    Principal,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
)
from jrp_shared.errors import Unauthenticated
from jrp_shared.events.payloads import OfficerPublished, payload_class

PRIVATE, PUBLIC = generate_keypair()
ISSUER = TokenIssuer(PRIVATE, issuer="jrp-registry", audience="jrp")


def _verifier(credentials: CredentialStates | None = None) -> TokenVerifier:
    return TokenVerifier(PUBLIC, issuer="jrp-registry", audience="jrp", credentials=credentials)


def _officer_token(version: int = 1) -> str:
    token, _ = ISSUER.issue(
        "tax",
        frozenset({"initiator", "reviewer"}),
        credential_version=3,
        officer="officer-abc",
        officer_version=version,
    )
    return token


def test_an_officer_token_names_the_department_and_the_officer() -> None:
    principal = _verifier().verify(_officer_token())
    assert principal.department_code == "tax" and principal.name == "tax"
    assert principal.officer == "officer-abc" and principal.officer_version == 1
    assert principal.roles == {"initiator", "reviewer"}
    assert principal.credential_version == 3
    assert principal.decided_by == "tax/officer-abc"


def test_a_department_token_names_no_officer() -> None:
    token, _ = ISSUER.issue("tax", frozenset({"initiator"}))
    principal = _verifier().verify(token)
    assert principal.officer is None and principal.decided_by == "tax"
    assert "officer" not in jwt.decode(token, options={"verify_signature": False})


def test_a_subject_decided_by_is_its_name() -> None:
    subject = Principal(department_code="", roles=frozenset({"subject"}), subject_code="X")
    assert subject.decided_by == "subject:X"


def test_a_deactivated_officer_is_refused() -> None:
    credentials = CredentialStates()
    verifier = _verifier(credentials)
    token = _officer_token()
    verifier.verify(token)
    credentials.learn_officer("officer-abc", 2, active=False)
    with pytest.raises(Unauthenticated, match="deactivated"):
        verifier.verify(token)


def test_an_older_officer_version_is_refused_a_current_one_accepted() -> None:
    credentials = CredentialStates()
    credentials.learn_officer("officer-abc", 2, active=True)
    verifier = _verifier(credentials)
    with pytest.raises(Unauthenticated, match="sign in again"):
        verifier.verify(_officer_token(version=1))
    assert verifier.verify(_officer_token(version=2)).officer == "officer-abc"
    # An event repeated out of order never takes the version back.
    credentials.learn_officer("officer-abc", 1, active=True)
    with pytest.raises(Unauthenticated):
        verifier.verify(_officer_token(version=1))


def test_an_officer_token_without_its_version_is_refused_once_the_officer_is_known() -> None:
    credentials = CredentialStates()
    credentials.learn_officer("officer-abc", 1, active=True)
    token, _ = ISSUER.issue("tax", frozenset({"initiator"}), officer="officer-abc")
    with pytest.raises(Unauthenticated):
        _verifier(credentials).verify(token)


def test_a_revoked_department_revokes_its_officers_tokens() -> None:
    credentials = CredentialStates()
    credentials.learn("tax", 3, active=False)
    with pytest.raises(Unauthenticated, match="not active"):
        _verifier(credentials).verify(_officer_token())


def test_the_officer_published_payload_has_no_unsafe_defaults() -> None:
    assert payload_class(OfficerPublished.event_type) is OfficerPublished
    with pytest.raises(ValidationError):
        OfficerPublished.model_validate({"officer_id": "officer-abc", "department_code": "tax"})
    event = OfficerPublished(
        officer_id="officer-abc", department_code="tax", active=False, credential_version=2
    )
    assert event.partition_key() == "officer:officer-abc"  # never the department's key
    assert set(OfficerPublished.model_fields) == {
        "officer_id",
        "department_code",
        "active",
        "credential_version",
    }


def test_an_officer_claim_too_long_or_on_a_subject_token_is_refused() -> None:
    token, _ = ISSUER.issue("tax", frozenset({"initiator"}), officer="o" * 41)
    with pytest.raises(Unauthenticated, match="officer claim malformed"):
        _verifier().verify(token)
    subject, _ = ISSUER._sign(
        "subject:91350100M000100Y43", ["subject"], None, act={"sub": "credit-office"}, officer="x"
    )
    with pytest.raises(Unauthenticated, match="officer claim malformed"):
        _verifier().verify(subject)
