"""Build the bus a service's settings ask for."""

from __future__ import annotations

from jrp_shared.bus.base import Bus
from jrp_shared.settings import ServiceSettings


def bus_from_settings(settings: ServiceSettings) -> Bus:
    if settings.bus == "kafka":
        from jrp_shared.bus.kafka import KafkaBus

        return KafkaBus(
            settings.topic_namespace,
            settings.kafka_bootstrap_servers,
            client_id=settings.service_name,
            partitions=settings.kafka_partitions,
            linger_ms=settings.kafka_linger_ms,
            compression=None
            if settings.kafka_compression == "none"
            else settings.kafka_compression,
        )
    from jrp_shared.bus.embedded import EmbeddedBus

    return EmbeddedBus(settings.topic_namespace, settings.embedded_bus_path)
