"""deploy/compose.yaml and the image (deploy/containers): every container reads valid settings
of its own service, images are pinned, the long-running ones have health checks and publish
only on loopback, jobs run in order; the image's defaults are a writable data directory and
port 8000 (issue 17). No container engine runs here: the files are checked as data, and the
entrypoint script is run by the shell."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from jrp_appeals.config import AppealsSettings
from jrp_console.config import ConsoleSettings
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.config import RegistrySettings
from jrp_trigger.config import TriggerSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "containers" / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "containers" / "entrypoint.sh"
SETTINGS: dict[str, Any] = {
    "registry": RegistrySettings,
    "trigger": TriggerSettings,
    "enforcement": EnforcementSettings,
    "appeals": AppealsSettings,
    "console": ConsoleSettings,
}
LONG_RUNNING = {"postgres", "kafka", *SETTINGS}


_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def _compose(variables: dict[str, str] | None = None) -> dict[str, Any]:
    """The file as `docker compose` reads it with `variables` in its environment: in each
    string, `${NAME:-default}` replaced (only that form is used in it)."""
    given = variables or {}

    def interpolated(value: Any) -> Any:
        if isinstance(value, str):
            return _VARIABLE.sub(lambda m: given.get(m.group(1)) or (m.group(2) or ""), value)
        if isinstance(value, dict):
            return {k: interpolated(v) for k, v in value.items()}
        if isinstance(value, list):
            return [interpolated(v) for v in value]
        return value

    loaded: dict[str, Any] = interpolated(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))
    return loaded


def _settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    prefixes = {name.split("_")[1].lower() for name in env}
    assert len(prefixes) == 1, prefixes
    service = prefixes.pop()
    for name in list(os.environ):
        if name.startswith("JRP_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return service, SETTINGS[service]()


def test_every_container_reads_valid_settings_of_its_own_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = _compose()["services"]
    seen = set()
    for name, spec in services.items():
        image = spec["image"]
        if not image.startswith("jrp-"):
            continue
        env = {k: str(v) for k, v in (spec.get("environment") or {}).items()}
        if not env:
            continue
        service, settings = _settings_from(env, monkeypatch)
        assert image.split(":")[0] == f"jrp-{service}", (name, image)
        seen.add(service)
        if name in SETTINGS and service != "console":
            assert settings.bus == "kafka" and settings.kafka_auto_create_topics is False, name
            assert str(settings.database_url).startswith("postgresql+asyncpg://"), name
    assert seen == set(SETTINGS)


@pytest.mark.parametrize("endpoint", [None, "http://otel-collector:4318"])
def test_tracing_is_off_unless_a_collector_is_named(
    endpoint: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/operations.md, "Tracing": one variable, JRP_OTEL_EXPORTER_OTLP_ENDPOINT, turns it
    on in the four services and the console; unset, none of them traces."""
    variables = {"JRP_OTEL_EXPORTER_OTLP_ENDPOINT": endpoint} if endpoint else {}
    services = _compose(variables)["services"]
    for name in SETTINGS:
        env = {k: str(v) for k, v in services[name]["environment"].items()}
        _, settings = _settings_from(env, monkeypatch)
        assert (settings.otel_exporter_otlp_endpoint or None) == endpoint, name


def test_images_are_pinned_and_services_checked_and_on_loopback() -> None:
    services = _compose()["services"]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version is not None
    for name, spec in services.items():
        image = spec["image"]
        assert ":" in image and not image.endswith(":latest"), (name, image)
        if image.startswith("jrp-"):
            assert image.endswith(f":{version.group(1)}"), (name, image)
        if name in LONG_RUNNING:
            assert spec.get("healthcheck", {}).get("test"), f"{name} has no health check"
            assert spec.get("restart") == "unless-stopped", name
        for port in spec.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    for infrastructure in ("postgres", "kafka"):
        assert "ports" not in services[infrastructure], "reachable on the compose network only"


def test_jobs_run_before_the_services_that_need_them() -> None:
    services = _compose()["services"]

    def waits_for(name: str, dependency: str, condition: str) -> bool:
        return bool(services[name]["depends_on"].get(dependency, {}).get("condition") == condition)

    for service in ("registry", "trigger", "enforcement", "appeals"):
        assert waits_for(service, "topics", "service_completed_successfully"), service
        migration = "catalog" if service == "registry" else f"migrate-{service}"
        assert waits_for(service, migration, "service_completed_successfully"), service
    assert waits_for("catalog", "migrate-registry", "service_completed_successfully")
    assert waits_for("first-admin", "catalog", "service_completed_successfully")
    assert "--if-missing" in services["first-admin"]["command"]
    assert "--password-file" in services["first-admin"]["command"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_the_dockerfile_pins_its_tools_and_runs_unprivileged() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG UV_VERSION=\d+\.\d+\.\d+$", text, re.M)
    assert '"uv==${UV_VERSION}"' in text
    assert re.search(r"^USER 10001$", text, re.M)
    assert "uv sync --locked --no-dev" in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for private in ("var/", ".git/", "**/.venv/", "deploy/compose/secrets/"):
        assert private in ignored


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_the_image_defaults_are_a_data_directory_and_port_8000(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entrypoint's defaults, read back by the service's own settings class: port 8000 (what
    the health check probes), every address, SQLite under /data (writable by uid 10001)."""
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "env"],
        env={"PATH": os.environ["PATH"], "SERVICE": service},
        capture_output=True,
        text=True,
        check=True,
    )
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if line.startswith("JRP_"))
    _, settings = _settings_from(env, monkeypatch)
    assert (settings.port, settings.host) == (8000, "0.0.0.0")
    if service != "console":
        assert settings.database_url == f"sqlite+aiosqlite:////data/{service}.db"
    given = subprocess.run(
        ["sh", str(ENTRYPOINT), "env"],
        env={"PATH": os.environ["PATH"], "SERVICE": service, f"JRP_{service.upper()}_PORT": "9"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"JRP_{service.upper()}_PORT=9" in given.stdout.splitlines()
