"""Wire the registry once from its settings: runtime (with its appeals.v1 and publicity.v1
consumers), token issuer, working-day calendar, the public routes' rate limit, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from anyio import CapacityLimiter

from jrp_registry.adapters import orm
from jrp_registry.adapters.oidc import OidcVerifier
from jrp_registry.adapters.throttle import TokenThrottle
from jrp_registry.config import RegistrySettings
from jrp_registry.entrypoints.consumers import add_consumers, add_publicity_consumer
from jrp_shared.auth import TokenIssuer, load_public_keys, public_jwk
from jrp_shared.bus.base import Bus
from jrp_shared.calendar import WorkingDayCalendar
from jrp_shared.clock import Clock, china_date, system_clock
from jrp_shared.events import topics
from jrp_shared.runtime import ServiceRuntime
from jrp_shared.throttle import PublicThrottle


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
    public_throttle: PublicThrottle
    """The public routes' rate limit per caller address (one window over every public route)."""
    officer_lockout: PublicThrottle
    """Failed officer sign-ins per username: past the limit, 429 until the window passes."""
    oidc: OidcVerifier | None
    """The external OpenID Connect provider officers may sign in through, when configured."""
    """Failed officer sign-ins per username: past the limit, 429 until the window passes."""
    clock: Clock = field(default=system_clock)
    """The receiver's clock (tests move it): the public lookup judges 'today' by its china date."""

    def today(self) -> date:
        """Today in China: publication periods are judged by it (DOMAIN.md §12)."""
        return china_date(self.clock())


def bootstrap(
    settings: RegistrySettings, *, bus: Bus | None = None, clock: Clock = system_clock
) -> Registry:
    runtime = ServiceRuntime(
        settings,
        orm.messaging,
        bus=bus,
        topics_published=[topics.CATALOG, topics.SUBJECTS, topics.DEPARTMENTS, topics.CALENDAR],
    )
    add_consumers(runtime)
    add_publicity_consumer(runtime)
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
        PublicThrottle(
            rate=settings.public_rate_limit, storage_uri=settings.public_rate_limit_storage
        ),
        PublicThrottle(
            rate=settings.officer_failures_per_username,
            storage_uri=settings.token_rate_limit_storage,
            scope="officer-failures",
            what="failed sign-ins for this username",
        ),
        _oidc(settings),
        clock,
    )


def _oidc(settings: RegistrySettings) -> OidcVerifier | None:
    if not (settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url):
        return None
    return OidcVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        jwks_url=settings.oidc_jwks_url,
        username_claim=settings.oidc_username_claim,
        algorithms=settings.oidc_algorithms,
    )


def _key_set(issuer: TokenIssuer, settings: RegistrySettings) -> list[dict[str, str]]:
    keys = [issuer.public_jwk()]
    for path in settings.published_key_files:
        for key in load_public_keys(path.read_text(encoding="utf-8")).values():
            jwk = public_jwk(key)
            if jwk["kid"] not in {k["kid"] for k in keys}:
                keys.append(jwk)
    return keys
