"""Build the bus a service's settings ask for."""

from __future__ import annotations

from jrp_shared.bus.base import Bus
from jrp_shared.logging import get_logger
from jrp_shared.settings import ServiceSettings

log = get_logger(__name__)


def bus_from_settings(settings: ServiceSettings) -> Bus:
    if settings.bus == "kafka":
        from jrp_shared.bus.connection import KafkaConnection
        from jrp_shared.bus.kafka import KafkaBus
        from jrp_shared.pseudonyms import SubjectPseudonyms

        if settings.kafka_key_secret_file is not None:
            pseudonyms = SubjectPseudonyms.from_file(settings.kafka_key_secret_file)
        else:
            log.warning(
                "kafka_key_secret_file is not set: resident IDs in message keys are replaced "
                "by pseudonyms of this process alone (development only; see docs/security.md)"
            )
            pseudonyms = SubjectPseudonyms.ephemeral()

        return KafkaBus(
            settings.topic_namespace,
            settings.kafka_bootstrap_servers,
            client_id=settings.service_name,
            partitions=settings.kafka_partitions,
            linger_ms=settings.kafka_linger_ms,
            compression=None
            if settings.kafka_compression == "none"
            else settings.kafka_compression,
            connection=KafkaConnection.from_settings(settings),
            auto_create_topics=settings.kafka_auto_create_topics,
            pseudonyms=pseudonyms,
        )
    from jrp_shared.bus.embedded import EmbeddedBus

    return EmbeddedBus(settings.topic_namespace, settings.embedded_bus_path)
