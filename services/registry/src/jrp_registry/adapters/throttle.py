"""Rate limits of the token endpoint, kept by the `limits` library (docs/security.md, "Tokens").

Two moving windows: every request for a client id counts against that client id (a department
needs one token per lifetime; guessing its secret is throttled), and every refused request
counts against the caller's address (spraying many client ids from one place is throttled, a
gateway that asks for many departments with the right secrets is not). The storage is per
registry process by default (`async+memory://`); a `limits` storage URI shared by the replicas
(e.g. `async+redis://…`) makes the limits hold across them. The public routes' throttle is
`jrp_shared.throttle.PublicThrottle`.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from jrp_shared.errors import TooManyRequests


class TokenThrottle:
    def __init__(self, *, per_client: str, failures_per_address: str, storage_uri: str) -> None:
        self._per_client: RateLimitItem = parse(per_client)
        self._failures: RateLimitItem = parse(failures_per_address)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    async def _refuse_when_spent(self, item: RateLimitItem, key: str, what: str) -> None:
        if await self._limiter.test(item, key):
            return
        stats = await self._limiter.get_window_stats(item, key)
        raise TooManyRequests(
            f"too many token requests {what} (limit {item}); retry later",
            retry_after_seconds=math.ceil(stats.reset_time - time.time()),
        )

    async def admit(self, address: str, client_id: str) -> None:
        """Count one request; 429 with Retry-After when either limit is spent."""
        await self._refuse_when_spent(self._failures, f"address:{address}", "refused from here")
        await self._refuse_when_spent(self._per_client, f"client:{client_id}", "for this client")
        await self._limiter.hit(self._per_client, f"client:{client_id}")

    async def admit_address(self, address: str) -> None:
        """429 with Retry-After when the address spent its refused requests (counts nothing):
        for a sign-in that names no client id (an officer's ID token)."""
        await self._refuse_when_spent(self._failures, f"address:{address}", "refused from here")

    async def refused(self, address: str) -> None:
        """Count a refused request against the caller's address."""
        await self._limiter.hit(self._failures, f"address:{address}")
