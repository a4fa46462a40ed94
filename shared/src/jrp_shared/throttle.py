"""Rate limits of the public routes (no token), kept by the `limits` library.

One moving window per key (the caller's address, or whatever the route counts by): past the
rate, 429 with `Retry-After`. The storage is per process by default (`async+memory://`); a
`limits` storage URI shared by the replicas (e.g. `async+redis://…`) makes the limit hold
across them. Used by the registry's public lookup (docs/public-lookup.md, "Limits") and the
appeals service's whistle-blower reports (docs/whistleblowers.md).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from jrp_shared.errors import TooManyRequests


def check_rate(value: str) -> str:
    """`value` if it is a `limits` rate (e.g. `10/minute`); ValueError naming what is wrong."""
    parse(value)
    return value


class PublicThrottle:
    """One moving window per key over the routes that share this throttle, so no one client
    can walk a register or flood a public door. `scope` prefixes the keys (two throttles may
    share one storage); `what` names what is counted in the 429's message."""

    def __init__(
        self, *, rate: str, storage_uri: str, scope: str = "public", what: str = "public lookups"
    ) -> None:
        self._rate: RateLimitItem = parse(rate)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._scope = scope
        self._what = what

    async def admit(self, key: str) -> None:
        """Count one request; 429 with Retry-After when the key spent its limit."""
        scoped = f"{self._scope}:{key}"
        if await self._limiter.hit(self._rate, scoped):
            return
        stats = await self._limiter.get_window_stats(self._rate, scoped)
        raise TooManyRequests(
            f"too many {self._what} from here (limit {self._rate}); retry later",
            retry_after_seconds=math.ceil(stats.reset_time - time.time()),
        )

    async def count(self, key: str) -> None:
        """Count one request (a failure, say) without refusing it."""
        await self._limiter.hit(self._rate, f"{self._scope}:{key}")

    async def refuse_when_spent(self, key: str) -> None:
        """429 with Retry-After when the key has no request left (counts nothing): for a
        throttle that counts only failures, checked before the attempt."""
        scoped = f"{self._scope}:{key}"
        if await self._limiter.test(self._rate, scoped):
            return
        stats = await self._limiter.get_window_stats(self._rate, scoped)
        raise TooManyRequests(
            f"too many {self._what} (limit {self._rate}); retry later",
            retry_after_seconds=math.ceil(stats.reset_time - time.time()),
        )
