"""The bus interface and its two implementations (Kafka, embedded)."""

from jrp_shared.bus.base import Bus, Message, Record, Subscription

__all__ = ["Bus", "Message", "Record", "Subscription"]
