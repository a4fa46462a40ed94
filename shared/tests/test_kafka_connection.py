"""TLS/SASL settings become the same client arguments for every Kafka client; no secret leaks."""

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from jrp_shared.bus.connection import FileTokenProvider, KafkaConnection, KafkaCredentialError
from jrp_shared.settings import ServiceSettings

PASSWORD = "correct-horse-battery-staple"


def _settings(tmp_path: Path, **overrides: Any) -> ServiceSettings:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    values: dict[str, Any] = {
        "bus": "kafka",
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": "jrp-trigger",
        "kafka_sasl_password_file": secret,
        **overrides,
    }
    return ServiceSettings(**values)


def test_scram_settings_give_the_client_arguments(tmp_path: Path) -> None:
    connection = KafkaConnection.from_settings(_settings(tmp_path))
    kwargs = connection.client_kwargs()
    assert kwargs == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "jrp-trigger",
        "sasl_plain_password": PASSWORD,  # read from the file, stripped
    }
    assert connection.principal == "User:jrp-trigger"
    assert PASSWORD not in repr(connection)


def test_plaintext_is_the_default() -> None:
    assert KafkaConnection().client_kwargs() == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_builds_a_tls_context(tmp_path: Path) -> None:
    kwargs = KafkaConnection.from_settings(
        _settings(tmp_path, kafka_security_protocol="SASL_SSL")
    ).client_kwargs()
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)
    assert kwargs["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert kwargs["ssl_context"].check_hostname


async def test_oauthbearer_reads_the_token_file_at_each_authentication(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first")
    kwargs = KafkaConnection.from_settings(
        ServiceSettings(
            bus="kafka",
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_mechanism="OAUTHBEARER",
            kafka_sasl_oauth_token_file=token,
        )
    ).client_kwargs()
    provider = kwargs["sasl_oauth_token_provider"]
    assert isinstance(provider, FileTokenProvider)
    assert await provider.token() == "first"
    token.write_text("rotated")
    assert await provider.token() == "rotated"


def test_an_unreadable_password_file_is_named_without_its_content(tmp_path: Path) -> None:
    settings = _settings(tmp_path, kafka_sasl_password_file=tmp_path / "missing")
    with pytest.raises(KafkaCredentialError, match="missing cannot be read"):
        KafkaConnection.from_settings(settings).client_kwargs()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"kafka_sasl_mechanism": None}, "needs kafka_sasl_mechanism"),
        ({"kafka_sasl_username": None}, "SCRAM needs"),
        ({"kafka_sasl_mechanism": "OAUTHBEARER"}, "OAUTHBEARER needs"),
        ({"kafka_ssl_certfile": Path("c.pem")}, "go together"),
        ({"kafka_min_insync_replicas": 2}, "exceeds kafka_replication_factor"),
        ({"kafka_retention_hours": 24 * 60}, "shorter than kafka_retention_hours"),
        ({"kafka_auto_create_topics": False}, "kafka_key_secret_file is required"),
    ],
)
def test_incomplete_security_settings_are_refused(
    tmp_path: Path, overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        _settings(tmp_path, **overrides)
    assert PASSWORD not in str(refused.value)
