"""OAuth2 client credentials (RFC 6749 §4.4): departments exchange their secret for a token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form
from pydantic import BaseModel

from jrp_registry.entrypoints.http.deps import RegistryDep
from jrp_registry.service_layer import handlers

router = APIRouter(prefix="/v1/oauth", tags=["authentication"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenResponse)
async def token(
    registry: RegistryDep,
    grant_type: Annotated[Literal["client_credentials"], Form()],
    client_id: Annotated[str, Form(max_length=32)],
    client_secret: Annotated[str, Form(max_length=200)],
) -> TokenResponse:
    async with registry.runtime.uow() as uow:
        access_token, ttl = await handlers.issue_token(
            uow,
            registry.issuer,
            client_id=client_id,
            client_secret=client_secret,
            administrators=registry.settings.administrator_departments,
        )
    return TokenResponse(access_token=access_token, expires_in=ttl)
