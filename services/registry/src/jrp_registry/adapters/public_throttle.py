"""The rate limit of the public routes (no token), kept by the `limits` library as the token
endpoint's is (adapters/throttle.py): one moving window per caller address, shared by every
public route, so a scraper cannot walk the register (issue 13: "rate-limited per client").
The storage is per registry process by default; a shared `limits` storage URI
(`async+redis://…`) makes the limit hold across replicas."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from jrp_shared.errors import TooManyRequests


class PublicThrottle:
    def __init__(self, *, per_address: str, storage_uri: str) -> None:
        self._item: RateLimitItem = parse(per_address)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    async def admit(self, address: str) -> None:
        """Count one public request from `address`; 429 with Retry-After once spent."""
        key = f"public:{address}"
        if await self._limiter.hit(self._item, key):
            return
        stats = await self._limiter.get_window_stats(self._item, key)
        raise TooManyRequests(
            f"too many public lookups from this address (limit {self._item}); retry later",
            retry_after_seconds=math.ceil(stats.reset_time - time.time()),
        )
