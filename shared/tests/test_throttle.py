"""The public routes' rate limit (`jrp_shared.throttle`), used by the registry's public lookup
and the appeals' whistle-blower reports: a moving window per key, 429 with Retry-After."""

from __future__ import annotations

import pytest

from jrp_shared.errors import TooManyRequests
from jrp_shared.throttle import PublicThrottle, check_rate


async def test_each_key_has_its_own_window() -> None:
    throttle = PublicThrottle(rate="2/minute", storage_uri="async+memory://", what="lookups")
    await throttle.admit("10.0.0.1")
    await throttle.admit("10.0.0.1")
    with pytest.raises(TooManyRequests) as spent:
        await throttle.admit("10.0.0.1")
    assert spent.value.status == 429 and 1 <= spent.value.retry_after_seconds <= 60
    assert "lookups" in spent.value.message
    await throttle.admit("10.0.0.2")  # another address is not affected


async def test_a_failures_throttle_counts_only_what_it_is_told() -> None:
    failures = PublicThrottle(rate="2/hour", storage_uri="async+memory://", scope="failures")
    for _ in range(5):
        await failures.refuse_when_spent("report:JB-2026-000001")  # checking counts nothing
    await failures.count("report:JB-2026-000001")
    await failures.count("report:JB-2026-000001")
    with pytest.raises(TooManyRequests) as spent:
        await failures.refuse_when_spent("report:JB-2026-000001")
    assert spent.value.retry_after_seconds > 60
    await failures.refuse_when_spent("report:JB-2026-000002")


def test_a_rate_is_checked() -> None:
    assert check_rate("30/minute") == "30/minute"
    with pytest.raises(ValueError):
        check_rate("thirty a minute")
