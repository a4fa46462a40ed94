"""An HTTP response streamed while the request body is still being read.

Starlette's `StreamingResponse` listens for a disconnect by calling `receive()` alongside the
body iterator (ASGI spec < 2.4, which uvicorn and httpx report), and would swallow the request
body; and a client that sends its whole body before reading the answer would block on a full
socket while the server blocks writing to it. So the producer runs in its own task, reads the
body, and writes results to a spool (memory, then a temporary file), and the response sends
the spool as it grows: results start as soon as the first chunk is stored, and neither side
ever waits for the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from jrp_shared.logging import get_logger

log = get_logger(__name__)

_READ_BYTES = 64 * 1024


class Spool:
    """Bytes written by one task and read by another, in order; memory up to `memory_bytes`,
    then a temporary file."""

    def __init__(self, memory_bytes: int = 1024 * 1024) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115
        self._written = 0
        self._read = 0
        self._finished = False
        self._changed = asyncio.Event()

    def write(self, data: bytes) -> None:
        self._file.seek(0, 2)
        self._file.write(data)
        self._written += len(data)
        self._changed.set()

    def finish(self) -> None:
        self._finished = True
        self._changed.set()

    async def read(self) -> bytes | None:
        """The next bytes written; None once finished and everything was read."""
        while True:
            if self._read < self._written:
                self._file.seek(self._read)
                data = self._file.read(min(_READ_BYTES, self._written - self._read))
                self._read += len(data)
                return data
            if self._finished:
                return None
            self._changed.clear()
            await self._changed.wait()

    def close(self) -> None:
        self._file.close()


Producer = Callable[[Spool], Awaitable[None]]


class SpooledStreamingResponse(Response):
    def __init__(self, produce: Producer, *, media_type: str, status_code: int = 200) -> None:
        self._produce = produce
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.init_headers(None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        spool = Spool()

        async def run() -> None:
            try:
                await self._produce(spool)
            finally:
                spool.finish()

        task = asyncio.create_task(run())
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            while (data := await spool.read()) is not None:
                await send({"type": "http.response.body", "body": data, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            await task
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            spool.close()
