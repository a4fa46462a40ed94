"""Department systems' own messages: accepted only with a valid token of the named department."""

from datetime import UTC, datetime, timedelta

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


def _record(message: Message) -> Record:
    return Record(message.topic, message.key, message.headers, message.value, 0, 1)


def _check(keys: Keys, message: Message) -> str | None:
    verifier = TokenVerifier(
        keys.public_key_file.read_text(), issuer="jrp-registry", audience="jrp"
    )
    record = _record(message)
    envelope = Envelope.from_wire(record.headers, record.value)
    return DepartmentAuthenticator(verifier, "implementer")(record, envelope)


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


def test_a_token_is_judged_at_the_time_the_message_was_sent(keys: Keys) -> None:
    token, _ = keys.issuer.issue("tax", frozenset({"implementer"}), ttl_seconds=60)
    message = inbound_message(_receipt(), "tax", token)
    assert _check(keys, message) is None  # consumed later, still good: it was valid when sent
    envelope = Envelope.from_wire(message.headers, message.value)
    late = envelope.model_copy(update={"time": datetime.now(UTC) + timedelta(hours=2)})
    backdated = Message(
        message.topic,
        message.key,
        (*late.to_headers(), ("authorization", f"Bearer {token}".encode())),
        late.body(),
    )
    assert "not valid when the message was sent" in (_check(keys, backdated) or "")
