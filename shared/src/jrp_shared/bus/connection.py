"""How a service's Kafka clients reach a (secured) cluster: TLS and SASL, from its settings.

One `KafkaConnection` gives the same keyword arguments to every client the bus builds — the
producer, the consumers and the short-lived admin clients — so no client can be left on
PLAINTEXT by mistake. Secrets are read from files when a client is built and never kept in
a setting: the password and the token are in no log line, metric, `repr` or error text
(docs/security.md, Kafka).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiokafka.abc import AbstractTokenProvider
from aiokafka.helpers import create_ssl_context

from jrp_shared.settings import ServiceSettings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]


class KafkaCredentialError(RuntimeError):
    """A credential file that cannot be used; the message names the file, never its content."""


def _read_secret(path: Path, what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KafkaCredentialError(
            f"{what} file {path} cannot be read: {type(exc).__name__}"
        ) from None
    if not text:
        raise KafkaCredentialError(f"{what} file {path} is empty")
    return text


class FileTokenProvider(AbstractTokenProvider):  # type: ignore[misc]  # aiokafka is untyped
    """OAUTHBEARER: the access token in a file, read again for each authentication, so an
    agent that refreshes the file rotates the token without restarting the service."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def token(self) -> str:
        return _read_secret(self._path, "OAUTHBEARER token")


@dataclass(frozen=True)
class KafkaConnection:
    """The security settings of one service's Kafka clients (the default: PLAINTEXT)."""

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    username: str | None = None
    password_file: Path | None = field(default=None, repr=False)
    oauth_token_file: Path | None = field(default=None, repr=False)
    cafile: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> KafkaConnection:
        return cls(
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_sasl_username,
            password_file=settings.kafka_sasl_password_file,
            oauth_token_file=settings.kafka_sasl_oauth_token_file,
            cafile=settings.kafka_ssl_cafile,
            certfile=settings.kafka_ssl_certfile,
            keyfile=settings.kafka_ssl_keyfile,
        )

    @property
    def principal(self) -> str | None:
        """`User:<name>` as the broker's authorizer sees a SCRAM client (ACLs name it)."""
        return f"User:{self.username}" if self.username else None

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient.
        Holds the password: pass it to a client, never log or print it."""
        kwargs: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            kwargs["ssl_context"] = create_ssl_context(
                cafile=self.cafile, certfile=self.certfile, keyfile=self.keyfile
            )
        if self.security_protocol.startswith("SASL_"):
            if self.sasl_mechanism is None:
                raise KafkaCredentialError(f"{self.security_protocol} needs a SASL mechanism")
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            if self.sasl_mechanism == "OAUTHBEARER":
                if self.oauth_token_file is None:
                    raise KafkaCredentialError("OAUTHBEARER needs a token file")
                kwargs["sasl_oauth_token_provider"] = FileTokenProvider(self.oauth_token_file)
            else:
                if not self.username or self.password_file is None:
                    raise KafkaCredentialError("SCRAM needs a username and a password file")
                kwargs["sasl_plain_username"] = self.username
                kwargs["sasl_plain_password"] = _read_secret(self.password_file, "SASL password")
        return kwargs
