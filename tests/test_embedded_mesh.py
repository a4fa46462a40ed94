"""`make run`'s launcher on the embedded default: four real processes, SQLite, the embedded bus.

Nothing is installed or mocked: the launcher migrates, seeds, starts the services, and they
talk over the embedded bus file exactly as they would on a newcomer's laptop.
"""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import court_data

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("registry", "trigger", "enforcement", "appeals")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(probe: Any, within: float = 180.0) -> Any:
    """Start-up migrates and seeds four databases; on a loaded 2-core machine that has taken
    close to a minute, so the wait is generous (this is not a timing test)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            result = probe()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_make_run_serves_the_four_services_on_the_embedded_default(tmp_path: Path) -> None:
    ports = {name: _free_port() for name in [*SERVICES, "console"]}
    env = {k: v for k, v in os.environ.items() if not k.startswith("JRP_")}
    env.update({f"JRP_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    env["JRP_REGISTRY_LOG_LEVEL"] = "WARNING"
    launcher = subprocess.Popen(
        [sys.executable, "deploy/local/run_mesh.py", "--var-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for url in urls.values():
            _wait(lambda url=url: httpx.get(f"{url}/readyz").status_code == 200)
        tokens = json.loads((tmp_path / "dev-credentials.json").read_text())
        assert {"tax", "court", "credit-office"} <= set(tokens)
        # The officers' console, with the development officers' sign-in (issue 16).
        officers_file = tmp_path / "dev-officers.json"
        assert stat.S_IMODE(officers_file.stat().st_mode) == 0o600
        officers = json.loads(officers_file.read_text())
        with httpx.Client(base_url=urls["console"]) as browser:
            form = browser.get("/login")
            csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
            signed_in = browser.post(
                "/login",
                data={
                    "csrf": csrf,
                    "username": "tax.officer",
                    "password": officers["tax.officer"]["password"],
                },
            )
            assert signed_in.status_code == 303, signed_in.text
            assert "李强" in browser.get("/").text
        tax = {"Authorization": f"Bearer {tokens['tax']}"}

        list_types = httpx.get(f"{urls['registry']}/v1/catalog/list-types", headers=tax).json()
        assert len(list_types) >= 12
        wrong = httpx.post(
            f"{urls['registry']}/v1/subjects",
            json={"code": "91350100M000100Y42", "subject_type": "legal_person", "name": "甲"},
            headers=tax,
        )
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["position"] == 18

        # The catalog crossed the embedded bus into each other service's own database.
        for name in ("trigger", "enforcement", "appeals"):
            copy = _wait(
                lambda name=name: (
                    len(httpx.get(f"{urls[name]}/v1/catalog/list-types", headers=tax).json())
                    == len(list_types)
                )
            )
            assert copy
        assert (tmp_path / "bus.sqlite3").exists()
        # Others may pass through var/ (make infra's PostgreSQL lives under it), not read it.
        assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o711
        assert stat.S_IMODE((tmp_path / "dev-credentials.json").stat().st_mode) == 0o600

        # The court's sync feed on the embedded SQLite: new lines, then the same again.
        court = {"Authorization": f"Bearer {tokens['court']}"}
        today = date.today()
        recent = court_data.Options(
            entries=3, seed=5, as_of=today, first_decision=today - timedelta(days=60)
        )
        lines = list(court_data.snapshot(recent))
        for expected in ("created", "unchanged"):
            feed = httpx.post(
                f"{urls['trigger']}/v1/sync-feeds",
                json={"mode": "delta", "list_type": court_data.LIST_TYPE},
                headers=court,
            )
            assert feed.status_code == 201, feed.text
            sent = httpx.post(
                f"{urls['trigger']}/v1/sync-feeds/{feed.json()['feed_id']}/lines",
                content=b"".join(json.dumps(x).encode() + b"\n" for x in lines),
                headers={**court, "content-type": "application/x-ndjson"},
                timeout=30,
            )
            summary = json.loads(sent.text.splitlines()[-1])
            assert "summary" in summary, sent.text
            assert summary["summary"]["counts"][expected] == len(lines), summary
    finally:
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == 0, output
    assert "The mesh is up" in output
    assert "[mesh] stopped" in output
    for port in ports.values():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "a service outlived the launcher"
