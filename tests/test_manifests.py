"""deploy/manifests/mesh.yaml configures each service with settings it knows, and they hold."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from jrp_appeals.config import AppealsSettings
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.config import RegistrySettings
from jrp_shared.settings import ServiceSettings
from jrp_trigger.config import TriggerSettings

MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "manifests" / "mesh.yaml"
SETTINGS: dict[str, type[ServiceSettings]] = {
    "registry": RegistrySettings,
    "trigger": TriggerSettings,
    "enforcement": EnforcementSettings,
    "appeals": AppealsSettings,
}


def _value(item: dict[str, Any], config: dict[str, str]) -> str:
    if "value" in item:
        return str(item["value"])
    source = item["valueFrom"]
    if "configMapKeyRef" in source:
        return config[source["configMapKeyRef"]["key"]]
    return "postgresql+asyncpg://u:p@db/x"  # a Secret's value (the database URLs)


def test_every_container_reads_valid_settings_of_its_own_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = list(yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")))
    config = next(d for d in documents if d["kind"] == "ConfigMap")["data"]
    containers = [
        container
        for d in documents
        if d["kind"] in ("Deployment", "Job")
        for container in d["spec"]["template"]["spec"]["containers"]
    ]
    seen = set()
    for container in containers:
        env = {item["name"]: _value(item, config) for item in container["env"]}
        prefixes = {name.split("_")[1].lower() for name in env}
        assert len(prefixes) == 1, prefixes
        service = prefixes.pop()
        settings_class = SETTINGS[service]
        prefix = f"JRP_{service.upper()}_"
        unknown = [
            n for n in env if n.removeprefix(prefix).lower() not in settings_class.model_fields
        ]
        assert unknown == [], f"{container['name']}: not settings of {service}: {unknown}"
        with monkeypatch.context() as patched:
            for name, value in env.items():
                patched.setenv(name, value)
            settings = settings_class()  # as the container reads them, from its environment
        assert settings.bus == "kafka" and settings.kafka_security_protocol == "SASL_SSL"
        assert settings.kafka_auto_create_topics is False
        assert settings.kafka_key_secret_file is not None
        seen.add(service)
    assert seen == set(SETTINGS)
