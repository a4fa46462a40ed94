"""Refuse U+0000 (NUL) in what a request carries, with a 422 (docs/security.md, "Fuzzing").

PostgreSQL cannot store NUL in a text: a NUL in a query parameter failed the query with a
500, and a NUL inside a JSON field was stored (escaped, in a JSON column) and published, to
fail the first service that stores the field as text. No field of the mesh has a use for it,
so it is refused at the door: in the path, the query string, a JSON body (the escape
`\\u0000`; a raw NUL byte is invalid JSON already) and a form body (`%00`). Streamed bodies
(the NDJSON and CSV bulk import) are not buffered here: trigger refuses such a line by itself,
and `jrp_shared.web` answers the database's own refusal of a NUL with the same 422.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jrp_shared.errors import InvalidInput
from jrp_shared.problems import MEDIA_TYPE

REASON: Final = "nul_character"
MESSAGE: Final = "a text in the request contains U+0000 (NUL), which cannot be stored"

_JSON_NUL_ESCAPE = re.compile(rb"(\\+)u0000")
"""`\\u0000` in JSON text; an escape only after an odd run of backslashes (`\\\\u0000` is a
backslash followed by the letters `u0000`)."""
_FORM: Final = "application/x-www-form-urlencoded"


def refusal(field: str) -> InvalidInput:
    return InvalidInput.for_field(field, REASON, MESSAGE)


def json_holds_nul(body: bytes) -> bool:
    return any(len(m.group(1)) % 2 for m in _JSON_NUL_ESCAPE.finditer(body))


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-type":
            media_type: str = value.decode("latin-1").split(";")[0].strip().lower()
            return media_type
    return ""


def _buffered(media_type: str) -> bool:
    """Bodies parsed whole anyway (FastAPI reads a JSON or form body before the route runs)."""
    return media_type == _FORM or media_type == "application/json" or media_type.endswith("+json")


class NulRefusal:
    """Pure ASGI middleware; the 422 is a `DomainError` answer like any other."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if "\x00" in scope["path"]:
            await _answer(refusal("path"), scope, receive, send)
            return
        if b"%00" in query or b"\x00" in query:
            await _answer(refusal("query"), scope, receive, send)
            return
        media_type = _media_type(scope)
        if not _buffered(media_type):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
        except Exception as exc:
            # A limit of the edge (`jrp_shared.web`: too large, too slow, too deep) is raised
            # from `receive`: the app meets it where it would have, and answers it as usual.
            await self.app(scope, _replaying(messages, failure=exc), send)
            return
        found = b"%00" in body if media_type == _FORM else json_holds_nul(bytes(body))
        if found:
            await _answer(refusal("body"), scope, receive, send)
            return
        await self.app(scope, _replaying(messages, then=receive), send)


def _replaying(
    messages: list[Message], *, then: Receive | None = None, failure: Exception | None = None
) -> Receive:
    """`receive` giving the buffered messages again, then the rest (or the failure)."""
    pending = iter(messages)

    async def replay() -> Message:
        for message in pending:
            return message
        if failure is not None:
            raise failure
        assert then is not None
        return await then()

    return replay


async def _answer(error: InvalidInput, scope: Scope, receive: Receive, send: Send) -> None:
    answer = JSONResponse(error.as_json(), status_code=error.status, media_type=MEDIA_TYPE)
    await answer(scope, receive, send)
