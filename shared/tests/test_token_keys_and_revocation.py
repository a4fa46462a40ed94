"""Issue 11 finding 8: signing keys carry a key id and verifiers accept any key of a set (so a
key can be rotated without stopping the services); tokens of a department whose credentials
changed are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jwt
import pytest

from jrp_shared.auth import (
    CredentialStates,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
    load_public_keys,
    public_jwk,
)
from jrp_shared.errors import Unauthenticated

OLD_PRIVATE, OLD_PUBLIC = generate_keypair()
NEW_PRIVATE, NEW_PUBLIC = generate_keypair()
OLD = TokenIssuer(OLD_PRIVATE, issuer="jrp-registry", audience="jrp")
NEW = TokenIssuer(NEW_PRIVATE, issuer="jrp-registry", audience="jrp")


def _verifier(keys: str, credentials: CredentialStates | None = None) -> TokenVerifier:
    return TokenVerifier(keys, issuer="jrp-registry", audience="jrp", credentials=credentials)


def test_a_token_names_its_signing_key() -> None:
    token, _ = NEW.issue("tax", frozenset({"initiator"}))
    assert jwt.get_unverified_header(token)["kid"] == NEW.key_id == NEW.public_jwk()["kid"]
    assert OLD.key_id != NEW.key_id


def test_during_a_rotation_tokens_of_both_keys_are_accepted_then_the_old_key_is_refused() -> None:
    old_token, _ = OLD.issue("tax", frozenset({"initiator"}))
    new_token, _ = NEW.issue("tax", frozenset({"initiator"}))
    # Before the rotation: the old key only; the new key's tokens are refused.
    verifier = _verifier(OLD_PUBLIC)
    assert verifier.verify(old_token).department_code == "tax"
    with pytest.raises(Unauthenticated, match="unknown signing key"):
        verifier.verify(new_token)
    # The new key is announced (two PEM keys in the file, or the registry's JWKS): both pass.
    both_pem = _verifier(OLD_PUBLIC + NEW_PUBLIC)
    jwks = json.dumps({"keys": [OLD.public_jwk(), NEW.public_jwk()]})
    both_jwks = _verifier(jwks)
    for v in (both_pem, both_jwks):
        assert v.verify(old_token).department_code == "tax"
        assert v.verify(new_token).department_code == "tax"
    # The old key retires: its tokens (even one cached as verified) are refused.
    both_jwks.replace_keys(json.dumps({"keys": [NEW.public_jwk()]}))
    assert both_jwks.key_ids == {NEW.key_id}
    with pytest.raises(Unauthenticated, match="unknown signing key"):
        both_jwks.verify(old_token)
    assert both_jwks.verify(new_token).department_code == "tax"


def test_a_token_without_a_key_id_is_tried_against_every_key() -> None:
    """Tokens signed before keys had ids keep working until they expire."""
    claims = jwt.decode(OLD.issue("tax", frozenset())[0], options={"verify_signature": False})
    legacy = jwt.encode(claims, OLD._key, algorithm="EdDSA")
    assert "kid" not in jwt.get_unverified_header(legacy)
    assert _verifier(NEW_PUBLIC + OLD_PUBLIC).verify(legacy).department_code == "tax"
    with pytest.raises(Unauthenticated, match="invalid access token"):
        _verifier(NEW_PUBLIC).verify(legacy)


def test_a_key_set_is_read_from_pem_or_jwks_and_refuses_nothing_usable() -> None:
    [key] = load_public_keys(NEW_PUBLIC).values()
    assert public_jwk(key)["kid"] == NEW.key_id
    assert set(load_public_keys(json.dumps({"keys": [NEW.public_jwk()]}))) == {NEW.key_id}
    with pytest.raises(ValueError, match="no public key"):
        load_public_keys('{"keys": []}')


def test_tokens_older_than_the_departments_credential_version_are_revoked() -> None:
    credentials = CredentialStates()
    verifier = _verifier(NEW_PUBLIC, credentials)
    old_token, _ = NEW.issue("tax", frozenset({"initiator"}), credential_version=1)
    assert verifier.verify(old_token).credential_version == 1  # also cached now
    credentials.learn("tax", 1, active=True)
    assert verifier.verify(old_token).department_code == "tax"
    # The secret is rotated, or the roles change: version 2; the cached token is refused too.
    credentials.learn("tax", 2, active=True)
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.verify(old_token)
    new_token, _ = NEW.issue("tax", frozenset({"initiator"}), credential_version=2)
    assert verifier.verify(new_token).department_code == "tax"
    credentials.learn("tax", 1, active=True)  # a late, older event changes nothing
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.verify(old_token)
    # Deactivated: every token of the department is refused.
    credentials.learn("tax", 3, active=False)
    with pytest.raises(Unauthenticated, match="not active"):
        verifier.verify(new_token)
    # Another department is not affected.
    other, _ = NEW.issue("market", frozenset({"initiator"}), credential_version=1)
    assert verifier.verify(other).department_code == "market"


def test_a_subject_token_is_revoked_with_its_portal() -> None:
    credentials = CredentialStates()
    verifier = _verifier(NEW_PUBLIC, credentials)
    token, _ = NEW.issue_for_subject(
        "91350100M000100Y43", agent="credit-office", agent_credential_version=4
    )
    credentials.learn("credit-office", 4, active=True)
    assert verifier.verify(token).subject_code == "91350100M000100Y43"
    credentials.learn("credit-office", 5, active=True)
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.verify(token)


def test_a_message_on_the_bus_is_refused_once_its_token_is_revoked() -> None:
    """Revocation holds for inbound messages too (judged when the message is taken)."""
    credentials = CredentialStates()
    verifier = _verifier(NEW_PUBLIC, credentials)
    token, _ = NEW.issue("tax", frozenset({"initiator"}), credential_version=1)
    credentials.learn("tax", 2, active=True)
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.verify(token, at=datetime.now(UTC))
