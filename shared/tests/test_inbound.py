"""Department systems' own messages: accepted only with a valid token of the named department."""

import time
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization

from jrp_shared.auth import TokenVerifier
from jrp_shared.bus.base import Message, Record
from jrp_shared.events.envelope import Envelope
from jrp_shared.events.payloads import ReceiptAcknowledged
from jrp_shared.messaging.inbound import (
    DepartmentAuthenticator,
    department_of,
    inbound_message,
)
from jrp_shared.testing import Keys


def _receipt() -> ReceiptAcknowledged:
    return ReceiptAcknowledged(
        order_id="o-1", subject_code="91350100M000100Y43", received_at=datetime.now(UTC)
    )


def _record(message: Message, appended_at: datetime | None = None) -> Record:
    return Record(
        message.topic, message.key, message.headers, message.value, 0, 1, appended_at=appended_at
    )


def _check(
    keys: Keys,
    message: Message,
    *,
    appended_at: datetime | None = None,
    grace: timedelta = timedelta(0),
) -> str | None:
    verifier = TokenVerifier(
        keys.public_key_file.read_text(), issuer="jrp-registry", audience="jrp"
    )
    record = _record(message, appended_at)
    envelope = Envelope.from_wire(record.headers, record.value)
    return DepartmentAuthenticator(verifier, "implementer", grace=grace)(record, envelope)


def test_a_department_message_with_its_own_token_is_accepted(keys: Keys) -> None:
    message = inbound_message(_receipt(), "tax", keys.token("tax", "implementer"))
    assert _check(keys, message) is None
    assert message.topic == "department-reports.v1"
    assert message.key == "91350100M000100Y43"
    envelope = Envelope.from_wire(message.headers, message.value)
    assert department_of(envelope) == "tax"


def test_messages_without_a_valid_token_of_that_department_are_refused(keys: Keys) -> None:
    no_token = inbound_message(_receipt(), "tax", "x")
    no_token = Message(
        no_token.topic,
        no_token.key,
        tuple(h for h in no_token.headers if h[0] != "authorization"),
        no_token.value,
    )
    assert "no authorization header" in (_check(keys, no_token) or "")
    forged = inbound_message(_receipt(), "tax", "not.a.jwt")
    assert "invalid access token" in (_check(keys, forged) or "")
    other = inbound_message(_receipt(), "tax", keys.token("court", "implementer"))
    assert "token is department 'court'" in (_check(keys, other) or "")
    no_role = inbound_message(_receipt(), "tax", keys.token("tax", "initiator"))
    assert "lacks the 'implementer' role" in (_check(keys, no_role) or "")


def expired_token(keys: Keys, *, days_ago: float = 3, role: str = "implementer") -> str:
    """A genuine token of `tax` that expired `days_ago` (it lived 15 minutes)."""
    issued = int(time.time() - days_ago * 86_400)
    claims = {
        "iss": "jrp-registry",
        "aud": "jrp",
        "sub": "tax",
        "roles": [role],
        "iat": issued,
        "nbf": issued,
        "exp": issued + 900,
    }
    key = serialization.load_pem_private_key(keys.private_key_file.read_bytes(), password=None)
    return jwt.encode(claims, key, algorithm="EdDSA")  # type: ignore[arg-type]


def _backdated(message: Message, token: str, days_ago: float) -> Message:
    """The message with its ce_time set back (the sender's clock, which it controls)."""
    envelope = Envelope.from_wire(message.headers, message.value)
    late = envelope.model_copy(update={"time": datetime.now(UTC) - timedelta(days=days_ago)})
    return Message(
        message.topic,
        message.key,
        (*late.to_headers(), ("authorization", f"Bearer {token}".encode())),
        late.body(),
    )


def test_an_expired_token_is_refused_whatever_time_the_sender_writes(keys: Keys) -> None:
    """Issue 11 finding 1: a token expired three days ago, sent with a ce_time of three days
    ago, was taken. The token is judged when the message is taken."""
    token = expired_token(keys, days_ago=3)
    message = _backdated(inbound_message(_receipt(), "tax", token), token, days_ago=3)
    refusal = _check(keys, message)
    assert refusal is not None and "expired" in refusal
    # even with a producer timestamp (CreateTime) it is not the broker's: no record field for it
    assert _check(keys, message, grace=timedelta(days=7)) is not None


def test_a_valid_token_is_good_whatever_ce_time_says(keys: Keys) -> None:
    token = keys.token("tax", "implementer")
    for days in (-30, 0, 30):
        assert (
            _check(keys, _backdated(inbound_message(_receipt(), "tax", token), token, days)) is None
        )


def test_the_brokers_log_append_time_is_a_moment_the_sender_cannot_set(keys: Keys) -> None:
    """A message that waited in its topic: its token may have expired since the broker stored
    it, within the grace; never for longer, and never without the broker's stamp."""
    token = expired_token(keys, days_ago=2)
    message = inbound_message(_receipt(), "tax", token)
    stored_while_valid = datetime.now(UTC) - timedelta(days=2) + timedelta(minutes=5)
    week = timedelta(days=7)
    assert _check(keys, message, appended_at=stored_while_valid, grace=week) is None
    beyond = _check(keys, message, appended_at=stored_while_valid, grace=timedelta(days=1))
    assert beyond is not None and "expired" in beyond
    assert _check(keys, message, appended_at=None, grace=week) is not None
    stored_after_expiry = datetime.now(UTC) - timedelta(days=1)
    late = _check(keys, message, appended_at=stored_after_expiry, grace=week)
    assert (
        late is not None and "expired" in late and "nor was it valid when the broker stored" in late
    )


def test_a_topic_may_take_any_of_several_roles(keys: Keys) -> None:
    """list-entry-submissions.v1 takes initiating departments and exchange partners."""
    verifier = TokenVerifier(
        keys.public_key_file.read_text(), issuer="jrp-registry", audience="jrp"
    )
    check = DepartmentAuthenticator(verifier, ("initiator", "exchange"))

    def refusal(message: Message) -> str | None:
        record = _record(message)
        return check(record, Envelope.from_wire(record.headers, record.value))

    assert (
        refusal(inbound_message(_receipt(), "fj-platform", keys.token("fj-platform", "exchange")))
        is None
    )
    assert refusal(inbound_message(_receipt(), "tax", keys.token("tax", "initiator"))) is None
    refused = refusal(inbound_message(_receipt(), "finance", keys.token("finance", "implementer")))
    assert refused is not None and "'initiator or exchange'" in refused
