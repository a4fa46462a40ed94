"""Wire the registry once from its settings: runtime (with its appeals.v1 consumer), token
issuer, working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass, field

from anyio import CapacityLimiter

from jrp_registry.adapters import orm
from jrp_registry.adapters.throttle import TokenThrottle
from jrp_registry.config import RegistrySettings
from jrp_registry.entrypoints.consumers import add_consumers
from jrp_shared.auth import TokenIssuer, load_public_keys, public_jwk
from jrp_shared.bus.base import Bus
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.clock import Clock, system_clock
from jrp_shared.events import topics
from jrp_shared.runtime import ServiceRuntime


@dataclass
class Registry:
    settings: RegistrySettings
    runtime: ServiceRuntime
    issuer: TokenIssuer
    calendar: WorkingDayCalendar
    token_throttle: TokenThrottle
    hashing: CapacityLimiter
    """Bounds the secret hashes computed at once in worker threads."""
    published_keys: list[dict[str, str]]
    """The key set `/.well-known/jwks.json` publishes: the signing key first."""
    clock: Clock = field(default=system_clock)
    """The receiver's clock (tests freeze it)."""


def bootstrap(settings: RegistrySettings, *, bus: Bus | None = None) -> Registry:
    runtime = ServiceRuntime(
        settings,
        orm.messaging,
        bus=bus,
        topics_published=[topics.CATALOG, topics.SUBJECTS, topics.DEPARTMENTS, topics.CALENDAR],
    )
    add_consumers(runtime)
    issuer = TokenIssuer(
        settings.private_key_pem(),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        ttl_seconds=settings.token_ttl_seconds,
    )
    throttle = TokenThrottle(
        per_client=settings.token_requests_per_client,
        failures_per_address=settings.token_failures_per_address,
        storage_uri=settings.token_rate_limit_storage,
    )
    return Registry(
        settings,
        runtime,
        issuer,
        WorkingDayCalendar(),
        throttle,
        CapacityLimiter(settings.token_hash_threads),
        _key_set(issuer, settings),
    )


def _key_set(issuer: TokenIssuer, settings: RegistrySettings) -> list[dict[str, str]]:
    keys = [issuer.public_jwk()]
    for path in settings.published_key_files:
        for key in load_public_keys(path.read_text(encoding="utf-8")).values():
            jwk = public_jwk(key)
            if jwk["kid"] not in {k["kid"] for k in keys}:
                keys.append(jwk)
    return keys
