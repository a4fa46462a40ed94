"""The dependency every public route (no token) takes: it counts the request against the
caller's address in the registry's one public rate limit (429 with Retry-After once spent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jrp_registry.entrypoints.http.deps import RegistryDep


async def public_caller(request: Request, registry: RegistryDep) -> str:
    address = request.client.host if request.client else "unknown"
    await registry.public_throttle.admit(address)
    return address


PublicCaller = Annotated[str, Depends(public_caller)]
"""Anyone, without a token, within the public rate limit."""
