"""Structured JSON logs, set up once per process, with the correlation id on every line.

Resident IDs are personal information (DOMAIN.md §2): a processor masks anything shaped like
one before a line is written, whatever the caller passed. Nothing in a log can act as anyone
either: the same processor blanks the value of any field named like a credential
(`authorization`, `*token*`, `*secret*`, `password`, `cookie`) and anything shaped like a
signed token (a JWT) or a bearer credential, wherever it appears in a line.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import structlog

from jrp_shared.correlation import current_correlation_id
from jrp_shared.identifiers import mask_resident_id

_RESIDENT_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CREDENTIAL_SHAPE = re.compile(
    r"eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*|(?i:bearer|basic)\s+[\w\-.~+/]{8,}=*"
)
_CREDENTIAL_NAME = re.compile(r"authorization|token|secret|password|cookie", re.IGNORECASE)
REDACTED = "[redacted]"


def _mask_text(text: str) -> str:
    if "eyJ" in text or "earer" in text or "asic" in text:
        text = _CREDENTIAL_SHAPE.sub(REDACTED, text)
    return _RESIDENT_ID_SHAPE.sub(lambda m: mask_resident_id(m.group(0)), text)


def _mask_value(value: Any, name: str = "") -> Any:
    if name and _CREDENTIAL_NAME.search(name) and isinstance(value, str | bytes):
        return REDACTED
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(v) for v in value]
    return value


def mask_personal_ids(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        event_dict[key] = _mask_value(value, "" if key == "event" else key)
    return event_dict


def add_correlation_id(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    correlation_id = current_correlation_id()
    if correlation_id and "correlation_id" not in event_dict:
        event_dict["correlation_id"] = correlation_id
    return event_dict


class BrokerClientLogLimiter(logging.Filter):
    """Keeps a broker outage to a few log lines: the Kafka client (aiokafka) logs every failed
    connection attempt of every producer, consumer and admin client, about 850 ERROR lines a
    second while the broker is away. Of its records (loggers `aiokafka…`, `kafka…`), at most
    `burst` pass per `window_seconds`; the first to pass after a window in which some were
    dropped says how many. The outage itself is reported by `jrp_shared.bus.health.BrokerWatch`
    (first failure, once a minute while it lasts, and when the broker is back)."""

    def __init__(
        self,
        *,
        burst: int = 3,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.burst = burst
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = -float("inf")
        self._passed_in_window = 0
        self._dropped_in_window = 0
        self.passed = 0
        self.suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("aiokafka", "kafka")):
            return True
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self.window_seconds:
                dropped = self._dropped_in_window
                self._window_start = now
                self._passed_in_window = self._dropped_in_window = 0
                if dropped:
                    record.msg = (
                        f"{record.getMessage()} [{dropped} more broker client log lines "
                        f"suppressed in the previous {self.window_seconds:.0f} s]"
                    )
                    record.args = None
            if self._passed_in_window >= self.burst:
                self._dropped_in_window += 1
                self.suppressed += 1
                return False
            self._passed_in_window += 1
            self.passed += 1
            return True


broker_client_log_limiter = BrokerClientLogLimiter()
"""The process's one limiter (logging is per process), installed by `configure_logging`."""


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    """Route structlog and stdlib logging through one JSON renderer on stdout."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_correlation_id,
        structlog.processors.format_exc_info,
        mask_personal_ids,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=shared,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(broker_client_log_limiter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.contextvars.bind_contextvars(service=service)
    for noisy in ("aiokafka", "kafka", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
