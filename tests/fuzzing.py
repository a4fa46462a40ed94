"""Schemathesis over a service's OpenAPI (issue 11; docs/security.md, "Fuzzing").

The service's app runs in this process (its lifespan already started by the caller) and is
served by uvicorn on a local port; schemathesis' own command line fuzzes every operation of
its `/openapi.json` once per identity with the checks of `CHECKS`: no server error, and no
answer that contradicts the document. The figures come from schemathesis' JSON report.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from jrp_shared.testing import free_port

EXAMPLES_VARIABLE = "JRP_FUZZ_EXAMPLES"
"""Test cases per operation and generation phase (schemathesis `--max-examples`)."""
DEFAULT_EXAMPLES = 5
"""Bounded for `make test`; `make fuzz` raises it (FUZZ_EXAMPLES)."""
CHECKS_VARIABLE = "JRP_FUZZ_CHECKS"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
"""No 5xx (issue 11), and every answer as documented (issue 17): its status is one the
operation lists, its media type the one documented for that status, its body valid against
that status' schema (the RFC 9457 `Problem` for errors)."""
SEED_VARIABLE = "JRP_FUZZ_SEED"
"""Fixed by default so a failure reproduces; `make fuzz` may vary it."""
DEFAULT_SEED = 11


def examples() -> int:
    return int(os.environ.get(EXAMPLES_VARIABLE) or DEFAULT_EXAMPLES)


def seed() -> int:
    return int(os.environ.get(SEED_VARIABLE) or DEFAULT_SEED)


@dataclass(frozen=True)
class Identity:
    """Who the fuzzer calls as: a name for the figures and its Authorization header."""

    name: str
    authorization: str


@dataclass(frozen=True)
class Figures:
    service: str
    identity: str
    operations: int
    cases: int
    failures: int
    errors: int
    seconds: float
    details: str
    """What failed, as schemathesis tells it (empty when nothing did)."""

    def line(self) -> str:
        return (
            f"{self.service:<12} {self.identity:<11} {self.operations:>10} {self.cases:>8} "
            f"{self.failures:>8} {self.errors:>6} {self.seconds:>8.1f}"
        )


HEADER = (
    f"{'service':<12} {'identity':<11} {'operations':>10} {'cases':>8} "
    f"{'failures':>8} {'errors':>6} {'seconds':>8}"
)


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app over real HTTP on 127.0.0.1 (lifespan off: the caller runs it); its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", access_log=False
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def _config(directory: Path, known: Mapping[str, Sequence[str]]) -> Path:
    """A schemathesis.toml that draws the seeded values now and then, so requests reach existing
    entries, subjects and list types rather than "not found": for a parameter or body field of
    a known name (e.g. `entry_id`, or a nested field: `subject.code`) half of the time, for any
    other string a tenth."""
    path = directory / "schemathesis.toml"
    everything = sorted({value for values in known.values() for value in values})
    if not everything:
        path.write_text("")
        return path
    lines = ["[dictionaries.seeded]", f"values = {json.dumps(everything)}"]
    dictionaries = {name: f"known{i}" for i, name in enumerate(known)}
    for name, values in known.items():
        lines += [f"[dictionaries.{dictionaries[name]}]", f"values = {json.dumps(list(values))}"]
    lines += ["[generation.dictionaries.string]", 'dictionary = "seeded"', "probability = 0.1"]
    lines += ["[parameters]"]
    for name, dictionary in dictionaries.items():
        binding = f'{{ dictionary = "{dictionary}", probability = 0.5 }}'
        if name.isidentifier():  # a path or query parameter, or a top-level body field
            lines.append(f"{name} = {binding}")
        lines.append(f'"body.{name}" = {binding}')
    path.write_text("\n".join(lines) + "\n")
    return path


async def fuzz(
    app: FastAPI,
    service: str,
    identities: Sequence[Identity],
    directory: Path,
    *,
    known: Mapping[str, Sequence[str]] | None = None,
) -> list[Figures]:
    """Fuzz every operation of `app` as each identity; the figures of each run."""
    config = _config(directory, known or {})
    figures = []
    async with served(app) as base_url:
        for identity in identities:
            report = directory / f"{service}-{identity.name}.json"
            output = directory / f"{service}-{identity.name}.log"
            with output.open("wb") as log:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "schemathesis.cli",
                    "--config-file",
                    str(config),
                    "--no-color",
                    "run",
                    f"{base_url}/openapi.json",
                    "--header",
                    f"Authorization: {identity.authorization}",
                    "--checks",
                    os.environ.get(CHECKS_VARIABLE) or ",".join(CHECKS),
                    "--max-examples",
                    str(examples()),
                    "--seed",
                    str(seed()),
                    "--workers",
                    "1",
                    "--generation-database",
                    "none",
                    "--request-timeout",
                    "30",
                    "--report",
                    "json",
                    "--report-json-path",
                    str(report),
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
                await process.wait()
            figures.append(_figures(service, identity.name, report, output))
    return figures


def _figures(service: str, identity: str, report: Path, output: Path) -> Figures:
    if not report.exists():
        raise AssertionError(f"schemathesis wrote no report:\n{output.read_text()[-4000:]}")
    data: dict[str, Any] = json.loads(report.read_text())
    cases = data["test_cases"]
    failures = int(cases["unique_failures"])
    errors = len(data["errors"]) + int(cases["errored"])
    details = ""
    if failures or errors or data["exit_code"] != 0:
        # The console output names each failing operation with a curl line to reproduce it.
        details = output.read_text()[-12000:]
    return Figures(
        service=service,
        identity=identity,
        operations=int(data["operations"]["tested"]),
        cases=int(cases["generated"]),
        failures=failures,
        errors=errors,
        seconds=float(data["running_time"]),
        details=details,
    )
