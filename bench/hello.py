"""A bare FastAPI app on the same server as the services: the yardstick the benchmarks report
their throughput against (uvicorn, one worker, same interpreter)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
