"""An external OpenID Connect provider's ID tokens, for officers' sign-in (docs/security.md,
"Officers"): the token's signature is checked with the provider's key set (fetched from its
`jwks_uri`, cached), its issuer, audience and expiry, and one claim names the officer's
username in the registry."""

from __future__ import annotations

from typing import Any

import jwt

from jrp_shared.errors import Unauthenticated

_LEEWAY_SECONDS = 30


class OidcVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        username_claim: str,
        algorithms: list[str],
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._claim = username_claim
        self._algorithms = algorithms
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=10)

    def username(self, id_token: str) -> str:
        """The username the verified ID token names. Blocking (it may fetch the key set): call
        it off the event loop. Unauthenticated, naming what is wrong, otherwise."""
        try:
            key = self._keys.get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=_LEEWAY_SECONDS,
            )
        except jwt.PyJWKClientError as exc:
            raise Unauthenticated(f"ID token refused: no usable provider key ({exc})") from exc
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("ID token expired; sign in at the provider again") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"ID token refused: {exc}") from exc
        username = claims.get(self._claim)
        if not isinstance(username, str) or not username:
            raise Unauthenticated(f"ID token refused: no {self._claim!r} claim names an officer")
        return username
